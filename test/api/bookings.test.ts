/**
 * Bookings end to end over HTTP: the gateway, the booking worker and the saga against
 * the real Temporal, MongoDB, Kafka and Stripe (localstripe) servers.
 */
import { DateTime } from 'luxon';
import { loadConfig } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { createStripe } from '../../src/infra/stripe';
import { createTemporalClient, type TemporalClient } from '../../src/infra/temporal';
import { statusQuery, workflowIdFor } from '../../src/shared/booking';
import { TOPICS } from '../../src/shared/topics';
import type { BookingWorker } from '../../workers/booking-worker';
import { ApiClient, newClient, newSalon, newSalonAdmin, operatorOf, startTestGateway } from '../support/gateway';
import { at, settled } from '../support/bookings';
import { unique } from '../support/ids';
import { metricSum } from '../support/cloudwatch';
import { collectEvents } from '../support/kafka';
import { chargesFor } from '../support/stripe';
import { eventually } from '../support/wait';
import { startTestDispatcher, startTestWorker } from '../support/worker';

const stripe = createStripe(loadConfig());
let gateway: Gateway;
let worker: BookingWorker;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let temporal: TemporalClient;
let anon: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  [gateway, worker, temporal, dispatcher] = await Promise.all([
    startTestGateway(),
    startTestWorker(),
    createTemporalClient(loadConfig()),
    startTestDispatcher(),
  ]);
  anon = new ApiClient(gateway.url);
  operator = await operatorOf(anon);
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), worker?.stop(), temporal?.close(), dispatcher?.stop()]);
});

test('when a client books a free slot, then the saga confirms it, charges the card and publishes both events', async () => {
  const salon = await newSalon(operator, { priceCents: 4200 });
  const client = await newClient(anon);
  const res = await client.api.post('/v1/bookings', { salonId: salon.salonId, serviceId: salon.serviceId, start: at(3), paymentMethod: 'pm_card_visa' });
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ bookingId: expect.stringMatching(/^[a-f0-9]{32}$/), status: 'pending', priority: 'normal' });
  expect(res.headers.get('location')).toBe(`/v1/bookings/${res.body.bookingId}`);

  const booking = await settled(client.api, res.body.bookingId);
  expect(booking).toEqual({
    id: res.body.bookingId,
    status: 'confirmed',
    priority: 'normal',
    salonId: salon.salonId,
    serviceId: salon.serviceId,
    staffId: salon.staffId,
    start: new Date(at(3)).toISOString(),
    end: new Date(new Date(at(3)).getTime() + 30 * 60_000).toISOString(),
    priceCents: 4200,
    currency: 'EUR',
    payment: { policy: 'prepay', priceCents: 4200, chargedCents: 4200, authorizedCents: 0, refundedCents: 0, status: 'charged' },
    rescheduledFrom: [],
  });

  const doc = await gateway.models.Booking.findById(res.body.bookingId).lean();
  const intent = await stripe.paymentIntents.retrieve(doc!.paymentIntentId!);
  expect(intent).toMatchObject({ status: 'succeeded', amount: 4200, currency: 'eur' });

  const events = await collectEvents([TOPICS.bookingCreated, TOPICS.bookingConfirmed], (seen) =>
    [TOPICS.bookingCreated, TOPICS.bookingConfirmed].every((t) => seen.some((e) => e.topic === t && e.event.data.bookingId === res.body.bookingId)),
  );
  const mine = events.filter((e) => e.event.data.bookingId === res.body.bookingId);
  expect(mine.map((e) => e.topic).sort()).toEqual([TOPICS.bookingConfirmed, TOPICS.bookingCreated]);
  for (const e of mine) {
    expect(e.key).toBe(salon.salonId);
    expect(e.event).toMatchObject({ type: e.topic, version: 1, correlationId: res.headers.get('x-request-id') });
  }

  // The salon's admin and operators see it; another client does not.
  const admin = await newSalonAdmin(operator, salon.salonId);
  expect((await admin.get(`/v1/bookings/${res.body.bookingId}`)).status).toBe(200);
  expect((await admin.get(`/v1/bookings?salonId=${salon.salonId}`)).body.items.map((b: { id: string }) => b.id)).toContain(res.body.bookingId);
  expect((await operator.get(`/v1/bookings/${res.body.bookingId}`)).status).toBe(200);
  const stranger = await newClient(anon);
  expect((await stranger.api.get(`/v1/bookings/${res.body.bookingId}`)).status).toBe(403);
  expect((await client.api.get('/v1/bookings')).body.items.map((b: { id: string }) => b.id)).toEqual([res.body.bookingId]);
});

