/**
 * Waitlist benchmark: from a cancellation's 202 to the freed slot offered on the waiting
 * entry (GET /v1/waitlist/:id answering `offered`), through the real gateway, booking
 * worker (the cancellation's saga, its `reserva.cancelada`), the waitlist process (its
 * consumer starts the offer chain, whose first activity holds the slot and offers it)
 * and the read back. Each round: a confirmed booking, an entry for its exact time by
 * another client, the booking cancelled, the offer awaited, the entry deleted (the chain
 * ends unfilled and gives the hold back).
 * - idle: one cancellation at a time (target p95 < 2 s);
 * - concurrent: CONCURRENT cancellations at once.
 */
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../src/config';
import { workflowIdFor } from '../src/shared/booking';
import { OFFER_CHAIN_WORKFLOW } from '../src/shared/waitlist';
import { bookingRequest, type BenchSalon, call, createSalon, registerClients, slotStart } from './lib/api';
import { type Child, startChild, stopAll } from './lib/children';
import { watchConfirmations } from './lib/confirmations';
import { terminateWorkflows } from '../test/support/temporal';
import type { Target } from './lib/outcome';
import { gatewayUrl, productEnv, startBookingWorkerProcess, startDispatcherProcess, startGatewayProcess } from './lib/product';
import { ms, printTable, writeResult } from './lib/report';
import { round, type Summary, summarize } from './lib/stats';
import { emptyIntakeQueues } from '../test/support/sqs';
import path from 'node:path';

const WARMUP = 2;
const IDLE = 20;
const CONCURRENT = 10;
const BOOKINGS = WARMUP + IDLE + CONCURRENT;
/** How often the entry is read while waiting for its offer. */
const POLL_MS = 10;
const OFFER_DEADLINE_MS = 30_000;

interface Round {
  bookingId: string;
  /** The booking's client, who cancels; and the waiting client, who reads the entry. */
  owner: string;
  waiter: string;
  entryId: string;
}

