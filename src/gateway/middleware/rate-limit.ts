/** Rate limits answer 429 problem+json with Retry-After. */
import crypto from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { AppError } from '../../domain/errors';

export function rateLimitHandler(what: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const reset = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime?.getTime();
    const retryAfterSec = reset ? Math.max(1, Math.ceil((reset - Date.now()) / 1000)) : 60;
    next(new AppError('rate-limited', `too many ${what}; retry in ${retryAfterSec} s`, { retryAfterSec }));
  };
}

export interface GeneralRateLimit {
  middleware: RequestHandler;
  /** The key of an anonymous client by its address (what `middleware` counts it under). */
  anonymousKey(ip: string): string;
  /**
   * Counts a hit outside Express (the cache-hit path) in the same store: the RateLimit
   * headers `middleware` would send (IETF draft-8), or undefined — the hit not counted —
   * when the client is over the limit, for `middleware` to count and answer 429.
   */
  count(key: string): Promise<[string, string][] | undefined>;
}

const WINDOW_MS = 60_000;
/** Partition keys are a sha256 of the client's key: computed once per client. */
const PARTITION_KEYS_KEPT = 10_000;

/** The general limit: per user when authenticated, else per IP. */
export function generalRateLimit(perMinute: number): GeneralRateLimit {
  const store = new MemoryStore();
  const identifier = `${perMinute}-in-1min`;
  const anonymousKey = (ip: string) => `ip:${ipKeyGenerator(ip)}`;
  const middleware = rateLimit({
    windowMs: WINDOW_MS,
    limit: perMinute,
    standardHeaders: 'draft-8',
    identifier,
    legacyHeaders: false,
    store,
    keyGenerator: (req) => (req.auth ? `user:${req.auth.userId}` : anonymousKey(req.ip ?? '')),
    // Its check of the key generator's source cannot see that anonymousKey applies ipKeyGenerator.
    validate: { keyGeneratorIpFallback: false },
    handler: rateLimitHandler('requests'),
  });
  const partitionKeys = new Map<string, string>();
  const partitionKey = (key: string): string => {
    let pk = partitionKeys.get(key);
    if (pk === undefined) {
      // express-rate-limit's own: the sha256's first 12 hex digits, in base64.
      pk = Buffer.from(crypto.createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
      if (partitionKeys.size >= PARTITION_KEYS_KEPT) partitionKeys.clear();
      partitionKeys.set(key, pk);
    }
    return pk;
  };
  return {
    middleware,
    anonymousKey,
    async count(key) {
      const { totalHits, resetTime } = await store.increment(key);
      if (totalHits > perMinute) {
        await store.decrement(key);
        return undefined;
      }
      const resetSec = resetTime ? Math.max(0, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : WINDOW_MS / 1000;
      return [
        ['RateLimit', `"${identifier}"; r=${perMinute - totalHits}; t=${resetSec}`],
        ['RateLimit-Policy', `"${identifier}"; q=${perMinute}; w=${WINDOW_MS / 1000}; pk=:${partitionKey(key)}:`],
      ];
    },
  };
}