test('when the card is declined, then the booking fails with payment_declined, nothing is charged and the slot books again', async () => {
  const salon = await newSalon(operator);
  const client = await newClient(anon);
  const start = at(4);
  const declined = await client.api.post('/v1/bookings', { ...salon, start, paymentMethod: 'pm_card_chargeCustomerFail' });
  expect(declined.status).toBe(202);
  const failed = await settled(client.api, declined.body.bookingId);
  expect(failed).toMatchObject({ status: 'failed', failureReason: 'payment_declined' });

  expect(await gateway.models.SlotLock.countDocuments({ bookingId: declined.body.bookingId })).toBe(0);
  const doc = await gateway.models.Booking.findById(declined.body.bookingId).lean();
  const intent = await stripe.paymentIntents.retrieve(doc!.paymentIntentId!);
  expect(intent.status).not.toBe('succeeded');
  expect(doc!.refundedCents).toBe(0);

  const retry = await client.api.post('/v1/bookings', { ...salon, start, paymentMethod: 'pm_card_visa' });
  expect((await settled(client.api, retry.body.bookingId)).status).toBe('confirmed');
});

test('when Stripe refuses the payment method as invalid, then the booking fails at once with payment_declined and the slot is free again', async () => {
  const salon = await newSalon(operator);
  const client = await newClient(anon);
  const start = at(4, '11:00');
  const invalid = await client.api.post('/v1/bookings', { ...salon, start, paymentMethod: 'pm_does_not_exist' });
  expect(invalid.status).toBe(202);
  // Well inside the hold's 10 minutes: the step is not retried until the hold expires.
  const failed = await settled(client.api, invalid.body.bookingId, undefined, 30_000);
  expect(failed).toMatchObject({ status: 'failed', failureReason: 'payment_declined' });
  expect(await gateway.models.SlotLock.countDocuments({ bookingId: invalid.body.bookingId })).toBe(0);

  const retry = await client.api.post('/v1/bookings', { ...salon, start, paymentMethod: 'pm_card_visa' });
  expect((await settled(client.api, retry.body.bookingId)).status).toBe('confirmed');
});

test('when the service is free, then the booking confirms without asking Stripe', async () => {
  const salon = await newSalon(operator, { priceCents: 0 });
  const client = await newClient(anon);
  const res = await client.api.post('/v1/bookings', { ...salon, start: at(4, '12:00'), paymentMethod: 'pm_card_visa' });
  expect(res.status).toBe(202);
  expect(await settled(client.api, res.body.bookingId, undefined, 30_000)).toMatchObject({ status: 'confirmed', priceCents: 0 });
  const doc = await gateway.models.Booking.findById(res.body.bookingId).lean();
  expect(doc!.paymentIntentId).toBeUndefined();
  expect(await chargesFor(stripe, res.body.bookingId)).toEqual([]);
});

