/**
 * A cancel while no booking worker runs: the saga cannot answer the update, so the
 * gateway answers 202 within its deadline and records the cancellation as a signal,
 * which the saga acts on once a worker is back.
 */
import { loadConfig } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { createTemporalClient, type TemporalClient } from '../../src/infra/temporal';
import { workflowIdFor } from '../../src/shared/booking';
import type { BookingWorker } from '../../workers/booking-worker';
import { at, settled } from '../support/bookings';
import { ApiClient, newClient, newSalon, operatorOf, startTestGateway } from '../support/gateway';
import { eventually } from '../support/wait';
import { startTestDispatcher, startTestWorker } from '../support/worker';

let gateway: Gateway;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let temporal: TemporalClient;
let worker: BookingWorker | undefined;

beforeAll(async () => {
  [gateway, dispatcher, temporal] = await Promise.all([startTestGateway(), startTestDispatcher(), createTemporalClient(loadConfig())]);
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), dispatcher?.stop(), worker?.stop(), temporal?.close()]);
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
