/**
 * The local Stripe endpoint keeps its payments across a restart. Its launcher writes
 * the store at most every LOCALSTRIPE_FLUSH_MS and once more when it stops (localstripe
 * itself rewrote the whole store several times per call, which capped it at 4
 * payments/s); a payment confirmed just before a stop must still be there after. It
 * also lists objects of one type from its own index of the store (localstripe read the
 * whole store per list): the lists must hold what localstripe's would.
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
  // Lists of one type come from the launcher's index of the store's keys, rebuilt from the file at start.
  expect((await stripe.refunds.list({ payment_intent: intent.id })).data.map((r) => r.id)).toEqual([refund.id]);
  expect((await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] })).latest_charge).toMatchObject({ amount_refunded: 1200, refunded: false });
});

test('when a charge has refunds, then it and the lists show exactly its own', async () => {
  const paid = async (amount: number) => {
    const intent = await stripe.paymentIntents.create({ amount, currency: 'eur', payment_method: 'pm_card_visa', metadata: { test: 'lists' } });
    return stripe.paymentIntents.confirm(intent.id);
  };
  const [a, b] = [await paid(3000), await paid(5000)];
  const first = await stripe.refunds.create({ payment_intent: a.id, amount: 1000 });
  const other = await stripe.refunds.create({ payment_intent: b.id, amount: 5000 });
  const second = await stripe.refunds.create({ payment_intent: a.id, amount: 2000 });

  expect((await stripe.refunds.list({ payment_intent: a.id })).data.map((r) => r.id).sort()).toEqual([first.id, second.id].sort());
  expect((await stripe.refunds.list({ payment_intent: b.id })).data.map((r) => r.id)).toEqual([other.id]);
  const charge = (id: string) => stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] }).then((pi) => pi.latest_charge);
  expect(await charge(a.id)).toMatchObject({ amount_refunded: 3000, refunded: true });
  expect(await charge(b.id)).toMatchObject({ amount_refunded: 5000, refunded: true });
  // Everything stored is listed: the newest refunds are among all of them.
  const all = await stripe.refunds.list({ limit: 100 });
  expect(all.data.map((r) => r.id)).toEqual(expect.arrayContaining([first.id, other.id, second.id]));
});
