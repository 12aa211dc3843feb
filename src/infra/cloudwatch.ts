/** CloudWatch: the client, on the configured endpoint. */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import type { Config } from '../config';
import { awsClientOptions } from './aws';

export function createCloudWatchClient(cfg: Config): CloudWatchClient {
  return new CloudWatchClient(awsClientOptions(cfg));
}

/** The aggregate API latency every gateway records, and its p99 > 200 ms alarm. */
export const API_LATENCY_ALL = 'ApiLatencyAll';

/** Creates or updates the API latency alarm (idempotent): p99 over 200 ms for a minute. */
export async function ensureApiLatencyAlarm(cloudwatch: CloudWatchClient, alarmName: string): Promise<void> {
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: alarmName,
      AlarmDescription: 'API latency p99 over 200 ms: scale the gateway out; low-priority intake is shed meanwhile',
      Namespace: 'InStudio',
      MetricName: API_LATENCY_ALL,
      ExtendedStatistic: 'p99',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 200,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      Unit: 'Milliseconds',
    }),
  );
}
