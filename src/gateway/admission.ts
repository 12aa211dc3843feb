/**
 * Admission control: while the API-latency alarm is in ALARM, or the high-priority
 * backlog passes its limit, low-priority intake is shed (503 + Retry-After) so high
 * keeps flowing. The signals are read in the background; a request never waits on them.
 */
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { Priority } from '../domain/priority';
import { queueDepth } from '../infra/intake';

export interface AdmissionControl {
  /** Why this priority is refused now, or undefined when it is admitted. */
  refusal(priority: Priority): string | undefined;
  refresh(): Promise<void>;
  stop(): void;
}

export function createAdmissionControl(opts: {
  cloudwatch: CloudWatchClient;
  sqs: SQSClient;
  alarmName: string;
  highQueueUrl: string;
  highBacklogLimit: number;
  refreshMs?: number;
  logger: Logger;
}): AdmissionControl {
  let alarm = false;
  let highBacklog = 0;

  const refresh = async (): Promise<void> => {
    try {
      const [alarms, depth] = await Promise.all([
        opts.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [opts.alarmName] })),
        queueDepth(opts.sqs, opts.highQueueUrl),
      ]);
      alarm = (alarms.MetricAlarms ?? []).some((a) => a.StateValue === 'ALARM');
      highBacklog = depth;
    } catch (err) {
      opts.logger.warn({ err }, 'admission control could not read its signals; keeping the last ones');
    }
  };
  const timer = setInterval(() => void refresh(), opts.refreshMs ?? 2000);
  timer.unref();

  return {
    refusal(priority) {
      if (priority !== 'low') return undefined;
      if (alarm) return `the API latency alarm ${opts.alarmName} is in ALARM`;
      if (highBacklog > opts.highBacklogLimit) return `the high-priority backlog (${highBacklog}) is over ${opts.highBacklogLimit}`;
      return undefined;
    },
    refresh,
    stop: () => clearInterval(timer),
  };
}
