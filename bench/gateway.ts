/**
 * Gateway benchmark.
 * - Cached `GET /v1/salons/:id/services` (anonymous, X-Cache: HIT) at saturation,
 *   against a bare Express route serving the same body on the same machine in the same
 *   run: throughput ratio, p50/p99. Target: p99 < 5 ms at ≥ 75 % of bare throughput.
 * - `POST /v1/bookings` paced at 200 req/s (one request every 5 ms), each request with
 *   its own Idempotency-Key and slot, spread over many clients: p50/p99 and every
 *   non-2xx, after a warm-up of 3 s at the same rate (its figures are reported too: the
 *   cold start). Target: p99 < 50 ms, every answer 2xx. The CPU time of the gateway
 *   and of every server per request tells which of them the POST's latency waits on.
 * - The same POSTs against the gateway with its two writes answered in-process
 *   (bench/bare/gateway-without-writes.ts): the figure without moto's and FerretDB's work.
 * The gateway and the baseline are child processes; the load (autocannon for the GETs,
 * `runPaced` for the POSTs) runs here.
 */
import type { Config } from '../src/config';
import { bookingRequest, call, createSalon, registerClients } from './lib/api';
import { startChild, stopAll, type Child } from './lib/children';
import { type LoadResult, runLoad, runPaced } from './lib/load';
import type { Target } from './lib/outcome';
import { BARE_EXPRESS_PORT, gatewayUrl, productEnv, startGatewayProcess } from './lib/product';
import { emptyIntakeQueues } from '../test/support/sqs';
import { ms, pct, printTable, writeResult } from './lib/report';
import { round } from './lib/stats';
import { benchProcess, measureUsage, meterPhase, printUsage, stackServers, usageFigures, type Watched } from './lib/resources';
import path from 'node:path';

const GET_SECONDS = 10;
const WARMUP_SECONDS = 3;
const GET_CONNECTIONS = 10;
const POST_RATE = 200;
const POST_SECONDS = 15;
/** At most this many connections at once: enough that a slow answer never holds the rate back. */
const POST_CONNECTIONS = 50;
const CLIENTS = 50;

const row = (name: string, r: LoadResult) => [name, Math.round(r.requestsPerSecond), ms(r.latency.p50), ms(r.latency.p99), ms(r.latency.max), r.non2xx, r.errors];
const figures = (r: LoadResult) => ({
  requests: r.requests,
  requestsPerSecond: round(r.requestsPerSecond),
  p50Ms: round(r.latency.p50, 2),
  p99Ms: round(r.latency.p99, 2),
  maxMs: round(r.latency.max, 2),
  non2xx: r.non2xx,
  errors: r.errors,
  statusCounts: r.statusCounts,
  ...(r.p99BySecond ? { p99BySecondMs: r.p99BySecond.map((v) => round(v)) } : {}),
});

async function saturate(url: string): Promise<LoadResult> {
  await runLoad({ url, seconds: WARMUP_SECONDS, connections: GET_CONNECTIONS });
  return runLoad({ url, seconds: GET_SECONDS, connections: GET_CONNECTIONS });
}

