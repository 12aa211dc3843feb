/** The SQS priority queues of the intake, created (with their DLQs) at start. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config';
import { PRIORITIES, type Priority } from '../domain/priority';
import { type IntakeCommand, queueNameFor } from '../shared/intake';
import { ensureQueueWithDlq, type QueueWithDlq } from './sqs';

export type IntakeQueues = Record<Priority, QueueWithDlq>;

export async function ensureIntakeQueues(sqs: SQSClient, cfg: Config): Promise<IntakeQueues> {
  const entries = await Promise.all(
    PRIORITIES.map(
      async (p) =>
        [
          p,
          await ensureQueueWithDlq(sqs, queueNameFor(p), {
            maxReceiveCount: cfg.intake.maxReceiveCount,
            visibilityTimeoutSec: cfg.intake.visibilityTimeoutSec,
          }),
        ] as const,
    ),
  );
  return Object.fromEntries(entries) as IntakeQueues;
}

/** Puts a command on the queue of its priority, with a `priority` message attribute. */
export async function enqueue(sqs: SQSClient, queues: IntakeQueues, priority: Priority, command: IntakeCommand): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queues[priority].url,
      MessageBody: JSON.stringify(command),
      MessageAttributes: {
        priority: { DataType: 'String', StringValue: priority },
        kind: { DataType: 'String', StringValue: command.kind },
      },
    }),
  );
}
