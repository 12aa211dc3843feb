/**
 * Every gateway instance consumes `salones.actualizaciones` in a consumer group of its
 * own, so each one drops its own cached responses when a salon's catalogue changes.
 * An event it cannot read, or a crash of its consumer, empties the whole cache.
 */
import crypto from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { type EventConsumer, startEventConsumer } from '../infra/consumer';
import type { TopicSettings } from '../infra/events';
import { type SalonUpdate, TOPICS } from '../shared/topics';
import { type ResponseCache, salonTags } from './cache';

export function startCacheInvalidator(kafka: Kafka, topicSettings: TopicSettings, cache: ResponseCache, logger: Logger): Promise<EventConsumer> {
  return startEventConsumer<SalonUpdate>({
    kafka,
    groupId: `instudio-gateway-cache-${crypto.randomUUID()}`,
    topics: [TOPICS.salonUpdates],
    topicSettings,
    ephemeral: true,
    logger,
    handle: async (event) => cache.invalidate(salonTags(event.data.salonId)),
    onMissed: () => cache.clear(),
  });
}
