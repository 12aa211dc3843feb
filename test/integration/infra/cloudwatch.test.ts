import { GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { loadConfig } from '../../../src/config';
import { createCloudWatchClient } from '../../../src/infra/cloudwatch';
import { unique } from '../../support/ids';
import { eventually } from '../../support/wait';

const cfg = loadConfig();
const cloudwatch = createCloudWatchClient(cfg);

afterAll(() => cloudwatch.destroy());

test('when metric data is put, then GetMetricData reads the datapoints back', async () => {
  const namespace = unique('InStudioSmoke');
  const dimensions = [{ Name: 'Route', Value: 'GET /v1/salons' }];
  const now = new Date();
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: namespace,
      MetricData: [
        { MetricName: 'Latency', Unit: 'Milliseconds', Value: 12, Timestamp: now, Dimensions: dimensions },
        { MetricName: 'Latency', Unit: 'Milliseconds', Value: 30, Timestamp: now, Dimensions: dimensions },
      ],
    }),
  );

  const values = await eventually(
    async () => {
      const res = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(now.getTime() - 5 * 60_000),
          EndTime: new Date(now.getTime() + 5 * 60_000),
          MetricDataQueries: [
            {
              Id: 'maxLatency',
              MetricStat: {
                Metric: { Namespace: namespace, MetricName: 'Latency', Dimensions: dimensions },
                Period: 60,
                Stat: 'Maximum',
              },
            },
            {
              Id: 'samples',
              MetricStat: {
                Metric: { Namespace: namespace, MetricName: 'Latency', Dimensions: dimensions },
                Period: 60,
                Stat: 'SampleCount',
              },
            },
          ],
        }),
      );
      const byId = Object.fromEntries((res.MetricDataResults ?? []).map((r) => [r.Id, r.Values ?? []]));
      return byId.maxLatency?.length ? byId : undefined;
    },
    { what: 'the metric datapoints' },
  );
  expect(values.maxLatency).toEqual([30]);
  expect(values.samples).toEqual([2]);
});

test('when values are put with counts, then every count is a sample (SampleCount, Sum, Maximum over all of them)', async () => {
  const namespace = unique('InStudioSmoke');
  const now = new Date();
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: namespace,
      MetricData: [{ MetricName: 'Latency', Unit: 'Milliseconds', Values: [12, 30], Counts: [3, 1], Timestamp: now }],
    }),
  );

  const query = (Stat: string) => ({ Id: Stat.toLowerCase(), MetricStat: { Metric: { Namespace: namespace, MetricName: 'Latency' }, Period: 60, Stat } });
  const values = await eventually(
    async () => {
      const res = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(now.getTime() - 5 * 60_000),
          EndTime: new Date(now.getTime() + 5 * 60_000),
          MetricDataQueries: ['SampleCount', 'Sum', 'Maximum', 'Minimum'].map(query),
        }),
      );
      const byId = Object.fromEntries((res.MetricDataResults ?? []).map((r) => [r.Id, r.Values ?? []]));
      return byId.samplecount?.length ? byId : undefined;
    },
    { what: 'the metric datapoints' },
  );
  expect(values).toEqual({ samplecount: [4], sum: [66], maximum: [30], minimum: [12] });
});
