/**
 * Reschedule benchmark: POST /v1/bookings/:id/reschedule on confirmed bookings, through
 * the real gateway and booking worker — the update's validator, the move activity (the
 * new time held, the booking written, the old time let go) and the answer. Each move
 * goes to a free time, so every one is a 200.
 * - idle: one move at a time (target p99 < 500 ms);
 * - concurrent: CONCURRENT bookings moved at once, ROUNDS times.
 */
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../src/config';
import { workflowIdFor } from '../src/shared/booking';
import { bookingRequest, createSalon, registerClients, slotStart } from './lib/api';
import { type Child, stopAll } from './lib/children';
import { watchConfirmations } from './lib/confirmations';
import { terminateWorkflows } from '../test/support/temporal';
import type { Target } from './lib/outcome';
import { gatewayUrl, startBookingWorkerProcess, startDispatcherProcess, startGatewayProcess } from './lib/product';
import { ms, printTable, writeResult } from './lib/report';
import { round, type Summary, summarize } from './lib/stats';
import { emptyIntakeQueues } from '../test/support/sqs';

const WARMUP = 3;
const IDLE = 30;
const CONCURRENT = 20;
const ROUNDS = 3;
const BOOKINGS = CONCURRENT;
/** Free starts the moves go to: far after the bookings' own. */
const FREE_FROM = 1000;

export async function runRescheduleBench(cfg: Config): Promise<Target[]> {
  await emptyIntakeQueues(cfg);
  const children: Child[] = [];
  const connection = await Connection.connect({ address: cfg.temporal.address });
  const client = new Client({ connection, namespace: cfg.temporal.namespace });
  const workflowIds: string[] = [];
  const watcher = await watchConfirmations(cfg);
  try {
    children.push(await startGatewayProcess(cfg), await startDispatcherProcess(cfg), await startBookingWorkerProcess(cfg));
    const salon = await createSalon(gatewayUrl, 1);
    const tokens = await registerClients(gatewayUrl, BOOKINGS);
    const run = Date.now().toString(36);
    const bookingIds = await Promise.all(
      Array.from({ length: BOOKINGS }, async (_, i) => {
        const req = bookingRequest(salon, tokens, i, `reschedule-${run}-${i}`);
        const res = await fetch(`${gatewayUrl}${req.path}`, { method: 'POST', headers: req.headers, body: req.body });
        const { bookingId } = (await res.json()) as { bookingId: string };
        workflowIds.push(workflowIdFor(bookingId));
        if (!(await watcher.outcome(bookingId, 120_000)).confirmed) throw new Error(`booking ${bookingId} did not confirm`);
        return bookingId;
      }),
    );
    let free = FREE_FROM;
    /** Moves booking i to the next free start; ms to its 200. */
    const moveOnce = async (i: number): Promise<number> => {
      const start = slotStart(salon, free++);
      const sent = performance.now();
      const res = await fetch(`${gatewayUrl}/v1/bookings/${bookingIds[i]}/reschedule`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[i % tokens.length]!}`, 'content-type': 'application/json' },
        body: JSON.stringify({ start }),
      });
      const took = performance.now() - sent;
      if (res.status !== 200) throw new Error(`reschedule: ${res.status} ${await res.text()}`);
      return took;
    };
    process.stdout.write(`reschedule: ${WARMUP} warm-up + ${IDLE} one at a time, then ${ROUNDS} rounds of ${CONCURRENT} at once\n`);
    for (let w = 0; w < WARMUP; w++) await moveOnce(w % BOOKINGS);
    const idleMs: number[] = [];
    for (let k = 0; k < IDLE; k++) idleMs.push(await moveOnce(k % BOOKINGS));
    const concurrentMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) concurrentMs.push(...(await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => moveOnce(i)))));
    const idle = summarize(idleMs);
    const concurrent = summarize(concurrentMs);
    const row = (name: string, s: Summary) => [name, s.count, ms(s.p50), ms(s.p95), ms(s.p99)];
    printTable('Reschedule: request → 200 (moved)', ['load', 'moves', 'p50', 'p95', 'p99'], [row('idle, one at a time', idle), row(`${CONCURRENT} at once`, concurrent)]);
    const targets: Target[] = [{ benchmark: 'reschedule', what: 'idle reschedule p99', figure: ms(idle.p99), target: '< 500 ms', met: idle.p99 < 500 }];
    const figures = (s: Summary) => ({ moves: s.count, p50Ms: round(s.p50), p95Ms: round(s.p95), p99Ms: round(s.p99) });
    writeResult('reschedule', { settings: { warmup: WARMUP, idle: IDLE, concurrent: CONCURRENT, rounds: ROUNDS }, idle: figures(idle), concurrent: figures(concurrent), targets });
    return targets;
  } finally {
    await watcher.stop();
    await stopAll(children);
    await terminateWorkflows(client, workflowIds, 'benchmark over');
    await connection.close();
  }
}
