import { DeleteMessageCommand, DeleteQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../../src/config';
import { createSqsClient, ensureQueueWithDlq, type QueueWithDlq } from '../../../src/infra/sqs';
import { unique } from '../../support/ids';

const cfg = loadConfig();
const sqs = createSqsClient(cfg);
let queue: QueueWithDlq;

beforeEach(async () => {
  queue = await ensureQueueWithDlq(sqs, unique('smoke'), { maxReceiveCount: 2, visibilityTimeoutSec: 30 });
});

afterEach(async () => {
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queue.dlqUrl }));
});

afterAll(() => sqs.destroy());

const receive = (url: string, visibilityTimeout?: number) =>
  sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      WaitTimeSeconds: 2,
      MaxNumberOfMessages: 1,
      MessageAttributeNames: ['All'],
      VisibilityTimeout: visibilityTimeout,
    }),
  );

test('when a message with an attribute is sent, then a long poll receives it and delete removes it', async () => {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queue.url,
      MessageBody: '{"bookingId":"b1"}',
      MessageAttributes: { priority: { DataType: 'String', StringValue: 'high' } },
    }),
  );
  const { Messages = [] } = await receive(queue.url);
  expect(Messages).toHaveLength(1);
  expect(Messages[0]!.Body).toBe('{"bookingId":"b1"}');
  expect(Messages[0]!.MessageAttributes?.priority?.StringValue).toBe('high');

  await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: Messages[0]!.ReceiptHandle }));
  const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1, VisibilityTimeout: 0 }));
  expect(again.Messages ?? []).toHaveLength(0);
});

test('when a message is received more than maxReceiveCount times, then it lands in the dead-letter queue', async () => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'poison' }));
  // Received and never deleted: visible again at once (visibility timeout 0).
  for (let attempt = 1; attempt <= 2; attempt++) {
    const { Messages = [] } = await receive(queue.url, 0);
    expect(Messages.map((m) => m.Body)).toEqual(['poison']);
  }
  const third = await receive(queue.url, 0);
  expect(third.Messages ?? []).toHaveLength(0);

  const { Messages: dead = [] } = await receive(queue.dlqUrl);
  expect(dead.map((m) => m.Body)).toEqual(['poison']);
});
