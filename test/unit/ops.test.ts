import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { alarmSpecs, dashboardBody, WAITLIST_METRICS } from '../../src/infra/alarms';
import { sagasVisibilityQuery } from '../../src/gateway/routes/ops';

test('the saga filter becomes one visibility query over the saga search attributes', () => {
  expect(sagasVisibilityQuery({})).toBe("WorkflowType = 'bookingSaga'");
  expect(sagasVisibilityQuery({ status: 'failed', salonId: 'a'.repeat(24), priority: 'high', needsAttention: 'true' })).toBe(
    `WorkflowType = 'bookingSaga' AND BookingStatus = 'failed' AND SalonId = '${'a'.repeat(24)}' AND Priority = 'high' AND NeedsAttention = true`,
  );
});

test('the five alarms are named from ALARM_PREFIX; latency and high backlog scale out', () => {
  const cfg = loadConfig({ ALARM_PREFIX: 'Shop', ADMISSION_HIGH_BACKLOG_LIMIT: '50' });
  const specs = alarmSpecs(cfg);
  expect(specs.map((a) => a.name)).toEqual([
    'Shop-ApiLatencyP99',
    'Shop-SagaFailureRate',
    'Shop-DeadLettersNotEmpty',
    'Shop-HighPriorityBacklog',
    'Shop-SagasNeedAttention',
  ]);
  expect(specs.filter((a) => a.scalesOut).map((a) => a.name)).toEqual(['Shop-ApiLatencyP99', 'Shop-HighPriorityBacklog']);
  expect(specs.find((a) => a.name === 'Shop-ApiLatencyP99')).toMatchObject({ stat: 'p99', threshold: 200 });
  expect(specs.find((a) => a.name === 'Shop-HighPriorityBacklog')).toMatchObject({ threshold: 50, dimensions: { Priority: 'high' } });
});

test('the dashboard shows every alarm and the per-role process metrics', () => {
  const cfg = loadConfig({ ALARM_PREFIX: 'Shop' });
  const body = JSON.stringify(dashboardBody(cfg));
  for (const a of alarmSpecs(cfg)) expect(body).toContain(`alarm:${a.name}`);
  for (const metric of ['ProcessCpu', 'ProcessMemory', 'ApiLatencyAll', 'SagaOutcome', 'QueueDepth', 'SagasNeedingAttention', ...WAITLIST_METRICS]) {
    expect(body).toContain(metric);
  }
});

test("the dashboard's waitlist line shows exactly the metrics the offer chain's activities record", () => {
  const source = fs.readFileSync(path.join(__dirname, '../../activities/waitlist.ts'), 'utf8');
  const recorded = [...source.matchAll(/metrics\.record\('(\w+)'/g)].map((m) => m[1]);
  expect([...new Set(recorded)].sort()).toEqual([...WAITLIST_METRICS].sort());
});
