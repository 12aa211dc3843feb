/**
 * The notifications consumer: reads booking events from Kafka (its own consumer group,
 * at-least-once) and sends each once through a pluggable sender — reminders 24 h ahead,
 * confirmations and cancellations. Duplicated events (same event id) are sent once.
 */
import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../src/config';
import { createKafka } from '../src/infra/kafka';
import { runProcess } from '../src/shared/process';
import { type EventEnvelope, TOPICS } from '../src/shared/topics';

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

const TEMPLATES: Record<string, Notification['template']> = {
  [TOPICS.bookingReminder]: 'booking.reminder',
  [TOPICS.bookingConfirmed]: 'booking.confirmed',
  [TOPICS.bookingCancelled]: 'booking.cancelled',
};

/** Remembers the last event ids seen, to drop redeliveries. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly max = 100_000) {}
  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
    return false;
  }
}

export async function startNotifications(
  cfg: Config,
  logger: Logger,
  opts: { sender?: NotificationSender; groupId?: string } = {},
): Promise<{ stop(): Promise<void> }> {
  const sender = opts.sender ?? logSender(logger);
  const kafkaLog = logger.child({ component: 'kafka' });
  const consumer: Consumer = createKafka(cfg, {
    clientId: 'instudio-notifications',
    sink: (level, msg, extra) => kafkaLog[level](extra, msg),
  }).consumer({ groupId: opts.groupId ?? 'instudio-notifications', maxWaitTimeInMs: 200 });
  const recent = new RecentIds();
  await consumer.connect();
  await consumer.subscribe({ topics: Object.keys(TEMPLATES), fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      let event: EventEnvelope<{ bookingId: string; customerId?: string }>;
      try {
        event = JSON.parse(String(message.value)) as typeof event;
      } catch {
        logger.warn({ topic, offset: message.offset }, 'unreadable event skipped');
        return;
      }
      if (recent.seen(event.id) || !event.data.customerId) return;
      // A failed send throws: the offset is not committed and the event comes again.
      await sender.send({ to: event.data.customerId, template: TEMPLATES[topic]!, bookingId: event.data.bookingId, data: event.data });
    },
  });
  await joined;
  logger.info('notifications consuming');
  return { stop: () => consumer.disconnect() };
}

if (require.main === module) {
  runProcess('notifications', (cfg, logger) => startNotifications(cfg, logger), 'shutting down: committing offsets');
}
