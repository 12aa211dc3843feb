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
import { type ChildProcess, spawn } from 'node:child_process';
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
import { runProcess } from '../src/shared/process';
import { NeedsAttentionKey } from '../src/shared/search-attributes';

/** Where the booking workers run: local child processes here; ECS tasks or pods in production. */
export interface WorkerPool {
  readonly size: number;
  /** Instance ids of the workers (their Temporal identity and metrics Instance). */
  readonly instances: string[];
  add(): void;
  /** Stops the newest worker gracefully. */
  remove(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Booking workers as child processes of this one. By default each is started the way
 * this process was (under tsx, or compiled): `command` overrides that.
 */
export function childProcessPool(
  logger: Logger,
  opts: { env?: NodeJS.ProcessEnv; command?: string[]; instancePrefix?: string } = {},
): WorkerPool {
  const children: { child: ChildProcess; instance: string }[] = [];
  let started = 0;
  const [cmd, ...args] = opts.command ?? [process.execPath, ...process.execArgv, require.resolve('./booking-worker')];
  const stop = (child: ChildProcess): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return {
    get size() {
      return children.length;
    },
    get instances() {
      return children.map((c) => c.instance);
    },
    add() {
      const instance = `${opts.instancePrefix ?? 'booking-worker'}-${++started}`;
      const child = spawn(cmd!, args, { env: { ...(opts.env ?? process.env), INSTANCE_ID: instance }, stdio: ['ignore', 'inherit', 'inherit'] });
      const entry = { child, instance };
      children.push(entry);
      logger.info({ instance, pid: child.pid }, 'booking worker started');
      child.once('exit', (code, signal) => {
        const i = children.indexOf(entry);
        if (i >= 0) {
          children.splice(i, 1);
          logger.warn({ instance, code, signal }, 'booking worker exited; it will be replaced if needed');
        }
      });
    },
    async remove() {
      const entry = children.pop();
      if (entry) await stop(entry.child);
    },
    async close() {
      await Promise.all(children.splice(0).map((c) => stop(c.child)));
    },
  };
}

export interface Autoscaler {
  /** The last decision taken. */
  readonly last: ScalingDecision | undefined;
  /** The last tick could read its signals. */
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
    while (pool.size < desired && !stopping) pool.add();
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
      return healthy && !stopping;
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
