/** Authentication (Bearer JWT) and role rules. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../../domain/errors';
import type { Principal, Role, TokenService } from '../auth';
import type { Privileges } from '../privileges';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: Principal;
    }
  }
}

/**
 * Reads the Bearer token when one is sent. A missing token leaves the request
 * anonymous; a bad one is a 401 at once (never silently anonymous), and so is one
 * issued before its account's role or salon changed or it logged out.
 */
export function authenticate(tokens: TokenService, privileges: Privileges): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AppError('unauthenticated', 'use the header "Authorization: Bearer <token>"');
    const who = tokens.verify(match[1]!);
    let account;
    try {
      account = await privileges.current(who.userId);
    } catch (err) {
      throw new AppError('unavailable', 'the token cannot be checked right now; retry in a few seconds', { retryAfterSec: 2, cause: err });
    }
    if (!account) throw new AppError('unauthenticated', 'the token’s account no longer exists');
    if (account.tokenVersion !== who.tokenVersion) {
      throw new AppError('unauthenticated', 'this token was revoked (the account’s role or salon changed, or it logged out); log in again');
    }
    req.auth = who;
    next();
  };
}

export function principal(req: Request): Principal {
  if (!req.auth) throw new AppError('unauthenticated', 'this route needs a token: log in at POST /v1/auth/login');
  return req.auth;
}

/** Only these roles may pass. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const who = principal(req);
    if (!roles.includes(who.role)) {
      throw new AppError('forbidden', `this route is for ${roles.join(' or ')}; your role is ${who.role}`);
    }
    next();
  };
}

/** Operators manage every salon; a salon admin only their own. */
export function canManageSalon(who: Principal, salonId: string): boolean {
  return who.role === 'operator' || (who.role === 'salon_admin' && who.salonId === salonId);
}

export function requireSalonManager(req: Request, salonId: string): Principal {
  const who = principal(req);
  if (!canManageSalon(who, salonId)) {
    throw new AppError(
      'forbidden',
      who.role === 'salon_admin' ? 'you administer another salon' : 'only an operator or this salon’s admin may change it',
    );
  }
  return who;
}
