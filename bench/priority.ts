/**
 * Priority benchmark: a burst of 2,000 mixed bookings (10 % high, 45 % normal, 45 % low)
 * arrives in the SQS queues faster than one dispatcher can start them, so a backlog
 * builds; prints p50/p95 intake→start per priority and writes the table to
 * bench/results/priority.json. Target: high p95 ≤ 10 % of low p95.
 * Runs on the isolated test stack (brought up if needed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import pino from 'pino';
import { loadConfig, repoRoot } from '../src/config';
import { PRIORITIES, type Priority } from '../src/domain/priority';
import { ensureIntakeQueues } from '../src/infra/intake';
import { createSqsClient } from '../src/infra/sqs';
import type { IntakeCommand } from '../src/shared/intake';
import { up } from '../scripts/stack/stack';
import { applyTestEnv } from '../test/support/env';
import { type Started, startDispatcher } from '../workers/dispatcher';

const TOTAL = 2000;
const MIX: Record<Priority, number> = { high: 0.1, normal: 0.45, low: 0.45 };

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

async function main(): Promise<void> {
  applyTestEnv();
  const cfg = loadConfig();
  await up(cfg);
  const sqs = createSqsClient(cfg);
  const queues = await ensureIntakeQueues(sqs, cfg);
  for (const p of PRIORITIES) {
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues[p].url, MaxNumberOfMessages: 10 }));
      if (Messages.length === 0) break;
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queues[p].url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
  }

  // The backlog, shuffled across priorities, enqueued in batches of 10.
  const run = Date.now().toString(16);
  const sizes: Record<Priority, number> = { high: Math.round(TOTAL * MIX.high), normal: Math.round(TOTAL * MIX.normal), low: 0 };
  sizes.low = TOTAL - sizes.high - sizes.normal;
  const priorities = PRIORITIES.flatMap((p) => Array<Priority>(sizes[p]).fill(p)).sort(() => Math.random() - 0.5);
  const commands = priorities.map((priority, i): [Priority, IntakeCommand] => [
    priority,
    {
      kind: 'booking',
      version: 1,
      input: {
        bookingId: `${run}${i.toString(16)}`.padEnd(32, '0').slice(0, 32).replace(/[^a-f0-9]/g, '0'),
        customerId: 'bench',
        salonId: 'bench-salon',
        serviceId: 'bench-service',
        start: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        paymentMethod: 'pm_card_visa',
        priority,
        correlationId: `bench-${i}`,
        requestedAt: new Date().toISOString(),
      },
    },
  ]);
  process.stdout.write(`enqueuing ${TOTAL} commands (${PRIORITIES.map((p) => `${p} ${MIX[p] * 100}%`).join(', ')})\n`);
  const started: Started[] = [];
  const t0 = Date.now();
  let finish!: () => void;
  const allStarted = new Promise<void>((r) => (finish = r));
  const dispatcher = await startDispatcher(cfg, pino({ level: 'warn' }), {
    idleWaitSec: 1,
    onStart: (s) => {
      started.push(s);
      if (started.length >= TOTAL) finish();
    },
  });
  // Sent in arrival order: each priority's commands go out in batches of 10 as they come.
  const send = (p: Priority, batch: [Priority, IntakeCommand][]) =>
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues[p].url,
        Entries: batch.map(([priority, command], j) => ({
          Id: String(j),
          MessageBody: JSON.stringify(command),
          MessageAttributes: { priority: { DataType: 'String', StringValue: priority } },
        })),
      }),
    );
  const pending: Record<Priority, [Priority, IntakeCommand][]> = { high: [], normal: [], low: [] };
  const batches: [Priority, [Priority, IntakeCommand][]][] = [];
  for (const entry of commands) {
    pending[entry[0]].push(entry);
    if (pending[entry[0]].length === 10) batches.push([entry[0], pending[entry[0]].splice(0)]);
  }
  for (const p of PRIORITIES) if (pending[p].length > 0) batches.push([p, pending[p]]);
  const enqueueStarted = Date.now();
  for (let i = 0; i < batches.length; i += 4) await Promise.all(batches.slice(i, i + 4).map(([p, b]) => send(p, b)));
  process.stdout.write(`burst enqueued in ${((Date.now() - enqueueStarted) / 1000).toFixed(1)} s (faster than the dispatcher starts them: a backlog builds)\n`);

  await allStarted;
  const seconds = (Date.now() - t0) / 1000;
  await dispatcher.stop();
  sqs.destroy();

  const rows = PRIORITIES.map((p) => {
    const ms = started.filter((s) => s.priority === p).map((s) => s.intakeToStartMs);
    return { priority: p, count: ms.length, p50Ms: percentile(ms, 50), p95Ms: percentile(ms, 95) };
  });
  const high = rows.find((r) => r.priority === 'high')!;
  const low = rows.find((r) => r.priority === 'low')!;
  const ratio = high.p95Ms / low.p95Ms;
  console.log('\npriority  count   p50 intake→start   p95 intake→start');
  for (const r of rows) console.log(`${r.priority.padEnd(8)}  ${String(r.count).padStart(5)}   ${`${(r.p50Ms / 1000).toFixed(2)} s`.padStart(16)}   ${`${(r.p95Ms / 1000).toFixed(2)} s`.padStart(16)}`);
  console.log(`\nstarts/s: ${(TOTAL / seconds).toFixed(1)}; high p95 / low p95 = ${(ratio * 100).toFixed(1)} % (target ≤ 10 %): ${ratio <= 0.1 ? 'met' : 'MISSED'}`);

  const result = {
    benchmark: 'priority',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    backlog: TOTAL,
    mix: MIX,
    startsPerSecond: TOTAL / seconds,
    rows,
    highP95OverLowP95: ratio,
    targetMet: ratio <= 0.1,
  };
  fs.mkdirSync(path.join(repoRoot, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(repoRoot, 'bench', 'results', 'priority.json'), `${JSON.stringify(result, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
