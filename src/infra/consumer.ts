/**
 * One way to consume the product's events: a consumer group that reads the envelope,
 * drops events it has already handled (by event id), commits only what its handler
 * finished (a handler that throws gets the event again), and rides out broker restarts.
 * kafkajs restarts a consumer that crashed on a retriable error by itself; one that
 * crashed for good is rebuilt here after a pause.
 *
 * At start it makes sure its topics exist (a brand-new broker has none, and a consumer
 * that subscribes first gets "This server does not host this topic-partition") and
 * rides out what a broker that is still coming up answers — unknown topic, coordinator
 * not (yet) available, no leader, no connection — with backoff instead of failing.
 */
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventEnvelope, Topic } from '../shared/topics';
import { ensureTopics, type TopicSettings } from './events';

export interface EventConsumer {
  /** In its group with partitions assigned (false while it is rejoining). */
  readonly ready: boolean;
  stop(): Promise<void>;
}

export interface ConsumerOptions<T> {
  kafka: Kafka;
  groupId: string;
  topics: readonly Topic[];
  /** How the product's topics are created when they do not exist yet. */
  topicSettings: TopicSettings;
  logger: Logger;
  handle(event: EventEnvelope<T>, topic: string): Promise<void>;
  /**
   * A new group starts from the oldest event (read models) or from the newest (caches,
   * notifications). Either way, once started it resumes from its committed offsets.
   */
  fromBeginning?: boolean;
  /** Called when the consumer crashes, or skips an unreadable event (e.g. to drop state that needs every event). */
  onMissed?: () => void;
  /** A group of this process alone (e.g. a cache's): nothing to resume after a restart. */
  ephemeral?: boolean;
  /** Event ids remembered to drop redeliveries; handlers stay idempotent anyway. */
  rememberIds?: number;
}

/** Remembers the last event ids seen, to drop redeliveries. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly max = 100_000) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
  }
}

const RESTART_AFTER_MS = 5000;
const START_BACKOFF_MS = { first: 250, max: 5000 };

/** What a broker that is still starting (or a topic still being created) answers. */
const TRANSIENT_AT_START = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_COORDINATOR',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'REBALANCE_IN_PROGRESS',
]);

/** kafkajs marks transient errors retriable; an error after its own retries wraps the last one. */
export function isTransientKafkaError(err: unknown): boolean {
  for (let e = err as { retriable?: boolean; type?: string; originalError?: unknown; cause?: unknown } | undefined; e; ) {
    if (e.retriable === true || (e.type !== undefined && TRANSIENT_AT_START.has(e.type))) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/** Starts consuming; resolves once the consumer has joined its group. */
export async function startEventConsumer<T>(opts: ConsumerOptions<T>): Promise<EventConsumer> {
  const { logger } = opts;
  const recent = new RecentIds(opts.rememberIds);
  let ready = false;
  let stopping = false;
  let consumer: Consumer | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let everJoined = false;

  const run = async (): Promise<void> => {
    const c = opts.kafka.consumer({ groupId: opts.groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 });
    consumer = c;
    let failedBeforeJoin: (err: Error) => void = () => undefined;
    const joined = new Promise<void>((resolve, reject) => {
      c.on(c.events.GROUP_JOIN, () => resolve());
      failedBeforeJoin = reject;
    });
    joined.catch(() => undefined);
    c.on(c.events.GROUP_JOIN, () => {
      ready = true;
      everJoined = true;
    });
    c.on(c.events.CRASH, ({ payload }) => {
      ready = false;
      opts.onMissed?.();
      if (!everJoined) {
        // Still starting: kafkajs retries a retriable crash itself; the start loop below retries the rest.
        if (!payload.restart) failedBeforeJoin(payload.error);
        return;
      }
      logger.error({ err: payload.error, groupId: opts.groupId, restart: payload.restart }, 'event consumer crashed');
      if (!payload.restart && !stopping) {
        restartTimer = setTimeout(() => {
          c
            .disconnect()
            .catch(() => undefined)
            .then(run)
            .catch((err: unknown) => logger.error({ err }, 'event consumer could not restart'));
        }, RESTART_AFTER_MS);
      }
    });
    await c.connect();
    await c.subscribe({ topics: [...opts.topics], fromBeginning: opts.fromBeginning ?? false });
    await c.run({
      eachMessage: async ({ topic, partition, message }) => {
        let event: EventEnvelope<T>;
        try {
          event = JSON.parse(String(message.value)) as EventEnvelope<T>;
          if (typeof event?.id !== 'string' || typeof event.data !== 'object' || event.data === null) throw new Error('not an event envelope');
        } catch (err) {
          logger.warn({ err, topic, partition, offset: message.offset }, 'unreadable event skipped');
          opts.onMissed?.();
          return;
        }
        if (recent.has(event.id)) return;
        await opts.handle(event, topic); // throws: not committed, delivered again
        recent.add(event.id);
      },
    });
    await joined;
  };

  /** Until it is in its group: topics ensured, offsets pinned, subscribed, joined. */
  const start = async (): Promise<void> => {
    await ensureTopics(opts.kafka, { ...opts.topicSettings, topics: opts.topics });
    if (!opts.fromBeginning && !opts.ephemeral) await pinToLatest(opts.kafka, opts.groupId, opts.topics, logger);
    await run();
  };
  for (let attempt = 1, backoff = START_BACKOFF_MS.first; ; attempt++, backoff = Math.min(backoff * 2, START_BACKOFF_MS.max)) {
    try {
      await start();
      break;
    } catch (err) {
      await consumer?.disconnect().catch(() => undefined);
      if (stopping || !isTransientKafkaError(err)) throw err;
      logger.warn({ err, groupId: opts.groupId, attempt, retryInMs: backoff }, 'event consumer not started yet (Kafka still coming up); retrying');
      await new Promise((r) => setTimeout(r, backoff));
    }
  }
  return {
    get ready() {
      return ready;
    },
    async stop() {
      stopping = true;
      ready = false;
      clearTimeout(restartTimer);
      await consumer?.disconnect();
    },
  };
}

/**
 * Commits "now" for every partition the group has no offset for yet. Without it a new
 * group that has consumed nothing re-resolves "latest" each time it rejoins, so a
 * restart (of the process or of the broker) would skip what arrived in between.
 */
async function pinToLatest(kafka: Kafka, groupId: string, topics: readonly string[], logger: Logger): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // A new broker creates its offsets topic on the first group request: until then the
    // coordinator is "not available" or "not the correct one", retriable errors.
    for (let attempt = 1; ; attempt++) {
      try {
        await pinUnset(admin, groupId, topics, logger);
        return;
      } catch (err) {
        if (!isTransientKafkaError(err) || attempt >= PIN_ATTEMPTS) {
          logger.warn({ err, groupId }, 'could not pin the new group to the latest offsets; it starts from "latest" on join');
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

const PIN_ATTEMPTS = 10;


async function pinUnset(admin: Admin, groupId: string, topics: readonly string[], logger: Logger): Promise<void> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const { topic, partitions } of committed) {
    const unset = new Set(partitions.filter((p) => p.offset === '-1').map((p) => p.partition));
    if (unset.size === 0) continue;
    const latest = await admin.fetchTopicOffsets(topic);
    const partitionsToPin = latest.filter((p) => unset.has(p.partition)).map((p) => ({ partition: p.partition, offset: p.high }));
    // Fails while another member of the group is running: then the group has its offsets already.
    await admin.setOffsets({ groupId, topic, partitions: partitionsToPin }).catch((err: unknown) => logger.debug({ err, groupId, topic }, 'offsets not pinned'));
  }
}
