/**
 * Priority benchmark: a burst of mixed bookings (10 % high, 45 % normal, 45 % low)
 * arrives in the SQS queues faster than one dispatcher can start them, so a backlog
 * builds; p50/p95 intake→start per priority. Target: high p95 ≤ 10 % of low p95.
 * The dispatcher runs in this process (it reports each start); no worker runs, and the
 * workflows it started are terminated at the end.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import pino from 'pino';
import type { Config } from '../src/config';
import { PRIORITIES, type Priority } from '../src/domain/priority';
import { ensureIntakeQueues } from '../src/infra/intake';
import { createSqsClient } from '../src/infra/sqs';
import { createTemporalClient } from '../src/infra/temporal';
import type { IntakeCommand } from '../src/shared/intake';
import { type Started, startDispatcher } from '../workers/dispatcher';
import { terminateWorkflows } from '../test/support/temporal';
import type { Target } from './lib/outcome';
import { inPool } from './lib/pool';
import { ms, pct, printTable, writeResult } from './lib/report';
import { emptyIntakeQueues } from '../test/support/sqs';
import { percentile, round } from './lib/stats';

const TOTAL = 1000;
const MIX: Record<Priority, number> = { high: 0.1, normal: 0.45, low: 0.45 };
const BATCH = 10;

/**
 * The burst, shuffled across priorities, for 100 salons that do not exist (no worker
 * runs): a network's backlog, each salon under the dispatcher's per-salon start rate.
 */
function burst(): { priority: Priority; command: IntakeCommand }[] {
  const run = Date.now().toString(16);
  const sizes: Record<Priority, number> = { high: Math.round(TOTAL * MIX.high), normal: Math.round(TOTAL * MIX.normal), low: 0 };
  sizes.low = TOTAL - sizes.high - sizes.normal;
  const priorities = PRIORITIES.flatMap((p) => Array<Priority>(sizes[p]).fill(p)).sort(() => Math.random() - 0.5);
  return priorities.map((priority, i) => ({
    priority,
    command: {
      kind: 'booking',
      version: 1,
      input: {
        bookingId: `${run}${i.toString(16).padStart(8, '0')}`.padEnd(32, '0'),
        customerId: 'bench',
        salonId: `bench-salon-${i % 100}`,
        serviceId: 'bench-service',
        start: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        paymentMethod: 'pm_card_visa',
        priority,
        correlationId: `bench-${i}`,
        requestedAt: new Date().toISOString(),
      },
    },
  }));
}

/** Groups the burst in arrival order into per-queue batches of 10, as they fill. */
function batches(commands: ReturnType<typeof burst>): [Priority, IntakeCommand[]][] {
  const pending: Record<Priority, IntakeCommand[]> = { high: [], normal: [], low: [] };
  const out: [Priority, IntakeCommand[]][] = [];
  for (const { priority, command } of commands) {
    pending[priority].push(command);
    if (pending[priority].length === BATCH) out.push([priority, pending[priority].splice(0)]);
  }
  for (const p of PRIORITIES) if (pending[p].length > 0) out.push([p, pending[p]]);
  return out;
}

export async function runPriorityBench(cfg: Config): Promise<Target[]> {
  await emptyIntakeQueues(cfg);
  const sqs = createSqsClient(cfg);
  const queues = await ensureIntakeQueues(sqs, cfg);
  const started: Started[] = [];
  let allStarted!: () => void;
  const done = new Promise<void>((resolve) => (allStarted = resolve));
  process.stdout.write(`priority: enqueuing ${TOTAL} commands (${PRIORITIES.map((p) => `${p} ${MIX[p] * 100} %`).join(', ')})\n`);
  const t0 = Date.now();
  const dispatcher = await startDispatcher(cfg, pino({ level: 'warn' }), {
    idleWaitSec: 1,
    onStart: (s) => {
      if (s.duplicate) return; // a redelivered message: its workflow had started already
      started.push(s);
      if (started.length >= TOTAL) allStarted();
    },
  });
  try {
    const toSend = batches(burst());
    const enqueueStarted = Date.now();
    await inPool(toSend.length, 4, async (i) => {
      const [priority, commands] = toSend[i]!;
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queues[priority].url,
          Entries: commands.map((command, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(command),
            MessageAttributes: { priority: { DataType: 'String', StringValue: priority } },
          })),
        }),
      );
    });
    process.stdout.write(`priority: burst enqueued in ${((Date.now() - enqueueStarted) / 1000).toFixed(1)} s (a backlog builds)\n`);
    await done;
  } finally {
    await dispatcher.stop();
    sqs.destroy();
  }
  const seconds = (Date.now() - t0) / 1000;
  const temporal = await createTemporalClient(cfg);
  await terminateWorkflows(temporal.client, started.map((s) => s.workflowId), 'benchmark over: no worker was meant to run these');
  await temporal.close();

  const rows = PRIORITIES.map((p) => {
    const waits = started.filter((s) => s.priority === p).map((s) => s.intakeToStartMs);
    return { priority: p, count: waits.length, p50Ms: percentile(waits, 50), p95Ms: percentile(waits, 95) };
  });
  const p95 = (p: Priority) => rows.find((r) => r.priority === p)!.p95Ms;
  const ratio = p95('high') / p95('low');
  printTable('Priority (intake → start)', ['priority', 'count', 'p50', 'p95'], rows.map((r) => [r.priority, r.count, ms(r.p50Ms), ms(r.p95Ms)]));
  console.log(`starts/s: ${(TOTAL / seconds).toFixed(1)}; high p95 / low p95 = ${pct(ratio)}`);
  const targets: Target[] = [{ benchmark: 'priority', what: 'high p95 / low p95 intake→start', figure: pct(ratio), target: '≤ 10 %', met: ratio <= 0.1 }];
  writeResult('priority', {
    backlog: TOTAL,
    mix: MIX,
    startsPerSecond: round(TOTAL / seconds, 2),
    rows,
    highP95OverLowP95: round(ratio, 4),
    targets,
  });
  return targets;
}
