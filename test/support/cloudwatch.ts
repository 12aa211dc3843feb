/** Reads a metric back from the CloudWatch endpoint: the sum of a statistic since a moment. */
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { loadConfig } from '../../src/config';
import { createCloudWatchClient } from '../../src/infra/cloudwatch';
import { NAMESPACE } from '../../src/infra/metrics';

const cloudwatch = createCloudWatchClient(loadConfig());

export async function metricSum(name: string, dimensions: Record<string, string>, stat: string, since: Date): Promise<number> {
  const res = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(since.getTime() - 120_000),
      EndTime: new Date(Date.now() + 120_000),
      MetricDataQueries: [
        {
          Id: 'q',
          MetricStat: {
            Metric: {
              Namespace: NAMESPACE,
              MetricName: name,
              Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
            },
            Period: 60,
            Stat: stat,
          },
        },
      ],
    }),
  );
  return (res.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
}
