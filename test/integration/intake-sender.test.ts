/**
 * The gateway's intake sender on moto: concurrent commands leave in SendMessageBatch
 * calls (group commit), each arrives once, and a call SQS refuses fails only its own
 * callers. Each test uses queues of its own, so no other test's commands are counted.
 */
import { DeleteQueueCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../src/config';
import { PRIORITIES } from '../../src/domain/priority';
import { createIntakeSender, type IntakeQueues } from '../../src/infra/intake';
import { createSqsClient, ensureQueueWithDlq } from '../../src/infra/sqs';
import type { IntakeCommand } from '../../src/shared/intake';
import { unique } from '../support/ids';

const cfg = loadConfig();
let sqs: SQSClient;
let calls: string[];
let queues: IntakeQueues;

beforeEach(async () => {
  sqs = createSqsClient(cfg);
  calls = [];
  sqs.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  const queue = await ensureQueueWithDlq(sqs, unique('sender').replace(/[^A-Za-z0-9_-]/g, ''), { maxReceiveCount: 3 });
  queues = Object.fromEntries(PRIORITIES.map((p) => [p, queue])) as IntakeQueues;
  calls = [];
});
afterEach(async () => {
  await Promise.all([queues.low.url, queues.low.dlqUrl].map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl }))));
  sqs.destroy();
});

const command = (importId: string, salons: Record<string, unknown>[] = []): IntakeCommand => ({ kind: 'catalogueImport', version: 1, importId, salons });

/** Every import id on the queue, receiving until it is empty. */
async function idsOnQueue(): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.low.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }));
    if (Messages.length === 0) return ids.sort();
    ids.push(...Messages.map((m) => (JSON.parse(m.Body!) as { importId: string }).importId));
  }
}

test('when 25 commands arrive at once, then they leave in 5 calls (two alone, then batches of up to 10) and each arrives once', async () => {
  const sent = Array.from({ length: 25 }, (_, i) => `c${String(i).padStart(2, '0')}`);
  const enqueue = createIntakeSender(sqs, queues, 2);

  await Promise.all(sent.map((id) => enqueue('low', command(id))));

  expect(calls).toEqual(Array(5).fill('SendMessageBatchCommand'));
  expect(await idsOnQueue()).toEqual(sent);
});

test('when commands are big, then a call carries no more than 1 MiB; one too big for SQS fails only its caller, with the reason', async () => {
  const enqueue = createIntakeSender(sqs, queues, 1);
  const big = (id: string, kib: number) => command(id, [{ notes: 'x'.repeat(kib * 1024) }]);

  const results = await Promise.allSettled(
    [command('a'), command('b'), big('big1', 600), big('big2', 600), big('huge', 1100), command('c')].map((c) => enqueue('low', c)),
  );

  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  expect((results[4] as PromiseRejectedResult).reason).toMatchObject({ name: 'BatchRequestTooLong' });
  // [a] alone, then [b, big1]; big2 and huge could not join them, nor c join huge.
  expect(calls).toHaveLength(5);
  expect(await idsOnQueue()).toEqual(['a', 'b', 'big1', 'big2', 'c']);
});
