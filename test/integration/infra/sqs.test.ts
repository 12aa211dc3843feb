import { DeleteMessageCommand, DeleteQueueCommand, GetQueueAttributesCommand, type QueueAttributeName, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../../src/config';
import { createSqsClient, ensureQueueWithDlq, type QueueWithDlq } from '../../../src/infra/sqs';
import { unique } from '../../support/ids';
import { eventually } from '../../support/wait';

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

test('when a message is delayed or in flight, then no receive sees it until its delay or visibility timeout has passed, and its latest receipt handle deletes it', async () => {
  // 5 s: far longer than a send and a receive take, even on a busy machine.
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'later', DelaySeconds: 5 }));
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'now' }));
  const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 5 }));
  expect((first.Messages ?? []).map((m) => m.Body)).toEqual(['now']); // 'later' is delayed
  const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  expect(hidden.Messages ?? []).toHaveLength(0); // 'now' is in flight, 'later' still delayed

  const seen = new Map<string, string>();
  await eventually(
    async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30 }));
      for (const m of Messages) seen.set(m.Body!, m.ReceiptHandle!);
      return seen.size === 2 ? true : undefined;
    },
    { timeoutMs: 30_000, what: "'later' after its delay and 'now' after its visibility timeout" },
  );
  expect(seen.get('now')).not.toBe(first.Messages![0]!.ReceiptHandle); // received again: a new receipt handle
  for (const handle of seen.values()) await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: handle }));
  const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1, VisibilityTimeout: 0 }));
  expect(empty.Messages ?? []).toHaveLength(0);
});

test('when messages wait, are delayed and are in flight, then GetQueueAttributes counts each, asked by name or for All, and refuses an unknown name', async () => {
  for (const body of ['a', 'b']) await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'later', DelaySeconds: 60 }));
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 1, WaitTimeSeconds: 0, VisibilityTimeout: 60 }));
  expect(Messages).toHaveLength(1);
  const attributes = async (...names: QueueAttributeName[]) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: names }))).Attributes;

  const counts = { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesDelayed: '1', ApproximateNumberOfMessagesNotVisible: '1' };
  expect(await attributes('ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessagesNotVisible')).toEqual(counts);
  expect(await attributes('ApproximateNumberOfMessagesDelayed')).toEqual({ ApproximateNumberOfMessagesDelayed: '1' });
  expect(await attributes('All')).toMatchObject({ ...counts, VisibilityTimeout: '30', QueueArn: expect.stringContaining(':smoke') });
  await expect(attributes('NoSuchAttribute' as QueueAttributeName)).rejects.toThrow(/NoSuchAttribute/);
});

test('when a message is sent, received and deleted, then moto keeps no object of it (its launcher tracks no model instances, which moto never freed)', async () => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'tracked?' }));
  const { Messages = [] } = await receive(queue.url);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: Messages[0]!.ReceiptHandle }));

  const data = (await (await fetch(`${cfg.aws.endpoint}/moto-api/data.json`)).json()) as Record<string, Record<string, unknown[]>>;

  expect(Messages.map((m) => m.Body)).toEqual(['tracked?']);
  expect(data.sqs?.Message ?? []).toEqual([]);
});
