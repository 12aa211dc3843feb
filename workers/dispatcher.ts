/**
 * The dispatcher: drains the SQS priority queues (high first, with the starvation bound
 * of PriorityScheduler) and starts each command's workflow on the Temporal task queue
 * of the same priority. Within a priority it reads ahead (up to READ_AHEAD messages,
 * their visibility kept extended) and starts them taking turns between salons
 * (FairQueue), so one salon's burst does not hold back the others' bookings behind it in
 * SQS, and each salon starts at most `startsPerSalonPerSec` sagas a second (KeyRate), so
 * its burst cannot take the whole machine from the others either; Temporal's matching
 * then shares the workers by the same key. A message is deleted
 * only once its workflow started or already existed, so a duplicate delivery starts
 * nothing twice; a message that cannot be read is handed back at once and reaches the
 * dead-letter queue after maxReceiveCount; on SIGTERM it stops receiving and hands back
 * what it has not started.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../src/config';
import { PRIORITIES, type Priority, prioritiesAbove } from '../src/domain/priority';
import { PriorityScheduler } from '../src/domain/priority-scheduler';
import { FairQueue } from '../src/domain/fair-queue';
import { KeyRate } from '../src/domain/key-rate';
import { createIntakeSender, ensureIntakeQueues, type IntakeQueues, queueDepths } from '../src/infra/intake';
import { openModels } from '../src/infra/models';
import { createProcessMetrics, type Metrics } from '../src/infra/metrics';
import { createSqsClient } from '../src/infra/sqs';
import { createTemporalClient } from '../src/infra/temporal';
import { type BookingInput, taskQueueFor, WORKFLOW_TYPE, workflowIdFor } from '../src/shared/booking';
import { sagaSummary } from '../src/domain/saga-summary';
import { IntakeCommand } from '../src/shared/intake';
import { runProcess } from '../src/shared/process';
import { reconcilePending } from './reconciler';
import { endedAmong } from '../src/infra/bookings';
import { sweepOrphanLocks } from '../src/infra/slot-locks';
import { BookingIdKey, BookingStatusKey, NeedsAttentionKey, PriorityKey, SalonIdKey } from '../src/shared/search-attributes';

/** Temporal's priority keys: lower runs first. */
const PRIORITY_KEY: Record<Priority, number> = { high: 1, normal: 3, low: 5 };
const BATCH = 10;
/** `items` in groups of at most BATCH, the most one SQS batch call takes. */
const inBatches = <T>(items: readonly T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / BATCH) }, (_, b) => items.slice(b * BATCH, (b + 1) * BATCH));
/** Starts per turn: a high turn starts up to 30 commands at once, the others 10. */
const STARTS_PER_TURN: Record<Priority, number> = { high: 30, normal: 10, low: 10 };
/**
 * Starts under way at most, across turns: a high turn's. The next turn waits for the
 * last one to end (a busy queue's arrivals meanwhile gather into its next turn, one
 * receive and one delete for several), unless a queue above the last turn's brings a
 * message: that turn is started beside it, up to this many starts under way, so a high
 * booking never waits for a normal turn's starts to finish, and Temporal never sees
 * more starts at once than one high turn gives it.
 */
const STARTS_IN_FLIGHT = STARTS_PER_TURN.high;
/** Messages received ahead of their start, per priority; fairness between salons acts among them. */
const READ_AHEAD = 1000;
/** Receives in parallel per top-up (10 messages each). */
const RECEIVES_PER_TOP_UP = 5;

/** A message received and parsed, waiting in the read-ahead for its turn. */
interface Received {
  message: Message;
  command: IntakeCommand;
}

export interface Started {
  priority: Priority;
  workflowId: string;
  /** ms from the message's arrival in SQS to the workflow start. */
  intakeToStartMs: number;
  /** When the start was asked of Temporal (`performance.now()`, the clock the salon's start rate spaces starts by). */
  requestedAt: number;
  duplicate: boolean;
}

export interface Dispatcher {
  stop(): Promise<void>;
  done: Promise<void>;
  /** Receiving: not stopping, and the last receive from SQS worked. */
  readonly ready: boolean;
}

