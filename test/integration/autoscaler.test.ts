/**
 * The autoscaler against real CloudWatch (moto) alarms and real booking-worker
 * processes: an alarm set to ALARM adds a worker within the cooldown, OK brings it back
 * to the minimum, and each change is logged with its reason.
 */
import { DeleteAlarmsCommand, DescribeAlarmsCommand, SetAlarmStateCommand, type StateValue } from '@aws-sdk/client-cloudwatch';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { provisionOps } from '../../src/infra/alarms';
import { createCloudWatchClient } from '../../src/infra/cloudwatch';
import { createTemporalClient } from '../../src/infra/temporal';
import { taskQueueFor } from '../../src/shared/booking';
import { type Autoscaler, childProcessPool, startAutoscaler, type WorkerPool } from '../../workers/autoscaler';
import { unique } from '../support/ids';
import { eventually } from '../support/wait';

const env = {
  ...process.env,
  ALARM_PREFIX: unique('Scale').replace(/[^A-Za-z0-9-]/g, '-'),
  AUTOSCALER_MIN_WORKERS: '1',
  AUTOSCALER_MAX_WORKERS: '2',
  AUTOSCALER_COOLDOWN_MS: '3000',
  AUTOSCALER_INTERVAL_MS: '200',
  AUTOSCALER_BACKLOG_PER_WORKER: '1000000', // only the alarm drives this test
};
const cfg = loadConfig(env);
const cloudwatch = createCloudWatchClient(cfg);
const logs: { msg: string; reason?: string; from?: number; to?: number }[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
let pool: WorkerPool;
let autoscaler: Autoscaler;

const setAlarm = (state: StateValue) =>
  cloudwatch.send(new SetAlarmStateCommand({ AlarmName: cfg.ops.alarms.highBacklog, StateValue: state, StateReason: `the test sets ${state}` }));

beforeAll(async () => {
  await provisionOps(cloudwatch, cfg);
  pool = childProcessPool(logger, {
    env: { ...env, LOG_LEVEL: 'warn' },
    entry: 'workers/booking-worker.ts',
    instancePrefix: unique('scaled-worker'),
  });
  autoscaler = await startAutoscaler(cfg, logger, { pool });
});
afterAll(async () => {
  await autoscaler?.stop();
  cloudwatch.destroy();
});

test('given the high-backlog alarm goes to ALARM, then a booking worker is added within the cooldown; back to OK, it returns to the minimum', async () => {
  // It starts the minimum at once.
  await eventually(() => pool.size === 1, { what: 'the minimum of one worker' });
  expect(logs.find((l) => l.msg === 'scale out')).toMatchObject({ from: 0, to: 1, reason: 'below the minimum of 1' });

  await setAlarm('ALARM');
  await eventually(() => pool.size === 2, { timeoutMs: cfg.autoscaler.cooldownMs, intervalMs: 50, what: 'a worker to be added' });
  expect(logs.filter((l) => l.msg === 'scale out')[1]).toMatchObject({ from: 1, to: 2, reason: `alarm ${cfg.ops.alarms.highBacklog} is in ALARM` });

  // The added worker is a real booking worker: it polls the high-priority task queue.
  const temporal = await createTemporalClient(cfg);
  try {
    await eventually(
      async () => {
        const { pollers } = await temporal.connection.workflowService.describeTaskQueue({
          namespace: cfg.temporal.namespace,
          taskQueue: { name: taskQueueFor('high') },
          taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
        });
        const identities = (pollers ?? []).map((p) => p.identity);
        return pool.instances.every((instance) => identities.includes(instance));
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'both workers polling bookings-high' },
    );
  } finally {
    await temporal.close();
  }

  // At the maximum it holds, and says why.
  await eventually(() => autoscaler.last?.reason.includes('already at the maximum of 2'), { what: 'the maximum to hold' });

  await setAlarm('OK');
  await eventually(() => pool.size === 1, { timeoutMs: cfg.autoscaler.cooldownMs + 15_000, intervalMs: 100, what: 'back to the minimum' });
  // Alarms CloudWatch lost (a restarted endpoint keeps none) are put back.
  await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [cfg.ops.alarms.highBacklog] }));
  await eventually(
    async () => ((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [cfg.ops.alarms.highBacklog] }))).MetricAlarms ?? []).length === 1,
    { timeoutMs: 10_000, what: 'the deleted alarm to be provisioned again' },
  );
  expect(logs.find((l) => l.msg === 'scale in')).toMatchObject({ from: 2, to: 1, reason: expect.stringMatching(/^no alarm and backlog \d+ fits 1 worker\(s\)$/) });
}, 90_000);