test('when sagas confirm and compensate, then their outcome, duration, step failures and compensations reach CloudWatch', async () => {
  const since = new Date();
  const read = () =>
    Promise.all([
      metricSum('SagaOutcome', { Outcome: 'confirmed' }, 'Sum', since),
      metricSum('SagaOutcome', { Outcome: 'compensated' }, 'Sum', since),
      metricSum('SagaFailures', { Reason: 'payment_declined' }, 'Sum', since),
      metricSum('StepFailures', { Step: 'confirmPayment' }, 'Sum', since),
      metricSum('Compensations', { Compensation: 'releaseHold' }, 'Sum', since),
      metricSum('SagaDuration', { Priority: 'normal' }, 'SampleCount', since),
    ]);
  await worker.metrics.flush();
  const before = await read();
  const salon = await newSalon(operator);
  const client = await newClient(anon);
  const ok = await client.api.post('/v1/bookings', { ...salon, start: at(14), paymentMethod: 'pm_card_visa' });
  const bad = await client.api.post('/v1/bookings', { ...salon, start: at(14, '12:00'), paymentMethod: 'pm_card_chargeCustomerFail' });
  await settled(client.api, ok.body.bookingId);
  await settled(client.api, bad.body.bookingId);
  await worker.metrics.flush();
  const after = await eventually(
    async () => {
      const now = await read();
      return now.every((v, i) => v >= before[i]! + 1) ? now : undefined;
    },
    { what: 'the saga metrics' },
  );
  // At least these two sagas' worth: sagas other tests started may land in the same minute.
  expect(after.map((v, i) => v - before[i]! >= 1)).toEqual([true, true, true, true, true, true]);
});

test('when 20 clients book the same slot at once, then exactly one is confirmed and the rest fail with slot_unavailable', async () => {
  const salon = await newSalon(operator);
  const start = at(5, '11:00');
  const clients = await Promise.all(Array.from({ length: 20 }, () => newClient(anon)));
  const accepted = await Promise.all(
    clients.map((c) => c.api.post('/v1/bookings', { ...salon, start, paymentMethod: 'pm_card_visa' })),
  );
  expect(accepted.map((r) => r.status)).toEqual(Array(20).fill(202));
  const outcomes = await Promise.all(accepted.map((r, i) => settled(clients[i]!.api, r.body.bookingId)));
  expect(outcomes.filter((b) => b.status === 'confirmed')).toHaveLength(1);
  const failures = outcomes.filter((b) => b.status !== 'confirmed');
  expect(failures.map((b) => `${b.status}/${b.failureReason}`)).toEqual(Array(19).fill('failed/slot_unavailable'));

  // Holds: only the winner's granules remain, and no granule is held twice (the _id is the lock).
  const winner = outcomes.find((b) => b.status === 'confirmed')!;
  const locks = await gateway.models.SlotLock.find({ staffId: salon.staffId }).lean();
  expect(new Set(locks.map((l) => l.bookingId))).toEqual(new Set([winner.id]));
  expect(locks).toHaveLength(6); // 30 minutes in 5-minute granules
});

test('when the same Idempotency-Key is sent twice, then one booking, one workflow and one charge', async () => {
  const salon = await newSalon(operator);
  const client = await newClient(anon);
  const key = unique('key');
  const body = { ...salon, start: at(6), paymentMethod: 'pm_card_visa' };
  const first = await client.api.post('/v1/bookings', body, { 'idempotency-key': key });
  const second = await client.api.post('/v1/bookings', body, { 'idempotency-key': key });
  expect([first.status, second.status]).toEqual([202, 202]);
  expect(second.body.bookingId).toBe(first.body.bookingId);
  await settled(client.api, first.body.bookingId);
  const third = await client.api.post('/v1/bookings', body, { 'idempotency-key': key });
  expect(third.body).toEqual({ bookingId: first.body.bookingId, status: 'confirmed', priority: 'normal' });

  const runs = [];
  for await (const wf of temporal.client.workflow.list({ query: `BookingId = "${first.body.bookingId}"` })) runs.push(wf);
  expect(runs).toHaveLength(1);
  expect(await gateway.models.Booking.countDocuments({ customerId: client.id })).toBe(1);
  expect(await chargesFor(stripe, first.body.bookingId)).toHaveLength(1);

  const changed = await client.api.post('/v1/bookings', { ...body, start: at(7) }, { 'idempotency-key': key });
  expect(changed.status).toBe(409);
});

