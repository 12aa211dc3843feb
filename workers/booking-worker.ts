/**
 * The booking worker: one process polling the three priority task queues
 * (`bookings-high|normal|low`), with more slots for high. Activities get their
 * dependencies once, here.
 */
import { NativeConnection, Worker, type ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createBookingActivities } from '../activities/booking';
import { createCatalogueActivities } from '../activities/catalogue';
import type { Config } from '../src/config';
import { PRIORITIES } from '../src/domain/priority';
import { startEventPublisher } from '../src/infra/events';
import { createProcessKafka } from '../src/infra/kafka';
import { createProcessMetrics, type Metrics } from '../src/infra/metrics';
import { openModels } from '../src/infra/models';
import { createStripe } from '../src/infra/stripe';
import { installTemporalRuntime } from '../src/infra/temporal-runtime';
import { taskQueueFor } from '../src/shared/booking';
import { runProcess } from '../src/shared/process';
import { loadWorkflowBundle } from './workflow-bundle';

/** Step failures and durations per activity, to CloudWatch. */
const stepMetrics =
  (metrics: Metrics): ActivityInterceptorsFactory =>
  (ctx) => ({
    inbound: {
      async execute(input, next) {
        const started = Date.now();
        const Step = ctx.info.activityType;
        try {
          return await next(input);
        } catch (err) {
          metrics.record('StepFailures', 1, 'Count', { Step });
          throw err;
        } finally {
          metrics.record('StepDuration', Date.now() - started, 'Milliseconds', { Step });
        }
      },
    },
  });

export interface BookingWorker {
  /** Resolves when every worker has stopped. */
  done: Promise<void>;
  /** Every task queue's worker is running. */
  readonly ready: boolean;
  metrics: Metrics;
  stop(): Promise<void>;
}

export async function startBookingWorker(cfg: Config, logger: Logger): Promise<BookingWorker> {
  installTemporalRuntime(logger);
  const { mongo, models } = await openModels(cfg);
  const events = await startEventPublisher(cfg, createProcessKafka(cfg, logger, 'instudio-booking-worker'), models.Outbox, logger);
  const { metrics, close: closeMetrics } = createProcessMetrics(cfg, logger, 'booking-worker');
  const activities = {
    ...createBookingActivities({ models, stripe: createStripe(cfg), events, metrics }),
    ...createCatalogueActivities({ models, events }),
  };

  const connection = await NativeConnection.connect({ address: cfg.temporal.address });
  const workflowBundle = await loadWorkflowBundle(); // pre-built in an image
  const workers = await Promise.all(
    PRIORITIES.map((priority) =>
      Worker.create({
        connection,
        namespace: cfg.temporal.namespace,
        taskQueue: taskQueueFor(priority),
        identity: cfg.instanceId, // as in its metrics and logs
        workflowBundle,
        activities,
        maxConcurrentActivityTaskExecutions: cfg.workerSlots[priority],
        maxConcurrentWorkflowTaskExecutions: cfg.workerSlots[priority],
        // Confirmed bookings sleep for weeks: the SDK's default cache (sized from the heap
        // limit, thousands per queue) would keep every one of them in memory. One evicted
        // replays its history when its next task comes.
        maxCachedWorkflows: Math.max(cfg.workerCachedWorkflows, cfg.workerSlots[priority]),
        interceptors: { activity: [stepMetrics(metrics)] },
      }),
    ),
  );
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  const bundled = 'codePath' in workflowBundle ? 'prebuilt' : 'bundled at start';
  logger.info({ taskQueues: PRIORITIES.map(taskQueueFor), slots: cfg.workerSlots, workflowBundle: bundled }, 'booking worker polling');

  let stopped: Promise<void> | undefined;
  return {
    done,
    metrics,
    get ready() {
      return workers.every((w) => w.getState() === 'RUNNING');
    },
    stop() {
      stopped ??= (async () => {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await done.catch((err: unknown) => logger.error({ err }, 'worker stopped with an error'));
        await connection.close();
        await events.close();
        await closeMetrics();
        await mongo.close();
      })();
      return stopped;
    },
  };
}

if (require.main === module) {
  runProcess('booking-worker', startBookingWorker, 'shutting down: finishing tasks in hand');
}
