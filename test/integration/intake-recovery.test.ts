/**
 * The intake queues lost by the SQS endpoint (a restarted moto keeps no state): a client
 * that ensured them re-creates them on its next call, so the gateway's enqueue and the
 * dispatcher's receive resume by themselves.
 */
import { DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../src/config';
import { enqueue, ensureIntakeQueues, type IntakeQueues } from '../../src/infra/intake';
import { createSqsClient } from '../../src/infra/sqs';
import type { IntakeCommand } from '../../src/shared/intake';
import { unique } from '../support/ids';

const cfg = loadConfig();
const sqs = createSqsClient(cfg);
const other = createSqsClient(cfg);
let queues: IntakeQueues;

beforeAll(async () => {
  queues = await ensureIntakeQueues(sqs, cfg);
});
afterAll(() => {
  sqs.destroy();
  other.destroy();
});

/** What a restarted endpoint does to the low queue and its dead-letter queue. */
const loseLowQueues = () =>
  Promise.all([queues.low.url, queues.low.dlqUrl].map((QueueUrl) => other.send(new DeleteQueueCommand({ QueueUrl }))));

test('when the queues are gone, then enqueue re-creates them (with their redrive) and the command is on the queue', async () => {
  await loseLowQueues();
  const command: IntakeCommand = { kind: 'catalogueImport', version: 1, importId: unique('recovery').replace(/[^A-Za-z0-9_-]/g, ''), salons: [] };

  await enqueue(sqs, queues, 'low', command);

  const received = await other.send(new ReceiveMessageCommand({ QueueUrl: queues.low.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  expect((received.Messages ?? []).map((m) => JSON.parse(m.Body!).importId)).toContain(command.importId);
  const attrs = await other.send(new GetQueueAttributesCommand({ QueueUrl: queues.low.url, AttributeNames: ['RedrivePolicy'] }));
  expect(JSON.parse(attrs.Attributes!.RedrivePolicy!).maxReceiveCount).toBe(cfg.intake.maxReceiveCount);
});

test('when the queues are gone, then a receive re-creates them instead of failing', async () => {
  await loseLowQueues();
  const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.low.url, WaitTimeSeconds: 0 }));
  expect(res.Messages ?? []).toEqual([]);
});

test('when a queue that is not an intake queue is missing, then the error is the caller’s', async () => {
  const missing = `${queues.low.url.slice(0, queues.low.url.lastIndexOf('/'))}/${unique('no-such-queue')}`;
  await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: missing }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
});
