/**
 * A booking command lost by the SQS endpoint (a restarted moto keeps no messages): the
 * booking is recorded `pending` but no saga starts, until the dispatcher's reconciliation
 * puts it back on its queue — and it confirms.
 */
import type { Gateway } from '../../src/gateway/server';
import type { BookingWorker } from '../../workers/booking-worker';
import { at, settled } from '../support/bookings';
import { ApiClient, newClient, newSalon, operatorOf, startTestGateway } from '../support/gateway';
import { emptyIntakeQueues } from '../support/sqs';
import { startTestDispatcher, startTestWorker } from '../support/worker';

let gateway: Gateway;
let worker: BookingWorker;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>> | undefined;

beforeAll(async () => {
  [gateway, worker] = await Promise.all([startTestGateway(), startTestWorker()]);
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), worker?.stop(), dispatcher?.stop()]);
});

test('given a pending booking whose command was lost, when the dispatcher reconciles, then it is put back on its queue and confirms', async () => {
  const anon = new ApiClient(gateway.url);
  const salon = await newSalon(await operatorOf(anon));
  const client = await newClient(anon);
  const res = await client.api.post('/v1/bookings', { salonId: salon.salonId, serviceId: salon.serviceId, start: at(10), paymentMethod: 'pm_card_visa' });
  expect(res.status).toBe(202);
  await emptyIntakeQueues(); // the endpoint lost the command
  expect((await client.api.get(`/v1/bookings/${res.body.bookingId}`)).body.status).toBe('pending');

  dispatcher = await startTestDispatcher({}, { RECONCILE_INTERVAL_MS: '1000', RECONCILE_AFTER_MS: '0' });
  expect(await settled(client.api, res.body.bookingId)).toMatchObject({ status: 'confirmed', priceCents: 2500 });
});
