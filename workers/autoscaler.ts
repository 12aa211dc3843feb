/**
 * The autoscaler: every interval it reads the scale-out alarms (API latency, high
 * backlog) and the SQS backlog, decides with decideScale, and runs that many booking
 * worker processes — spawning one more, or sending the newest SIGTERM (it finishes the
 * tasks in hand). A worker that dies is replaced at the next tick. Each decision that
 * changes something is logged with its reason, and BookingWorkers is published.
 *
 * It also publishes SagasNeedingAttention (a visibility count) for its alarm, and puts
 * the alarms back if CloudWatch lost them.
 *
 * On ECS or Kubernetes the same signals drive the platform's scaler instead: see README.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { Logger } from 'pino';
import type { Config } from '../src/config';
import { decideScale, type ScalingDecision, type ScalingSignals } from '../src/domain/autoscaling';
import { alarmSpecs, provisionOps } from '../src/infra/alarms';
import { ensureIntakeQueues, queueDepths } from '../src/infra/intake';
import { createProcessMetrics } from '../src/infra/metrics';
import { createSqsClient } from '../src/infra/sqs';
import { createTemporalClient } from '../src/infra/temporal';
import { WORKFLOW_TYPE } from '../src/shared/booking';
import { type ProductProcess, startProcess } from '../src/shared/child-process';
import { runProcess } from '../src/shared/process';
import { NeedsAttentionKey } from '../src/shared/search-attributes';

/** Where the booking workers run: local child processes here; ECS tasks or pods in production. */
export interface WorkerPool {
  readonly size: number;
  /** Instance ids of the workers (their Temporal identity and metrics Instance). */
  readonly instances: string[];
  /** Every worker of the pool polls its task queues. */
  readonly ready: boolean;
  /** Starts one more worker; resolves once it polls (rejects if it exits first). */
  add(): Promise<void>;
  /** Stops the newest worker gracefully. */
  remove(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Booking workers as child processes of this one, started with the process harness
 * (which knows when each one polls). `entry` overrides the worker's entrypoint.
 */
export function childProcessPool(
  logger: Logger,
  opts: { env?: NodeJS.ProcessEnv; entry?: string; instancePrefix?: string } = {},
): WorkerPool {
  const workers: { process: ProductProcess; instance: string }[] = [];
  let started = 0;
  const entry = opts.entry ?? require.resolve('./booking-worker');
  return {
    get size() {
      return workers.length;
    },
    get instances() {
      return workers.map((w) => w.instance);
    },
    get ready() {
      return workers.every((w) => w.process.isReady());
    },
    async add() {
      const instance = `${opts.instancePrefix ?? 'booking-worker'}-${++started}`;
      const worker = startProcess({ name: instance, entry, env: { ...(opts.env ?? process.env), INSTANCE_ID: instance }, echo: true });
      const entryOf = { process: worker, instance };
      workers.push(entryOf);
      logger.info({ instance, pid: worker.pid }, 'booking worker started');
      void worker.exited.then(({ code, signal }) => {
        const i = workers.indexOf(entryOf);
        if (i >= 0) {
          workers.splice(i, 1);
          logger.warn({ instance, code, signal, lastError: worker.lastError() }, 'booking worker exited; it will be replaced if needed');
        }
      });
      await worker.ready;
      logger.info({ instance, pid: worker.pid }, 'booking worker ready');
    },
    async remove() {
      const w = workers.pop();
      if (w) await w.process.stop();
    },
    async close() {
      await Promise.all(workers.splice(0).map((w) => w.process.stop()));
    },
  };
}

export interface Autoscaler {
  /** The last decision taken. */
  readonly last: ScalingDecision | undefined;
  /** The last tick could read its signals, and every worker it runs polls. */
  readonly ready: boolean;
  stop(): Promise<void>;
}

export async function startAutoscaler(cfg: Config, logger: Logger, opts: { pool?: WorkerPool } = {}): Promise<Autoscaler> {
  const policy = cfg.autoscaler;
  const pool = opts.pool ?? childProcessPool(logger, { instancePrefix: `${cfg.instanceId}-worker` });
  const { cloudwatch, metrics, close: closeMetrics } = createProcessMetrics(cfg, logger, 'autoscaler');
  const sqs = createSqsClient(cfg);
  const queues = await ensureIntakeQueues(sqs, cfg);
  const temporal = await createTemporalClient(cfg);
  const scaleOutAlarms = alarmSpecs(cfg).filter((a) => a.scalesOut).map((a) => a.name);
  const attentionQuery = `WorkflowType = '${WORKFLOW_TYPE}' AND ${NeedsAttentionKey.name} = true AND ExecutionStatus = 'Running'`;

  let desired = pool.size;
  let lastChangeAt = 0;
  let last: ScalingDecision | undefined;
  let stopping = false;
  let healthy = false;

  const signals = async (): Promise<ScalingSignals> => {
    const [alarms, depths] = await Promise.all([
      cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: scaleOutAlarms })),
      queueDepths(sqs, queues),
    ]);
    if ((alarms.MetricAlarms ?? []).length < scaleOutAlarms.length) {
      // CloudWatch lost them (a restarted local endpoint keeps nothing): put them back.
      logger.warn({ found: alarms.MetricAlarms?.map((a) => a.AlarmName) }, 'alarms missing; provisioning them again');
      await provisionOps(cloudwatch, cfg);
    }
    return {
      alarming: (alarms.MetricAlarms ?? []).filter((a) => a.StateValue === 'ALARM').map((a) => a.AlarmName!),
      backlog: depths.waiting.high + depths.waiting.normal,
    };
  };

  const tick = async (): Promise<void> => {
    const decision = decideScale(desired, lastChangeAt, Date.now(), await signals(), policy);
    if (decision.change !== 'none') {
      logger.info({ from: desired, to: decision.workers, reason: decision.reason }, `scale ${decision.change}`);
      // Keeping to the bounds is not a scaling step: it starts no cooldown.
      if (!decision.bound) lastChangeAt = Date.now();
      desired = decision.workers;
    } else if (decision.reason !== last?.reason) {
      logger.debug({ workers: desired, reason: decision.reason }, 'no change');
    }
    last = decision;
    // A new worker polls once it has bundled its workflows: the pool says when (its
    // `ready`, this process's readiness); the next ticks do not wait for it.
    while (pool.size < desired && !stopping) {
      pool.add().catch((err: unknown) => logger.warn({ err }, 'a booking worker did not start'));
    }
    while (pool.size > desired && !stopping) await pool.remove();
    metrics.record('BookingWorkers', pool.size, 'Count');
    const needingAttention = await temporal.client.workflow.count(attentionQuery);
    metrics.record('SagasNeedingAttention', needingAttention.count, 'Count');
  };

  const loop = (async () => {
    while (!stopping) {
      healthy = await tick().then(
        () => true,
        (err: unknown) => {
          logger.warn({ err }, 'autoscaler tick failed; trying again');
          return false;
        },
      );
      await new Promise((r) => setTimeout(r, policy.intervalMs));
    }
  })();
  logger.info({ policy, scaleOutAlarms }, 'autoscaler watching');

  return {
    get last() {
      return last;
    },
    get ready() {
      return healthy && !stopping && pool.ready;
    },
    async stop() {
      stopping = true;
      await loop;
      await pool.close();
      await temporal.close();
      await closeMetrics();
      sqs.destroy();
    },
  };
}

if (require.main === module) {
  runProcess('autoscaler', (cfg, logger) => startAutoscaler(cfg, logger), 'shutting down: stopping the booking workers it started');
}
