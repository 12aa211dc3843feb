import jwt from 'jsonwebtoken';
import type { Consumer } from 'kafkajs';
import { loadConfig } from '../../src/config';
import { resolveJwtSecret } from '../../src/gateway/auth';
import type { Gateway } from '../../src/gateway/server';
import { createKafka } from '../../src/infra/kafka';
import { TOPICS } from '../../src/shared/topics';
import { ApiClient, newClient, OPERATOR, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';

let gateway: Gateway;
let api: ApiClient;
const cfg = loadConfig();

beforeAll(async () => {
  gateway = await startTestGateway();
  api = new ApiClient(gateway.url);
});
afterAll(() => gateway?.stop());

const problem = expect.objectContaining({ type: expect.any(String), title: expect.any(String), status: expect.any(Number), detail: expect.any(String) });

describe('POST /v1/auth/register', () => {
  test('when a new email registers, then 201 with the user and a token for a client', async () => {
    const email = `${unique('ana')}@instudio.test`;
    const res = await api.post('/v1/auth/register', { email: email.toUpperCase(), password: 'secret-password', name: 'Ana' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ user: { id: expect.any(String), email, name: 'Ana', role: 'client', locale: 'es' }, token: expect.any(String) });
    const claims = jwt.decode(res.body.token) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: res.body.user.id, role: 'client', iss: cfg.jwt.issuer, aud: cfg.jwt.audience });
    expect(claims.exp! - claims.iat!).toBe(cfg.jwt.ttlSeconds);
  });

  test('when the email is taken, then 409 problem+json', async () => {
    const { email } = await newClient(api);
    const res = await api.post('/v1/auth/register', { email, password: 'another-password', name: 'Other' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toEqual(problem);
    expect(res.body.detail).toContain(email);
  });

  test('when fields are missing or bad, then 400 with an error per field', async () => {
    const res = await api.post('/v1/auth/register', { email: 'not-an-email', password: 'short', extra: 1 });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['email', 'name', 'password']));
    expect(JSON.stringify(res.body.errors)).toContain('extra');
  });

  test('when a client registers, then user.registered is on Kafka in the envelope, keyed by user id', async () => {
    const kafka = createKafka(cfg, { clientId: 'auth-test' });
    const consumer: Consumer = kafka.consumer({ groupId: unique('auth-test') });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: TOPICS.userRegistered, fromBeginning: true });
      const email = `${unique('eva')}@instudio.test`;
      const seen = new Promise<{ key: string; value: any }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            const value = JSON.parse(String(message.value));
            if (value.data?.email === email) resolve({ key: String(message.key), value });
          },
        });
      });
      const res = await api.post('/v1/auth/register', { email, password: 'secret-password', name: 'Eva' });
      const { key, value } = await seen;
      expect(key).toBe(res.body.user.id);
      expect(value).toEqual({
        id: expect.any(String),
        type: 'user.registered',
        version: 1,
        occurredAt: expect.any(String),
        correlationId: res.headers.get('x-request-id'),
        data: { userId: res.body.user.id, email, name: 'Eva', role: 'client' },
      });
    } finally {
      await consumer.disconnect();
    }
  });
});

