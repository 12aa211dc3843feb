/**
 * The SQS priority queues of the intake, created (with their DLQs) at start, and created
 * again by whichever process finds them gone: an SQS endpoint that lost its state (a
 * restarted moto keeps none) answers QueueDoesNotExist until someone re-creates them.
 */
import { GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config';
import { PRIORITIES, type Priority } from '../domain/priority';
import { type IntakeCommand, queueNameFor } from '../shared/intake';
import { createSqsClient, ensureQueueWithDlq, type QueueWithDlq } from './sqs';
import { groupCommit } from './group-commit';

export type IntakeQueues = Record<Priority, QueueWithDlq>;

async function createIntakeQueues(sqs: SQSClient, cfg: Config): Promise<IntakeQueues> {
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

export const isMissingQueue = (err: unknown): boolean => (err as { name?: unknown } | null)?.name === 'QueueDoesNotExist';

const recovering = new WeakSet<SQSClient>();

/**
 * Makes every call of this client on an intake queue survive the queues' loss: on
 * QueueDoesNotExist it re-creates them (once for all concurrent callers, through a
 * client of its own) and makes the call again. A queue's URL derives from the account
 * and the name, so the URLs the caller holds stay right.
 */
function recoverLostQueues(sqs: SQSClient, cfg: Config, urls: ReadonlySet<string>): void {
  if (recovering.has(sqs)) return;
  recovering.add(sqs);
  let recreating: Promise<unknown> | undefined;
  const recreate = (): Promise<unknown> =>
    (recreating ??= (async () => {
      const own = createSqsClient(cfg);
      try {
        await createIntakeQueues(own, cfg);
      } finally {
        own.destroy();
        recreating = undefined;
      }
    })());
  sqs.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const url = (args.input as { QueueUrl?: unknown }).QueueUrl;
        if (!isMissingQueue(err) || typeof url !== 'string' || !urls.has(url)) throw err;
        await recreate();
        return next(args);
      }
    },
    { step: 'initialize', name: 'recreateLostIntakeQueues' },
  );
}

/** Creates (or finds) the intake queues, and re-creates them whenever this client finds them gone. */
export async function ensureIntakeQueues(sqs: SQSClient, cfg: Config): Promise<IntakeQueues> {
  const queues = await createIntakeQueues(sqs, cfg);
  recoverLostQueues(sqs, cfg, new Set(PRIORITIES.flatMap((p) => [queues[p].url, queues[p].dlqUrl])));
  return queues;
}

/** A command as an SQS message: its JSON, with `priority` and `kind` message attributes. */
const messageOf = (priority: Priority, command: IntakeCommand) => ({
  MessageBody: JSON.stringify(command),
  MessageAttributes: {
    priority: { DataType: 'String', StringValue: priority },
    kind: { DataType: 'String', StringValue: command.kind },
  },
});

/** Puts one command on the queue of its priority. */
export async function enqueue(sqs: SQSClient, queues: IntakeQueues, priority: Priority, command: IntakeCommand): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queues[priority].url, ...messageOf(priority, command) }));
}

export type Enqueue = (priority: Priority, command: IntakeCommand) => Promise<void>;

/** SQS takes at most 10 messages and 1 MiB of bodies and attributes in one SendMessageBatch. */
const MAX_BATCH = 10;
const MAX_BATCH_BYTES = 1024 * 1024;
const sizeOf = (m: ReturnType<typeof messageOf>): number => Buffer.byteLength(m.MessageBody) + 64; // + the two attributes

/**
 * An `enqueue` that groups concurrent commands into SendMessageBatch calls (group
 * commit, per queue): a command goes out at once while fewer than `maxInFlight` calls to
 * its queue are under way; otherwise it waits for one to end and leaves with up to nine
 * others. Each caller's promise settles with its own entry: resolved once SQS has stored
 * it, rejected if SQS refused it or the call failed.
 */
export function createIntakeSender(sqs: SQSClient, queues: IntakeQueues, maxInFlight = 1): Enqueue {
  type Message = ReturnType<typeof messageOf>;
  const senderOf = (priority: Priority) =>
    groupCommit<Message, void>({
      maxInFlight,
      take: (waiting) => {
        // The longest run from the head that fits in one call.
        let n = 0;
        for (let bytes = 0; n < Math.min(waiting.length, MAX_BATCH); n++) {
          bytes += sizeOf(waiting[n]!);
          if (n > 0 && bytes > MAX_BATCH_BYTES) break;
        }
        return n;
      },
      write: async (batch) => {
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queues[priority].url, Entries: batch.map((m, i) => ({ Id: String(i), ...m })) }));
        const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
        return batch.map((_, i) => {
          const f = failed.get(String(i));
          return f ? new Error(`SQS refused the command (${f.Code}): ${f.Message ?? 'no reason given'}`) : undefined;
        });
      },
    });
  const senders = Object.fromEntries(PRIORITIES.map((p) => [p, senderOf(p)])) as Record<Priority, (m: Message) => Promise<void>>;
  return (priority, command) => senders[priority](messageOf(priority, command));
}

export interface QueueDepths {
  /** Messages waiting per priority (not counting those in flight). */
  waiting: Record<Priority, number>;
  /** Messages in the dead-letter queues, all priorities together. */
  deadLetters: number;
}

/** Messages waiting in one queue, as SQS approximates them. */
export const queueDepth = async (sqs: SQSClient, url: string): Promise<number> => {
  const r = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(r.Attributes?.ApproximateNumberOfMessages ?? 0);
};

/** Backlog per priority and dead letters, as SQS approximates them. */
export async function queueDepths(sqs: SQSClient, queues: IntakeQueues): Promise<QueueDepths> {
  const [waiting, dead] = await Promise.all([
    Promise.all(PRIORITIES.map((p) => queueDepth(sqs, queues[p].url))),
    Promise.all(PRIORITIES.map((p) => queueDepth(sqs, queues[p].dlqUrl))),
  ]);
  return {
    waiting: Object.fromEntries(PRIORITIES.map((p, i) => [p, waiting[i]!])) as Record<Priority, number>,
    deadLetters: dead.reduce((a, b) => a + b, 0),
  };
}
