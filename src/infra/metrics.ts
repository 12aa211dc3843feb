/**
 * CloudWatch metrics, batched in the background. Recording is a map update; a timer
 * flushes aggregated datapoints (values with counts, so CloudWatch can compute
 * percentiles) in as few PutMetricData calls as the API allows. No caller ever waits
 * on CloudWatch, and a CloudWatch outage only delays metrics until the next flush.
 */
import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createCloudWatchClient } from './cloudwatch';

export const NAMESPACE = 'InStudio';
/** PutMetricData limits: datums per call, distinct values per datum. */
const MAX_DATUMS_PER_CALL = 500;
const MAX_VALUES_PER_DATUM = 150;

export type Dimensions = Record<string, string>;

export interface Metrics {
  record(name: string, value: number, unit: StandardUnit, dimensions?: Dimensions): void;
  flush(): Promise<void>;
  /** Flushes what is left and stops the timer. */
  close(): Promise<void>;
}

interface Series {
  name: string;
  unit: StandardUnit;
  dimensions: Dimensions;
  /** value → count */
  counts: Map<number, number>;
}

export interface MetricsOptions {
  namespace?: string;
  flushIntervalMs?: number;
  onError?: (err: unknown) => void;
}

export function createMetrics(cloudwatch: CloudWatchClient, opts: MetricsOptions = {}): Metrics {
  const namespace = opts.namespace ?? NAMESPACE;
  let pending = new Map<string, Series>();
  let inFlight: Promise<void> = Promise.resolve();

  const toDatums = (series: Series[], timestamp: Date): MetricDatum[] =>
    series.flatMap((s) => {
      const entries = [...s.counts.entries()];
      const datums: MetricDatum[] = [];
      for (let i = 0; i < entries.length; i += MAX_VALUES_PER_DATUM) {
        const chunk = entries.slice(i, i + MAX_VALUES_PER_DATUM);
        datums.push({
          MetricName: s.name,
          Unit: s.unit,
          Timestamp: timestamp,
          Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })),
          Values: chunk.map(([v]) => v),
          Counts: chunk.map(([, c]) => c),
        });
      }
      return datums;
    });

  const flushOnce = async (): Promise<void> => {
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending = new Map();
    const datums = toDatums(batch, new Date());
    for (let i = 0; i < datums.length; i += MAX_DATUMS_PER_CALL) {
      try {
        await cloudwatch.send(
          new PutMetricDataCommand({ Namespace: namespace, MetricData: datums.slice(i, i + MAX_DATUMS_PER_CALL) }),
        );
      } catch (err) {
        opts.onError?.(err);
      }
    }
  };

  const flush = (): Promise<void> => {
    inFlight = inFlight.then(flushOnce);
    return inFlight;
  };

  const timer = setInterval(() => void flush(), opts.flushIntervalMs ?? 10_000);
  timer.unref();

  return {
    record(name, value, unit, dimensions = {}) {
      const key = `${name}\u0000${JSON.stringify(Object.entries(dimensions).sort())}`;
      let s = pending.get(key);
      if (!s) {
        s = { name, unit, dimensions, counts: new Map() };
        pending.set(key, s);
      }
      // Values are kept to 0.1 of their unit: enough for percentiles, few distinct values.
      const rounded = Math.round(value * 10) / 10;
      s.counts.set(rounded, (s.counts.get(rounded) ?? 0) + 1);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}

/** This process's identity in metrics: its role and a per-process instance id. */
interface ProcessIdentity {
  role: string;
  instance: string;
}

/**
 * CPU (percent of one core since the last sample) and memory (RSS and heap, MB) of this
 * process, recorded every `intervalMs` with its role and instance as dimensions.
 */
function sampleProcess(metrics: Metrics, id: ProcessIdentity, intervalMs: number): { stop(): void } {
  const dimensions = { Role: id.role, Instance: id.instance };
  let lastCpu = process.cpuUsage();
  let lastAt = process.hrtime.bigint();
  const sample = (): void => {
    const cpu = process.cpuUsage(lastCpu);
    const now = process.hrtime.bigint();
    const elapsedUs = Number(now - lastAt) / 1000;
    lastCpu = process.cpuUsage();
    lastAt = now;
    const mem = process.memoryUsage();
    if (elapsedUs > 0) metrics.record('ProcessCpu', ((cpu.user + cpu.system) / elapsedUs) * 100, 'Percent', dimensions);
    metrics.record('ProcessMemory', mem.rss / 2 ** 20, 'Megabytes', dimensions);
    metrics.record('ProcessHeap', mem.heapUsed / 2 ** 20, 'Megabytes', dimensions);
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample(); // a last sample goes out with the final flush
    },
  };
}

export interface ProcessMetrics {
  cloudwatch: CloudWatchClient;
  metrics: Metrics;
  /** Stops sampling, flushes what is left and closes the client. */
  close: () => Promise<void>;
}

/** The CloudWatch client and batched metrics of one process, with its CPU and memory sampled. */
export function createProcessMetrics(cfg: Config, logger: Logger, role: string): ProcessMetrics {
  const cloudwatch = createCloudWatchClient(cfg);
  const metrics = createMetrics(cloudwatch, {
    flushIntervalMs: cfg.metricsFlushIntervalMs,
    onError: (err) => logger.warn({ err }, 'could not publish metrics; will retry with the next batch'),
  });
  const sampler = sampleProcess(metrics, { role, instance: cfg.instanceId }, cfg.metricsFlushIntervalMs);
  return {
    cloudwatch,
    metrics,
    close: async () => {
      sampler.stop();
      await metrics.close();
      cloudwatch.destroy();
    },
  };
}
