/**
 * 3-D Secure and Stripe's webhooks on the real stack: localstripe asks for the
 * authentication of `pm_card_authenticationRequired` (as Stripe's test mode does) and
 * sends signed webhooks to each gateway, which signals the booking's saga. Also the
 * webhook endpoint itself: signatures, one handling per event id across instances,
 * events of intents it does not know, refunds and disputes.
 */
import Stripe from 'stripe';
import { loadConfig } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { createStripe } from '../../src/infra/stripe';
import { createTemporalClient, type TemporalClient } from '../../src/infra/temporal';
import { workflowIdFor } from '../../src/shared/booking';
import { TOPICS } from '../../src/shared/topics';
import type { BookingWorker } from '../../workers/booking-worker';
import { at, settled } from '../support/bookings';
import { ApiClient, newClient, newSalon, newSalonAdmin, operatorOf, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';
import { collectEvents } from '../support/kafka';
import { eventually } from '../support/wait';
import { startTestDispatcher, startTestWorker } from '../support/worker';

const cfg = loadConfig();
const stripe = createStripe(cfg);
let gateway: Gateway;
let second: Gateway;
let worker: BookingWorker;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let temporal: TemporalClient;
let anon: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  // Bookings made through `second` hold their slot for 4 s: a customer who never authenticates abandons it soon.
  [gateway, second, worker, dispatcher, temporal] = await Promise.all([
    startTestGateway(),
    startTestGateway({ HOLD_TTL_MS: '4000' }),
    startTestWorker(),
    startTestDispatcher(),
    createTemporalClient(cfg),
  ]);
  anon = new ApiClient(gateway.url);
  operator = await operatorOf(anon);
});
afterAll(() => Promise.all([gateway?.stop(), second?.stop(), worker?.stop(), dispatcher?.stop(), temporal?.close()]));

/** The signals the booking's saga has received, by name. */
const signalsOf = async (bookingId: string): Promise<string[]> =>
  ((await temporal.client.workflow.getHandle(workflowIdFor(bookingId)).fetchHistory()).events ?? []).flatMap((e) =>
    e.workflowExecutionSignaledEventAttributes ? [e.workflowExecutionSignaledEventAttributes.signalName ?? ''] : [],
  );

/** A booking with a card that needs 3-D Secure (made through `via`), once Stripe asks for the authentication. */
async function awaitingAuthentication(via: Gateway = gateway) {
  const salon = await newSalon(operator);
  const client = await newClient(new ApiClient(via.url));
  const res = await client.api.post('/v1/bookings', { ...salon, start: at(4), paymentMethod: 'pm_card_authenticationRequired' });
  expect(res.status).toBe(202);
  const bookingId: string = res.body.bookingId;
  const booking = await eventually(
    async () => {
      const b = (await client.api.get(`/v1/bookings/${bookingId}`)).body;
      return b.payment.status === 'requires_action' ? b : undefined;
    },
    { what: 'requires_action', timeoutMs: 30_000 },
  );
  return { salon, client, bookingId, booking };
}

/** What the customer does in Stripe's page (localstripe's stand-in). */
async function authenticate(bookingId: string, clientSecret: string, success: boolean) {
  const doc = await gateway.models.Booking.findById(bookingId).lean();
  const res = await fetch(new URL(`/v1/payment_intents/${doc!.paymentIntentId}/_authenticate`, cfg.stripe.apiUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${cfg.stripe.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_secret: clientSecret, success: String(success) }),
  });
  expect(res.status).toBe(200);
}

describe('3-D Secure', () => {
  test('when the card asks for authentication, then the booking is held with requires_action and its client alone sees the client secret; authenticated, it is confirmed and charged', async () => {
    const { salon, client, bookingId, booking } = await awaitingAuthentication();
    expect(booking).toMatchObject({ status: 'held', payment: { status: 'requires_action', chargedCents: 0 } });
    expect(booking.payment.clientSecret).toMatch(/^pi_.*_secret_/);
    const admin = await newSalonAdmin(operator, salon.salonId);
    expect((await admin.get(`/v1/bookings/${bookingId}`)).body.payment.clientSecret).toBeUndefined();

    await authenticate(bookingId, booking.payment.clientSecret, true);
    const confirmed = await settled(client.api, bookingId);
    expect(confirmed).toMatchObject({ status: 'confirmed', payment: { status: 'charged', chargedCents: 2500 } });
    expect(confirmed.payment.clientSecret).toBeUndefined();
    // Stripe's webhook woke the waiting saga (not only its periodic read of the intent).
    expect(await signalsOf(bookingId)).toContain('paymentEvent');
  });

  test('when the authentication is refused, then the booking fails payment_declined and its slot is free', async () => {
    const { client, bookingId, booking } = await awaitingAuthentication();
    await authenticate(bookingId, booking.payment.clientSecret, false);
    expect(await settled(client.api, bookingId)).toMatchObject({ status: 'failed', failureReason: 'payment_declined' });
    expect(await gateway.models.SlotLock.countDocuments({ bookingId })).toBe(0);
  });

  test('when nobody authenticates within the hold, then the booking fails hold_expired and the intent is voided', async () => {
    const { client, bookingId } = await awaitingAuthentication(second);
    expect(await settled(client.api, bookingId)).toMatchObject({ status: 'failed', failureReason: 'hold_expired', payment: { status: 'voided' } });
    const doc = await gateway.models.Booking.findById(bookingId).lean();
    expect((await stripe.paymentIntents.retrieve(doc!.paymentIntentId!)).status).toBe('canceled');
  });
});

