/**
 * The notifications consumer: reads the client-facing events from Kafka (its own
 * consumer group, at-least-once) and emails the client each one — confirmed, failed,
 * cancelled, rescheduled, each reminder, no-show, a waitlist offer and a waitlist
 * booking — through a pluggable sender (by default SMTP, src/infra/mail.ts, which sends
 * each event's email at most once, across restarts).
 */
import type { Logger } from 'pino';
import type { Config } from '../src/config';
import type { MessageKind } from '../src/domain/messages';
import { type EventConsumer, startEventConsumer } from '../src/infra/consumer';
import { topicSettings } from '../src/infra/events';
import { createProcessKafka } from '../src/infra/kafka';
import { findBooking } from '../src/infra/bookings';
import { createEmailSender, type NotificationSender } from '../src/infra/mail';
import { createProcessMetrics } from '../src/infra/metrics';
import { openModels } from '../src/infra/models';
import { runProcess } from '../src/shared/process';
import { TOPICS, type Topic } from '../src/shared/topics';

export type { Notification, NotificationSender } from '../src/infra/mail';

export const KINDS: Partial<Record<Topic, MessageKind>> = {
  [TOPICS.bookingConfirmed]: 'confirmed',
  [TOPICS.bookingFailed]: 'failed',
  [TOPICS.bookingCancelled]: 'cancelled',
  [TOPICS.bookingRescheduled]: 'rescheduled',
  [TOPICS.bookingReminder]: 'reminder',
  [TOPICS.bookingNoShow]: 'no_show',
  [TOPICS.waitlistOffered]: 'waitlist_offered',
  [TOPICS.waitlistBooked]: 'waitlist_booked',
};

type EventData = { bookingId?: string; customerId?: string } & Record<string, unknown>;

export async function startNotifications(
  cfg: Config,
  logger: Logger,
  opts: { sender?: NotificationSender; groupId?: string } = {},
): Promise<EventConsumer> {
  const data = opts.sender ? undefined : await openModels(cfg);
  const email = data ? createEmailSender(cfg, data.models, logger) : undefined;
  const sender = opts.sender ?? email!;
  const processMetrics = createProcessMetrics(cfg, logger, 'notifications');
  const consumer = await startEventConsumer<EventData>({
    kafka: createProcessKafka(cfg, logger, 'instudio-notifications'),
    groupId: opts.groupId ?? 'instudio-notifications',
    topics: Object.keys(KINDS) as Topic[],
    topicSettings: topicSettings(cfg),
    logger,
    // A failed send throws: the offset is not committed and the event comes again.
    handle: async (event, topic) => {
      let to = event.data.customerId;
      // A failure or a move names the booking only: its client is on the booking.
      if (!to && event.data.bookingId && data) to = (await findBooking(data.models, event.data.bookingId))?.customerId;
      if (!to) return;
      await sender.send({ eventId: event.id, kind: KINDS[topic as Topic]!, to, ...(event.data.bookingId ? { bookingId: event.data.bookingId } : {}), data: event.data });
    },
  });
  logger.info('notifications consuming');
  return {
    get ready() {
      return consumer.ready;
    },
    async stop() {
      await consumer.stop();
      email?.close();
      await processMetrics.close();
      await data?.mongo.close();
    },
  };
}

if (require.main === module) {
  runProcess('notifications', (cfg, logger) => startNotifications(cfg, logger), 'shutting down: committing offsets');
}
