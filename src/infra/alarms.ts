/**
 * The product's CloudWatch alarms and dashboard, provisioned idempotently (PutMetricAlarm
 * and PutDashboard replace what is there) by the gateway at start and by
 * `npm run ops:provision`. README's runbook says what each alarm means and what to do.
 */
import {
  type CloudWatchClient,
  type ComparisonOperator,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import type { Config } from '../config';
import { PRIORITIES } from '../domain/priority';
import { NAMESPACE } from './metrics';

/** The aggregate API latency every gateway records, and what the latency alarm watches. */
export const API_LATENCY_ALL = 'ApiLatencyAll';

export interface AlarmSpec {
  name: string;
  description: string;
  metric: string;
  dimensions?: Record<string, string>;
  /** `Average`, `Maximum`… or a percentile such as `p99`. */
  stat: string;
  periodSec: number;
  evaluationPeriods: number;
  threshold: number;
  comparison: ComparisonOperator;
  unit?: StandardUnit;
  /** The autoscaler adds booking workers while this alarm is in ALARM. */
  scalesOut: boolean;
}

export function alarmSpecs(cfg: Config): AlarmSpec[] {
  const names = cfg.ops.alarms;
  return [
    {
      name: names.apiLatency,
      description: 'API latency p99 over 200 ms for a minute: scale the gateway out; low-priority intake is shed meanwhile',
      metric: API_LATENCY_ALL,
      stat: 'p99',
      periodSec: 60,
      evaluationPeriods: 1,
      threshold: 200,
      comparison: 'GreaterThanThreshold',
      unit: 'Milliseconds',
      scalesOut: true,
    },
    {
      name: names.sagaFailureRate,
      description: `More than ${cfg.ops.sagaFailureRateThreshold * 100} % of booking sagas compensated over 5 minutes: look at SagaFailures by reason`,
      metric: 'SagaFailed',
      stat: 'Average',
      periodSec: 300,
      evaluationPeriods: 1,
      threshold: cfg.ops.sagaFailureRateThreshold,
      comparison: 'GreaterThanThreshold',
      scalesOut: false,
    },
    {
      name: names.deadLetters,
      description: 'An intake message reached a dead-letter queue: it could not be started after every retry',
      metric: 'DeadLetterDepth',
      stat: 'Maximum',
      periodSec: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      unit: 'Count',
      scalesOut: false,
    },
    {
      name: names.highBacklog,
      description: `More than ${cfg.intake.highBacklogLimit} high-priority bookings waiting in SQS for 2 minutes: add booking workers and dispatchers`,
      metric: 'QueueDepth',
      dimensions: { Priority: 'high' },
      stat: 'Maximum',
      periodSec: 60,
      evaluationPeriods: 2,
      threshold: cfg.intake.highBacklogLimit,
      comparison: 'GreaterThanThreshold',
      unit: 'Count',
      scalesOut: true,
    },
    {
      name: names.needsAttention,
      description: 'A booking saga could not compensate after its retries and waits for an operator (retry-compensation)',
      metric: 'SagasNeedingAttention',
      stat: 'Maximum',
      periodSec: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      unit: 'Count',
      scalesOut: false,
    },
  ];
}

const percentile = (stat: string): boolean => /^p\d+(\.\d+)?$/.test(stat);

export async function provisionAlarms(cloudwatch: CloudWatchClient, cfg: Config): Promise<string[]> {
  const specs = alarmSpecs(cfg);
  for (const a of specs) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: a.name,
        AlarmDescription: a.description,
        Namespace: NAMESPACE,
        MetricName: a.metric,
        Dimensions: Object.entries(a.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
        ...(percentile(a.stat) ? { ExtendedStatistic: a.stat } : { Statistic: a.stat as 'Average' }),
        Period: a.periodSec,
        EvaluationPeriods: a.evaluationPeriods,
        Threshold: a.threshold,
        ComparisonOperator: a.comparison,
        TreatMissingData: 'notBreaching',
        Unit: a.unit,
      }),
    );
  }
  return specs.map((a) => a.name);
}

