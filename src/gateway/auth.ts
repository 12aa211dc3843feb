/**
 * Passwords (scrypt, from Node's crypto) and tokens (JWT, HS256 pinned on verify).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import jwt from 'jsonwebtoken';
import type { Config } from '../config';
import { AppError } from '../domain/errors';

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1, keyLen: 64 };

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.keyLen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return crypto.timingSafeEqual(actual, expected);
}

export type Role = 'client' | 'salon_admin' | 'operator';

export interface Principal {
  userId: string;
  role: Role;
  salonId?: string;
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
      const claims: Record<string, string> = { role: p.role };
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
      return { userId: claims.sub, role, salonId: typeof claims.salonId === 'string' ? claims.salonId : undefined };
    },
  };
}

/**
 * The signing secret: from configuration; in development and tests, generated once into
 * the state directory when unset; in production, required.
 */
export function resolveJwtSecret(cfg: Config): string {
  if (cfg.jwt.secret) return cfg.jwt.secret;
  if (cfg.env === 'production') {
    throw new Error('JWT_SECRET is not set: production refuses to start without a signing secret (at least 32 characters)');
  }
  const file = path.join(cfg.stateDir, 'jwt-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(cfg.stateDir, { recursive: true });
    const secret = crypto.randomBytes(48).toString('base64url');
    try {
      fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      return fs.readFileSync(file, 'utf8').trim(); // another process wrote it first
    }
  }
}
