/**
 * CloudWatch metrics, batched in the background. Recording is a map update; a timer
 * flushes aggregated datapoints (values with counts, so CloudWatch can compute
 * percentiles) in as few PutMetricData calls as the API allows. No caller ever waits
 * on CloudWatch, and a CloudWatch outage only delays metrics until the next flush.
 */
import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand, type StandardUnit } from '@aws-sdk/client-cloudwatch';

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
