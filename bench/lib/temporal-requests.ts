/**
 * What the product asks of the Temporal server, read from the server's Prometheus
 * endpoint (`--metrics-port`, TEMPORAL_METRICS_PORT): the frontend's requests by
 * operation. Each write request (a start, a completed task, a heartbeat) is a write of
 * the workflow's state there, so the count per booking is a figure of its own: Temporal's
 * CPU follows it.
 */
import type { Config } from '../../src/config';

export type RequestCounts = Map<string, number>;

const FRONTEND_REQUESTS = /^service_requests\{([^}]*)\}\s+(\S+)/;
const OPERATION = /(?:^|,)operation="([^"]*)"/;

/** The frontend's request counters by operation, summed over namespaces, in a Prometheus text exposition. */
export function frontendRequests(exposition: string): RequestCounts {
  const counts: RequestCounts = new Map();
  for (const line of exposition.split('\n')) {
    const m = FRONTEND_REQUESTS.exec(line);
    if (!m || !m[1]!.includes('service_name="frontend"')) continue;
    const op = OPERATION.exec(m[1]!)?.[1];
    if (op) counts.set(op, (counts.get(op) ?? 0) + Number(m[2]));
  }
  return counts;
}

/** The Temporal server's frontend requests so far (throws, naming the URL, when it cannot be read). */
export async function temporalRequests(cfg: Config): Promise<RequestCounts> {
  const url = `http://127.0.0.1:${cfg.temporal.metricsPort}/metrics`;
  const res = await fetch(url).catch((err: unknown) => {
    throw new Error(`Temporal's metrics at ${url}: ${(err as Error).message}`);
  });
  if (!res.ok) throw new Error(`Temporal's metrics at ${url}: HTTP ${res.status}`);
  return frontendRequests(await res.text());
}

/** Requests per unit between two readings, by operation (only those that moved), most first. */
export function requestsPer(before: RequestCounts, after: RequestCounts, units: number): Record<string, number> {
  const per: [string, number][] = [];
  for (const [op, n] of after) {
    const d = n - (before.get(op) ?? 0);
    if (d > 0) per.push([op, Math.round((d / units) * 100) / 100]);
  }
  return Object.fromEntries(per.sort((a, b) => b[1] - a[1]));
}
