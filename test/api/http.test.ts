import type { Gateway } from '../../src/gateway/server';
import { ApiClient, startTestGateway } from '../support/gateway';

let gateway: Gateway;
let api: ApiClient;

beforeAll(async () => {
  gateway = await startTestGateway();
  api = new ApiClient(gateway.url);
});
afterAll(() => gateway?.stop());

test('when a request comes in, then the response carries a request id and security headers', async () => {
  const res = await api.get('/healthz');
  expect(res.status).toBe(200);
  expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('content-security-policy')).toBeTruthy();
  expect(res.headers.get('x-powered-by')).toBeNull();
  const echoed = await api.get('/healthz', { 'x-request-id': 'client-chosen-id-1' });
  expect(echoed.headers.get('x-request-id')).toBe('client-chosen-id-1');
});

test('when a request comes in, then Node built it with the prototypes Express gives it, so Express changes none (src/gateway/http-messages.ts)', async () => {
  const changed: string[] = [];
  const setPrototypeOf = Object.setPrototypeOf;
  const spy = jest.spyOn(Object, 'setPrototypeOf').mockImplementation((o: object, proto: object | null) => {
    if (o === gateway.app.request || o === gateway.app.response) return setPrototypeOf(o, proto);
    if (Object.getPrototypeOf(o) !== proto) changed.push(proto === gateway.app.request ? 'request' : proto === gateway.app.response ? 'response' : 'other');
    return setPrototypeOf(o, proto);
  });
  try {
    const res = await api.post('/v1/auth/login', { email: 'nobody@instudio.test', password: 'wrong-password-1' });
    expect(res.status).toBe(401); // through Express's whole chain: body parser, rate limit, route, error handler
    expect(spy).toHaveBeenCalledWith(expect.anything(), gateway.app.request); // Express did ask
  } finally {
    spy.mockRestore();
  }
  expect(changed).toEqual([]);
});

test('when the body is malformed JSON, then 400 problem+json naming the problem', async () => {
  const res = await api.request('POST', '/v1/auth/login', { rawBody: '{"email": ', headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body.detail).toMatch(/not valid JSON/);
  expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
});

test('when the body is too large, then 413', async () => {
  const res = await api.post('/v1/auth/register', { email: 'a@b.co', password: 'x'.repeat(40_000), name: 'A' });
  expect(res.status).toBe(413);
  expect(res.body.detail).toMatch(/32 KB/);
});

test('when the body is not JSON, then 415', async () => {
  const res = await api.request('POST', '/v1/auth/login', { rawBody: 'email=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(res.status).toBe(415);
});

test('when the body is JSON but not an object, then 400', async () => {
  for (const raw of ['[]', '"text"', 'null']) {
    const res = await api.request('POST', '/v1/auth/login', { rawBody: raw, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
  }
});

test('when a route does not exist, then 404 problem+json', async () => {
  const res = await api.get('/v1/nothing-here');
  expect(res.status).toBe(404);
  expect(res.body).toMatchObject({ status: 404, title: 'Not found', instance: '/v1/nothing-here' });
});

test('when the query repeats a parameter, then 400 not 500', async () => {
  expect((await api.get('/v1/salons?city=a&city=b')).status).toBe(400);
});

test('when every dependency is up, then /readyz says ready with each check', async () => {
  const res = await api.get('/readyz');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    status: 'ready',
    checks: { accepting: { status: 'up' }, mongodb: { status: 'up' }, temporal: { status: 'up' } },
  });
});

test('/openapi.json describes every route with its schemas', async () => {
  const res = await api.get('/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body.openapi).toBe('3.1.0');
  expect(Object.keys(res.body.paths)).toEqual(
    expect.arrayContaining(['/v1/auth/register', '/v1/auth/login', '/v1/salons', '/v1/salons/{salonId}', '/v1/salons/{salonId}/services', '/v1/salons/{salonId}/availability']),
  );
  const register = res.body.paths['/v1/auth/register'].post;
  expect(register.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/RegisterBody');
  expect(res.body.components.schemas.RegisterBody.required).toEqual(expect.arrayContaining(['email', 'password', 'name']));
});
