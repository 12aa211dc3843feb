/**
 * Every event on Kafka carries the CloudEvents Kafka binding's binary-mode headers beside
 * its unchanged envelope — sent at once, and relayed from the outbox after a Kafka outage.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { createEventPublisher, EVENT_SOURCE } from '../../src/infra/events';
import { createKafka } from '../../src/infra/kafka';
import { openModels } from '../../src/infra/models';
import { TOPICS } from '../../src/shared/topics';
import { unique } from '../support/ids';
import { collectEvents, type SeenEvent } from '../support/kafka';

const cfg = loadConfig();
let data: Awaited<ReturnType<typeof openModels>>;

beforeAll(async () => {
  data = await openModels(cfg);
});
afterAll(() => data?.mongo.close());

const expectCloudEvent = (seen: SeenEvent) => {
  expect(seen.headers).toEqual({
    'event-id': seen.event.id,
    'event-type': seen.topic,
    ce_specversion: '1.0',
    ce_id: seen.event.id,
    ce_type: seen.event.type,
    ce_source: EVENT_SOURCE,
    ce_time: seen.event.occurredAt,
    'content-type': 'application/json',
  });
  expect(new Date(seen.headers.ce_time!).toISOString()).toBe(seen.headers.ce_time);
};

test('an event sent at once and one relayed from the outbox both carry ce_specversion, ce_id, ce_type, ce_source, ce_time and content-type; the body stays the envelope', async () => {
  const logger = pino({ level: 'silent' });
  const key = unique('salon');
  // A publisher that finds an event parked (as after an outage) queues new ones behind it: both go through the outbox.
  const parkedId = unique('parked');
  const parkedEnvelope = { id: parkedId, type: TOPICS.salonUpdates, version: 1, occurredAt: '2026-01-02T03:04:05.678Z', correlationId: parkedId, data: { salonId: key } };
  await data.models.Outbox.create({ _id: parkedId, topic: TOPICS.salonUpdates, key, value: JSON.stringify(parkedEnvelope), occurredAt: parkedEnvelope.occurredAt, createdAt: new Date() });
  const relayed = await createEventPublisher(createKafka(cfg, { clientId: unique('ce-relay') }), { outbox: data.models.Outbox, logger, relayIntervalMs: 100 });
  const viaOutbox = await relayed.publish(TOPICS.salonUpdates, key, { salonId: key, entity: 'salon', entityId: key, change: 'updated' });
  await relayed.close(); // relays what is parked

  const direct = await createEventPublisher(createKafka(cfg, { clientId: unique('ce-direct') }), { outbox: data.models.Outbox, logger });
  const sentAtOnce = await direct.publish(TOPICS.salonUpdates, key, { salonId: key, entity: 'service', entityId: key, change: 'created' });
  await direct.close();

  const ids = [parkedId, viaOutbox.id, sentAtOnce.id];
  const seen = await collectEvents([TOPICS.salonUpdates], (events) => ids.every((id) => events.some((e) => e.event.id === id)), 60_000);
  const mine = ids.map((id) => seen.find((e) => e.event.id === id)!);
  mine.forEach(expectCloudEvent);
  expect(mine[0]!.event).toEqual(parkedEnvelope);
  expect(mine[0]!.headers.ce_time).toBe('2026-01-02T03:04:05.678Z');
  expect(mine[2]!.event).toEqual(sentAtOnce);
  expect(mine.map((e) => e.key)).toEqual([key, key, key]);
});