type MetricLine = (string | Record<string, string>)[];

const widget = (title: string, metrics: MetricLine[], stat: string, x: number, y: number, region: string) => ({
  type: 'metric',
  x,
  y,
  width: 12,
  height: 6,
  properties: { title, region, stat, period: 60, view: 'timeSeries', metrics },
});

/** What the waitlist's offer chains record (activities/waitlist.ts), on one line of the dashboard. */
export const WAITLIST_METRICS = ['WaitlistOffers', 'WaitlistAccepted', 'WaitlistDeclined', 'WaitlistExpired', 'WaitlistRefilled', 'WaitlistBookingFailed'];

/** The dashboard: one screen with the figures the runbook refers to. */
export function dashboardBody(cfg: Config): object {
  const region = cfg.aws.region;
  const perPriority = (metric: string): MetricLine[] => PRIORITIES.map((p) => [NAMESPACE, metric, 'Priority', p]);
  const byRole = (metric: string): MetricLine[] => [
    [{ expression: `SEARCH('{${NAMESPACE},Instance,Role} MetricName="${metric}"', 'Average', 60)`, id: metric.toLowerCase() }],
  ];
  return {
    widgets: [
      {
        type: 'alarm',
        x: 0,
        y: 0,
        width: 24,
        height: 3,
        properties: { title: 'Alarms', alarms: alarmSpecs(cfg).map((a) => `arn:aws:cloudwatch:${region}:000000000000:alarm:${a.name}`) },
      },
      widget('API latency p50 / p99 (ms)', [[NAMESPACE, API_LATENCY_ALL, { stat: 'p50' }], [NAMESPACE, API_LATENCY_ALL, { stat: 'p99' }]], 'p99', 0, 3, region),
      widget(
        'Saga outcomes',
        ['confirmed', 'compensated', 'cancelled'].map((o) => [NAMESPACE, 'SagaOutcome', 'Outcome', o]),
        'Sum',
        12,
        3,
        region,
      ),
      widget('Saga duration p95 (ms)', perPriority('SagaDuration'), 'p95', 0, 9, region),
      widget('Intake → start p95 (ms)', perPriority('IntakeToStart'), 'p95', 12, 9, region),
      widget('SQS backlog', [...perPriority('QueueDepth'), [NAMESPACE, 'DeadLetterDepth']], 'Maximum', 0, 15, region),
      widget('Sagas needing attention', [[NAMESPACE, 'SagasNeedingAttention']], 'Maximum', 12, 15, region),
      widget('Booking workers', [[NAMESPACE, 'BookingWorkers']], 'Maximum', 0, 21, region),
      widget('Process CPU (%)', byRole('ProcessCpu'), 'Average', 12, 21, region),
      widget('Process memory (MB)', byRole('ProcessMemory'), 'Average', 0, 27, region),
      widget('Step failures', [[{ expression: `SEARCH('{${NAMESPACE},Step} MetricName="StepFailures"', 'Sum', 60)`, id: 'steps' }]], 'Sum', 12, 27, region),
      widget('Waitlist: offers, answers, slots refilled', WAITLIST_METRICS.map((m) => [NAMESPACE, m]), 'Sum', 0, 33, region),
    ],
  };
}

/** Alarms and dashboard, both idempotent. */
export async function provisionOps(cloudwatch: CloudWatchClient, cfg: Config): Promise<{ alarms: string[]; dashboard: string }> {
  const alarms = await provisionAlarms(cloudwatch, cfg);
  await cloudwatch.send(new PutDashboardCommand({ DashboardName: cfg.ops.dashboard, DashboardBody: JSON.stringify(dashboardBody(cfg)) }));
  return { alarms, dashboard: cfg.ops.dashboard };
}
