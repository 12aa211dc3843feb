/** Rate limits answer 429 problem+json with Retry-After. */
import type { NextFunction, Request, Response } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { AppError } from '../../domain/errors';

export function rateLimitHandler(what: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const reset = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime?.getTime();
    const retryAfterSec = reset ? Math.max(1, Math.ceil((reset - Date.now()) / 1000)) : 60;
    next(new AppError('rate-limited', `too many ${what}; retry in ${retryAfterSec} s`, { retryAfterSec }));
  };
}

/** The general limit: per user when authenticated, else per IP. */
export function generalRateLimit(perMinute: number) {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => (req.auth ? `user:${req.auth.userId}` : `ip:${ipKeyGenerator(req.ip ?? '')}`),
    handler: rateLimitHandler('requests'),
  });
}
