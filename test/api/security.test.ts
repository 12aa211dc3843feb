/**
 * The gateway's defences over HTTP, against the real stack: credentials kept out of the
 * log, the login limit (one identity, shared by every instance, proxy trust off by
 * default), tokens revoked by a change of role or salon, canonical cache keys, what
 * responses disclose, and input bounds.
 */
import { Writable } from 'node:stream';
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config';
import { ROUTES } from '../../src/gateway/openapi';
import type { Gateway } from '../../src/gateway/server';
import { createLogger } from '../../src/shared/logger';
import { at } from '../support/bookings';
import { ApiClient, login, newClient, newSalon, newSalonAdmin, operatorOf, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';
import { eventually } from '../support/wait';

const LIMITED = { LOGIN_RATE_LIMIT_PER_MINUTE: '3' };

/** Everything a logger wrote, as text. */
function logCapture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}

const log = logCapture();
let gateway: Gateway; // logs at info into `log`; login limit 3; proxy trust off (the default)
let second: Gateway; // another instance of the same deployment; reads token versions every second
let anon: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  [gateway, second] = await Promise.all([
    startTestGateway(LIMITED, createLogger({ logLevel: 'info' }, 'gateway', log.stream)),
    startTestGateway({ ...LIMITED, TOKEN_CHECK_TTL_MS: '1000' }),
  ]);
  anon = new ApiClient(gateway.url);
  operator = await operatorOf(anon);
});
afterAll(() => Promise.all([gateway?.stop(), second?.stop()]));

const wrongLogin = (api: ApiClient, email: string, headers?: Record<string, string>) =>
  api.post('/v1/auth/login', { email, password: 'wrong-password' }, headers);

describe('the log', () => {
  test('when requests carry a token, cookies, signatures and secrets, then the log shows none of them', async () => {
    const marks = [unique('TOKEN'), unique('COOKIE'), unique('SIGNATURE'), unique('SECRET')] as const;
    const secrets = {
      authorization: `Bearer eyJhbGciOiJIUzI1NiJ9.${marks[0]}.c2ln`,
      cookie: `session=${marks[1]}`,
      'stripe-signature': `t=1,v1=${marks[2]}`,
      'x-webhook-secret': marks[3],
    };
    const requestId = unique('redaction');
    const res = await anon.get('/v1/salons', { ...secrets, 'x-request-id': requestId });
    expect(res.status).toBe(401); // a 4xx: logged at info with its request

    const line = await eventually(() => log.text().split('\n').find((l) => l.includes(requestId)), { what: 'the request’s log line' });
    const logged = JSON.parse(line) as { req: { headers: Record<string, string> } };
    for (const name of Object.keys(secrets)) expect(logged.req.headers[name]).toBe('[redacted]');
    for (const mark of marks) expect(log.text()).not.toContain(mark);
  });

  test('when any process logs a request or headers, then credentials are redacted', () => {
    const capture = logCapture();
    const logger = createLogger({ logLevel: 'info' }, 'worker', capture.stream);
    const token = unique('WORKER-TOKEN');
    logger.info({ req: { method: 'GET', url: '/', headers: { authorization: `Bearer ${token}`, accept: 'json' }, socket: {} } }, 'incoming');
    logger.warn({ err: { message: 'upstream said no', headers: { authorization: `Bearer ${token}` } } }, 'call failed');
    logger.warn({ response: { headers: { 'set-cookie': `s=${token}` } } }, 'answered');
    expect(capture.text()).toContain('"accept":"json"');
    expect(capture.text()).toContain('[redacted]');
    expect(capture.text()).not.toContain(token);
  });
});

