/**
 * HTTP load: saturating, with autocannon (fixed connections, as fast as answers come), or
 * paced, at a fixed rate with requests spread evenly over each second. Latencies are
 * taken from every response (sub-ms), so percentiles come from the one shared helper.
 *
 * Paced load is not autocannon's `overallRate`: that gives each connection its share of
 * the rate per one-second window and sends it at the window's start, so at 200 req/s
 * over 50 connections all 200 requests leave together once a second — a burst, whose
 * queueing is what its latencies then measure.
 */
import http from 'node:http';
import autocannon from 'autocannon';
import { percentile, type Summary, summarize } from './stats';

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
}

export interface PacedOptions extends LoadOptions {
  /** Requests per second, one every 1/rate s. */
  rate: number;
  /** Builds the i-th request (distinct keys, slots, clients). */
  request: (i: number) => { method: string; path: string; headers: Record<string, string>; body?: string };
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  /** Latency of 2xx answers (ms). */
  latency: Summary;
  non2xx: number;
  errors: number;
  statusCounts: Record<string, number>;
  /** Paced load only: the p99 of each second's requests, by when they were due (ms). */
  p99BySecond?: number[];
}

/** Tallies answers into a LoadResult. */
function tally(): { answered(status: number, ms: number): void; failed(): void; result(seconds: number, errors?: number): LoadResult } {
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  return {
    answered(status, ms) {
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      if (status >= 200 && status < 300) latencies.push(ms);
    },
    failed: () => void errors++,
    result(seconds, extraErrors = 0) {
      const requests = Object.values(statusCounts).reduce((a, b) => a + b, 0);
      return {
        requests,
        requestsPerSecond: requests / seconds,
        latency: summarize(latencies),
        non2xx: requests - latencies.length,
        errors: errors + extraErrors,
        statusCounts,
      };
    },
  };
}

/** Saturates `url` with GETs from `connections` connections. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const instance = autocannon({ url: opts.url, connections: opts.connections, duration: opts.seconds, timeout: 10 });
  const counts = tally();
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => counts.answered(status, ms));
  const result = await instance;
  return counts.result(result.duration, result.errors);
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Sends `rate` requests a second, each at its own moment (open loop: a slow answer
 * delays no later request), over at most `connections` kept-alive connections. A
 * request's latency runs from the moment it was due, so a send held back by a busy
 * connection pool counts against the server too.
 */
export async function runPaced(opts: PacedOptions): Promise<LoadResult> {
  const url = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const counts = tally();
  const total = Math.round(opts.rate * opts.seconds);
  const sent: Promise<void>[] = [];
  const bySecond: number[][] = Array.from({ length: Math.ceil(opts.seconds) }, () => []);
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / opts.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const req = opts.request(i);
    sent.push(
      new Promise<void>((resolve) => {
        const r = http.request(
          { host: url.hostname, port: url.port, path: req.path, method: req.method, headers: req.headers, agent, timeout: REQUEST_TIMEOUT_MS },
          (res) => {
            res.resume();
            res.once('end', () => {
              const ms = performance.now() - due;
              counts.answered(res.statusCode ?? 0, ms);
              if (res.statusCode && res.statusCode < 300) bySecond[Math.floor(i / opts.rate)]?.push(ms);
              resolve();
            });
          },
        );
        r.once('timeout', () => r.destroy(new Error('timed out')));
        r.once('error', () => {
          counts.failed();
          resolve();
        });
        r.end(req.body);
      }),
    );
  }
  await Promise.all(sent);
  agent.destroy();
  return { ...counts.result((performance.now() - t0) / 1000), p99BySecond: bySecond.map((l) => percentile(l, 99)) };
}
