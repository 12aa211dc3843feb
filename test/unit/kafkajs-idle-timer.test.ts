/**
 * kafkajs's request queue as patched by src/infra/kafka.ts: no timer while nothing waits
 * (kafkajs 2.2.4 ran one every millisecond on every connection), and a request held back
 * by a throttle is still sent once it ends.
 */
import '../../src/infra/kafka';

interface Queue {
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  maybeThrottle(ms: number): void;
  push(request: { entry: { correlationId: number; apiName: string; apiKey: number; apiVersion: number; resolve: () => void; reject: () => void }; expectResponse: boolean; sendRequest: () => void }): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs's internal module, the one patched
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (opts: object) => Queue;

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const newQueue = () =>
  new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'localhost:1', logger: silent });

test('when no request waits and no throttle is on, then checking the queue schedules no timer', () => {
  const queue = newQueue();

  queue.checkPendingRequests();

  expect(queue.throttleCheckTimeoutId).toBeNull();
});

test('when a throttle is on, then a request pushed meanwhile waits for it, and is sent once it ends', async () => {
  const queue = newQueue();
  queue.maybeThrottle(30);
  let sentAt: number | undefined;

  const sent = new Promise<void>((resolve) => {
    queue.push({
      entry: { correlationId: 1, apiName: 'Fetch', apiKey: 1, apiVersion: 11, resolve: () => undefined, reject: () => undefined },
      expectResponse: false,
      sendRequest: () => {
        sentAt = Date.now();
        resolve();
      },
    });
  });

  expect(sentAt).toBeUndefined(); // held for the throttle
  expect(queue.pending).toHaveLength(1);
  expect(queue.throttleCheckTimeoutId).not.toBeNull();
  await sent;
  // sent, and no timer left behind
  expect(queue.pending).toHaveLength(0);
  expect(queue.throttleCheckTimeoutId).toBeNull();
});