export interface DispatcherDeps {
  sqs: SQSClient;
  queues: IntakeQueues;
  temporal: Client;
  metrics: Metrics;
  logger: Logger;
  /** Told of every start, in order (benchmarks and tests). */
  onStart?: (s: Started) => void;
  /** The fairness key of a booking, in the read-ahead and in matching: its salon (a benchmark compares others). */
  fairnessKeyOf?: (input: BookingInput) => string;
  /** Long-poll wait when every queue is empty (s). */
  idleWaitSec?: number;
  /** How often queue depths are published (ms). */
  depthIntervalMs?: number;
  /** The intake queues' visibility timeout (s): the read-ahead is extended by it. */
  visibilityTimeoutSec?: number;
  /** Sagas one fairness key (salon) may start per second, across priorities; 0: no limit. */
  startsPerSalonPerSec?: number;
}

const salonOf = (input: BookingInput): string => input.salonId;

export function runDispatcher(deps: DispatcherDeps): Dispatcher {
  const { sqs, queues, temporal, metrics, logger } = deps;
  const scheduler = new PriorityScheduler();
  const rate = new KeyRate(deps.startsPerSalonPerSec ?? 0);
  const fairnessKeyOf = (command: IntakeCommand): string =>
    command.kind === 'booking' ? (deps.fairnessKeyOf ?? salonOf)(command.input) : 'imports';
  const readAhead = Object.fromEntries(PRIORITIES.map((p) => [p, new FairQueue<Received>()])) as Record<Priority, FairQueue<Received>>;
  /** Every message in the read-ahead by id: a redelivery refreshes its receipt handle instead of queueing twice. */
  const waiting = Object.fromEntries(PRIORITIES.map((p) => [p, new Map<string, Received>()])) as Record<Priority, Map<string, Received>>;
  /** Messages admitted per priority so far: a read-ahead round sees whether a queue above brought any. */
  const admitted = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
  let stopping = false;
  let receiving = false;

  const handBack = (priority: Priority, m: Message) =>
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queues[priority].url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));

  const start = async (priority: Priority, command: IntakeCommand): Promise<{ workflowId: string; duplicate: boolean }> => {
    const [workflowType, workflowId, args, searchAttributes, fairnessKey, metadata] =
      command.kind === 'booking'
        ? [
            WORKFLOW_TYPE,
            workflowIdFor(command.input.bookingId),
            [command.input],
            [
              { key: BookingIdKey, value: command.input.bookingId },
              { key: SalonIdKey, value: command.input.salonId },
              { key: PriorityKey, value: priority },
              { key: BookingStatusKey, value: 'pending' },
              { key: NeedsAttentionKey, value: false },
            ],
            // Within a priority, Temporal's matching shares dispatch between salons.
            fairnessKeyOf(command),
            sagaSummary(command.input, command.display),
          ]
        : [
            'catalogueImport',
            `import:${command.importId}`,
            [command],
            [{ key: PriorityKey, value: priority }],
            fairnessKeyOf(command),
            { staticSummary: `Import of ${command.salons.length} salon(s), ${command.importId}` },
          ];
    try {
      await temporal.workflow.start(workflowType, {
        taskQueue: taskQueueFor(priority),
        workflowId,
        args,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        priority: { priorityKey: PRIORITY_KEY[priority], fairnessKey },
        typedSearchAttributes: searchAttributes,
        ...metadata,
      });
      return { workflowId, duplicate: false };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, duplicate: true };
      throw err;
    }
  };

  /** Parses what SQS handed over into the read-ahead; what cannot be read is handed back for the DLQ. */
  const admit = async (priority: Priority, messages: Message[]): Promise<void> => {
    for (const message of messages) {
      const known = waiting[priority].get(message.MessageId ?? '');
      if (known) {
        known.message = message; // visible again and received anew: its newest receipt handle counts
        continue;
      }
      let command: IntakeCommand;
      try {
        command = IntakeCommand.parse(JSON.parse(message.Body ?? ''));
      } catch (err) {
        // Poison: visible again at once, so it reaches the DLQ after maxReceiveCount receives.
        logger.warn({ messageId: message.MessageId, priority, err: (err as Error).message }, 'unreadable intake message');
        metrics.record('IntakePoison', 1, 'Count', { Priority: priority });
        await handBack(priority, message);
        continue;
      }
      const entry = { message, command };
      admitted[priority] += 1;
      waiting[priority].set(message.MessageId ?? '', entry);
      readAhead[priority].push(fairnessKeyOf(command), entry);
    }
  };

  /** Starts one command's workflow; true once it started or already existed (its message can go). */
  const startOne = async (priority: Priority, { message: m, command }: Received): Promise<boolean> => {
    const requestedAt = performance.now();
    try {
      const { workflowId, duplicate } = await start(priority, command);
      const intakeToStartMs = Date.now() - Number(m.Attributes?.SentTimestamp ?? Date.now());
      metrics.record('IntakeToStart', intakeToStartMs, 'Milliseconds', { Priority: priority });
      metrics.record('Starts', 1, 'Count', { Priority: priority });
      deps.onStart?.({ priority, workflowId, intakeToStartMs, requestedAt, duplicate });
      return true;
    } catch (err) {
      // Temporal unreachable or similar: the message comes back after its visibility timeout.
      logger.error({ err, messageId: m.MessageId, priority }, 'could not start the workflow; the message will be retried');
      return false;
    }
  };

  /** DeleteMessageBatch calls under way: a turn does not wait for them, stop() does. */
  const deleting = new Set<Promise<void>>();

  /**
   * Deletes the messages of started commands, ten to a DeleteMessageBatch, beside
   * whatever turn comes next. One that is not deleted comes back after its visibility
   * timeout and finds its workflow started (a duplicate: deleted then).
   */
  const deleteStarted = (priority: Priority, messages: Message[]): void => {
    for (const batch of inBatches(messages)) {
      const entries = batch.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
      const call: Promise<void> = sqs
        .send(new DeleteMessageBatchCommand({ QueueUrl: queues[priority].url, Entries: entries }))
        .catch((err: unknown) => ({ Failed: entries.map((e) => ({ Id: e.Id, Message: (err as Error).message })) }))
        .then((res) => {
          for (const failed of res.Failed ?? []) {
            logger.warn({ priority, reason: failed.Message }, 'could not delete a started command’s message; it will come back as a duplicate');
          }
        })
        .finally(() => deleting.delete(call));
      deleting.add(call);
    }
  };

  /**
   * Starts a turn's commands together; the turn is over once Temporal has answered each
   * start, and the messages of those that started are deleted beside the next turn (a
   * delete waited for here held every command read meanwhile back by its round trip).
   * While stopping, every message is handed back instead.
   */
  const handle = async (priority: Priority, turn: Received[]): Promise<void> => {
    for (const { message } of turn) waiting[priority].delete(message.MessageId ?? '');
    if (stopping) return void (await Promise.allSettled(turn.map((r) => handBack(priority, r.message))));
    const started = await Promise.all(turn.map((r) => startOne(priority, r)));
    deleteStarted(
      priority,
      turn.filter((_, i) => started[i]).map((r) => r.message),
    );
  };

  const receive = async (priority: Priority, waitSec: number): Promise<Message[]> => {
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues[priority].url,
        MaxNumberOfMessages: BATCH,
        WaitTimeSeconds: waitSec,
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      }),
    );
    receiving = true;
    return res.Messages ?? [];
  };

  /**
   * A receive without waiting, unless a long poll of that queue is under way: that poll
   * hands over whatever arrives the moment it arrives, so a second receive beside it would
   * find nothing and cost both sides a call (at one booking at a time, three of the seven
   * SQS calls each booking took).
   */
  const receiveNow = (priority: Priority): Promise<Message[]> => (idlePolls.has(priority) ? Promise.resolve([]) : receive(priority, 0));

  /**
   * Fills a priority's read-ahead from SQS without waiting: one receive, then, while they
   * come back full, several at once until the read-ahead is full or SQS has no more — so
   * a booking behind another salon's burst is read within one turn, not after the burst.
   * Each of those rounds also reads the queues above this one; once one of them brings a
   * message (that round's receive or a long poll of that queue), reading stops and this
   * turn goes ahead with what it has, so that message waits for one turn, not for this
   * queue's whole backlog to be read.
   */
  const topUp = async (priority: Priority): Promise<void> => {
    if (readAhead[priority].size >= READ_AHEAD) return;
    const first = await receiveNow(priority);
    await admit(priority, first);
    const above = prioritiesAbove(priority);
    let full = first.length === BATCH;
    while (full && !stopping) {
      const receives = Math.min(RECEIVES_PER_TOP_UP, Math.ceil((READ_AHEAD - readAhead[priority].size) / BATCH));
      if (receives <= 0) return;
      const admittedAbove = above.map((p) => admitted[p]);
      const [batches] = await Promise.all([
        Promise.all(Array.from({ length: receives }, () => receive(priority, 0))),
        Promise.all(above.map(async (p) => admit(p, await receiveNow(p)))),
      ]);
      await admit(priority, batches.flat());
      const arrivedAbove = above.some((p, i) => admitted[p] > admittedAbove[i]!);
      full = !arrivedAbove && batches.every((b) => b.length === BATCH);
    }
  };

  /** Long polls of idle queues still under way, at most one per queue; each serves what it receives. */
  const idlePolls = new Map<Priority, Promise<number>>();
  const idlePoll = (priority: Priority): Promise<number> => {
    const running = idlePolls.get(priority);
    if (running) return running;
    const poll = receive(priority, deps.idleWaitSec ?? 5)
      .then(async (batch) => {
        await admit(priority, batch);
        // A poll that returns after stop() finds no loop left to serve it.
        if (stopping) await handle(priority, readAhead[priority].drain());
        return batch.length;
      })
      .finally(() => idlePolls.delete(priority));
    idlePolls.set(priority, poll);
    return poll;
  };
  /**
   * Long-polls the queues `of` (every queue by default) until one poll brings messages, or `ms`
   * passed, or `until` settled, or the dispatcher stops. A poll that comes back empty is
   * started again at once: a message never waits for another queue's poll to time out
   * (up to idleWaitSec). Once this resolves, the polls under way go on and serve what
   * they receive, but none is started again.
   */
  const untilWork = ({ ms, until, of = PRIORITIES }: { ms?: number; until?: Promise<unknown>; of?: readonly Priority[] } = {}): Promise<void> =>
    new Promise((resolve, reject) => {
      let over = false;
      const settle = (then: () => void) => {
        if (over) return;
        over = true;
        clearTimeout(timer);
        then();
      };
      const timer = ms === undefined ? undefined : setTimeout(() => settle(resolve), ms);
      void until?.finally(() => settle(resolve));
      const watch = (priority: Priority): void =>
        void idlePoll(priority).then(
          (n) => {
            if (over) return;
            if (n > 0 || stopping) settle(resolve);
            else watch(priority);
          },
          (err: Error) => settle(() => reject(err)),
        );
      for (const priority of of) watch(priority);
    });

  /** Turns under way, and how many starts they hold. */
  const turns = new Set<Promise<void>>();
  let startsInFlight = 0;
  const launch = (priority: Priority, turn: Received[]): Promise<void> => {
    startsInFlight += turn.length;
    const running: Promise<void> = handle(priority, turn)
      .catch((err: unknown) => logger.error({ err, priority }, 'a turn of starts failed; its messages come back after their visibility timeout'))
      .finally(() => {
        startsInFlight -= turn.length;
        turns.delete(running);
      });
    turns.add(running);
    return running;
  };

  const loop = async (): Promise<void> => {
    while (!stopping) {
      try {
        if (startsInFlight >= STARTS_IN_FLIGHT) {
          await Promise.race(turns);
          continue;
        }
        let served = false;
        let limited = false;
        for (const priority of scheduler.order()) {
          await topUp(priority);
          const room = Math.min(STARTS_PER_TURN[priority], STARTS_IN_FLIGHT - startsInFlight);
          const batch = readAhead[priority].take(room, (key) => rate.tryTake(key));
          limited ||= readAhead[priority].size > 0;
          if (batch.length === 0) continue;
          scheduler.served(priority);
          const running = launch(priority, batch);
          served = true;
          const above = prioritiesAbove(priority);
          await (above.length > 0 ? untilWork({ of: above, until: running }) : running);
          break;
        }
        if (served || stopping) continue;
        if (limited) {
          // Only salons over their rate are waiting: until one has a token again, or a
          // poll brings another salon's booking.
          await untilWork({ ms: rate.refillMs });
          continue;
        }
        // Every queue is empty: long-poll each one and serve as soon as one poll returns
        // work; back to turns by priority then.
        scheduler.idle();
        await untilWork();
      } catch (err) {
        if (stopping) break;
        receiving = false;
        logger.error({ err }, 'intake receive failed; retrying in 1 s');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };

  // Queue depth per priority and dead letters, for dashboards, alarms and autoscaling: at start, then on a timer.
  const publishDepth = () =>
    queueDepths(sqs, queues).then(
      (d) => {
        for (const p of PRIORITIES) metrics.record('QueueDepth', d.waiting[p], 'Count', { Priority: p });
        metrics.record('DeadLetterDepth', d.deadLetters, 'Count');
      },
      (err: unknown) => logger.warn({ err }, 'could not read the queue depths'),
    );
  const depthTimer = setInterval(() => void publishDepth(), deps.depthIntervalMs ?? 15_000);
  depthTimer.unref();

  // The read-ahead stays invisible to other receivers until it is started: every third of
  // the visibility timeout its messages get a whole timeout again.
  const visibilityTimeoutSec = deps.visibilityTimeoutSec ?? 30;
  const keepInvisible = async (): Promise<void> => {
    for (const p of PRIORITIES) {
      for (const batch of inBatches([...waiting[p].values()])) {
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queues[p].url,
            Entries: batch.map((e, j) => ({
              Id: String(j),
              ReceiptHandle: e.message.ReceiptHandle,
              VisibilityTimeout: visibilityTimeoutSec,
            })),
          }),
        );
      }
    }
  };
  const visibilityTimer = setInterval(
    () => void keepInvisible().catch((err: unknown) => logger.warn({ err }, 'could not extend the read-ahead’s visibility')),
    (visibilityTimeoutSec * 1000) / 3,
  );
  visibilityTimer.unref();

  const done = publishDepth().then(loop);
  return {
    done,
    get ready() {
      return receiving && !stopping;
    },
    async stop() {
      stopping = true;
      clearInterval(depthTimer);
      clearInterval(visibilityTimer);
      // The polls under way are left to finish (at most idleWaitSec): aborting one would strand
      // the messages SQS hands to it until their visibility timeout. What they return is handed back.
      await done;
      await Promise.allSettled([...turns, ...idlePolls.values()]);
      await Promise.allSettled(PRIORITIES.map((p) => handle(p, readAhead[p].drain())));
      await Promise.allSettled([...deleting]);
    },
  };
}

