/**
 * Kafka stopped for 30 s while bookings run: bookings never wait on the broker (events
 * go to the outbox), every expected event is on Kafka once it is back (counted by id),
 * and a consumer that was running all along picks them up after the broker restart.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { TOPICS } from '../../src/shared/topics';
import type { BookingWorker } from '../../workers/booking-worker';
import { type Notification, startNotifications } from '../../workers/notifications';
import { startComponent, stopComponent } from '../../scripts/stack/stack';
import { at, settled } from '../support/bookings';
import { ApiClient, newClient, newSalon, operatorOf, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';
import { collectEvents } from '../support/kafka';
import { eventually } from '../support/wait';
import { startTestDispatcher, startTestWorker } from '../support/worker';

const cfg = loadConfig();
const OUTAGE_MS = 30_000;
let gateway: Gateway;
let worker: BookingWorker;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let notifications: { stop(): Promise<void> };
const notified: Notification[] = [];

beforeAll(async () => {
  [gateway, worker, dispatcher, notifications] = await Promise.all([
    startTestGateway(),
    startTestWorker(),
    startTestDispatcher(),
    startNotifications(cfg, pino({ level: 'silent' }), { groupId: unique('outage-notifications'), sender: { send: async (n) => void notified.push(n) } }),
  ]);
});
afterAll(async () => {
  await startComponent(cfg, 'kafka'); // whatever happened above, later tests need it
  await Promise.all([gateway?.stop(), worker?.stop(), dispatcher?.stop(), notifications?.stop()]);
});

test('given Kafka is stopped for 30 s while bookings run, then every booking confirms and every event reaches Kafka once it is back', async () => {
  const anon = new ApiClient(gateway.url);
  const operator = await operatorOf(anon);
  const salon = await newSalon(operator);

  const stoppedAt = Date.now();
  await stopComponent(cfg, 'kafka');
  // Registration publishes user.registered, booking publishes reserva.*: none may wait on Kafka.
  const client = await newClient(anon);
  const bookingIds: string[] = [];
  for (const hhmm of ['10:00', '10:30', '11:00', '11:30', '12:00']) {
    const res = await client.api.post('/v1/bookings', { salonId: salon.salonId, serviceId: salon.serviceId, start: at(6, hhmm), paymentMethod: 'pm_card_visa' });
    expect(res.status).toBe(202);
    bookingIds.push(res.body.bookingId);
  }
  for (const id of bookingIds) expect((await settled(client.api, id, undefined, OUTAGE_MS)).status).toBe('confirmed');
  const parked = await gateway.models.Outbox.find({ _id: { $in: [...bookingIds.flatMap((id) => [`${id}:${TOPICS.bookingCreated}`, `${id}:${TOPICS.bookingConfirmed}`])] } }).lean();
  expect(parked).toHaveLength(bookingIds.length * 2);
  expect(Date.now() - stoppedAt).toBeLessThan(OUTAGE_MS); // everything above happened with the broker down

  // The outage lasts its 30 s, then the broker comes back.
  await eventually(() => Date.now() - stoppedAt >= OUTAGE_MS, { timeoutMs: OUTAGE_MS + 5000, intervalMs: 500, what: 'the end of the outage' });
  await startComponent(cfg, 'kafka');

  const expected = new Set(bookingIds.flatMap((id) => [`${id}:${TOPICS.bookingCreated}`, `${id}:${TOPICS.bookingConfirmed}`]));
  const seen = await collectEvents(
    [TOPICS.bookingCreated, TOPICS.bookingConfirmed, TOPICS.userRegistered],
    (events) =>
      [...expected].every((id) => events.some((e) => e.event.id === id)) &&
      events.some((e) => e.topic === TOPICS.userRegistered && e.event.data.userId === client.id),
    90_000,
  );
  const ids = new Set(seen.map((e) => e.event.id).filter((id) => expected.has(id)));
  expect(ids.size).toBe(expected.size);
  for (const e of seen.filter((x) => expected.has(x.event.id))) expect(e.key).toBe(salon.salonId);

  // The outbox drains, and the consumer that lived through the restart got every confirmation.
  await eventually(async () => (await gateway.models.Outbox.countDocuments({ _id: { $in: [...expected] } })) === 0, {
    timeoutMs: 30_000,
    what: 'the outbox to drain',
  });
  await eventually(() => bookingIds.every((id) => notified.some((n) => n.bookingId === id && n.kind === 'confirmed')), {
    timeoutMs: 60_000,
    intervalMs: 250,
    what: 'a confirmation notification for every booking',
  });
}, 300_000);
