import type { Gateway } from '../../src/gateway/server';
import { ApiClient, newClient, newSalon, operatorOf, type Reply, startTestGateway } from '../support/gateway';
import { at } from '../support/bookings';
import { emptyIntakeQueues } from '../support/sqs';
import { eventually } from '../support/wait';

// Two gateway instances, as in production: a change made through one must reach the
// other's cache through Kafka (`salones.actualizaciones`), not through shared memory.
let writer: Gateway;
let reader: Gateway;
let operator: ApiClient;
let readerApi: ApiClient;

beforeAll(async () => {
  [writer, reader] = await Promise.all([startTestGateway(), startTestGateway()]);
  operator = await operatorOf(new ApiClient(writer.url));
  readerApi = new ApiClient(reader.url);
});
afterAll(() => Promise.all([writer?.stop(), reader?.stop()]));

/** Waits until the salon's creation events have reached the reader (each drops what it cached of the salon). */
const creationSeenByReader = (salonId: string) =>
  eventually(
    async () =>
      (await readerApi.get(`/v1/salons/${salonId}`)).headers.get('x-cache') === 'HIT' &&
      (await readerApi.get(`/v1/salons/${salonId}`)).headers.get('x-cache') === 'HIT',
    { timeoutMs: 5000, intervalMs: 25, what: 'the salon cached on the reader' },
  );

test('when a catalogue GET repeats, then HIT with the same ETag, and If-None-Match gives 304', async () => {
  const { salonId } = await newSalon(operator);
  await creationSeenByReader(salonId);
  const first = await readerApi.get(`/v1/salons/${salonId}/services`);
  const second = await readerApi.get(`/v1/salons/${salonId}/services`);
  expect([first.status, second.status]).toEqual([200, 200]);
  expect(first.headers.get('x-cache')).toBe('MISS');
  expect(second.headers.get('x-cache')).toBe('HIT');
  expect(second.body).toEqual(first.body);
  const etag = second.headers.get('etag')!;
  expect(etag).toBe(first.headers.get('etag'));

  const notModified = await readerApi.get(`/v1/salons/${salonId}/services`, { 'if-none-match': etag });
  expect(notModified.status).toBe(304);
  expect(notModified.body).toBe('');
});

test('when a service is added through another gateway, then the next GET here shows it within 2 s', async () => {
  const { salonId } = await newSalon(operator);
  await creationSeenByReader(salonId);
  const url = `/v1/salons/${salonId}/services`;
  await readerApi.get(url);
  const cached = await readerApi.get(url);
  expect(cached.headers.get('x-cache')).toBe('HIT');
  expect(cached.body.items).toHaveLength(1);

  const added = await operator.post(url, { name: 'Tinte', durationMin: 90, priceCents: 6000, currency: 'EUR' });
  expect(added.status).toBe(201);
  const changedAt = Date.now();

  const fresh = await eventually(
    async () => {
      const res = await readerApi.get(url);
      return res.body.items.length === 2 ? res : undefined;
    },
    { timeoutMs: 2000, intervalMs: 25, what: 'the new service on the other gateway' },
  );
  expect(Date.now() - changedAt).toBeLessThan(2000);
  expect(fresh.headers.get('x-cache')).toBe('MISS');
  expect(fresh.body.items.map((s: { name: string }) => s.name)).toContain('Tinte');
  expect((await readerApi.get(url)).headers.get('x-cache')).toBe('HIT');
});

test('when a salon is patched, then its cached detail and the salon list are invalidated on every gateway', async () => {
  const { salonId } = await newSalon(operator);
  await creationSeenByReader(salonId);
  await readerApi.get('/v1/salons?city=Madrid');

  await operator.patch(`/v1/salons/${salonId}`, { name: 'Nuevo nombre' });
  await eventually(async () => (await readerApi.get(`/v1/salons/${salonId}`)).body.name === 'Nuevo nombre', {
    timeoutMs: 2000,
    intervalMs: 25,
    what: 'the renamed salon',
  });
  const list = await readerApi.get('/v1/salons?city=Madrid');
  expect(list.body.items.find((s: { id: string }) => s.id === salonId).name).toBe('Nuevo nombre');
});

test('when an anonymous client repeats a cached GET, then every answer carries its request id and security headers and counts toward the rate limit; a bad token is refused, not served', async () => {
  const strict = await startTestGateway({ RATE_LIMIT_PER_MINUTE: '20' });
  try {
    const { salonId } = await newSalon(operator);
    const api = new ApiClient(strict.url);
    const url = `/v1/salons/${salonId}/services`;
    const replies = [];
    for (let i = 0; i < 21; i++) replies.push(await api.get(url, { 'x-request-id': `repeat-${i}` }));

    const allowed = replies.slice(0, 20);
    expect(allowed.filter((r) => r.headers.get('x-cache') === 'HIT').length).toBeGreaterThan(0);
    for (const [i, r] of allowed.entries()) {
      expect([r.status, r.headers.get('x-request-id'), r.headers.get('x-content-type-options')]).toEqual([200, `repeat-${i}`, 'nosniff']);
      expect(r.headers.get('ratelimit')).toMatch(new RegExp(`r=${19 - i}\\b`));
    }
    // A hit (served before Express) carries the same headers as the miss the full chain answered.
    const [miss, hit] = [allowed[0]!, allowed.find((r) => r.headers.get('x-cache') === 'HIT')!];
    const perAnswer = new Set(['date', 'x-request-id', 'ratelimit', 'x-cache']);
    const lasting = (r: Reply) => Object.fromEntries([...r.headers].filter(([name]) => !perAnswer.has(name)));
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(lasting(hit)).toEqual(lasting(miss));
    // The 21st within the minute, hit or not, is over the limit.
    expect(replies[20]!.status).toBe(429);
    expect(replies[20]!.headers.get('content-type')).toContain('application/problem+json');

    const forged = await new ApiClient(strict.url).get(url, { authorization: 'Bearer not-a-token' });
    expect(forged.status).toBe(401);
  } finally {
    await strict.stop();
  }
});

test('when a promotion is added through another gateway, then bookings here are priced with it within 2 s', async () => {
  const { salonId, serviceId } = await newSalon(operator, { priceCents: 4000 });
  const client = await newClient(readerApi);
  let day = 20;
  const book = async () => (await client.api.post('/v1/bookings', { salonId, serviceId, start: at(day++), paymentMethod: 'pm_card_visa' })).body;
  try {
    // Priced from the salon's catalogue, which the reader now keeps.
    expect((await book()).priority).toBe('normal');
    const promotion = await operator.post(`/v1/salons/${salonId}/promotions`, {
      serviceIds: [serviceId],
      discountPercent: 25,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(promotion.status).toBe(201);

    const promoted = await eventually(
      async () => {
        const booking = await book();
        return booking.priority === 'high' ? booking : undefined;
      },
      { timeoutMs: 2000, intervalMs: 50, what: 'a booking priced with the new promotion on the other gateway' },
    );
    expect((await client.api.get(`/v1/bookings/${promoted.bookingId}`)).body).toMatchObject({ priority: 'high', priceCents: 3000 });
  } finally {
    await emptyIntakeQueues(); // no dispatcher here: the bookings' commands go nowhere
  }
});
