/**
 * `npm run ops:provision`: creates or updates the CloudWatch alarms and the dashboard
 * (the gateway does the same at start). Idempotent; prints what exists afterwards.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { loadConfig } from '../src/config';
import { provisionOps } from '../src/infra/alarms';
import { createCloudWatchClient } from '../src/infra/cloudwatch';

async function main(): Promise<void> {
  const cfg = loadConfig();
  const cloudwatch = createCloudWatchClient(cfg);
  try {
    const { alarms, dashboard } = await provisionOps(cloudwatch, cfg);
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarms }));
    for (const a of MetricAlarms) console.log(`alarm      ${a.AlarmName}  ${a.StateValue}  ${a.AlarmDescription}`);
    console.log(`dashboard  ${dashboard}  (${cfg.aws.endpoint}, ${cfg.aws.region})`);
  } finally {
    cloudwatch.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`ops:provision failed against ${loadConfig().aws.endpoint}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
