/**
 * A cancel (or a reschedule) whose update gets no answer — no booking worker runs, or the call to
 * Temporal ends without one (gRPC CANCELLED, as the server or a load balancer ends a
 * call it gives up on) — still answers 202: the
 * gateway records the cancellation as a durable signal, which the saga acts on once a
 * worker is back. Never a 500, never a client told its cancel failed.
 */
import { loadConfig } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { createTemporalClient, type TemporalClient } from '../../src/infra/temporal';
import { workflowIdFor } from '../../src/shared/booking';
import type { BookingWorker } from '../../workers/booking-worker';
import { at, settled } from '../support/bookings';
import { ApiClient, newClient, newSalon, operatorOf, startTestGateway } from '../support/gateway';
import { type GrpcProxy, startGrpcProxy } from '../support/grpc-proxy';
import { eventually } from '../support/wait';
import { startTestDispatcher, startTestWorker } from '../support/worker';

let gateway: Gateway;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let temporal: TemporalClient;
let worker: BookingWorker | undefined;
let proxied: { gateway: Gateway; proxy: GrpcProxy } | undefined;

beforeAll(async () => {
  [gateway, dispatcher, temporal] = await Promise.all([startTestGateway(), startTestDispatcher(), createTemporalClient(loadConfig())]);
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), proxied?.gateway.stop(), dispatcher?.stop(), worker?.stop(), temporal?.close()]);
  await proxied?.proxy.close();
});

test('given no worker is running, when the client cancels, then 202 at once, and the saga cancels once a worker is back', async () => {
  const anon = new ApiClient(gateway.url);
  const salon = await newSalon(await operatorOf(anon));
  const client = await newClient(anon);
  const res = await client.api.post('/v1/bookings', { salonId: salon.salonId, serviceId: salon.serviceId, start: at(8), paymentMethod: 'pm_card_visa' });
  const bookingId: string = res.body.bookingId;
  await eventually(() => temporal.client.workflow.getHandle(workflowIdFor(bookingId)).describe(), { timeoutMs: 15_000, what: 'the saga to start' });

  const cancel = await client.api.post(`/v1/bookings/${bookingId}/cancel`, {});
  expect(cancel.status).toBe(202);
  expect(cancel.body).toEqual({ bookingId, status: 'pending', cancelling: true });

  worker = await startTestWorker();
  expect(await settled(client.api, bookingId)).toMatchObject({ status: 'cancelled' });
  expect((await gateway.models.Booking.findById(bookingId).lean())!.paymentIntentId).toBeUndefined();
});

test('given Temporal cancels the update call while it waits (gRPC CANCELLED), when the client cancels, then 202, and the saga cancels', async () => {
  await worker?.stop();
  worker = undefined;
  // A second gateway whose Temporal calls run through a proxy that can cancel them.
  const proxy = await startGrpcProxy(loadConfig().temporal.address);
  proxied = { proxy, gateway: await startTestGateway({ TEMPORAL_ADDRESS: proxy.address }) };
  const anon = new ApiClient(proxied.gateway.url);
  const salon = await newSalon(await operatorOf(anon));
  const client = await newClient(anon);
  const res = await client.api.post('/v1/bookings', { salonId: salon.salonId, serviceId: salon.serviceId, start: at(9), paymentMethod: 'pm_card_visa' });
  const bookingId: string = res.body.bookingId;
  await eventually(() => temporal.client.workflow.getHandle(workflowIdFor(bookingId)).describe(), { timeoutMs: 15_000, what: 'the saga to start' });

  const cancel = client.api.post(`/v1/bookings/${bookingId}/cancel`, {});
  // The update waits for an answer (no worker runs) until the server side cancels the call.
  await eventually(() => proxy.cancelCalls(/UpdateWorkflowExecution$/) > 0, { what: 'the update call in flight' });
  const answer = await cancel;
  expect(answer.status).toBe(202);
  expect(answer.body).toEqual({ bookingId, status: 'pending', cancelling: true });

  worker = await startTestWorker();
  expect(await settled(client.api, bookingId)).toMatchObject({ status: 'cancelled' });
});

test('given no worker answers a reschedule in time, then 202 + Location, the move happens once a worker is back, and a retry with the same key answers the moved booking', async () => {
  worker ??= await startTestWorker();
  const anon = new ApiClient(gateway.url);
  const salon = await newSalon(await operatorOf(anon));
  const client = await newClient(anon);
  const res = await client.api.post('/v1/bookings', { salonId: salon.salonId, serviceId: salon.serviceId, start: at(10), paymentMethod: 'pm_card_visa' });
  const bookingId: string = res.body.bookingId;
  const booked = await settled(client.api, bookingId);
  expect(booked.status).toBe('confirmed');
  await worker.stop();
  worker = undefined;

  const to = new Date(at(11, '12:00')).toISOString();
  const headers = { 'Idempotency-Key': 'move-while-no-worker' };
  const moving = await client.api.post(`/v1/bookings/${bookingId}/reschedule`, { start: to }, headers);
  expect(moving.status).toBe(202);
  expect(moving.headers.get('location')).toBe(`/v1/bookings/${bookingId}`);
  expect(moving.body).toEqual({ bookingId, status: 'confirmed', rescheduling: true });

  worker = await startTestWorker();
  await eventually(async () => ((await client.api.get(`/v1/bookings/${bookingId}`)).body.start === to ? true : undefined), { what: 'the move', timeoutMs: 30_000 });
  const retry = await client.api.post(`/v1/bookings/${bookingId}/reschedule`, { start: to }, headers);
  expect(retry.status).toBe(200);
  expect(retry.body).toMatchObject({ start: to, rescheduledFrom: [booked.start] });
});