test('when a booking is confirmed, then a visibility query finds its saga by BookingId, as the Temporal UI does', async () => {
  const salon = await newSalon(operator);
  const client = await newClient(anon);
  const res = await client.api.post('/v1/bookings', { ...salon, start: at(8), paymentMethod: 'pm_card_visa' });
  await settled(client.api, res.body.bookingId);
  const found = await eventually(
    async () => {
      const runs = [];
      for await (const wf of temporal.client.workflow.list({
        query: `BookingId = "${res.body.bookingId}" AND SalonId = "${salon.salonId}" AND BookingStatus = "confirmed" AND Priority = "normal"`,
      }))
        runs.push(wf);
      return runs.length ? runs : undefined;
    },
    { what: 'the saga in visibility' },
  );
  expect(found[0]!.workflowId).toBe(`booking:${res.body.bookingId}`);
  expect(found[0]!.taskQueue).toBe('bookings-normal');

  // What the Temporal UI shows of it: a summary, details, and the salon as its fairness key.
  const described = await temporal.client.workflow.getHandle(workflowIdFor(res.body.bookingId)).describe();
  const salonName = (await anon.get(`/v1/salons/${salon.salonId}`)).body.name as string;
  expect(await described.staticSummary()).toMatch(new RegExp(`^Corte at ${salonName}, \\w{3} \\d{1,2} \\w{3} \\d{4}, 10:00 \\(Europe/Madrid\\)$`));
  expect(await described.staticDetails()).toContain(`**Client** ${client.id}`);
  expect(described.raw.workflowExecutionInfo?.priority).toMatchObject({ priorityKey: 3, fairnessKey: salon.salonId });
});