export async function runGatewayBench(cfg: Config): Promise<Target[]> {
  const children: Child[] = [];
  try {
    const gateway = await startGatewayProcess(cfg);
    children.push(gateway);
    const salon = await createSalon(gatewayUrl, 1);
    const servicesPath = `/v1/salons/${salon.salonId}/services`;
    const first = await call<unknown>(gatewayUrl, 'GET', servicesPath);
    if (first.status !== 200) throw new Error(`GET ${servicesPath}: ${first.status}`);

    children.push(
      await startChild({
        name: 'bare-express',
        entry: 'bench/bare/express-server.ts',
        env: productEnv({ PORT: String(BARE_EXPRESS_PORT), BARE_BODY: JSON.stringify(first.body) }),
        logDir: path.join(cfg.stateDir, 'logs'),
        readyLine: /bare express listening/,
      }),
    );
    process.stdout.write(`gateway: cached GET vs bare Express, ${GET_CONNECTIONS} connections, ${GET_SECONDS} s each (after ${WARMUP_SECONDS} s warm-up)\n`);
    const bare = await saturate(`http://127.0.0.1:${BARE_EXPRESS_PORT}${servicesPath}`);
    const cached = await saturate(`${gatewayUrl}${servicesPath}`);

    process.stdout.write(`gateway: POST /v1/bookings at ${POST_RATE} req/s for ${POST_SECONDS} s (${CLIENTS} clients, ${POST_CONNECTIONS} connections)\n`);
    const tokens = await registerClients(gatewayUrl, CLIENTS);
    const run = Date.now().toString(36);
    const posts = (seconds: number, from: number) =>
      runPaced({
        url: gatewayUrl,
        seconds,
        connections: POST_CONNECTIONS,
        rate: POST_RATE,
        request: (i) => ({ method: 'POST', ...bookingRequest(salon, tokens, from + i, `bench-${run}-${from + i}`) }),
      });
    // The same POSTs against a gateway (at rest before them, as the one it replaces was):
    // a cold first WARMUP_SECONDS, then the measured run with every process's CPU.
    let sent = 0;
    const measurePosts = async (child: Child) => {
      const cold = await posts(WARMUP_SECONDS, sent);
      sent += cold.requests + cold.errors;
      const watched: Watched[] = [{ name: child.name, pid: child.pid, kind: 'product' }, benchProcess, ...(await stackServers(cfg))];
      const atRest = measureUsage(watched);
      const meter = meterPhase(watched);
      const measured = await posts(POST_SECONDS, sent);
      sent += measured.requests + measured.errors;
      return { cold, measured, atRest, usage: meter.stop() };
    };
    const real = await measurePosts(gateway);
    const { cold, measured: post } = real;

    // Where the POST's latency waits on moto's and FerretDB's CPU: the same run against
    // the gateway with its two writes answered in-process (bench/bare/gateway-without-writes.ts).
    process.stdout.write(`gateway: the same POSTs with the booking's insert (FerretDB) and SendMessageBatch (moto) answered in the gateway\n`);
    await stopAll(children.splice(0, 1));
    const withoutWrites = await startGatewayProcess(cfg, { name: 'gateway-without-writes', entry: 'bench/bare/gateway-without-writes.ts' });
    children.unshift(withoutWrites);
    const without = await measurePosts(withoutWrites);

    const ratio = cached.requestsPerSecond / bare.requestsPerSecond;
    printTable('Gateway', ['load', 'req/s', 'p50', 'p99', 'max', 'non-2xx', 'errors'], [
      row('bare Express GET (baseline)', bare),
      row('cached GET /v1/salons/:id/services', cached),
      row(`POST /v1/bookings at ${POST_RATE}/s, first ${WARMUP_SECONDS} s (cold)`, cold),
      row(`POST /v1/bookings at ${POST_RATE}/s`, post),
      row(`the same, moto's and FerretDB's writes taken out (cold)`, without.cold),
      row(`the same, moto's and FerretDB's writes taken out`, without.measured),
    ]);
    printUsage(`POST /v1/bookings at ${POST_RATE}/s, per request`, 'request', post.requests, real.atRest, real.usage);
    printUsage(`the same, moto's and FerretDB's writes taken out, per request`, 'request', without.measured.requests, without.atRest, without.usage);
    console.log(`cached GET throughput = ${pct(ratio)} of bare Express; POST status codes: ${JSON.stringify(post.statusCounts)}`);
    const perSecond = (r: typeof real) => [...(r.cold.p99BySecond ?? []), ...(r.measured.p99BySecond ?? [])].map((v) => v.toFixed(0)).join(' ');
    console.log(`POST p99 per second (cold, then measured): ${perSecond(real)} ms; with the writes taken out: ${perSecond(without)} ms`);

    const targets: Target[] = [
      { benchmark: 'gateway', what: 'cached GET p99', figure: ms(cached.latency.p99), target: '< 5 ms', met: cached.latency.p99 < 5 },
      { benchmark: 'gateway', what: 'cached GET throughput / bare Express', figure: pct(ratio), target: '≥ 75 %', met: ratio >= 0.75 },
      { benchmark: 'gateway', what: `POST /v1/bookings p99 at ${POST_RATE} req/s`, figure: ms(post.latency.p99), target: '< 50 ms, all 2xx', met: post.latency.p99 < 50 && post.non2xx === 0 },
    ];
    writeResult('gateway', {
      settings: { getConnections: GET_CONNECTIONS, getSeconds: GET_SECONDS, warmupSeconds: WARMUP_SECONDS, postRate: POST_RATE, postSeconds: POST_SECONDS, postConnections: POST_CONNECTIONS, clients: CLIENTS },
      bareExpressGet: figures(bare),
      cachedGet: figures(cached),
      cachedOverBare: round(ratio, 3),
      postBookingsCold: figures(cold),
      postBookings: figures(post),
      postResources: usageFigures(post.requests, real.atRest, real.usage),
      postBookingsWithoutServerWritesCold: figures(without.cold),
      postBookingsWithoutServerWrites: figures(without.measured),
      postResourcesWithoutServerWrites: usageFigures(without.measured.requests, without.atRest, without.usage),
      targets,
    });
    return targets;
  } finally {
    await stopAll(children);
    await emptyIntakeQueues(cfg); // the POSTs' commands: no dispatcher ran, nothing should start them later
  }
}
