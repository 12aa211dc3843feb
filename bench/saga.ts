/**
 * Saga benchmark: the real booking path (POST /v1/bookings → SQS → dispatcher → Temporal
 * booking saga on the booking worker → `reserva.confirmada`) against a bare workflow of
 * four no-op activities on the same Temporal server, with the same worker slots.
 * - idle: one request at a time, request → confirmed (target p50 < 300 ms);
 * - saturation: a burst sent as fast as `CONCURRENCY` callers can, confirmed sagas per
 *   second (first request → last confirmation) and request → confirmed p50/p95
 *   (target: ≥ 80 % of the bare workflow's throughput);
 * - the CPU time each process (product, servers, this one) spends per confirmed booking,
 *   and each one's resident memory at rest and at its peak during the burst.
 * "Confirmed" is the moment the `reserva.confirmada` event reaches this process.
 */
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../src/config';
import { workflowIdFor } from '../src/shared/booking';
import { BARE_TASK_QUEUE } from './bare/worker';
import { bookingRequest, type BenchSalon, createSalon, registerClients } from './lib/api';
import { type Child, startChild, stopAll } from './lib/children';
import { watchConfirmations, type ConfirmationWatcher } from './lib/confirmations';
import { terminateWorkflows } from '../test/support/temporal';
import type { Target } from './lib/outcome';
import { inPool } from './lib/pool';
import {
  gatewayUrl,
  productEnv,
 
  startBookingWorkerProcess,
  startDispatcherProcess,
  startGatewayProcess,
} from './lib/product';
import { emptyIntakeQueues } from '../test/support/sqs';
import { ms, pct, printTable, writeResult } from './lib/report';
import { benchProcess, cpuBoundRate, measureUsage, meterPhase, type PhaseUsage, printUsage, stackServers, type Usage, usageFigures, type Watched } from './lib/resources';
import { round, type Summary, summarize } from './lib/stats';
import { requestsPer, temporalRequests } from './lib/temporal-requests';
import os from 'node:os';
import path from 'node:path';

const WARMUP = 3;
const IDLE = 10;
const SATURATION = 120;
const CONCURRENCY = 20;
const CLIENTS = 20;
/** Salons the bookings take turns between: a network, each salon under its start rate (DISPATCH_SALON_STARTS_PER_SEC). */
const SALONS = 4;
const OUTCOME_TIMEOUT_MS = 180_000;

interface Measured {
  idle: Summary;
  saturation: Summary;
  perSecond: number;
  failed: number;
  /** Each process's resident memory before the first request, and its use during the saturation burst. */
  atRest: Map<string, Usage>;
  usage: PhaseUsage[];
  /** The Temporal frontend's requests per confirmed unit during the saturation burst, by operation. */
  temporalRequests: Record<string, number>;
}

/** One booking (or bare workflow) from request to outcome: ms, and whether it confirmed. */
type Trip = (i: number) => Promise<{ ms: number; done: number; ok: boolean }>;

async function measure(cfg: Config, trip: Trip, watched: readonly Watched[]): Promise<Measured> {
  const atRest = measureUsage(watched);
  let i = 0;
  for (let w = 0; w < WARMUP; w++) await trip(i++);
  const idle: number[] = [];
  for (let k = 0; k < IDLE; k++) idle.push((await trip(i++)).ms);

  // Read before the burst's clock and meter start: the scrape is not the burst's work.
  const requestsBefore = await temporalRequests(cfg);
  const first = performance.now();
  let last = first;
  const latencies: number[] = [];
  let failed = 0;
  const offset = i;
  const meter = meterPhase(watched);
  await inPool(SATURATION, CONCURRENCY, async (k) => {
    const r = await trip(offset + k);
    last = Math.max(last, r.done);
    if (r.ok) latencies.push(r.ms);
    else failed++;
  });
  const usage = meter.stop();
  const requests = requestsPer(requestsBefore, await temporalRequests(cfg), latencies.length);
  return { idle: summarize(idle), saturation: summarize(latencies), perSecond: latencies.length / ((last - first) / 1000), failed, atRest, usage, temporalRequests: requests };
}

/**
 * The real path: POST, then wait for the saga's outcome event. The bookings take turns
 * between the salons (a network's load: no salon over the dispatcher's start rate per salon).
 */
