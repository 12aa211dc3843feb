/**
 * HTTP load with autocannon: saturating (fixed connections, as fast as answers come) or
 * at a fixed overall rate. Latencies are taken from every response (hrtime, sub-ms),
 * so percentiles come from the one shared helper.
 */
import autocannon from 'autocannon';
import { type Summary, summarize } from './stats';

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
  /** Requests per second over all connections; unset saturates. */
  overallRate?: number;
  /** Builds the i-th request (distinct keys, slots, clients); unset repeats a GET of `url`. */
  request?: (i: number) => { method: string; path: string; headers: Record<string, string>; body?: string };
}

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  /** Latency of 2xx answers (ms). */
  latency: Summary;
  non2xx: number;
  errors: number;
  statusCounts: Record<string, number>;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const build = opts.request;
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    ...(build ? { requests: [{ setupRequest: (req) => ({ ...req, ...build(next++) }) }] } : {}),
  });
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  const requests = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  return {
    requests,
    requestsPerSecond: requests / result.duration,
    latency: summarize(latencies),
    non2xx: requests - latencies.length,
    errors: result.errors,
    statusCounts,
  };
}
