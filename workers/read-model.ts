/**
 * The stats read model: consumes `reserva.confirmada` and `reserva.cancelada` (its own
 * consumer group, from the oldest event when the group is new, so a fresh group
 * rebuilds everything) into one fact document per booking, which
 * `GET /v1/salons/:salonId/stats` folds into days. Each event sets only its own fields,
 * so a redelivered event changes nothing and events may arrive in any order.
 */
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Config } from '../src/config';
import { type EventConsumer, startEventConsumer } from '../src/infra/consumer';
import { topicSettings } from '../src/infra/events';
import { createProcessKafka } from '../src/infra/kafka';
import { createProcessMetrics } from '../src/infra/metrics';
import { type Models, openModels } from '../src/infra/models';
import { runProcess } from '../src/shared/process';
import { type EventEnvelope, TOPICS } from '../src/shared/topics';

interface BookingEventData {
  bookingId: string;
  salonId: string;
  start?: string;
  priceCents?: number;
  currency?: string;
  refundedCents?: number;
}

/** Applies one booking event to the read model (idempotent). */
export function createStatsProjector(models: Models) {
  const zones = new Map<string, string>();
  const zoneOf = async (salonId: string): Promise<string> => {
    let zone = zones.get(salonId);
    if (!zone) {
      zone = (await models.Salon.findById(salonId, { timezone: 1 }).lean())?.timezone ?? 'UTC';
      zones.set(salonId, zone);
    }
    return zone;
  };

  return async (event: EventEnvelope<BookingEventData>, topic: string): Promise<void> => {
    const { bookingId, salonId } = event.data;
    if (!bookingId || !salonId) return;
    const at = new Date(event.occurredAt);
    if (topic === TOPICS.bookingConfirmed && event.data.start) {
      const day = DateTime.fromISO(event.data.start, { zone: await zoneOf(salonId) }).toISODate();
      await models.BookingFact.updateOne(
        { _id: bookingId },
        { $set: { salonId, day, priceCents: event.data.priceCents, currency: event.data.currency, confirmedAt: at } },
        { upsert: true },
      );
    } else if (topic === TOPICS.bookingCancelled) {
      await models.BookingFact.updateOne(
        { _id: bookingId },
        { $set: { salonId, cancelledAt: at, refundedCents: event.data.refundedCents ?? 0 } },
        { upsert: true },
      );
    }
  };
}

export async function startReadModel(cfg: Config, logger: Logger, opts: { groupId?: string } = {}): Promise<EventConsumer> {
  const { mongo, models } = await openModels(cfg);
  const processMetrics = createProcessMetrics(cfg, logger, 'read-model');
  const consumer = await startEventConsumer<BookingEventData>({
    kafka: createProcessKafka(cfg, logger, 'instudio-read-model'),
    groupId: opts.groupId ?? 'instudio-read-model',
    topics: [TOPICS.bookingConfirmed, TOPICS.bookingCancelled],
    topicSettings: topicSettings(cfg),
    fromBeginning: true,
    logger,
    handle: createStatsProjector(models),
  });
  logger.info('read model consuming');
  return {
    get ready() {
      return consumer.ready;
    },
    async stop() {
      await consumer.stop(); // commits what was handled
      await processMetrics.close();
      await mongo.close();
    },
  };
}

if (require.main === module) {
  runProcess('read-model', (cfg, logger) => startReadModel(cfg, logger), 'shutting down: committing offsets');
}
