/** The notifications consumer on real Kafka: each event sent once through the sender. */
import pino from 'pino';
import { loadConfig } from '../../src/config';
import type { Connection } from 'mongoose';
import { type EventPublisher, startEventPublisher } from '../../src/infra/events';
import { createKafka } from '../../src/infra/kafka';
import { openModels } from '../../src/infra/models';
import { TOPICS } from '../../src/shared/topics';
import { type Notification, startNotifications } from '../../workers/notifications';
import { unique } from '../support/ids';
import { eventually } from '../support/wait';

const cfg = loadConfig();
const sent: Notification[] = [];
let events: EventPublisher;
let consumer: { stop(): Promise<void> };
let mongo: Connection;

beforeAll(async () => {
  const data = await openModels(cfg);
  mongo = data.mongo;
  events = await startEventPublisher(cfg, createKafka(cfg, { clientId: 'notifications-test' }), data.models.Outbox, pino({ level: 'silent' }));
  consumer = await startNotifications(cfg, pino({ level: 'silent' }), {
    groupId: unique('notifications-test'),
    sender: { send: async (n) => void sent.push(n) },
  });
});
afterAll(async () => {
  await consumer?.stop();
  await events?.close();
  await mongo?.close();
});

test('when a reminder event arrives twice, then the customer is reminded once; confirmations and cancellations go out too', async () => {
  const bookingId = unique('b');
  const reminder = { bookingId, customerId: 'cust-1', start: '2030-01-01T10:00:00Z' };
  await events.publish(TOPICS.bookingReminder, 'salon-1', reminder, { id: `${bookingId}:reminder` });
  await events.publish(TOPICS.bookingReminder, 'salon-1', reminder, { id: `${bookingId}:reminder` }); // redelivery
  await events.publish(TOPICS.bookingConfirmed, 'salon-1', { bookingId, customerId: 'cust-1' }, { id: `${bookingId}:confirmed` });
  await events.publish(TOPICS.bookingCancelled, 'salon-1', { bookingId, customerId: 'cust-1', refundedCents: 0 }, { id: `${bookingId}:cancelled` });

  const mine = await eventually(
    () => {
      const m = sent.filter((n) => n.bookingId === bookingId);
      return m.length >= 3 ? m : undefined;
    },
    { timeoutMs: 20_000, what: 'the notifications' },
  );
  expect(mine.map((n) => n.kind).sort()).toEqual(['cancelled', 'confirmed', 'reminder']);
  expect(mine.every((n) => n.to === 'cust-1')).toBe(true);
  // Another event behind them proves the duplicate was dropped, not still on its way.
  const marker = unique('b');
  await events.publish(TOPICS.bookingReminder, 'salon-1', { bookingId: marker, customerId: 'cust-1' });
  await eventually(() => (sent.some((n) => n.bookingId === marker) ? true : undefined), { what: 'the marker' });
  expect(sent.filter((n) => n.bookingId === bookingId && n.kind === 'reminder')).toHaveLength(1);
});
