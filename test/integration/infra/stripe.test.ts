import { loadConfig } from '../../../src/config';
import { createStripe, isCardDeclined } from '../../../src/infra/stripe';

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
  expect(isCardDeclined(err)).toBe(true);
  expect(err).toMatchObject({ statusCode: 402, code: 'card_declined' });
  expect(isCardDeclined(new Error('network down'))).toBe(false);
});
