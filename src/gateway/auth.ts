/**
 * Passwords (argon2id, OWASP's parameters, hashed on libuv's thread pool, off the event
 * loop) and tokens (JWT, HS256 pinned on verify).
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import argon2 from 'argon2';
import jwt from 'jsonwebtoken';
import type { Config } from '../config';
import { resolveSecret } from '../infra/local-secrets';
import { AppError } from '../domain/errors';

/** OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1. */
export const ARGON2 = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2);
}

export interface PasswordCheck {
  ok: boolean;
  /** The password was right but its hash is older or weaker than today's: store `hashPassword(password)`. */
  rehash: boolean;
}

/** Checks a password against a stored hash: today's argon2id, or the scrypt hashes of earlier versions. */
export async function checkPassword(password: string, stored: string): Promise<PasswordCheck> {
  if (stored.startsWith('scrypt$')) return { ok: await verifyLegacyScrypt(password, stored), rehash: true };
  let ok = false;
  try {
    ok = await argon2.verify(stored, password);
  } catch {
    return { ok: false, rehash: false }; // not a hash we know
  }
  return { ok, rehash: ok && argon2.needsRehash(stored, ARGON2) };
}

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;

/** `scrypt$N$r$p$salt$hash`, as versions before argon2id stored them; rehashed at the next login. */
async function verifyLegacyScrypt(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * Number(n) * Number(r),
  });
  return crypto.timingSafeEqual(actual, expected);
}

export type Role = 'client' | 'salon_admin' | 'operator';

export interface Principal {
  userId: string;
  role: Role;
  salonId?: string;
  /** The account's token version when the token was issued (absent in tokens from before versions: 0). */
  tokenVersion: number;
}

export interface TokenService {
  issue(p: Principal): { token: string; expiresIn: number };
  verify(token: string): Principal;
}

export function createTokenService(opts: { secret: string; issuer: string; audience: string; ttlSeconds: number }): TokenService {
  // A key object made once: given the string, jsonwebtoken tries to parse it as a public
  // key on every call (and throws) before treating it as a secret — 11 % of the
  // gateway's CPU under booking load.
  const key = crypto.createSecretKey(Buffer.from(opts.secret));
  return {
    issue(p) {
      const claims: Record<string, string | number> = { role: p.role, ver: p.tokenVersion };
      if (p.salonId) claims.salonId = p.salonId;
      const token = jwt.sign(claims, key, {
        algorithm: 'HS256',
        subject: p.userId,
        issuer: opts.issuer,
        audience: opts.audience,
        expiresIn: opts.ttlSeconds,
      });
      return { token, expiresIn: opts.ttlSeconds };
    },
    verify(token) {
      let claims: jwt.JwtPayload;
      try {
        claims = jwt.verify(token, key, {
          algorithms: ['HS256'],
          issuer: opts.issuer,
          audience: opts.audience,
        }) as jwt.JwtPayload;
      } catch (err) {
        const reason = err instanceof jwt.TokenExpiredError ? 'the token has expired; log in again' : 'the token is invalid; log in again';
        throw new AppError('unauthenticated', reason);
      }
      const role = claims.role as unknown;
      if (typeof claims.sub !== 'string' || (role !== 'client' && role !== 'salon_admin' && role !== 'operator')) {
        throw new AppError('unauthenticated', 'the token is missing its subject or role; log in again');
      }
      return {
        userId: claims.sub,
        role,
        ...(typeof claims.salonId === 'string' ? { salonId: claims.salonId } : {}),
        tokenVersion: typeof claims.ver === 'number' ? claims.ver : 0,
      };
    },
  };
}

/**
 * The signing secret: from configuration; in development and tests, generated once into
 * the state directory when unset; in production, required.
 */
export function resolveJwtSecret(cfg: Config): string {
  return resolveSecret(cfg, { value: cfg.jwt.secret, file: 'jwt-secret', variable: 'JWT_SECRET', what: 'a signing secret' });
}
