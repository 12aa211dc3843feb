import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createTokenService, resolveJwtSecret } from '../../src/gateway/auth';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'instudio-jwt-'));

test('when production has no JWT_SECRET, then the gateway refuses to start with a message saying so', () => {
  const cfg = loadConfig({ NODE_ENV: 'production', INSTUDIO_STATE_DIR: tmp() });
  expect(() => resolveJwtSecret(cfg)).toThrow(/JWT_SECRET is not set/);
});

test('when development has no JWT_SECRET, then one is generated once into the state directory and reused', () => {
  const dir = tmp();
  const cfg = loadConfig({ INSTUDIO_STATE_DIR: dir });
  const first = resolveJwtSecret(cfg);
  expect(first.length).toBeGreaterThanOrEqual(32);
  expect(resolveJwtSecret(cfg)).toBe(first);
  expect(fs.statSync(path.join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('when JWT_SECRET is set, then it is used as is', () => {
  const secret = 's'.repeat(40);
  expect(resolveJwtSecret(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }))).toBe(secret);
});

test('tokens carry sub, role, salonId, version, iss, aud and exp, and verify back', () => {
  const tokens = createTokenService({ secret: 'k'.repeat(40), issuer: 'i', audience: 'a', ttlSeconds: 120 });
  const { token, expiresIn } = tokens.issue({ userId: 'u1', role: 'salon_admin', salonId: 's1', tokenVersion: 3 });
  expect(expiresIn).toBe(120);
  expect(tokens.verify(token)).toEqual({ userId: 'u1', role: 'salon_admin', salonId: 's1', tokenVersion: 3 });
  const other = createTokenService({ secret: 'k'.repeat(40), issuer: 'i', audience: 'someone-else', ttlSeconds: 120 });
  expect(() => other.verify(token)).toThrow(/invalid/);
});
