/**
 * The fast path for anonymous GETs the response cache holds, in front of Express: they
 * skip the request log, Express's request objects, body parsing, authentication and the
 * router, and keep what every answer owes — its request id, latency metric, security
 * headers and rate limit (the same count as the full chain's). The answer is the entry
 * that was fresh when the request arrived, written with one writeHead. A request with
 * credentials, a miss, or a client over its limit takes the full chain.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import proxyaddr from 'proxy-addr';
import { cacheControlFor, holdsEtag, type ResponseCache } from '../cache';
import type { LatencyObserver } from './latency';
import type { GeneralRateLimit } from './rate-limit';

export interface CacheHitDeps {
  cache: ResponseCache;
  /** Sets X-Request-Id on the response and returns it. */
  assignId: (req: IncomingMessage, res: ServerResponse) => string;
  observeLatency: LatencyObserver;
  securityHeaders: RequestHandler;
  rateLimit: GeneralRateLimit;
  /** Express's compiled `trust proxy fn`: whose X-Forwarded-For names the client. */
  trustProxy: (addr: string, hop: number) => boolean;
}

/** The headers a middleware sets on every response (helmet's are the same for each). */
export function headersSetBy(middleware: RequestHandler): [string, string][] {
  const set = new Map<string, [string, string]>();
  const res = {
    setHeader: (name: string, value: unknown) => void set.set(name.toLowerCase(), [name, String(value)]),
    removeHeader: (name: string) => void set.delete(name.toLowerCase()),
  };
  let called = false;
  middleware({} as never, res as never, () => void (called = true));
  if (!called) throw new Error('the security headers middleware did not call next() at once');
  return [...set.values()];
}

export function cacheHitListener(full: RequestListener, deps: CacheHitDeps): RequestListener {
  const { cache, rateLimit } = deps;
  const security = headersSetBy(deps.securityHeaders).flat();
  const contentType = 'application/json; charset=utf-8';
  return (req, res) => {
    if (req.method !== 'GET' || req.headers.authorization !== undefined || req.url === undefined) return full(req, res);
    const entry = cache.hit(req.url);
    if (!entry) return full(req, res);
    const key = rateLimit.anonymousKey(proxyaddr(req, deps.trustProxy));
    rateLimit.count(key).then(
      (limitHeaders) => {
        if (!limitHeaders) return full(req, res); // over the limit: the full chain answers 429
        deps.assignId(req, res);
        deps.observeLatency(res, () => ({ route: entry.route, method: 'GET', api: true }));
        const headers = [...security, ...limitHeaders.flat(), 'Cache-Control', cacheControlFor(false), 'X-Cache', 'HIT', 'ETag', entry.etag];
        if (holdsEtag(req.headers['if-none-match'], entry)) {
          res.writeHead(304, headers).end();
          return;
        }
        headers.push('Content-Type', contentType, 'Content-Length', String(Buffer.byteLength(entry.body)));
        res.writeHead(200, headers).end(entry.body);
      },
      () => full(req, res),
    );
  };
}
