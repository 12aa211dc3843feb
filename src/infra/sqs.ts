/** SQS: the client, and queues created idempotently with their dead-letter queue. */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config';
import { awsClientOptions } from './aws';

export function createSqsClient(cfg: Config): SQSClient {
  return new SQSClient(awsClientOptions(cfg));
}

export interface QueueWithDlq {
  url: string;
  dlqUrl: string;
}

/**
 * Creates (or finds) `name` and `name-dlq`; a message received more than
 * `maxReceiveCount` times moves to the dead-letter queue.
 */
export async function ensureQueueWithDlq(
  sqs: SQSClient,
  name: string,
  opts: { maxReceiveCount: number; visibilityTimeoutSec?: number },
): Promise<QueueWithDlq> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqAttrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(opts.visibilityTimeoutSec ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqAttrs.Attributes!.QueueArn,
          maxReceiveCount: opts.maxReceiveCount,
        }),
      },
    }),
  );
  return { url: queue.QueueUrl!, dlqUrl: dlq.QueueUrl! };
}