/** An entry for exactly slot i (its local date and a window of its 5 minutes), by `token`. */
async function joinFor(salon: BenchSalon, i: number, token: string): Promise<string> {
  const start = new Date(slotStart(salon, i));
  const hhmm = (d: Date): string => d.toISOString().slice(11, 16);
  const body = {
    salonId: salon.salonId,
    serviceId: salon.serviceId,
    date: start.toISOString().slice(0, 10),
    from: hhmm(start),
    to: hhmm(new Date(start.getTime() + salon.serviceMin * 60_000)),
    paymentMethod: 'pm_card_visa',
  };
  const r = await call<{ id: string }>(gatewayUrl, 'POST', '/v1/waitlist', { token, body });
  if (r.status !== 201) throw new Error(`join the waitlist: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}

/** Cancels the round's booking and answers ms from its 202 to the entry read back offered. */
async function cancelToOffer(round: Round): Promise<number> {
  const r = await call(gatewayUrl, 'POST', `/v1/bookings/${round.bookingId}/cancel`, { token: round.owner });
  if (r.status !== 202) throw new Error(`cancel: ${r.status} ${JSON.stringify(r.body)}`);
  const accepted = performance.now();
  for (;;) {
    const entry = await call<{ status: string }>(gatewayUrl, 'GET', `/v1/waitlist/${round.entryId}`, { token: round.waiter });
    if (entry.body.status === 'offered') return performance.now() - accepted;
    if (entry.status !== 200 || entry.body.status !== 'waiting') throw new Error(`entry ${round.entryId}: ${entry.status} ${JSON.stringify(entry.body)}`);
    if (performance.now() - accepted > OFFER_DEADLINE_MS) throw new Error(`entry ${round.entryId}: no offer ${OFFER_DEADLINE_MS} ms after the cancellation`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export async function runWaitlistBench(cfg: Config): Promise<Target[]> {
  await emptyIntakeQueues(cfg);
  const children: Child[] = [];
  const connection = await Connection.connect({ address: cfg.temporal.address });
  const client = new Client({ connection, namespace: cfg.temporal.namespace });
  const workflowIds: string[] = [];
  const watcher = await watchConfirmations(cfg);
  try {
    children.push(
      await startGatewayProcess(cfg),
      await startDispatcherProcess(cfg),
      await startBookingWorkerProcess(cfg),
      await startChild({ name: 'waitlist', entry: 'workers/waitlist.ts', env: productEnv(), logDir: path.join(cfg.stateDir, 'logs'), readyTimeoutMs: 120_000 }),
    );
    const salon = await createSalon(gatewayUrl, 1);
    const [owners, waiters] = [await registerClients(gatewayUrl, 5), await registerClients(gatewayUrl, 5)];
    const run = Date.now().toString(36);
    const rounds: Round[] = await Promise.all(
      Array.from({ length: BOOKINGS }, async (_, i) => {
        const req = bookingRequest(salon, owners, i, `waitlist-${run}-${i}`);
        const res = await fetch(`${gatewayUrl}${req.path}`, { method: 'POST', headers: req.headers, body: req.body });
        const { bookingId } = (await res.json()) as { bookingId: string };
        workflowIds.push(workflowIdFor(bookingId));
        if (!(await watcher.outcome(bookingId, 120_000)).confirmed) throw new Error(`booking ${bookingId} did not confirm`);
        const waiter = waiters[i % waiters.length]!;
        return { bookingId, owner: owners[i % owners.length]!, waiter, entryId: await joinFor(salon, i, waiter) };
      }),
    );
    const done = (r: Round) => call(gatewayUrl, 'DELETE', `/v1/waitlist/${r.entryId}`, { token: r.waiter });
    process.stdout.write(`waitlist: ${WARMUP} warm-up + ${IDLE} cancellations one at a time, then ${CONCURRENT} at once\n`);
    const idleMs: number[] = [];
    for (const [k, r] of rounds.slice(0, WARMUP + IDLE).entries()) {
      const took = await cancelToOffer(r);
      if (k >= WARMUP) idleMs.push(took);
      await done(r);
    }
    const burst = rounds.slice(WARMUP + IDLE);
    const concurrentMs = await Promise.all(burst.map(cancelToOffer));
    await Promise.all(burst.map(done));

    const idle = summarize(idleMs);
    const concurrent = summarize(concurrentMs);
    const row = (name: string, s: Summary) => [name, s.count, ms(s.p50), ms(s.p95), ms(s.max)];
    printTable('Waitlist: cancellation 202 → offer on the entry', ['load', 'offers', 'p50', 'p95', 'max'], [row('one at a time', idle), row(`${CONCURRENT} at once`, concurrent)]);
    const targets: Target[] = [{ benchmark: 'waitlist', what: 'cancellation → offer visible p95', figure: ms(idle.p95), target: '< 2 s', met: idle.p95 < 2000 }];
    const figures = (s: Summary) => ({ offers: s.count, p50Ms: round(s.p50), p95Ms: round(s.p95), maxMs: round(s.max) });
    writeResult('waitlist', { settings: { warmup: WARMUP, idle: IDLE, concurrent: CONCURRENT, pollMs: POLL_MS }, idle: figures(idle), concurrent: figures(concurrent), targets });
    return targets;
  } finally {
    await watcher.stop();
    await stopAll(children);
    // The cancellations' offer chains wait for their offers to expire: end them too, so a kept stack runs nothing of this benchmark's.
    await terminateWorkflows(client, [...workflowIds, ...(await runningOfferChains(client))], 'benchmark over');
    await connection.close();
  }
}

async function runningOfferChains(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowType = '${OFFER_CHAIN_WORKFLOW}' AND ExecutionStatus = 'Running'` })) ids.push(wf.workflowId);
  return ids;
}
