/**
 * The local Stripe endpoint keeps its payments across a restart. Its launcher writes
 * the store at most every LOCALSTRIPE_FLUSH_MS and once more when it stops (localstripe
 * itself rewrote the whole store several times per call, which capped it at 4
 * payments/s); a payment confirmed just before a stop must still be there after.
 */
import { loadConfig } from '../../src/config';
import { createStripe } from '../../src/infra/stripe';
import { startComponent, stopComponent } from '../../scripts/stack/stack';

const cfg = loadConfig();
const stripe = createStripe(cfg);

afterAll(() => startComponent(cfg, 'localstripe')); // whatever happened above, later tests need it

test('when localstripe stops right after a payment, then after its restart the payment and its refund are still there', async () => {
  const intent = await stripe.paymentIntents.create({ amount: 4200, currency: 'eur', payment_method: 'pm_card_visa', metadata: { test: 'restart' } });
  await stripe.paymentIntents.confirm(intent.id);
  const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 1200 });

  await stopComponent(cfg, 'localstripe');
  await startComponent(cfg, 'localstripe');

  expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({ status: 'succeeded', amount: 4200 });
  expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ amount: 1200, payment_intent: intent.id });
});
