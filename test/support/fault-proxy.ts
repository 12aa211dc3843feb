/**
 * An HTTP proxy in front of a real server that can be told to fail some requests (503)
 * — a real dependency with a fault injected where the test needs it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  url: string;
  /** Requests answered 503 instead of forwarded, while set. */
  failWhen(predicate: ((method: string, path: string) => boolean) | undefined): void;
  /** How many requests were failed so far. */
  readonly failed: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let predicate: ((method: string, path: string) => boolean) | undefined;
  let failed = 0;
  const server = http.createServer((req, res) => {
    if (predicate?.(req.method ?? 'GET', req.url ?? '/')) {
      failed += 1;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { type: 'api_error', message: 'injected by the test: service unavailable' } }));
      return;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    failWhen(p) {
      predicate = p;
    },
    get failed() {
      return failed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
