/** Reads what is on a topic, from the beginning, until a condition holds. */
import { loadConfig } from '../../src/config';
import { createKafka } from '../../src/infra/kafka';
import type { EventEnvelope } from '../../src/shared/topics';
import { unique } from './ids';

export interface SeenEvent {
  topic: string;
  key: string;
  event: EventEnvelope<any>;
  /** The message's headers, as strings. */
  headers: Record<string, string>;
}

export async function collectEvents(topics: string[], until: (events: SeenEvent[]) => boolean, timeoutMs = 30_000): Promise<SeenEvent[]> {
  const consumer = createKafka(loadConfig(), { clientId: 'test-reader' }).consumer({ groupId: unique('test-reader'), maxWaitTimeInMs: 100 });
  const seen: SeenEvent[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`events not seen within ${timeoutMs} ms; saw ${seen.length}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ topic, message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          seen.push({ topic, key: String(message.key), event: JSON.parse(String(message.value)), headers });
          if (until(seen)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return seen;
  } finally {
    await consumer.disconnect();
  }
}
