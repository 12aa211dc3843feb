/** Kafka client (kafkajs) configured for the product's brokers, with kafkajs logs routed to one logger. */
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../config';

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** How soon kafkajs looks again at a request that waits for a free slot (its own constant). */
const CHECK_PENDING_REQUESTS_MS = 10;

/**
 * kafkajs 2.2.4 keeps a 1 ms timer running on every broker connection, busy or idle:
 * with no request waiting and no throttle, `scheduleCheckPendingRequests` sets a timeout
 * of (throttledUntil - now), a negative delay that Node runs after 1 ms, and the check
 * it runs schedules the next one (kafkajs issues 1556, 1604 and 1704; the fix of pull
 * request 1667 was never released). An idle gateway woke ~1,600 times a second for it,
 * 55 ms of CPU a second. Here a check is scheduled only while a request waits or until
 * a throttle ends, as that pull request does; a request that starts waiting schedules
 * one itself (`push`), and every answer or timeout checks again.
 */
export function patchKafkajsIdleTimer(RequestQueue: { prototype: RequestQueueInternals }): void {
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals) {
    if (this.throttleCheckTimeoutId) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    if (this.pending.length === 0 && untilUnthrottled <= 0) return;
    const delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_MS;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's internal module (the version is pinned)
patchKafkajsIdleTimer(require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals });

export type KafkaLogSink = (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: object) => void;

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(cfg: Config, opts: { clientId?: string; sink?: KafkaLogSink } = {}): Kafka {
  const sink = opts.sink;
  return new Kafka({
    clientId: opts.clientId ?? cfg.kafka.clientId,
    brokers: cfg.kafka.brokers,
    connectionTimeout: 3000,
    logLevel: sink ? logLevel.WARN : logLevel.NOTHING,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, ...extra } = log;
        sink?.(levels[level] ?? 'info', `kafkajs ${namespace}: ${message}`, extra);
      },
  });
}

/** A process's Kafka client, its kafkajs warnings and errors on the process's logger. */
export function createProcessKafka(cfg: Config, logger: Logger, clientId: string): Kafka {
  const log = logger.child({ component: 'kafka' });
  return createKafka(cfg, { clientId, sink: (level, msg, extra) => log[level](extra, msg) });
}
