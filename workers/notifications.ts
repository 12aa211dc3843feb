/**
 * The notifications consumer: reads booking events from Kafka (its own consumer group,
 * at-least-once) and sends each once through a pluggable sender — reminders 24 h ahead,
 * confirmations and cancellations. Duplicated events (same event id) are sent once.
 */
import type { Logger } from 'pino';
import type { Config } from '../src/config';
import { type EventConsumer, startEventConsumer } from '../src/infra/consumer';
import { topicSettings } from '../src/infra/events';
import { createProcessKafka } from '../src/infra/kafka';
import { createProcessMetrics } from '../src/infra/metrics';
import { runProcess } from '../src/shared/process';
import { TOPICS, type Topic } from '../src/shared/topics';

export interface Notification {
  /** The customer (user id) to notify. */
  to: string;
  template: 'booking.reminder' | 'booking.confirmed' | 'booking.cancelled';
  bookingId: string;
  data: Record<string, unknown>;
}

/** Where notifications go: email, SMS, push… The default writes them to the log. */
export interface NotificationSender {
  send(n: Notification): Promise<void>;
}

export const logSender = (logger: Logger): NotificationSender => ({
  async send(n) {
    logger.info({ notification: n }, `notify ${n.to}: ${n.template}`);
  },
});

const TEMPLATES: Partial<Record<Topic, Notification['template']>> = {
  [TOPICS.bookingReminder]: 'booking.reminder',
  [TOPICS.bookingConfirmed]: 'booking.confirmed',
  [TOPICS.bookingCancelled]: 'booking.cancelled',
};

export async function startNotifications(
  cfg: Config,
  logger: Logger,
  opts: { sender?: NotificationSender; groupId?: string } = {},
): Promise<EventConsumer> {
  const sender = opts.sender ?? logSender(logger);
  const processMetrics = createProcessMetrics(cfg, logger, 'notifications');
  const consumer = await startEventConsumer<{ bookingId: string; customerId?: string }>({
    kafka: createProcessKafka(cfg, logger, 'instudio-notifications'),
    groupId: opts.groupId ?? 'instudio-notifications',
    topics: Object.keys(TEMPLATES) as Topic[],
    topicSettings: topicSettings(cfg),
    logger,
    // A failed send throws: the offset is not committed and the event comes again.
    handle: async (event, topic) => {
      if (!event.data.customerId) return;
      await sender.send({ to: event.data.customerId, template: TEMPLATES[topic as Topic]!, bookingId: event.data.bookingId, data: event.data });
    },
  });
  logger.info('notifications consuming');
  return {
    get ready() {
      return consumer.ready;
    },
    async stop() {
      await consumer.stop();
      await processMetrics.close();
    },
  };
}

if (require.main === module) {
  runProcess('notifications', (cfg, logger) => startNotifications(cfg, logger), 'shutting down: committing offsets');
}
