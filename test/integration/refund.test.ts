/**
 * The refund activity against the real Stripe stand-in (localstripe): idempotent on the
 * charge's own `amount_refunded`, so an attempt that died after refunding (before the
 * booking recorded it), or an operator's retry days later when Stripe's idempotency
 * keys have expired, refunds only what is still missing.
 */
import type { Connection } from 'mongoose';
import { createBookingActivities } from '../../activities/booking';
import { loadConfig } from '../../src/config';
import { createModels, type Models } from '../../src/infra/models';
import { connectMongo } from '../../src/infra/mongo';
import { createStripe } from '../../src/infra/stripe';
import { pendingBookingOf, quietEvents as events, quietMetrics as metrics } from '../support/activity-deps';

const cfg = loadConfig();
const stripe = createStripe(cfg);
let conn: Connection;
let models: Models;

beforeAll(async () => {
  conn = await connectMongo(cfg);
  models = createModels(conn);
});
afterAll(() => conn?.close());

/** A booking of 25.00 EUR whose payment succeeded. */
async function paidBooking() {
  const bookingId = await pendingBookingOf(models, 'c-refund');
  const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'eur', payment_method: 'pm_card_visa', metadata: { bookingId } });
  await stripe.paymentIntents.confirm(intent.id);
  await models.Booking.updateOne({ _id: bookingId }, { $set: { paymentIntentId: intent.id } });
  return { bookingId, intentId: intent.id };
}

const refunded = async (intentId: string): Promise<number> => {
  const list = await stripe.refunds.list({ payment_intent: intentId, limit: 100 });
  return list.data.reduce((sum, r) => sum + r.amount, 0);
};

test('when a refund is retried after the booking lost its record of it, then Stripe is not asked to refund twice; the rest is refunded once asked', async () => {
  const { bookingId, intentId } = await paidBooking();
  const activities = createBookingActivities({ models, stripe, events, metrics });

  expect(await activities.refundPayment({ bookingId, amountCents: 1000 })).toEqual({ refundedCents: 1000 });
  // The attempt died after Stripe refunded and before the booking said so; the retry comes days later.
  await models.Booking.updateOne({ _id: bookingId }, { $unset: { refundedCents: 1 } });
  expect(await activities.refundPayment({ bookingId, amountCents: 1000 })).toEqual({ refundedCents: 1000 });
  expect(await refunded(intentId)).toBe(1000);

  // A full refund asked later refunds what is left of what was charged, once.
  expect(await activities.refundPayment({ bookingId })).toEqual({ refundedCents: 2500 });
  expect(await activities.refundPayment({ bookingId, amountCents: 9999 })).toEqual({ refundedCents: 2500 });
  expect(await refunded(intentId)).toBe(2500);
});