describe('cancellation', () => {
  test('when a confirmed booking is cancelled well ahead, then it is cancelled and refunded in full', async () => {
    const salon = await newSalon(operator, { priceCents: 3000 });
    const client = await newClient(anon);
    const res = await client.api.post('/v1/bookings', { ...salon, start: at(9), paymentMethod: 'pm_card_visa' });
    await settled(client.api, res.body.bookingId);
    // The document turns confirmed inside the last step; the saga knows once that step returns.
    const saga = temporal.client.workflow.getHandle(workflowIdFor(res.body.bookingId));
    await eventually(async () => (await saga.query(statusQuery)).status === 'confirmed', { what: 'the saga to see it confirmed' });
    const cancel = await client.api.post(`/v1/bookings/${res.body.bookingId}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.body).toEqual({ bookingId: res.body.bookingId, status: 'confirmed', cancelling: true });
    expect((await settled(client.api, res.body.bookingId, ['cancelled'])).status).toBe('cancelled');
    const doc = await gateway.models.Booking.findById(res.body.bookingId).lean();
    expect(doc!.refundedCents).toBe(3000);
    expect(await gateway.models.SlotLock.countDocuments({ bookingId: res.body.bookingId })).toBe(0);
    expect((await client.api.post(`/v1/bookings/${res.body.bookingId}/cancel`)).status).toBe(409);
  });

  test('when someone else cancels, then 403; an unknown booking is 404', async () => {
    const salon = await newSalon(operator);
    const client = await newClient(anon);
    const res = await client.api.post('/v1/bookings', { ...salon, start: at(10), paymentMethod: 'pm_card_visa' });
    const stranger = await newClient(anon);
    expect((await stranger.api.post(`/v1/bookings/${res.body.bookingId}/cancel`)).status).toBe(403);
    expect((await client.api.post(`/v1/bookings/${'0'.repeat(32)}/cancel`)).status).toBe(404);
    expect((await anon.post(`/v1/bookings/${res.body.bookingId}/cancel`)).status).toBe(401);
    await settled(client.api, res.body.bookingId);
  });
});

describe('validation and roles', () => {
  test('when the request is invalid, then 400 or 404 and no saga starts', async () => {
    const salon = await newSalon(operator);
    const other = await newSalon(operator);
    const client = await newClient(anon);
    const post = (body: object, headers?: Record<string, string>) => client.api.post('/v1/bookings', body, headers);
    const valid = { ...salon, start: at(11), paymentMethod: 'pm_card_visa' };
    expect((await post({ ...valid, start: '2020-01-01T10:00:00Z' })).status).toBe(400);
    expect((await post({ ...valid, start: at(11, '10:02') })).status).toBe(400);
    expect((await post({ ...valid, paymentMethod: 'card' })).status).toBe(400);
    expect((await post({ ...valid, salonId: { $ne: null } })).status).toBe(400);
    expect((await post({ ...valid, serviceId: other.serviceId })).status).toBe(404);
    expect((await post({ ...valid, staffId: other.staffId })).status).toBe(404);
    expect((await post({ ...valid, salonId: '0123456789abcdef01234567' })).status).toBe(404);
    expect((await post(valid, { 'idempotency-key': 'x'.repeat(300) })).status).toBe(400);
    expect(await gateway.models.Booking.countDocuments({ customerId: client.id })).toBe(0);
  });

  test('when an operator or a salon admin tries to book, then 403; anonymous 401', async () => {
    const salon = await newSalon(operator);
    const body = { ...salon, start: at(12), paymentMethod: 'pm_card_visa' };
    expect((await operator.post('/v1/bookings', body)).status).toBe(403);
    expect((await (await newSalonAdmin(operator, salon.salonId)).post('/v1/bookings', body)).status).toBe(403);
    expect((await anon.post('/v1/bookings', body)).status).toBe(401);
  });

  test('when an admin lists another salon’s bookings, then 403; without salonId, 400', async () => {
    const a = await newSalon(operator);
    const b = await newSalon(operator);
    const admin = await newSalonAdmin(operator, a.salonId);
    expect((await admin.get(`/v1/bookings?salonId=${b.salonId}`)).status).toBe(403);
    expect((await admin.get('/v1/bookings')).status).toBe(400);
    expect((await anon.get('/v1/bookings')).status).toBe(401);
  });

  test('when the appointment is within 24 h or its service is on promotion, then priority is high', async () => {
    const salon = await newSalon(operator);
    const client = await newClient(anon);
    const soon = DateTime.now().plus({ hours: 3 }).set({ second: 0, millisecond: 0 });
    const aligned = soon.set({ minute: Math.ceil(soon.minute / 5) * 5 - (Math.ceil(soon.minute / 5) * 5 === 60 ? 5 : 0) });
    const imminent = await client.api.post('/v1/bookings', { ...salon, start: aligned.toISO(), paymentMethod: 'pm_card_visa' });
    expect(imminent.status).toBe(202);
    expect(imminent.body.priority).toBe('high');

    await operator.post(`/v1/salons/${salon.salonId}/promotions`, {
      serviceIds: [salon.serviceId],
      discountPercent: 50,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const promoted = await client.api.post('/v1/bookings', { ...salon, start: at(13), paymentMethod: 'pm_card_visa' });
    expect(promoted.body.priority).toBe('high');
    const booking = await settled(client.api, promoted.body.bookingId);
    expect(booking).toMatchObject({ status: 'confirmed', priceCents: 1250 });
    await settled(client.api, imminent.body.bookingId);
  });
});

test('when an operator posts a bulk import, then it runs as low-priority work and the salons appear', async () => {
  const city = unique('Ciudad').replace(/[^A-Za-z0-9]/g, '');
  const res = await operator.post('/v1/imports', {
    salons: [
      { name: 'Importado Uno', city, timezone: 'Europe/Madrid', services: [{ name: 'Corte', durationMin: 30, priceCents: 2000, currency: 'EUR' }] },
      { name: 'Importado Dos', city, timezone: 'Europe/Madrid', services: [] },
    ],
  });
  expect(res.status).toBe(202);
  expect(res.body.priority).toBe('low');
  const salons = await eventually(
    async () => {
      const list = await anon.get(`/v1/salons?city=${city}`);
      return list.body.items.length === 2 ? list.body.items : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: 'the imported salons' },
  );
  const uno = salons.find((s: { name: string }) => s.name === 'Importado Uno');
  expect((await anon.get(`/v1/salons/${uno.id}/services`)).body.items.map((s: { name: string }) => s.name)).toEqual(['Corte']);
  const described = await temporal.client.workflow.getHandle(`import:${res.body.importId}`).describe();
  expect(described.taskQueue).toBe('bookings-low');
});