describe('POST /v1/auth/login', () => {
  test('when the password is right, then 200 with a token and its lifetime', async () => {
    const { email } = await newClient(api);
    const res = await api.post('/v1/auth/login', { email, password: 'client-password' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), expiresIn: cfg.jwt.ttlSeconds });
  });

  test('when the password is wrong or the email unknown, then the same 401', async () => {
    const { email } = await newClient(api);
    const wrong = await api.post('/v1/auth/login', { email, password: 'wrong-password' });
    const unknown = await api.post('/v1/auth/login', { email: `${unique('nobody')}@instudio.test`, password: 'whatever-1' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  test.each([
    [{ email: { $gt: '' }, password: 'x' }],
    [{ email: OPERATOR.email, password: { $ne: null } }],
    [{ email: { $regex: '.*' }, password: { $gt: '' } }],
  ])('when a NoSQL-injection payload is sent (%j), then 400 and no token', async (payload) => {
    const res = await api.post('/v1/auth/login', payload);
    expect(res.status).toBe(400);
    expect(res.body.token).toBeUndefined();
    expect(res.body.errors.length).toBeGreaterThan(0);
  });

  test('when the start-up operator logs in, then the token says operator', async () => {
    const res = await api.post('/v1/auth/login', OPERATOR);
    expect(res.status).toBe(200);
    expect((jwt.decode(res.body.token) as jwt.JwtPayload).role).toBe('operator');
  });
});

describe('tokens', () => {
  const secret = resolveJwtSecret(cfg);
  let operatorId = '';
  beforeAll(async () => {
    operatorId = String((await gateway.models.User.findOne({ email: OPERATOR.email }).lean())!._id);
  });
  const sign = (claims: object, opts: jwt.SignOptions = {}, key = secret) =>
    jwt.sign(claims, key, { algorithm: 'HS256', issuer: cfg.jwt.issuer, audience: cfg.jwt.audience, subject: operatorId, expiresIn: 600, ...opts });
  const protectedRoute = () => api.post('/v1/salons', { name: 'X', city: 'Y', timezone: 'Europe/Madrid' });

  test('when no token is sent to a protected route, then 401', async () => {
    const res = await protectedRoute();
    expect(res.status).toBe(401);
    expect(res.body).toEqual(problem);
  });

  test.each([
    ['forged (another secret)', () => sign({ role: 'operator' }, {}, 'x'.repeat(48))],
    ['expired', () => sign({ role: 'operator' }, { expiresIn: -60 })],
    ['alg none', () => jwt.sign({ role: 'operator', sub: 'u1', iss: cfg.jwt.issuer, aud: cfg.jwt.audience }, '', { algorithm: 'none' })],
    ['another issuer', () => sign({ role: 'operator' }, { issuer: 'someone-else' })],
    ['another audience', () => sign({ role: 'operator' }, { audience: 'another-api' })],
    ['an unknown role', () => sign({ role: 'superuser' })],
    ['garbage', () => 'not.a.jwt'],
  ])('when the token is %s, then 401', async (_name, token) => {
    const res = await api.as(token()).post('/v1/salons', { name: 'X', city: 'Y', timezone: 'Europe/Madrid' });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });

  test('when the Authorization header is not Bearer, then 401 saying how to send it', async () => {
    const res = await api.request('GET', '/v1/salons', { headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
    expect(res.body.detail).toContain('Bearer');
  });

  test('when a valid operator token is signed with the secret, then it is accepted', async () => {
    const { tokenVersion } = (await gateway.models.User.findById(operatorId).lean())!;
    const res = await api.as(sign({ role: 'operator', ver: tokenVersion })).post('/v1/salons', { name: unique('S'), city: 'Y', timezone: 'Europe/Madrid' });
    expect(res.status).toBe(201);
  });
});

describe('rate limits', () => {
  test('when one email fails login too often, then 429 with Retry-After; another email still gets through', async () => {
    const strict = await startTestGateway({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const client = new ApiClient(strict.url);
      const { email } = await newClient(client);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await client.post('/v1/auth/login', { email, password: 'wrong-password' })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const limited = await client.post('/v1/auth/login', { email, password: 'client-password' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.body).toEqual(problem);
      const other = await newClient(client);
      expect((await client.post('/v1/auth/login', { email: other.email, password: 'client-password' })).status).toBe(200);
    } finally {
      await strict.stop();
    }
  });

  test('when a user passes the general limit, then 429 for that user only', async () => {
    const strict = await startTestGateway({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const client = new ApiClient(strict.url);
      const a = await newClient(client);
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await a.api.get('/v1/salons')).status);
      expect(statuses.slice(0, 5).every((s) => s === 200)).toBe(true);
      expect(statuses[5]).toBe(429);
      const b = await newClient(client);
      expect((await b.api.get('/v1/salons')).status).toBe(200);
    } finally {
      await strict.stop();
    }
  });
});

describe('the account itself', () => {
  test('when a client registers in English and later changes name and locale, then GET and PATCH /v1/me show the account', async () => {
    const email = `${unique('me')}@instudio.test`;
    const reg = await api.post('/v1/auth/register', { email, password: 'secret-password', name: 'Ana', locale: 'en' });
    expect(reg.body.user.locale).toBe('en');
    const me = api.as(reg.body.token);
    expect((await me.get('/v1/me')).body).toEqual({ id: reg.body.user.id, email, name: 'Ana', role: 'client', locale: 'en' });
    const changed = await me.patch('/v1/me', { name: 'Ana María', locale: 'es' });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ id: reg.body.user.id, email, name: 'Ana María', role: 'client', locale: 'es' });
    expect((await me.patch('/v1/me', { locale: 'fr' })).status).toBe(400);
    expect((await me.patch('/v1/me', { role: 'operator' })).status).toBe(400);
    expect((await me.patch('/v1/me', {})).status).toBe(400);
    expect((await api.as(undefined).get('/v1/me')).status).toBe(401);
  });
});
