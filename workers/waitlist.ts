/**
 * The waitlist process: a consumer of the booking events that starts an offer chain
 * (workflows/waitlist-offer-chain.ts) for every freeing of staff time where entries
 * wait — a cancellation, a booking that failed after holding its slot, a reschedule
 * away —, the Temporal worker of the `waitlist` task queue that runs the chains and
 * their activities, and a sweep that ends entries whose date has passed.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import { createWaitlistActivities } from '../activities/waitlist';
import type { Config } from '../src/config';
import { findBooking, type StoredBooking } from '../src/infra/bookings';
import { startEventConsumer } from '../src/infra/consumer';
import { startEventPublisher, topicSettings } from '../src/infra/events';
import { createIntakeSender, ensureIntakeQueues } from '../src/infra/intake';
import { createProcessKafka } from '../src/infra/kafka';
import { createProcessMetrics } from '../src/infra/metrics';
import { type Models, openModels } from '../src/infra/models';
import { createSqsClient } from '../src/infra/sqs';
import { createTemporalClient } from '../src/infra/temporal';
import { installTemporalRuntime } from '../src/infra/temporal-runtime';
import { expireLapsedEntries } from '../src/infra/waitlist';
import { runProcess } from '../src/shared/process';
import { SalonIdKey } from '../src/shared/search-attributes';
import { type EventEnvelope, TOPICS } from '../src/shared/topics';
import { type FreedTime, OFFER_CHAIN_WORKFLOW, offerChainIdFor, WAITLIST_TASK_QUEUE } from '../src/shared/waitlist';
import { consumingWorker } from './consuming-worker';
import { loadWorkflowBundle } from './workflow-bundle';

const SWEEP_EVERY_MS = 60_000;
/** Failures after which the booking never held its slot: nothing was freed. */
const NEVER_HELD = new Set(['slot_unavailable', 'invalid_booking']);

interface FreeingEvent {
  bookingId?: string;
  previousStart?: string;
  previousEnd?: string;
  previousStaffId?: string;
  reason?: string;
}

/**
 * The staff time an event freed, or undefined. A waitlist booking that ends before
 * confirmation is left to the chain that follows it (it passes the time on itself).
 */
export function freedTimeOf(event: EventEnvelope<FreeingEvent>, topic: string, booking: StoredBooking, now: Date): FreedTime | undefined {
  const chainId = offerChainIdFor(event.id);
  const base = { chainId, salonId: booking.salonId, bookingId: booking._id };
  let freed: FreedTime | undefined;
  if (topic === TOPICS.bookingRescheduled) {
    const { previousStart, previousEnd } = event.data;
    const staffId = event.data.previousStaffId ?? booking.staffId;
    if (!previousStart || !previousEnd || !staffId) return undefined;
    freed = { ...base, staffId, start: previousStart, end: previousEnd, cause: 'rescheduled' };
  } else {
    if (!booking.staffId) return undefined;
    if (booking.waitlistChainId && !booking.confirmedAt) return undefined;
    if (topic === TOPICS.bookingFailed && NEVER_HELD.has(event.data.reason ?? booking.failureReason ?? '')) return undefined;
    const cause = topic === TOPICS.bookingCancelled ? 'cancelled' : 'failed';
    freed = { ...base, staffId: booking.staffId, start: booking.start.toISOString(), end: booking.holdEnd.toISOString(), cause };
  }
  return Date.parse(freed.start) > now.getTime() ? freed : undefined;
}

/** Whether any entry waits for the day the time is on (no chain is started for nobody). */
async function anyoneWaiting(models: Models, freed: FreedTime): Promise<boolean> {
  const salon = await models.Salon.findById(freed.salonId, { timezone: 1 }).lean();
  if (!salon) return false;
  const date = DateTime.fromISO(freed.start, { zone: salon.timezone }).toISODate();
  return (await models.WaitlistEntry.exists({ salonId: freed.salonId, date, status: 'waiting', deletedAt: null })) !== null;
}

export async function startWaitlist(cfg: Config, logger: Logger, opts: { groupId?: string } = {}) {
  installTemporalRuntime(logger);
  const { mongo, models } = await openModels(cfg);
  const events = await startEventPublisher(cfg, createProcessKafka(cfg, logger, 'instudio-waitlist'), models.Outbox, logger);
  const { metrics, close: closeMetrics } = createProcessMetrics(cfg, logger, 'waitlist');
  const sqs = createSqsClient(cfg);
  const enqueue = createIntakeSender(sqs, await ensureIntakeQueues(sqs, cfg));
  const temporal = await createTemporalClient(cfg);

  const connection = await NativeConnection.connect({ address: cfg.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: cfg.temporal.namespace,
    taskQueue: WAITLIST_TASK_QUEUE,
    identity: cfg.instanceId,
    workflowBundle: await loadWorkflowBundle(),
    activities: createWaitlistActivities({ models, events, metrics, enqueue, booking: cfg.booking }),
  });
  const done = worker.run();

  const consumer = await startEventConsumer<FreeingEvent>({
    kafka: createProcessKafka(cfg, logger, 'instudio-waitlist'),
    groupId: opts.groupId ?? 'instudio-waitlist',
    topics: [TOPICS.bookingCancelled, TOPICS.bookingFailed, TOPICS.bookingRescheduled],
    topicSettings: topicSettings(cfg),
    logger,
    // A start that fails throws: the offset is not committed and the event comes again.
    handle: async (event, topic) => {
      if (!event.data.bookingId) return;
      const booking = await findBooking(models, event.data.bookingId);
      const freed = booking && freedTimeOf(event, topic, booking, new Date());
      if (!freed || !(await anyoneWaiting(models, freed))) return;
      try {
        await temporal.client.workflow.start(OFFER_CHAIN_WORKFLOW, {
          taskQueue: WAITLIST_TASK_QUEUE,
          workflowId: freed.chainId,
          args: [freed],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [{ key: SalonIdKey, value: freed.salonId }],
          staticSummary: `Waitlist: time freed by booking ${freed.bookingId} (${freed.cause}), ${freed.start}, staff ${freed.staffId}`,
        });
        metrics.record('WaitlistChains', 1, 'Count', { Cause: freed.cause });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    },
  });

  const sweep = async (): Promise<void> => {
    const expired = await expireLapsedEntries(models, new Date());
    if (expired > 0) metrics.record('WaitlistEntriesExpired', expired, 'Count');
  };
  const sweeper = setInterval(() => void sweep().catch((err: unknown) => logger.warn({ err }, 'waitlist expiry sweep failed')), SWEEP_EVERY_MS);
  void sweep().catch(() => undefined);
  logger.info({ taskQueue: WAITLIST_TASK_QUEUE }, 'waitlist consuming and polling');

  return consumingWorker({
    name: 'waitlist',
    worker,
    done,
    connection,
    consumer,
    logger,
    closers: [() => clearInterval(sweeper), () => temporal.close(), () => events.close(), () => sqs.destroy(), closeMetrics, () => mongo.close()],
  });
}

if (require.main === module) {
  runProcess('waitlist', (cfg, logger) => startWaitlist(cfg, logger), 'shutting down: committing offsets, finishing tasks in hand');
}
