/**
 * Every gateway instance consumes `salones.actualizaciones` in a consumer group of its
 * own, so each one drops its own cached responses when a salon's catalogue changes.
 */
import crypto from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { type EventEnvelope, type SalonUpdate, TOPICS } from '../shared/topics';
import { type ResponseCache, salonTags } from './cache';

export interface CacheInvalidator {
  /** Resolves once the consumer has joined its group and will see new events. */
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly ready: boolean;
}

export function createCacheInvalidator(kafka: Kafka, cache: ResponseCache, logger: Logger): CacheInvalidator {
  const consumer: Consumer = kafka.consumer({
    groupId: `instudio-gateway-cache-${crypto.randomUUID()}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
  });
  let ready = false;
  return {
    get ready() {
      return ready;
    },
    async start() {
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      consumer.on(consumer.events.CRASH, (e) => {
        ready = false;
        cache.clear(); // without invalidations the cache could go stale: start empty again
        logger.error({ err: e.payload.error }, 'cache invalidation consumer crashed');
      });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        ready = true;
      });
      await consumer.connect();
      await consumer.subscribe({ topic: TOPICS.salonUpdates, fromBeginning: false });
      await consumer.run({
        eachMessage: async ({ message }) => {
          try {
            const event = JSON.parse(String(message.value)) as EventEnvelope<SalonUpdate>;
            cache.invalidate(salonTags(event.data.salonId));
          } catch (err) {
            logger.warn({ err }, 'unreadable salones.actualizaciones event; clearing the whole cache');
            cache.clear();
          }
        },
      });
      await joined;
    },
    async stop() {
      ready = false;
      await consumer.disconnect();
    },
  };
}