describe('the login limit', () => {
  test('when the email is spelled another way, then it counts against the same account', async () => {
    const { email } = await newClient(anon);
    for (let i = 0; i < 3; i++) expect((await wrongLogin(anon, email)).status).toBe(401);
    const respelled = await anon.post('/v1/auth/login', { email: `  ${email.toUpperCase()} `, password: 'client-password' });
    expect(respelled.status).toBe(429);
    expect(respelled.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  test('when guesses are spread over two gateway instances, then they share one count', async () => {
    const { email } = await newClient(anon);
    const other = new ApiClient(second.url);
    expect((await wrongLogin(anon, email)).status).toBe(401);
    expect((await wrongLogin(other, email)).status).toBe(401);
    expect((await wrongLogin(anon, email)).status).toBe(401);
    expect((await wrongLogin(other, email)).status).toBe(429);
    expect((await anon.post('/v1/auth/login', { email, password: 'client-password' })).status).toBe(429);
  });

  test('when the right password is given, then the attempt does not count', async () => {
    const { email } = await newClient(anon);
    for (let i = 0; i < 4; i++) expect((await anon.post('/v1/auth/login', { email, password: 'client-password' })).status).toBe(200);
    expect((await wrongLogin(anon, email)).status).toBe(401);
  });

  test('when proxy trust is off (the default), then X-Forwarded-For does not pick another bucket', async () => {
    const { email } = await newClient(anon);
    const statuses = [];
    for (let i = 1; i <= 4; i++) statuses.push((await wrongLogin(anon, email, { 'x-forwarded-for': `203.0.113.${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  test('when TRUST_PROXY names one hop, then the client is the address that proxy saw', async () => {
    const proxied = await startTestGateway({ ...LIMITED, TRUST_PROXY: '1' });
    try {
      const api = new ApiClient(proxied.url);
      const { email } = await newClient(api);
      const statuses = [];
      for (let i = 1; i <= 4; i++) statuses.push((await wrongLogin(api, email, { 'x-forwarded-for': `198.51.100.${i}` })).status);
      expect(statuses).toEqual([401, 401, 401, 401]); // four clients, one guess each
    } finally {
      await proxied.stop();
    }
  });
});

describe('tokens', () => {
  test('when a salon admin is moved to another salon, then the old token stops working on every instance within seconds', async () => {
    const [a, b] = await Promise.all([newSalon(operator), newSalon(operator)]);
    const admin = await newSalonAdmin(operator, a.salonId);
    const onSecond = new ApiClient(second.url, admin.token);
    expect((await onSecond.patch(`/v1/salons/${a.salonId}`, { name: unique('Before') })).status).toBe(200);

    const email = (await gateway.models.User.findOne({ salonId: a.salonId }).lean())!.email;
    expect((await operator.post(`/v1/salons/${b.salonId}/admins`, { email })).status).toBe(200);

    // The instance that made the change refuses at once; the other within its TOKEN_CHECK_TTL_MS.
    const here = await admin.patch(`/v1/salons/${a.salonId}`, { name: unique('After') });
    expect(here.status).toBe(401);
    expect(here.body.detail).toMatch(/revoked.*log in again/);
    await eventually(async () => (await onSecond.patch(`/v1/salons/${a.salonId}`, { name: unique('After') })).status === 401, {
      what: 'the second instance to refuse the old token',
    });

    const fresh = await login(anon, email, 'client-password');
    expect((await fresh.patch(`/v1/salons/${b.salonId}`, { name: unique('New') })).status).toBe(200);
    expect((await fresh.patch(`/v1/salons/${a.salonId}`, { name: unique('Old') })).status).toBe(403);
  });

  test('when a client logs out, then its tokens are refused', async () => {
    const client = await newClient(anon);
    expect((await client.api.get('/v1/bookings')).status).toBe(200);
    expect((await client.api.post('/v1/auth/logout')).status).toBe(204);
    expect((await client.api.get('/v1/bookings')).status).toBe(401);
    expect((await new ApiClient(second.url, client.api.token).get('/v1/bookings')).status).toBe(401);
  });
});

describe('cache keys', () => {
  test('when a salon is read by an upper-case id, then a change is seen at once (one cache entry per salon)', async () => {
    const { salonId } = await newSalon(operator);
    const upper = `/v1/salons/${salonId.toUpperCase()}`;
    expect((await anon.get(upper)).status).toBe(200);
    // Cached by that spelling (once the gateway's own invalidations of the new salon, over Kafka, have passed).
    await eventually(
      async () => {
        await anon.get(upper);
        return (await anon.get(upper)).headers.get('x-cache') === 'HIT' ? true : undefined;
      },
      { what: 'the salon cached by an upper-case id', timeoutMs: 20_000, intervalMs: 300 },
    );
    const renamed = unique('Renamed');
    expect((await operator.patch(`/v1/salons/${salonId}`, { name: renamed })).status).toBe(200);
    const after = await anon.get(upper);
    expect(after.body.name).toBe(renamed);
    // The same entry serves every spelling: a spelling never read before is a HIT right after
    // a read by another. (The gateway's own Kafka invalidations of this salon's changes may
    // still evict the entry in between, so a few spellings are tried; were each spelling its
    // own entry, none would ever be a HIT.)
    const letters = [...salonId].flatMap((c, i) => (/[a-f]/.test(c) ? [i] : []));
    const spellings = letters.flatMap((i) => {
      const id = salonId.slice(0, i) + salonId[i]!.toUpperCase() + salonId.slice(i + 1);
      return [`/v1/salons/${id}`, `/v1/salons/${id}/`];
    });
    expect(spellings.length).toBeGreaterThanOrEqual(4);
    let tried = 0;
    await eventually(
      async () => {
        const spelling = spellings[tried++];
        if (spelling === undefined) throw new Error(`no spelling of ${salonId} was served from the entry another filled`);
        expect((await anon.get(upper)).body.name).toBe(renamed);
        const res = await anon.get(spelling);
        return res.headers.get('x-cache') === 'HIT' && res.body.name === renamed ? true : undefined;
      },
      { what: 'a spelling of the salon id served from the same cache entry', timeoutMs: 20_000, intervalMs: 300 },
    );
  });

  test('when a query parameter no route takes is sent, then 400 naming it, on every kind of route, and nothing is cached', async () => {
    const { salonId } = await newSalon(operator);
    const client = await newClient(anon);
    const sizeBefore = gateway.cache.size;
    for (let i = 0; i < 20; i++) {
      const res = await anon.get(`/v1/salons/${salonId}?flush=${i}`);
      expect(res.status).toBe(400);
      expect(res.body.detail).toBe('unknown query parameter(s): flush; this route takes no query parameters');
    }
    expect(gateway.cache.size).toBe(sizeBefore);
    expect((await anon.get('/v1/salons?city=Madrid&sort=name')).body.detail).toMatch(/unknown query parameter\(s\): sort; this route takes city/);
    expect((await client.api.post('/v1/bookings?dryRun=1', {})).status).toBe(400);
    expect((await anon.get('/healthz?verbose=1')).status).toBe(400);
    expect((await anon.get(`/v1/salons?city=Madrid`)).status).toBe(200);
  });

  test('every route the gateway serves is in the route table the query check and /openapi.json use', () => {
    const documented = new Set(ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path.replace(/\{([^}]+)\}/g, ':$1')}`));
    const served = (gateway.app.router.stack as { route?: { path: string; methods: Record<string, boolean> } }[]).flatMap((layer) =>
      layer.route ? Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`) : [],
    );
    expect(served.length).toBeGreaterThan(10);
    expect(served.filter((r) => !documented.has(r))).toEqual([]);
  });
});

describe('responses', () => {
  test('when a response answers a token, then Cache-Control: no-store; a public cached read may be revalidated', async () => {
    const { salonId } = await newSalon(operator);
    expect((await operator.get(`/v1/salons/${salonId}`)).headers.get('cache-control')).toBe('no-store');
    expect((await operator.get('/v1/bookings?salonId=' + salonId)).headers.get('cache-control')).toBe('no-store');
    expect((await anon.post('/v1/auth/login', { email: 'nobody@instudio.test', password: 'x' })).headers.get('cache-control')).toBe('no-store');
    expect((await anon.get(`/v1/salons/${salonId}`)).headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
  });

  test('when a dependency is down, then /readyz tells anonymous callers its status and operators why', async () => {
    const doomed = await startTestGateway({ TOKEN_CHECK_TTL_MS: '60000' });
    try {
      const api = new ApiClient(doomed.url);
      const op = await operatorOf(api);
      expect((await op.get('/readyz')).status).toBe(200); // reads the operator's token version, held for a minute
      await doomed.models.User.db.close();
      const anonymous = await api.get('/readyz');
      expect(anonymous.status).toBe(503);
      expect(anonymous.body.checks.mongodb).toEqual({ status: 'down' });
      const operatorView = await op.get('/readyz');
      expect(operatorView.body.checks.mongodb).toEqual({ status: 'down', detail: expect.any(String) });
    } finally {
      await doomed.stop();
    }
  });
});

describe('input bounds', () => {
  test('when a booking starts in the year 9999 or beyond the maximum advance, then 400 saying the bound', async () => {
    const salon = await newSalon(operator);
    const client = await newClient(anon);
    const far = await client.api.post('/v1/bookings', { ...salon, start: '9999-01-04T10:00:00+01:00', paymentMethod: 'pm_card_visa' });
    expect(far.status).toBe(400);
    expect(far.body.errors).toEqual([{ field: 'start', message: 'use a date between 2000 and 2099' }]);
    const tooFar = await client.api.post('/v1/bookings', { ...salon, start: at(200), paymentMethod: 'pm_card_visa' });
    expect(tooFar.status).toBe(400);
    expect(tooFar.body.detail).toBe("start must be at most 180 days ahead (the salon's limit)");
    expect(await gateway.models.Booking.countDocuments({ salonId: salon.salonId })).toBe(0);
  });

  test('when a promotion starts in year 0, lasts years or has ended, then 400', async () => {
    const { salonId, serviceId } = await newSalon(operator);
    const promo = (startsAt: string, endsAt: string) =>
      operator.post(`/v1/salons/${salonId}/promotions`, { serviceIds: [serviceId], discountPercent: 10, startsAt, endsAt });
    expect((await promo('0000-01-01T00:00:00Z', at(5))).body.errors).toContainEqual({ field: 'startsAt', message: 'use a date between 2000 and 2099' });
    expect((await promo(at(1), at(800))).status).toBe(400);
    expect((await promo('2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z')).body.errors).toEqual([{ field: 'endsAt', message: 'must be in the future' }]);
    expect((await promo(at(1), at(30))).status).toBe(201);
  });

  test.each([
    ['BEL', 'Salon\u0007'],
    ['a right-to-left override', 'Salon \u202Egnp.exe'],
    ['an isolate', 'Salon \u2066x\u2069'],
  ])('when a name holds %s, then 400 saying what to remove', async (_what, name) => {
    const res = await operator.post('/v1/salons', { name, city: 'Madrid', timezone: 'Europe/Madrid' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'name', message: 'remove control characters and bidirectional overrides (such as U+202E)' }]);
  });

  test('when a name holds accents, emoji and CJK, then it is stored as sent', async () => {
    const name = `Peluquería Zoë 💇 美容 ${unique('x')}`;
    const res = await operator.post('/v1/salons', { name, city: 'Málaga', timezone: 'Europe/Madrid' });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe(name);
  });
});

describe('passwords', () => {
  test('when an account registers, then its password is hashed with argon2id at OWASP’s parameters', async () => {
    const { email } = await newClient(anon);
    const user = await gateway.models.User.findOne({ email }).lean();
    expect(user!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });

  test('when an account with an old scrypt hash logs in, then it gets in and its hash becomes argon2id; a wrong password changes nothing', async () => {
    const email = `${unique('legacy')}@instudio.test`;
    const salt = crypto.randomBytes(16);
    const key = (await promisify(crypto.scrypt)('legacy-password', salt, 64)) as Buffer;
    const legacyHash = ['scrypt', 16384, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
    await gateway.models.User.create({ email, name: 'Legacy', passwordHash: legacyHash, role: 'client' });

    expect((await wrongLogin(anon, email)).status).toBe(401);
    expect((await gateway.models.User.findOne({ email }).lean())!.passwordHash).toBe(legacyHash);
    expect((await anon.post('/v1/auth/login', { email, password: 'legacy-password' })).status).toBe(200);
    const rehashed = (await gateway.models.User.findOne({ email }).lean())!.passwordHash;
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect((await anon.post('/v1/auth/login', { email, password: 'legacy-password' })).status).toBe(200);
  });
});

test('configuration errors name a bad secret, never its value', () => {
  const secret = 'short-jwt-secret-value';
  expect(() => loadConfig({ JWT_SECRET: secret })).toThrow(/JWT_SECRET: use at least 32 characters \(got a value of 22 characters, not shown\)/);
  expect(() => loadConfig({ JWT_SECRET: secret })).not.toThrow(new RegExp(secret));
  expect(() => loadConfig({ MONGODB_URI: 'mongo://admin:hunter2@db:27017/x' })).not.toThrow(/hunter2/);
});
