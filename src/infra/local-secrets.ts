/**
 * A secret the configuration may leave unset outside production: in development and
 * tests it is generated once into the state directory (every process of one stack
 * shares it, and it outlives restarts); in production it is required.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';

export function resolveSecret(cfg: Config, opts: { value: string | undefined; file: string; variable: string; what: string }): string {
  if (opts.value) return opts.value;
  if (cfg.env === 'production') throw new Error(`${opts.variable} is not set: production refuses to start without ${opts.what} (at least 32 characters)`);
  const file = path.join(cfg.stateDir, opts.file);
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
