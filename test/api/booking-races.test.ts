/**
 * Races between processes, over HTTP on the real stack: a cancellation that arrives
 * while the booking's command still waits in SQS (no saga exists yet), and an intake
 * send that fails after the booking was written (its commit point).
 */
import { loadConfig } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { createStripe } from '../../src/infra/stripe';
import type { BookingWorker } from '../../workers/booking-worker';
import { at, settled } from '../support/bookings';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { ApiClient, newClient, newSalon, operatorOf, startTestGateway } from '../support/gateway';
import { emptyIntakeQueues } from '../support/sqs';
import { chargesFor } from '../support/stripe';
import { startTestDispatcher, startTestWorker } from '../support/worker';

const stripe = createStripe(loadConfig());
let gateway: Gateway;
let worker: BookingWorker;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>> | undefined;
let anon: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  [gateway, worker] = await Promise.all([startTestGateway(), startTestWorker()]);
  anon = new ApiClient(gateway.url);
  operator = await operatorOf(anon);
});
afterEach(async () => {
  await dispatcher?.stop();
  dispatcher = undefined;
});
afterAll(async () => {
  await emptyIntakeQueues();
  await Promise.all([gateway?.stop(), worker?.stop()]);
});

test('when a booking is cancelled while its command still waits in the queue, then 202, and its saga cancels it without charging', async () => {
  const salon = await newSalon(operator);
  const client = await newClient(anon);
  const res = await client.api.post('/v1/bookings', { ...salon, start: at(5), paymentMethod: 'pm_card_visa' });
  expect(res.status).toBe(202);

  // No dispatcher runs: the saga does not exist yet.
  const cancel = await client.api.post(`/v1/bookings/${res.body.bookingId}/cancel`);
  expect(cancel.status).toBe(202);
  expect(cancel.body).toEqual({ bookingId: res.body.bookingId, status: 'pending', cancelling: true });
  expect((await client.api.post(`/v1/bookings/${res.body.bookingId}/cancel`)).status).toBe(202); // repeating is safe

  dispatcher = await startTestDispatcher();
  const booking = await settled(client.api, res.body.bookingId);
  expect(booking.status).toBe('cancelled');
  expect(await chargesFor(stripe, res.body.bookingId)).toEqual([]);
  expect(await gateway.models.SlotLock.countDocuments({ bookingId: res.body.bookingId })).toBe(0);
  expect((await client.api.post(`/v1/bookings/${res.body.bookingId}/cancel`)).status).toBe(409);
});

describe('when the intake send fails after the booking is written', () => {
  let proxy: FaultProxy;
  let flaky: Gateway;
  beforeAll(async () => {
    proxy = await startFaultProxy(loadConfig().aws.endpoint);
    flaky = await startTestGateway({ AWS_ENDPOINT_URL: proxy.url });
  });
  afterAll(async () => {
    await flaky?.stop();
    await proxy?.close();
  });

  test('then the client gets its 202 (the write is the commit) and the relay delivers the command: one booking, confirmed', async () => {
    const api = new ApiClient(flaky.url);
    const salon = await newSalon(await operatorOf(api));
    const client = await newClient(api);
    proxy.failWhen(() => true); // SQS (and CloudWatch) answer 503 from here on
    const res = await client.api.post('/v1/bookings', { ...salon, start: at(6), paymentMethod: 'pm_card_visa' });
    expect(res.status).toBe(202);
    expect(proxy.failed).toBeGreaterThan(0);
    expect(await flaky.models.IntakeRetry.countDocuments({ _id: res.body.bookingId })).toBe(1);
    proxy.failWhen(undefined);

    dispatcher = await startTestDispatcher({}, { INTAKE_RELAY_INTERVAL_MS: '200' });
    expect(await settled(client.api, res.body.bookingId)).toMatchObject({ status: 'confirmed' });
    expect(await flaky.models.IntakeRetry.countDocuments({ _id: res.body.bookingId })).toBe(0);
    expect(await flaky.models.Booking.countDocuments({ customerId: client.id })).toBe(1);
  });
});
