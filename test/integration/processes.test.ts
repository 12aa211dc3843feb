/**
 * Every process of the product as it runs in production: its own entrypoint, ready
 * (gateway /readyz, the others on HEALTH_PORT), its CPU and memory on CloudWatch under
 * its role and instance, and a clean exit (0) on SIGTERM after flushing.
 */
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { loadConfig } from '../../src/config';
import { createCloudWatchClient } from '../../src/infra/cloudwatch';
import { unique } from '../support/ids';
import { freePort } from '../support/ports';
import { eventually } from '../support/wait';
import { startProcess } from '../../src/shared/child-process';

const cfg = loadConfig();
const cloudwatch = createCloudWatchClient(cfg);
afterAll(() => cloudwatch.destroy());

const ROLES: { role: string; entry: string; env?: Record<string, string> }[] = [
  { role: 'gateway', entry: 'src/gateway/main.ts' },
  { role: 'booking-worker', entry: 'workers/booking-worker.ts' },
  { role: 'dispatcher', entry: 'workers/dispatcher.ts' },
  { role: 'notifications', entry: 'workers/notifications.ts' },
  { role: 'read-model', entry: 'workers/read-model.ts' },
  { role: 'waitlist', entry: 'workers/waitlist.ts' },
  { role: 'webhooks', entry: 'workers/webhooks.ts' },
  { role: 'autoscaler', entry: 'workers/autoscaler.ts', env: { AUTOSCALER_MIN_WORKERS: '0', AUTOSCALER_BACKLOG_PER_WORKER: '1000000', ALARM_PREFIX: 'ProcessesTest' } },
];

test.each(ROLES)('$role: ready, publishes its CPU and memory by role and instance, and exits 0 on SIGTERM', async ({ role, entry, env }) => {
  const port = await freePort();
  const instance = unique(role);
  const child = startProcess({
    name: role,
    entry,
    env: { ...process.env, ...env, INSTANCE_ID: instance, METRICS_FLUSH_INTERVAL_MS: '500', LOG_LEVEL: 'warn', ...(role === 'gateway' ? { PORT: String(port) } : { HEALTH_PORT: String(port) }) },
  });
  try {
    await child.ready; // the process says so (the harness's IPC message) ...
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200); // ... and so does its probe
    await eventually(
      async () => {
        const { Metrics = [] } = await cloudwatch.send(
          new ListMetricsCommand({ Namespace: 'InStudio', MetricName: 'ProcessMemory', Dimensions: [{ Name: 'Role', Value: role }, { Name: 'Instance', Value: instance }] }),
        );
        return Metrics.length > 0;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: `${role}'s memory metric` },
    );
  } finally {
    child.kill('SIGTERM');
  }
  const { code } = await child.exited;
  expect({ role, code, ...(code === 0 ? {} : { output: child.tail(40) }) }).toEqual({ role, code: 0 });
}, 150_000);
