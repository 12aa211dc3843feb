/**
 * An HTTP proxy in front of localstripe that honours `Idempotency-Key` as Stripe does
 * (localstripe ignores it): the first request with a key is forwarded, and every later
 * one with that key is answered the same response — the same PaymentIntent. A test can
 * also hold requests until another arrives, to put two attempts' calls in the order
 * that exposes a race.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request as the hold rules see it; `seen` counts the requests so far with its key. */
export interface SeenRequest {
  method: string;
  path: string;
  key: string | undefined;
  seen: number;
}

export interface HoldRule {
  /** Requests answered only once `until` matched a request, or `maxMs` passed. */
  held: (r: SeenRequest) => boolean;
  until: (r: SeenRequest) => boolean;
  maxMs: number;
}

export interface IdempotentStripe {
  url: string;
  hold(rule: HoldRule): void;
  close(): Promise<void>;
}

export async function startIdempotentStripe(target: string): Promise<IdempotentStripe> {
  const upstream = new URL(target);
  const answers = new Map<string, Promise<Answer>>();
  const arrivals = new Map<string, number>();
  const holds: (HoldRule & { released: boolean; waiters: (() => void)[] })[] = [];

  const forward = (req: http.IncomingMessage, body: Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const out = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const header = req.headers['idempotency-key'];
        const key = typeof header === 'string' ? header : undefined;
        const id = `${req.method} ${req.url} ${key}`;
        if (key) arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
        const seen: SeenRequest = { method: req.method ?? 'GET', path: req.url ?? '/', key, seen: key ? arrivals.get(id)! : 1 };
        for (const h of holds) {
          if (!h.released && h.until(seen)) {
            h.released = true;
            for (const release of h.waiters.splice(0)) release();
          }
        }
        for (const h of holds) {
          if (!h.released && h.held(seen)) {
            await new Promise<void>((resolve) => {
              h.waiters.push(resolve);
              setTimeout(resolve, h.maxMs).unref(); // never hangs a test whose release never comes
            });
          }
        }
        let answer: Answer;
        if (!key) answer = await forward(req, body);
        else {
          if (!answers.has(id)) answers.set(id, forward(req, body));
          answer = await answers.get(id)!;
        }
        const headers = { ...answer.headers, 'content-length': String(answer.body.length) };
        delete headers['transfer-encoding']; // the body is answered whole
        res.writeHead(answer.status, headers);
        res.end(answer.body);
      })().catch(() => {
        res.writeHead(502);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold(rule) {
      holds.push({ ...rule, released: false, waiters: [] });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
