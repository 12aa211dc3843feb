/**
 * Two attempts of the payment step at once (the first's heartbeat lapsed while its
 * worker was still charging), against Stripe's idempotency as real Stripe has it (a
 * proxy over localstripe, which ignores Idempotency-Key): both see the same
 * PaymentIntent, and the one that did not store it must not void it — the winner's
 * payment would be lost and the booking failed.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Connection } from 'mongoose';
import { createBookingActivities, type Paid } from '../../activities/booking';
import { HEARTBEAT_EVERY_MS } from '../../activities/heartbeat';
import { loadConfig } from '../../src/config';
import { createModels, type Models } from '../../src/infra/models';
import { connectMongo } from '../../src/infra/mongo';
import { createStripe } from '../../src/infra/stripe';
import { startIdempotentStripe, type IdempotentStripe } from '../support/idempotent-stripe';
import { pendingBookingOf, quietEvents as events, quietMetrics as metrics } from '../support/activity-deps';

const cfg = loadConfig();
let conn: Connection;
let models: Models;
let proxy: IdempotentStripe;

beforeAll(async () => {
  conn = await connectMongo(cfg);
  models = createModels(conn);
  proxy = await startIdempotentStripe(cfg.stripe.apiUrl);
});
afterAll(async () => {
  await proxy?.close();
  await conn?.close();
});

test('when two payment attempts run at once, then both end with the one stored PaymentIntent, charged once, and neither voids it', async () => {
  const bookingId = await pendingBookingOf(models, 'c-pay');
  const stripe = createStripe(loadConfig({ ...process.env, STRIPE_API_URL: proxy.url }));
  const activities = createBookingActivities({ models, stripe, events, metrics });
  const attempt = () => new MockActivityEnvironment().run((ref: { bookingId: string }) => activities.confirmPayment(ref), { bookingId });

  const intentKey = `booking-${bookingId}-intent`;
  // Both attempts get the created intent together; then the charge waits until anyone
  // asks Stripe to cancel an intent (the old "another attempt won" branch did), or 2 s.
  proxy.hold({ held: (r) => r.key === intentKey, until: (r) => r.key === intentKey && r.seen === 2, maxMs: 10_000 });
  proxy.hold({ held: (r) => r.path.endsWith('/confirm'), until: (r) => r.path.endsWith('/cancel'), maxMs: 2000 });
  const results = await Promise.all([attempt(), attempt()]);

  const stored = (await models.Booking.findById(bookingId).lean())!.paymentIntentId!;
  expect(results).toEqual([{ paymentIntentId: stored }, { paymentIntentId: stored }]);
  const intent = await createStripe(cfg).paymentIntents.retrieve(stored);
  expect(intent.status).toBe('succeeded');
  expect(intent.amount).toBe(2500);
});

describe('heartbeats of the payment step', () => {
  const payWith = (stripe: ReturnType<typeof createStripe>, bookingId: string, env: MockActivityEnvironment) => {
    const activities = createBookingActivities({ models, stripe, events, metrics });
    return env.run<[{ bookingId: string }], Paid, (ref: { bookingId: string }) => Promise<Paid>>((ref) => activities.confirmPayment(ref), { bookingId });
  };
  const counted = () => {
    const env = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => heartbeats.push(d));
    return { env, heartbeats };
  };

  test('when Stripe answers within the step’s first 2 s, then the step sends Temporal no heartbeat', async () => {
    const bookingId = await pendingBookingOf(models, 'c-pay');
    const { env, heartbeats } = counted();
    const started = performance.now();

    const { paymentIntentId } = await payWith(createStripe(cfg), bookingId, env);
    expect((await createStripe(cfg).paymentIntents.retrieve(paymentIntentId!)).status).toBe('succeeded');
    // None in the first 2 s, one at most every 2 s after (activities/heartbeat.ts).
    expect(heartbeats.length).toBeLessThanOrEqual(Math.floor((performance.now() - started) / HEARTBEAT_EVERY_MS));
  });

  test('when a Stripe call is still in flight after 2 s, then the step heartbeats while it waits', async () => {
    const bookingId = await pendingBookingOf(models, 'c-pay');
    const stripe = createStripe(loadConfig({ ...process.env, STRIPE_API_URL: proxy.url }));
    const { env, heartbeats } = counted();
    // The charge is answered once the step has heartbeated (the handler tells the proxy), or after 20 s.
    const released = '/v1/__test_heartbeat_seen';
    proxy.hold({ held: (r) => r.path.endsWith('/confirm'), until: (r) => r.path === released, maxMs: 20_000 });
    env.once('heartbeat', () => void fetch(`${proxy.url}${released}`).catch(() => undefined));

    const { paymentIntentId } = await payWith(stripe, bookingId, env);
    expect(heartbeats.length).toBeGreaterThanOrEqual(1);
    expect((await createStripe(cfg).paymentIntents.retrieve(paymentIntentId!)).status).toBe('succeeded');
  });
});
