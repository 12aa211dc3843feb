/** The SQS priority queues of the intake, created (with their DLQs) at start. */
import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
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

export interface QueueDepths {
  /** Messages waiting per priority (not counting those in flight). */
  waiting: Record<Priority, number>;
  /** Messages in the dead-letter queues, all priorities together. */
  deadLetters: number;
}

const depthOf = async (sqs: SQSClient, url: string): Promise<number> => {
  const r = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(r.Attributes?.ApproximateNumberOfMessages ?? 0);
};

/** Backlog per priority and dead letters, as SQS approximates them. */
export async function queueDepths(sqs: SQSClient, queues: IntakeQueues): Promise<QueueDepths> {
  const [waiting, dead] = await Promise.all([
    Promise.all(PRIORITIES.map((p) => depthOf(sqs, queues[p].url))),
    Promise.all(PRIORITIES.map((p) => depthOf(sqs, queues[p].dlqUrl))),
  ]);
  return {
    waiting: Object.fromEntries(PRIORITIES.map((p, i) => [p, waiting[i]!])) as Record<Priority, number>,
    deadLetters: dead.reduce((a, b) => a + b, 0),
  };
}
