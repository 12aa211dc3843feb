/**
 * Watches the saga's outcome events (`reserva.confirmada`, `reserva.fallida`) on Kafka
 * and tells when each booking got one, in this process's clock (performance.now()), so
 * "request → confirmed" needs no polling. The consumer joins before anything is sent.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { Config } from '../../src/config';
import { TOPICS } from '../../src/shared/topics';

export interface Outcome {
  at: number;
  confirmed: boolean;
  reason?: string;
}

export interface ConfirmationWatcher {
  /** Resolves with the booking's outcome, or rejects after timeoutMs. */
  outcome(bookingId: string, timeoutMs: number): Promise<Outcome>;
  stop(): Promise<void>;
}

export async function watchConfirmations(cfg: Config): Promise<ConfirmationWatcher> {
  const kafka = new Kafka({ clientId: 'instudio-bench', brokers: cfg.kafka.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `instudio-bench-${Date.now().toString(36)}`, maxWaitTimeInMs: 100 });
  const seen = new Map<string, Outcome>();
  const waiting = new Map<string, (o: Outcome) => void>();
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPICS.bookingConfirmed, TOPICS.bookingFailed], fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const at = performance.now();
      const event = JSON.parse(message.value?.toString() ?? '{}') as { data?: { bookingId?: string; reason?: string } };
      const bookingId = event.data?.bookingId;
      if (!bookingId || seen.has(bookingId)) return;
      const outcome: Outcome = { at, confirmed: topic === TOPICS.bookingConfirmed, ...(event.data?.reason ? { reason: event.data.reason } : {}) };
      seen.set(bookingId, outcome);
      waiting.get(bookingId)?.(outcome);
    },
  });
  await joined;
  return {
    outcome(bookingId, timeoutMs) {
      const known = seen.get(bookingId);
      if (known) return Promise.resolve(known);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no outcome for booking ${bookingId} within ${timeoutMs / 1000} s`)), timeoutMs);
        waiting.set(bookingId, (o) => {
          clearTimeout(timer);
          resolve(o);
        });
      });
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}