function bookingTrip(salons: BenchSalon[], tokens: string[], watcher: ConfirmationWatcher, started: string[]): Trip {
  const run = Date.now().toString(36);
  return async (i) => {
    const salon = salons[i % salons.length]!;
    const req = bookingRequest(salon, tokens, Math.floor(i / salons.length), `saga-${run}-${i}`);
    const sent = performance.now();
    const res = await fetch(`${gatewayUrl}${req.path}`, { method: 'POST', headers: req.headers, body: req.body });
    const body = (await res.json()) as { bookingId?: string };
    if (res.status !== 202 || !body.bookingId) throw new Error(`POST /v1/bookings: ${res.status} ${JSON.stringify(body)}`);
    started.push(workflowIdFor(body.bookingId));
    const outcome = await watcher.outcome(body.bookingId, OUTCOME_TIMEOUT_MS);
    return { ms: outcome.at - sent, done: outcome.at, ok: outcome.confirmed };
  };
}

/** The baseline: start the bare workflow, wait for its result. */
function bareTrip(client: Client): Trip {
  const run = Date.now().toString(36);
  return async (i) => {
    const sent = performance.now();
    await client.workflow.execute('bareWorkflow', { taskQueue: BARE_TASK_QUEUE, workflowId: `bench-bare-${run}-${i}` });
    const done = performance.now();
    return { ms: done - sent, done, ok: true };
  };
}

async function measureRealPath(cfg: Config): Promise<{ measured: Measured; workflowIds: string[] }> {
  const children: Child[] = [];
  const workflowIds: string[] = [];
  let watcher: ConfirmationWatcher | undefined;
  try {
    children.push(await startGatewayProcess(cfg), await startDispatcherProcess(cfg), await startBookingWorkerProcess(cfg));
    const salons = await Promise.all(Array.from({ length: SALONS }, () => createSalon(gatewayUrl, 1)));
    const tokens = await registerClients(gatewayUrl, CLIENTS);
    watcher = await watchConfirmations(cfg);
    const watched: Watched[] = [...children.map((c) => ({ name: c.name, pid: c.pid, kind: 'product' as const })), benchProcess, ...(await stackServers(cfg))];
    return { measured: await measure(cfg, bookingTrip(salons, tokens, watcher, workflowIds), watched), workflowIds };
  } finally {
    await watcher?.stop();
    await stopAll(children);
  }
}

async function measureBare(cfg: Config, client: Client): Promise<Measured> {
  const worker = await startChild({
    name: 'bare-worker',
    entry: 'bench/bare/worker.ts',
    env: productEnv(),
    logDir: path.join(cfg.stateDir, 'logs'),
    readyLine: /bare worker polling/,
    readyTimeoutMs: 120_000,
  });
  try {
    const watched: Watched[] = [{ name: worker.name, pid: worker.pid, kind: 'baseline' }, benchProcess, ...(await stackServers(cfg))];
    return await measure(cfg, bareTrip(client), watched);
  } finally {
    await worker.stop();
  }
}

const figures = (m: Measured) => ({
  idleP50Ms: round(m.idle.p50),
  idleP95Ms: round(m.idle.p95),
  saturationPerSecond: round(m.perSecond, 2),
  saturationP50Ms: round(m.saturation.p50),
  saturationP95Ms: round(m.saturation.p95),
  confirmed: m.saturation.count,
  failed: m.failed,
  resourcesAtSaturation: usageFigures(m.saturation.count, m.atRest, m.usage),
  temporalRequestsPerUnit: m.temporalRequests,
});

/** The Temporal server's requests per booking and per bare workflow, by operation (most per booking first). */
function printTemporalRequests(real: Measured, bare: Measured): void {
  const ops = [...new Set([...Object.keys(real.temporalRequests), ...Object.keys(bare.temporalRequests)])];
  printTable(
    'Temporal frontend requests per unit at saturation (Poll*: the workers\' long polls, which count time more than units)',
    ['operation', 'per booking', 'per bare workflow'],
    ops.map((op) => [op, (real.temporalRequests[op] ?? 0).toFixed(2), (bare.temporalRequests[op] ?? 0).toFixed(2)]),
  );
}

/**
 * Both paths are CPU-bound at saturation (every process shares the same cores), so the
 * rate each would reach with a local server's work taken out follows from the CPU per
 * unit (`cpuBoundRate`). Prints the model beside the measured rates — its check — and
 * the booking/bare ratio without each server's CPU, and without every server's but
 * Temporal's (the product's code and the workflow engine alone).
 */
