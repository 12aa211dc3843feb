/**
 * A gRPC (HTTP/2, plaintext) proxy in front of a real Temporal server that can end the
 * calls in flight the way a server or load balancer does when it gives up on them: an
 * RST_STREAM with code CANCEL, which a gRPC client reports as `1 CANCELLED: Call
 * cancelled`. Everything else is forwarded as it is, trailers included.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface GrpcProxy {
  /** host:port to give a client instead of the server's. */
  address: string;
  /** The paths (`/<service>/<method>`) of the calls forwarded so far. */
  readonly calls: string[];
  /** Resets the calls in flight whose path matches, as the server cancelling them. */
  cancelCalls(path: RegExp): number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([':status', ':method', ':path', ':scheme', ':authority']);

export async function startGrpcProxy(target: string): Promise<GrpcProxy> {
  const upstream = http2.connect(`http://${target}`);
  upstream.on('error', () => undefined);
  const inFlight = new Map<http2.ServerHttp2Stream, string>();
  const calls: string[] = [];
  const server = http2.createServer();
  server.on('stream', (down, headers) => {
    const path = String(headers[':path']);
    calls.push(path);
    inFlight.set(down, path);
    down.once('close', () => inFlight.delete(down));
    const forwarded = Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k) || k === ':path' || k === ':method'));
    const up = upstream.request(forwarded, { endStream: false });
    let trailers: http2.OutgoingHttpHeaders | undefined;
    up.on('response', (h) => {
      const status = Number(h[':status'] ?? 200);
      const rest = Object.fromEntries(Object.entries(h).filter(([k]) => !HOP_BY_HOP.has(k)));
      if (!down.destroyed) down.respond({ ':status': status, ...rest }, { waitForTrailers: true });
    });
    up.on('trailers', (t) => (trailers = t));
    down.on('wantTrailers', () => down.sendTrailers(trailers ?? {}));
    up.on('data', (chunk: Buffer) => !down.destroyed && down.write(chunk));
    up.on('end', () => !down.destroyed && down.end());
    up.on('error', () => !down.destroyed && down.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    down.on('data', (chunk: Buffer) => up.write(chunk));
    down.on('end', () => up.end());
    down.on('close', () => !up.destroyed && up.close(http2.constants.NGHTTP2_CANCEL));
    down.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    cancelCalls(pattern) {
      let n = 0;
      for (const [stream, path] of inFlight) {
        if (!pattern.test(path)) continue;
        stream.close(http2.constants.NGHTTP2_CANCEL);
        n += 1;
      }
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of inFlight.keys()) stream.close(http2.constants.NGHTTP2_CANCEL);
        upstream.close();
        server.close(() => resolve());
      }),
  };
}
