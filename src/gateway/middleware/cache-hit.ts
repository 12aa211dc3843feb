/**
 * The fast path for anonymous GETs the response cache holds: they skip the request log,
 * body parsing, authentication and the router, and keep what every answer owes — its
 * request id, latency metric, security headers and rate limit. The answer is the entry
 * that was fresh when the request arrived. A request with credentials, or a miss, takes
 * the full chain.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ResponseCache } from '../cache';

export function cacheHitFastPath(
  cache: ResponseCache,
  assignId: (req: Request, res: Response) => string,
  steps: RequestHandler[],
): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' || req.headers.authorization !== undefined) return next();
    const entry = cache.hit(req.originalUrl);
    if (!entry) return next();
    req.id = assignId(req, res);
    res.locals.route = entry.route;
    const run = (i: number): NextFunction => (err?: unknown) => {
      if (err) return next(err); // the rate limit's 429, answered by the error handler
      const step = steps[i];
      if (!step) return cache.answer(req, res, entry);
      step(req, res, run(i + 1));
    };
    run(0)();
  };
}