function throughputWithoutServers(real: Measured, bare: Measured) {
  const cores = os.availableParallelism();
  const rate = (m: Measured, without?: (p: PhaseUsage) => boolean) => cpuBoundRate(m.usage, m.saturation.count, cores, without);
  const bareModel = rate(bare);
  const servers = real.usage.filter((u) => u.kind === 'server' && u.cpuMs / real.saturation.count >= 1).map((u) => u.name);
  const without: [string, (p: PhaseUsage) => boolean][] = [
    ['nothing', () => false],
    ...servers.filter((s) => s !== 'temporal').map((s): [string, (p: PhaseUsage) => boolean] => [s, (p) => p.name === s]),
    ['every server but temporal', (p) => p.kind === 'server' && p.name !== 'temporal'],
  ];
  const ratios = without.map(([name, leaveOut]) => {
    const bookingPerSecond = rate(real, leaveOut);
    return { without: name, bookingPerSecond: round(bookingPerSecond, 2), overBare: round(bookingPerSecond / bareModel, 3) };
  });
  printTable(
    `Saturation as CPU-bound on ${cores} cores: cores × 1000 / CPU ms per unit (measured: booking ${real.perSecond.toFixed(1)}/s, bare ${bare.perSecond.toFixed(1)}/s)`,
    ['work taken out', 'booking per s', 'bare per s', 'booking / bare'],
    ratios.map((r) => [r.without, r.bookingPerSecond.toFixed(1), bareModel.toFixed(1), pct(r.overBare)]),
  );
  return { cores, bareModelPerSecond: round(bareModel, 2), withoutServer: ratios };
}

export async function runSagaBench(cfg: Config): Promise<Target[]> {
  await emptyIntakeQueues(cfg);
  const connection = await Connection.connect({ address: cfg.temporal.address });
  const client = new Client({ connection, namespace: cfg.temporal.namespace });
  try {
    process.stdout.write(`saga: real path, ${WARMUP} warm-up + ${IDLE} one at a time, then ${SATURATION} from ${CONCURRENCY} concurrent callers\n`);
    const { measured: real, workflowIds } = await measureRealPath(cfg);
    // Confirmed sagas wait for their appointment (reminder, cancellation window): end them.
    await terminateWorkflows(client, workflowIds, 'benchmark over');
    process.stdout.write(`saga: bare workflow (4 no-op activities), same sizes\n`);
    const bare = await measureBare(cfg, client);

    const ratio = real.perSecond / bare.perSecond;
    const row = (name: string, m: Measured) => [name, ms(m.idle.p50), m.perSecond.toFixed(1), ms(m.saturation.p50), ms(m.saturation.p95), m.failed];
    printTable('Saga', ['path', 'idle p50', 'at saturation: per s', 'p50', 'p95', 'failed'], [
      row('bare workflow, 4 no-op activities', bare),
      row('booking: POST → confirmed', real),
    ]);
    console.log(`saga throughput = ${pct(ratio)} of the bare workflow's`);
    printUsage('Booking path at saturation, per confirmed booking', 'booking', real.saturation.count, real.atRest, real.usage);
    printUsage('Bare workflow at saturation, per workflow', 'workflow', bare.saturation.count, bare.atRest, bare.usage);
    printTemporalRequests(real, bare);
    const product = real.usage.filter((u) => u.kind === 'product');
    const productCpuPerBooking = product.reduce((a, u) => a + u.cpuMs, 0) / real.saturation.count;
    const productPeak = Math.max(...product.map((u) => u.rssPeakMiB));
    const stackPeak = real.usage.filter((u) => u.kind !== 'bench').reduce((a, u) => a + u.rssPeakMiB, 0);
    console.log(`the product's own CPU: ${productCpuPerBooking.toFixed(1)} ms per confirmed booking (gateway + dispatcher + booking worker)`);
    const cpuModel = throughputWithoutServers(real, bare);
    const targets: Target[] = [
      { benchmark: 'saga', what: 'confirmed sagas/s / bare workflow/s', figure: pct(ratio), target: '≥ 80 %', met: ratio >= 0.8 && real.failed === 0 },
      { benchmark: 'saga', what: 'idle request → confirmed p50', figure: ms(real.idle.p50), target: '< 300 ms', met: real.idle.p50 < 300 },
      { benchmark: 'saga', what: 'largest product process RSS at saturation', figure: `${Math.round(productPeak)} MiB`, target: '≤ 300 MiB', met: productPeak <= 300 },
      { benchmark: 'saga', what: 'whole stack RSS at saturation (servers + product)', figure: `${(stackPeak / 1024).toFixed(2)} GiB`, target: '< 3 GiB', met: stackPeak < 3 * 1024 },
    ];
    writeResult('saga', {
      settings: { warmup: WARMUP, idle: IDLE, saturation: SATURATION, concurrency: CONCURRENCY, clients: CLIENTS, salons: SALONS, workerSlots: cfg.workerSlots.normal },
      booking: figures(real),
      bare: figures(bare),
      bookingOverBare: round(ratio, 3),
      productCpuMsPerBooking: round(productCpuPerBooking, 2),
      cpuModel,
      targets,
    });
    return targets;
  } finally {
    await connection.close();
  }
}
