/**
 * The salon-webhook delivery workflow on Temporal's time-skipping test server, with stub
 * activities: retried with exponential backoff (the first retry within 30 s), delivered
 * on the first 2xx, failed after 72 h, and stopped at once when its webhook is deleted.
 */
import { RETRY } from '../../src/domain/webhooks';
import { createSagaEnv, type SagaEnv } from '../support/saga-harness';
import { runDelivery, WEBHOOK_BRANCHES } from '../support/webhook-harness';

let saga: SagaEnv;

beforeAll(async () => {
  saga = await createSagaEnv();
}, 120_000);
afterAll(() => saga?.env.teardown());

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

test('when attempts fail, then they are retried with backoff — the first retry within 30 s, each wait about twice the last — until one is answered 2xx', async () => {
  const run = await runDelivery(saga, WEBHOOK_BRANCHES['delivered-after-retries']);
  expect(run.result).toBe('delivered');
  expect(run.attempts).toHaveLength(3);
  const [first, second] = gaps(run.attempts) as [number, number];
  expect(first).toBeGreaterThanOrEqual(RETRY.initialMs - 1000);
  expect(first).toBeLessThan(30_000);
  expect(second / first).toBeGreaterThan(1.5);
  expect(run.failedAt).toEqual([]);
});

test('when every attempt fails, then they go on for 72 h, never more than an hour apart, and the delivery ends failed', async () => {
  const run = await runDelivery(saga, WEBHOOK_BRANCHES['failed-after-72h']);
  expect(run.result).toBe('failed');
  const last = run.attempts.at(-1)!;
  expect(last - run.attempts[0]!).toBeGreaterThan(70 * 3_600_000);
  expect(last - run.attempts[0]!).toBeLessThanOrEqual(RETRY.forMs);
  expect(Math.max(...gaps(run.attempts))).toBeLessThanOrEqual(RETRY.maximumMs + 1000);
  expect(run.failedAt).toHaveLength(1);
  expect(run.failedAt[0]! - run.started).toBeGreaterThanOrEqual(RETRY.forMs - 3_600_000);
});

test('when the webhook is deleted, then no further attempt is made and the delivery ends failed at once', async () => {
  const run = await runDelivery(saga, WEBHOOK_BRANCHES['webhook-deleted']);
  expect(run.result).toBe('failed');
  expect(run.attempts).toHaveLength(2);
  expect(run.failedAt[0]! - run.attempts[1]!).toBeLessThan(60_000);
});