export async function startDispatcher(
  cfg: Config,
  logger: Logger,
  opts: Pick<DispatcherDeps, 'onStart' | 'idleWaitSec' | 'depthIntervalMs' | 'fairnessKeyOf' | 'startsPerSalonPerSec'> = {},
) {
  const sqs = createSqsClient(cfg);
  const queues = await ensureIntakeQueues(sqs, cfg);
  const temporal = await createTemporalClient(cfg);
  const { metrics, close: closeMetrics } = createProcessMetrics(cfg, logger, 'dispatcher');
  const { mongo, models } = await openModels(cfg);
  const dispatcher = runDispatcher({
    sqs,
    queues,
    temporal: temporal.client,
    metrics,
    logger,
    visibilityTimeoutSec: cfg.intake.visibilityTimeoutSec,
    startsPerSalonPerSec: cfg.intake.startsPerSalonPerSec,
    ...opts,
  });
  // Bookings whose command was lost before it became a saga go back on their queue.
  const requeue = createIntakeSender(sqs, queues);
  const relay = (olderThanMs?: number) => () =>
    reconcilePending({
      models,
      temporal: temporal.client,
      enqueue: requeue,
      logger,
      ...(olderThanMs !== undefined ? { olderThanMs } : {}),
      booking: cfg.booking,
    }).catch((err: unknown) => logger.warn({ err }, 'intake relay failed; will try again'));
  // Locks an activity attempt took after its saga had released the hold.
  const sweepLocks = () =>
    sweepOrphanLocks(models, { withinMs: 86_400_000, ended: (ids) => endedAmong(models, ids) })
      .then((n) => n > 0 && logger.warn({ locks: n }, 'orphan slot locks of ended bookings deleted'))
      .catch((err: unknown) => logger.warn({ err }, 'slot lock sweep failed; will try again'));
  let sweeping: Promise<unknown> = Promise.resolve();
  const every = (ms: number, task: () => Promise<unknown>) => {
    const timer = setInterval(() => {
      sweeping = sweeping.then(task);
    }, ms);
    timer.unref();
    return timer;
  };
  const timers = [
    every(cfg.intake.reconcileIntervalMs, relay(cfg.intake.reconcileAfterMs)),
    every(cfg.intake.relayIntervalMs, relay()),
    every(cfg.intake.lockSweepIntervalMs, sweepLocks),
  ];
  logger.info({ queues: PRIORITIES.map((p) => queues[p].url) }, 'dispatcher receiving');
  return {
    queues,
    metrics,
    done: dispatcher.done,
    get ready() {
      return dispatcher.ready;
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await dispatcher.stop();
      await sweeping;
      await mongo.close();
      await closeMetrics();
      await temporal.close();
      sqs.destroy();
    },
  };
}

if (require.main === module) {
  runProcess('dispatcher', startDispatcher, 'shutting down: no more receives; handing back what was not started');
}
