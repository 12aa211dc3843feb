/**
 * Publishes domain events to Kafka in the shared envelope, keyed by salon or user id so
 * one key's events stay ordered. The producer is idempotent (acks from all replicas,
 * one request in flight).
 *
 * A Kafka outage never fails the caller and never loses an event: an event that does
 * not reach the broker within `sendTimeoutMs` (5 s) goes to the MongoDB outbox, and a relay
 * in the same process sends the outbox, oldest first, once the broker is back. While
 * this process has events waiting there, new ones queue behind them, so its events keep
 * their order. Delivery is at-least-once (a send that timed out may still land, and
 * the relay sends it again): consumers dedupe by event id.
 */
import crypto from 'node:crypto';
import { type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import type { Model } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { type EventEnvelope, TOPICS, type Topic } from '../shared/topics';
import type { OutboxDoc } from './models';
import { isDuplicateKeyError } from './mongo';

export interface EventPublisher {
  /** Resolves once the event is on Kafka or safely in the outbox. */
  publish<T>(topic: Topic, key: string, data: T, opts?: { correlationId?: string; id?: string }): Promise<EventEnvelope<T>>;
  close(): Promise<void>;
}

export interface PublisherOptions {
  outbox: Model<OutboxDoc>;
  logger: Logger;
  /** How long a publish waits for Kafka before it parks the event in the outbox. */
  sendTimeoutMs?: number;
  /** How often the relay looks at the outbox. */
  relayIntervalMs?: number;
}

const RELAY_BATCH = 500;

/** The CloudEvents `source` of every event the product publishes. */
export const EVENT_SOURCE = '/instudio';

/**
 * A Kafka message of an event: its envelope as the value (unchanged), keyed for order,
 * with the CloudEvents Kafka binding's binary-mode headers (`ce_*`, `content-type`)
 * beside the product's own `event-id` and `event-type`.
 */
export function kafkaMessage(e: { id: string; key: string; topic: string; value: string; occurredAt: string }): Message {
  return {
    key: e.key,
    value: e.value,
    headers: {
      'event-id': e.id,
      'event-type': e.topic,
      ce_specversion: '1.0',
      ce_id: e.id,
      ce_type: e.topic,
      ce_source: EVENT_SOURCE,
      ce_time: e.occurredAt,
      'content-type': 'application/json',
    },
  };
}

export function envelope<T>(type: string, data: T, opts: { correlationId?: string; id?: string } = {}): EventEnvelope<T> {
  return {
    id: opts.id ?? crypto.randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    correlationId: opts.correlationId ?? crypto.randomUUID(),
    data,
  };
}

/** How the product's topics are created. */
export interface TopicSettings {
  numPartitions: number;
  replicationFactor: number;
}

export const topicSettings = (cfg: Config): TopicSettings => ({
  numPartitions: cfg.kafka.topicPartitions,
  replicationFactor: cfg.kafka.replicationFactor,
});

/**
 * Creates the product's topics (or just `topics`) with the configured partitions, and
 * adds partitions to a topic that has fewer (idempotent; partitions are never removed).
 */
export async function ensureTopics(kafka: Kafka, opts: TopicSettings & { topics?: readonly string[] }): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted: string[] = [...(opts.topics ?? Object.values(TOPICS))];
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: opts.numPartitions, replicationFactor: opts.replicationFactor })),
        waitForLeaders: true,
      });
    }
    const { topics } = await admin.fetchTopicMetadata({ topics: wanted.filter((t) => existing.has(t)) });
    const short = topics.filter((t) => t.partitions.length < opts.numPartitions);
    if (short.length > 0) await admin.createPartitions({ topicPartitions: short.map((t) => ({ topic: t.name, count: opts.numPartitions })) });
  } finally {
    await admin.disconnect();
  }
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from Kafka within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });

export async function createEventPublisher(kafka: Kafka, opts: PublisherOptions): Promise<EventPublisher> {
  const { outbox, logger } = opts;
  const sendTimeoutMs = opts.sendTimeoutMs ?? 5000;
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner, // murmur2 by key, as the Java client
  });
  // A broker that is down at start must not stop the process: events go to the outbox.
  await producer.connect().catch((err: unknown) => logger.warn({ err }, 'Kafka unreachable at start; events wait in the outbox'));

  /** This process has parked events not relayed yet: new ones queue behind them. */
  let parked = (await outbox.estimatedDocumentCount()) > 0;
  let relaying: Promise<number> | undefined;
  let outage = false;

  const park = async (e: { id: string; topic: string; key: string; value: string; occurredAt: string }): Promise<void> => {
    parked = true;
    try {
      await outbox.create({ _id: e.id, topic: e.topic, key: e.key, value: e.value, occurredAt: e.occurredAt, createdAt: new Date() });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // already waiting: stored once
    }
  };

  const relayOnce = async (): Promise<number> => {
    let sent = 0;
    for (;;) {
      const batch = await outbox.find().sort({ createdAt: 1 }).limit(RELAY_BATCH).lean();
      if (batch.length === 0) {
        parked = false;
        if (sent > 0) logger.info({ sent }, 'Kafka is back; the outbox is drained');
        return sent;
      }
      const byTopic = new Map<string, Message[]>();
      for (const e of batch) {
        const list = byTopic.get(e.topic) ?? [];
        list.push(kafkaMessage({ id: e._id, key: e.key, topic: e.topic, value: e.value, occurredAt: e.occurredAt ?? e.createdAt.toISOString() }));
        byTopic.set(e.topic, list);
      }
      try {
        await withTimeout(
          producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }),
          sendTimeoutMs * 5,
        );
      } catch (err) {
        if (!outage) logger.warn({ err, waiting: batch.length }, 'Kafka unreachable; events wait in the outbox');
        outage = true;
        return sent;
      }
      outage = false;
      await outbox.deleteMany({ _id: { $in: batch.map((e) => e._id) } });
      sent += batch.length;
    }
  };

  const relay = (): Promise<number> => {
    relaying ??= relayOnce().finally(() => {
      relaying = undefined;
    });
    return relaying;
  };

  // Every tick, not only while this process knows of parked events: an event parked in
  // a race with the last relay, or left by a process that died, goes out too.
  const timer = setInterval(() => {
    relay().catch((err: unknown) => logger.warn({ err }, 'outbox relay failed; will try again'));
  }, opts.relayIntervalMs ?? 1000);
  timer.unref();

  return {
    async publish(topic, key, data, publishOpts) {
      const event = envelope(topic, data, publishOpts);
      const e = { id: event.id, topic, key, value: JSON.stringify(event), occurredAt: event.occurredAt };
      if (parked) {
        await park(e);
        return event;
      }
      try {
        await withTimeout(producer.send({ topic, acks: -1, messages: [kafkaMessage(e)] }), sendTimeoutMs);
      } catch (err) {
        if (!outage) logger.warn({ err, topic }, 'Kafka unreachable; events wait in the outbox');
        outage = true;
        await park(e);
      }
      return event;
    },
    async close() {
      clearInterval(timer);
      await relay().catch(() => 0);
      await producer.disconnect();
    },
  };
}

/** The product's topics, then a publisher with its outbox: what every producing process needs. */
export async function startEventPublisher(cfg: Config, kafka: Kafka, outbox: Model<OutboxDoc>, logger: Logger): Promise<EventPublisher> {
  await ensureTopics(kafka, topicSettings(cfg)).catch(
    (err: unknown) => logger.warn({ err }, 'Kafka unreachable at start: topics not checked; events wait in the outbox'),
  );
  return createEventPublisher(kafka, { outbox, logger });
}