describe('POST /v1/webhooks/stripe', () => {
  /** A Stripe event, signed as Stripe signs it (`secret`: the endpoint's). */
  const signed = (event: object, secret = cfg.stripe.webhookSecret) => {
    const payload = JSON.stringify(event);
    return { payload, header: Stripe.webhooks.generateTestHeaderString({ payload, secret }) };
  };
  const post = (g: Gateway, body: string, headers: Record<string, string>) =>
    fetch(`${g.url}/v1/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const intentEvent = (intentId: string, bookingId = 'f'.repeat(32)) => ({
    id: unique('evt_'),
    object: 'event',
    type: 'payment_intent.succeeded',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: intentId, object: 'payment_intent', metadata: { bookingId } } },
  });

  test('a missing, forged or stale signature is a 400 problem that names what to check', async () => {
    const { payload } = signed(intentEvent('pi_unknown'));
    const missing = await post(gateway, payload, {});
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/Stripe-Signature header is missing/);
    const forged = await post(gateway, payload, { 'stripe-signature': signed(intentEvent('pi_unknown'), 'whsec_somebody_else_entirely').header });
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { detail: string }).detail).toMatch(/does not verify.*STRIPE_WEBHOOK_SECRET/);
    const stale = Stripe.webhooks.generateTestHeaderString({ payload, secret: cfg.stripe.webhookSecret, timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect((await post(gateway, payload, { 'stripe-signature': stale })).status).toBe(400);
  });

  test('an event of an intent no booking knows is acknowledged and ignored, each time, without a write', async () => {
    const event = intentEvent('pi_nobody_knows');
    const { payload, header } = signed(event);
    for (const via of [gateway, second]) {
      const res = await post(via, payload, { 'stripe-signature': header });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: true, ignored: true });
    }
    expect(await gateway.models.StripeEvent.findById(event.id).lean()).toBeNull();
  });

  test('a payment event of a booking that waits for no authentication is acknowledged and ignored: its saga is not woken', async () => {
    const salon = await newSalon(operator);
    const client = await newClient(anon);
    const bookingId: string = (await client.api.post('/v1/bookings', { ...salon, start: at(5), paymentMethod: 'pm_card_visa' })).body.bookingId;
    expect((await settled(client.api, bookingId)).status).toBe('confirmed');
    const intentId = (await gateway.models.Booking.findById(bookingId).lean())!.paymentIntentId!;
    const { payload, header } = signed(intentEvent(intentId, bookingId));
    const res = await post(gateway, payload, { 'stripe-signature': header });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, ignored: true });
    expect(await gateway.models.StripeEvent.findById(JSON.parse(payload).id).lean()).toBeNull();
    // This event did not signal the saga (nor did localstripe's own payment_intent.succeeded for the charge).
    expect(await signalsOf(bookingId)).toEqual([]);
  });

  test('charge.refunded updates the booking’s refund and raises reserva.reembolsada, once per event id across instances; a dispute is recorded and raises reserva.disputada', async () => {
    const salon = await newSalon(operator);
    const client = await newClient(anon);
    const res = await client.api.post('/v1/bookings', { ...salon, start: at(5), paymentMethod: 'pm_card_visa' });
    const bookingId: string = res.body.bookingId;
    expect((await settled(client.api, bookingId)).status).toBe('confirmed');
    const intentId = (await gateway.models.Booking.findById(bookingId).lean())!.paymentIntentId!;
    // A refund made in Stripe's dashboard, as Stripe reports it.
    const refunded = signed({
      id: unique('evt_'),
      object: 'event',
      type: 'charge.refunded',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: unique('ch_'), object: 'charge', payment_intent: intentId, amount: 2500, amount_refunded: 1000, metadata: {} } },
    });
    expect((await post(second, refunded.payload, { 'stripe-signature': refunded.header })).status).toBe(200);
    expect((await client.api.get(`/v1/bookings/${bookingId}`)).body.payment).toMatchObject({ refundedCents: 1000, status: 'partially_refunded' });
    // The same event again, on the other instance: handled once.
    expect(await (await post(gateway, refunded.payload, { 'stripe-signature': refunded.header })).json()).toEqual({ received: true, duplicate: true });

    const disputed = signed({
      id: unique('evt_'),
      object: 'event',
      type: 'charge.dispute.created',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: unique('dp_'), object: 'dispute', payment_intent: intentId, amount: 2500, reason: 'fraudulent' } },
    });
    expect((await post(gateway, disputed.payload, { 'stripe-signature': disputed.header })).status).toBe(200);
    expect((await gateway.models.Booking.findById(bookingId).lean())!.disputedAt).toBeInstanceOf(Date);
    const seen = await collectEvents([TOPICS.bookingRefunded, TOPICS.bookingDisputed], (events) =>
      [TOPICS.bookingRefunded, TOPICS.bookingDisputed].every((t) => events.some((e) => e.topic === t && e.event.data.bookingId === bookingId)),
    );
    expect(seen.find((e) => e.topic === TOPICS.bookingDisputed && e.event.data.bookingId === bookingId)!.event.data).toMatchObject({ amountCents: 2500, reason: 'fraudulent' });
  });
});
