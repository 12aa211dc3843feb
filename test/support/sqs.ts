/** Emptying the intake queues between tests (PurgeQueue is allowed once a minute). */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type Config, loadConfig } from '../../src/config';
import { PRIORITIES } from '../../src/domain/priority';
import { ensureIntakeQueues, type IntakeQueues } from '../../src/infra/intake';
import { createSqsClient } from '../../src/infra/sqs';

/** Receives and deletes until the queue is empty. */
export async function drain(sqs: SQSClient, QueueUrl: string): Promise<void> {
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) return;
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  }
}

/** Every intake queue and dead-letter queue, emptied. */
export async function drainIntake(sqs: SQSClient, queues: IntakeQueues): Promise<void> {
  await Promise.all(PRIORITIES.flatMap((p) => [queues[p].url, queues[p].dlqUrl]).map((url) => drain(sqs, url)));
}

/** For a test (or a benchmark) that enqueued commands no dispatcher will take: leaves the queues empty. */
export async function emptyIntakeQueues(cfg: Config = loadConfig()): Promise<void> {
  const sqs = createSqsClient(cfg);
  try {
    await drainIntake(sqs, await ensureIntakeQueues(sqs, cfg));
  } finally {
    sqs.destroy();
  }
}
