/**
 * Publishes domain events to Kafka in the shared envelope, keyed by salon or user id so
 * one key's events stay ordered. The producer is idempotent.
 */
import crypto from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { type EventEnvelope, TOPICS, type Topic } from '../shared/topics';

export interface EventPublisher {
  publish<T>(topic: Topic, key: string, data: T, opts?: { correlationId?: string; id?: string }): Promise<EventEnvelope<T>>;
  close(): Promise<void>;
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

/** Creates the product's topics when missing (idempotent). */
export async function ensureTopics(kafka: Kafka, opts: { numPartitions?: number } = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(TOPICS).filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: opts.numPartitions ?? 3, replicationFactor: 1 })),
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}

export async function createEventPublisher(kafka: Kafka): Promise<EventPublisher> {
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return {
    async publish(topic, key, data, opts) {
      const event = envelope(topic, data, opts);
      await producer.send({
        topic,
        acks: -1,
        messages: [{ key, value: JSON.stringify(event), headers: { 'event-id': event.id, 'event-type': topic } }],
      });
      return event;
    },
    close: () => producer.disconnect(),
  };
}
