/**
 * Priority benchmark: a burst of mixed bookings (10 % high, 45 % normal, 45 % low)
 * arrives in the SQS queues faster than one dispatcher can start them, so a backlog
 * builds; p50/p95 intake→start per priority. Target: high p95 ≤ 10 % of low p95.
 * The dispatcher runs in this process (it reports each start); no worker runs, and the
 * workflows it started are terminated at the end. Run twice: through moto (the figure
 * against the target), then with SQS answered in this process (MemorySqs: the same
 * dispatcher and SDK calls, moto's work taken out), as the fairness benchmark does.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { Client } from '@temporalio/client';
import type { Config } from '../src/config';
import { PRIORITIES, type Priority } from '../src/domain/priority';
import { createTemporalClient } from '../src/infra/temporal';
import type { IntakeCommand } from '../src/shared/intake';
import type { Started } from '../workers/dispatcher';
import { terminateWorkflows } from '../test/support/temporal';
import { benchIntake } from './lib/intake';
import type { Target } from './lib/outcome';
import { inPool } from './lib/pool';
import { ms, pct, printTable, writeResult } from './lib/report';
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

interface PriorityRun {
  /** Seconds from the dispatcher's start until it has stopped after the burst's last start (as since the benchmark began). */
  seconds: number;
  enqueueSeconds: number;
  rows: { priority: Priority; count: number; p50Ms: number; p95Ms: number }[];
  ratio: number;
}

/** One burst through the intake (moto, or SQS in this process), the dispatcher in this process; its workflows terminated after. */
async function runBurst(cfg: Config, client: Client, sqsInMemory: boolean): Promise<PriorityRun> {
  const started: Started[] = [];
  let allStarted!: () => void;
  const done = new Promise<void>((resolve) => (allStarted = resolve));
  const t0 = Date.now();
  const intake = await benchIntake(cfg, client, sqsInMemory, {
    idleWaitSec: 1,
    onStart: (s) => {
      if (s.duplicate) return; // a redelivered message: its workflow had started already
      started.push(s);
      if (started.length >= TOTAL) allStarted();
    },
  });
  let enqueueSeconds = 0;
  try {
    const toSend = batches(burst());
    const enqueueStarted = Date.now();
    await inPool(toSend.length, 4, async (i) => {
      const [priority, commands] = toSend[i]!;
      await intake.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: intake.queues[priority].url,
          Entries: commands.map((command, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(command),
            MessageAttributes: { priority: { DataType: 'String', StringValue: priority } },
          })),
        }),
      );
    });
    enqueueSeconds = (Date.now() - enqueueStarted) / 1000;
    process.stdout.write(`priority: burst enqueued in ${enqueueSeconds.toFixed(1)} s (a backlog builds)\n`);
    await done;
  } finally {
    await intake.stop();
  }
  const seconds = (Date.now() - t0) / 1000;
  await terminateWorkflows(client, started.map((s) => s.workflowId), 'benchmark over: no worker was meant to run these');
  const rows = PRIORITIES.map((p) => {
    const waits = started.filter((s) => s.priority === p).map((s) => s.intakeToStartMs);
    return { priority: p, count: waits.length, p50Ms: percentile(waits, 50), p95Ms: percentile(waits, 95) };
  });
  const p95 = (p: Priority) => rows.find((r) => r.priority === p)!.p95Ms;
  return { seconds, enqueueSeconds, rows, ratio: p95('high') / p95('low') };
}

export async function runPriorityBench(cfg: Config): Promise<Target[]> {
  const temporal = await createTemporalClient(cfg);
  let moto: PriorityRun;
  let sqsInMemory: PriorityRun;
  try {
    process.stdout.write(`priority: enqueuing ${TOTAL} commands (${PRIORITIES.map((p) => `${p} ${MIX[p] * 100} %`).join(', ')})\n`);
    moto = await runBurst(cfg, temporal.client, false);
    process.stdout.write('priority: the same burst with SQS answered in this process (moto\'s work taken out)\n');
    sqsInMemory = await runBurst(cfg, temporal.client, true);
  } finally {
    await temporal.close();
  }
  printTable(
    'Priority (intake → start)',
    ['intake', 'priority', 'count', 'p50', 'p95'],
    [
      ...moto.rows.map((r) => ['moto', r.priority, r.count, ms(r.p50Ms), ms(r.p95Ms)]),
      ...sqsInMemory.rows.map((r) => ['SQS in memory', r.priority, r.count, ms(r.p50Ms), ms(r.p95Ms)]),
    ],
  );
  console.log(`starts/s: ${(TOTAL / moto.seconds).toFixed(1)}; high p95 / low p95 = ${pct(moto.ratio)}`);
  console.log(`with moto's work taken out (SQS answered in the bench process): starts/s ${(TOTAL / sqsInMemory.seconds).toFixed(1)}; high p95 / low p95 = ${pct(sqsInMemory.ratio)}`);
  const targets: Target[] = [{ benchmark: 'priority', what: 'high p95 / low p95 intake→start', figure: pct(moto.ratio), target: '≤ 10 %', met: moto.ratio <= 0.1 }];
  writeResult('priority', {
    backlog: TOTAL,
    mix: MIX,
    startsPerSecond: round(TOTAL / moto.seconds, 2),
    enqueueSeconds: round(moto.enqueueSeconds, 2),
    rows: moto.rows,
    highP95OverLowP95: round(moto.ratio, 4),
    sqsInMemory: {
      startsPerSecond: round(TOTAL / sqsInMemory.seconds, 2),
      enqueueSeconds: round(sqsInMemory.enqueueSeconds, 2),
      rows: sqsInMemory.rows,
      highP95OverLowP95: round(sqsInMemory.ratio, 4),
    },
    targets,
  });
  return targets;
}
