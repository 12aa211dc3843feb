/**
 * card_hold's money on the Stripe endpoint (localstripe), through the activities the
 * workflow calls: the authorization, its capture at completion, the no-show fee, a
 * settlement repeated (a retried activity), and an authorization released after a move
 * and placed again. The workflow's timers around them are in the time-skipping tests.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBookingActivities } from '../../activities/booking';
import { loadConfig } from '../../src/config';
import type { Outcome } from '../../src/domain/money';
import { POLICY_DEFAULTS } from '../../src/domain/policy';
import { createStripe } from '../../src/infra/stripe';
import { quietEvents as events, quietMetrics as metrics } from '../support/activity-deps';
import { bookingsOn, useTestModels } from '../support/booking-docs';

const cfg = loadConfig();
const stripe = createStripe(cfg);
const modelsOf = useTestModels();
const { pendingBooking } = bookingsOn(modelsOf);

const activities = () => createBookingActivities({ models: modelsOf(), stripe, events, metrics });
const run = <A, R>(fn: (a: A) => Promise<R>, args: A): Promise<R> => new MockActivityEnvironment().run<[A], R, (a: A) => Promise<R>>(fn, args);

/** A booking of 25.00 EUR under card_hold with a `feePercent` late/no-show fee, its price authorized. */
async function authorized(feePercent = 40) {
  const { bookingId } = await pendingBooking();
  await modelsOf().Booking.updateOne({ _id: bookingId }, { $set: { policy: { ...POLICY_DEFAULTS, payment: 'card_hold', lateCancelFeePercent: feePercent } } });
  const a = activities();
  const { paymentIntentId } = await run((r: { bookingId: string }) => a.authorizePayment(r), { bookingId });
  return { bookingId, paymentIntentId, a };
}
const settle = (a: ReturnType<typeof activities>, bookingId: string, outcome: Outcome) =>
  run((r: { bookingId: string; outcome: Outcome }) => a.settlePayment(r), { bookingId, outcome });
const captured = async (intentId: string) => {
  const intent = await stripe.paymentIntents.retrieve(intentId, { expand: ['latest_charge'] });
  const charge = intent.latest_charge as { amount: number; amount_refunded: number; captured: boolean };
  return { status: intent.status, captured: charge.captured ? charge.amount - charge.amount_refunded : 0 };
};

test('the price is authorized with manual capture, and captured whole at completion — once, however often the settlement runs', async () => {
  const { bookingId, paymentIntentId, a } = await authorized();
  expect(await stripe.paymentIntents.retrieve(paymentIntentId)).toMatchObject({ status: 'requires_capture', capture_method: 'manual', amount: 2500 });
  expect((await modelsOf().Booking.findById(bookingId).lean())!.authorizedCents).toBe(2500);

  expect(await settle(a, bookingId, { kind: 'completed' })).toEqual({ capturedCents: 2500 });
  expect(await settle(a, bookingId, { kind: 'completed' })).toEqual({ capturedCents: 2500 }); // a retried activity
  expect(await captured(paymentIntentId)).toEqual({ status: 'succeeded', captured: 2500 });
  expect((await modelsOf().Booking.findById(bookingId).lean())!.chargedCents).toBe(2500);
});

test('a no-show captures the fee and releases the rest; a fee below Stripe’s minimum is waived and the authorization voided', async () => {
  const fee = await authorized(40);
  expect(await settle(fee.a, fee.bookingId, { kind: 'no_show' })).toEqual({ capturedCents: 1000 });
  expect(await captured(fee.paymentIntentId)).toEqual({ status: 'succeeded', captured: 1000 });

  const tiny = await authorized(1); // 0.25 EUR, below the 0.50 minimum
  expect(await settle(tiny.a, tiny.bookingId, { kind: 'no_show' })).toEqual({ capturedCents: 0 });
  expect((await stripe.paymentIntents.retrieve(tiny.paymentIntentId)).status).toBe('canceled');
  expect((await modelsOf().Booking.findById(tiny.bookingId).lean())!.voided).toBe(true);
});

test('an authorization released after a move is followed by a new one, under a key of its own', async () => {
  const { bookingId, paymentIntentId, a } = await authorized();
  await run((r: { bookingId: string }) => a.releaseAuthorization(r), { bookingId });
  expect((await stripe.paymentIntents.retrieve(paymentIntentId)).status).toBe('canceled');
  const doc = await modelsOf().Booking.findById(bookingId).lean();
  expect(doc).toMatchObject({ authorizedCents: 0, releasedAuthorizations: 1 });
  expect(doc!.paymentIntentId).toBeUndefined();

  const again = await run((r: { bookingId: string }) => a.authorizePayment(r), { bookingId });
  expect(again.paymentIntentId).not.toBe(paymentIntentId);
  expect((await stripe.paymentIntents.retrieve(again.paymentIntentId)).status).toBe('requires_capture');
});

test('with no authorization in place yet, a settlement takes nothing', async () => {
  const { bookingId } = await pendingBooking();
  await modelsOf().Booking.updateOne({ _id: bookingId }, { $set: { policy: { ...POLICY_DEFAULTS, payment: 'card_hold', lateCancelFeePercent: 50 } } });
  expect(await settle(activities(), bookingId, { kind: 'no_show' })).toEqual({ capturedCents: 0 });
});
