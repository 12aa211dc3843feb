import Stripe from 'stripe';
import { loadConfig } from '../../../src/config';
import { createStripe, isPaymentRefused } from '../../../src/infra/stripe';

const stripe = createStripe(loadConfig());

test('when a PaymentIntent is created and confirmed with pm_card_visa, then it succeeds', async () => {
  const intent = await stripe.paymentIntents.create({ amount: 2500, currency: 'eur', payment_method: 'pm_card_visa' });
  expect(intent.status).toBe('requires_confirmation');

  const confirmed = await stripe.paymentIntents.confirm(intent.id);
  expect(confirmed.status).toBe('succeeded');
  expect(confirmed.amount).toBe(2500);
  expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('succeeded');
});

test('when pm_card_chargeCustomerFail is confirmed, then Stripe declines it with 402 card_declined', async () => {
  const intent = await stripe.paymentIntents.create({
    amount: 2500,
    currency: 'eur',
    payment_method: 'pm_card_chargeCustomerFail',
  });
  const err = await stripe.paymentIntents.confirm(intent.id).catch((e: unknown) => e);
  expect(isPaymentRefused(err)).toBe(true);
  expect(err).toMatchObject({ statusCode: 402, code: 'card_declined' });
  expect(isPaymentRefused(new Error('network down'))).toBe(false);
});

test('when the payment method does not exist, then Stripe refuses it for good; rate limits, connection errors and 5xx are transient', async () => {
  const err = await stripe.paymentIntents.create({ amount: 2500, currency: 'eur', payment_method: 'pm_does_not_exist' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  expect(isPaymentRefused(err)).toBe(true);
  for (const transient of [
    new Stripe.errors.StripeRateLimitError({ message: 'slow down' }),
    new Stripe.errors.StripeConnectionError({ message: 'connection reset' }),
    new Stripe.errors.StripeAPIError({ message: 'internal error' }),
  ]) {
    expect(isPaymentRefused(transient)).toBe(false);
  }
});
