/**
 * POST /v1/webhooks/stripe: Stripe's events about our PaymentIntents and charges. The
 * signature is verified on the raw body (Stripe's SDK, 5 minutes' tolerance); each event
 * that acts is handled once across every gateway instance (its id claimed in the
 * stripe_events collection); an event with nothing to act on (an intent we do not know,
 * a booking that waits for nothing) is acknowledged and ignored, with no write.
 *
 * - payment_intent.succeeded / payment_failed / canceled / amount_capturable_updated:
 *   the saga of a booking waiting for its customer's authentication (3-D Secure) is
 *   signalled and reads the intent again; of any other booking, acknowledged and ignored.
 * - charge.refunded: the booking's refundedCents follows Stripe's; `reserva.reembolsada`.
 * - charge.dispute.created: recorded on the booking; `reserva.disputada`, the Disputes
 *   metric and a warning for the runbook (README, "Operations").
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import Stripe from 'stripe';
import { AppError } from '../../domain/errors';
import { bookingOfIntent, recordDispute, recordStripeRefund } from '../../infra/bookings';
import type { EventPublisher } from '../../infra/events';
import type { Metrics } from '../../infra/metrics';
import type { Models } from '../../infra/models';
import { isDuplicateKeyError } from '../../infra/mongo';
import { paymentEventSignal, workflowIdFor } from '../../shared/booking';
import { TOPICS } from '../../shared/topics';

export const STRIPE_WEBHOOK_PATH = '/v1/webhooks/stripe';
/** What the gateway asks Stripe (locally: localstripe) to send it. */
export const STRIPE_WEBHOOK_EVENTS = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'payment_intent.amount_capturable_updated',
  'charge.refunded',
  'charge.dispute.created',
];
const TOLERANCE_SEC = 300;
const SIGNAL_ANSWER_MS = 5000;

export interface StripeWebhookDeps {
  models: Models;
  temporal: Client;
  events: EventPublisher;
  metrics: Metrics;
  logger: Logger;
  webhookSecret: string;
}

/** What an event that acts does, once its id is claimed; resolves 'ignored' when it found nothing left to act on. */
type Action = () => Promise<'handled' | 'ignored'>;

const intentIdOf = (ref: string | { id: string } | null | undefined): string | undefined => (typeof ref === 'string' ? ref : ref?.id);

/** Mounted before the JSON body parser: the signature covers the raw bytes. */
export function stripeWebhookRoutes(app: Express, deps: StripeWebhookDeps): void {
  const { models, temporal, events, metrics, logger } = deps;
  // Only verifying signatures: the SDK needs no key for that.
  const webhooks = Stripe.webhooks;

  /** The booking a Stripe object belongs to (its intent, as the booking recorded it), if any. */
  const bookingOf = async (intentId: string | undefined, bookingId: unknown) => (intentId ? bookingOfIntent(models, intentId, bookingId ?? undefined) : null);

  /**
   * What an event asks of us, read before its id is claimed: nothing (ignored), or an
   * action on the booking it names. Most are nothing — localstripe and Stripe send
   * `payment_intent.succeeded` for every card payment — and those cost one read, no write.
   */
  const actionOf = async (event: Stripe.Event): Promise<Action | undefined> => {
    switch (event.type) {
      case 'payment_intent.succeeded':
      case 'payment_intent.payment_failed':
      case 'payment_intent.canceled':
      case 'payment_intent.amount_capturable_updated': {
        const intent = event.data.object;
        const booking = await bookingOf(intent.id, intent.metadata?.bookingId);
        // Only a saga waiting for its customer's authentication (the booking keeps the
        // client secret meanwhile) acts on these. Every other payment's succeeded event
        // would wake a saga that waits for nothing from Stripe: a signal and a workflow
        // task each, and a replay of its history once the worker has evicted it.
        if (!booking?.clientSecret) return undefined;
        return async () => {
          try {
            await temporal.withDeadline(Date.now() + SIGNAL_ANSWER_MS, () =>
              temporal.workflow.getHandle(workflowIdFor(booking._id)).signal(paymentEventSignal, { id: event.id, type: event.type }),
            );
          } catch (err) {
            if (err instanceof WorkflowNotFoundError) return 'ignored'; // its saga has ended: nothing waits for this
            throw err;
          }
          return 'handled';
        };
      }
      case 'charge.refunded': {
        const charge = event.data.object;
        const booking = await bookingOf(intentIdOf(charge.payment_intent), charge.metadata?.bookingId);
        if (!booking) return undefined;
        return async () => {
          await recordStripeRefund(models, booking._id, charge.amount_refunded);
          await events.publish(TOPICS.bookingRefunded, booking.salonId, { bookingId: booking._id, salonId: booking.salonId, refundedCents: charge.amount_refunded, currency: booking.currency }, { id: `${booking._id}:${event.id}` });
          metrics.record('StripeRefunds', 1, 'Count');
          return 'handled';
        };
      }
      case 'charge.dispute.created': {
        const dispute = event.data.object;
        const booking = await bookingOf(intentIdOf(dispute.payment_intent), undefined);
        if (!booking) return undefined;
        return async () => {
          await recordDispute(models, booking._id, new Date(event.created * 1000));
          await events.publish(TOPICS.bookingDisputed, booking.salonId, { bookingId: booking._id, salonId: booking.salonId, amountCents: dispute.amount, reason: dispute.reason }, { id: `${booking._id}:${event.id}` });
          metrics.record('Disputes', 1, 'Count');
          logger.warn({ bookingId: booking._id, disputeId: dispute.id, reason: dispute.reason }, 'a client disputed a charge: answer it in Stripe before its due date (README, "Operations": disputes)');
          return 'handled';
        };
      }
      default:
        return undefined;
    }
  };

  const unavailable = (err: unknown, event: Stripe.Event): AppError => {
    logger.warn({ err, eventId: event.id, type: event.type }, 'a Stripe event could not be handled; Stripe will send it again');
    return new AppError('unavailable', 'the event could not be handled now; Stripe retries it', { retryAfterSec: 5 });
  };

  app.post(STRIPE_WEBHOOK_PATH, express.raw({ type: () => true, limit: '256kb' }), async (req, res) => {
    const signature = req.header('stripe-signature');
    if (!signature) throw new AppError('validation', 'the Stripe-Signature header is missing: this endpoint takes only events Stripe signs');
    let event: Stripe.Event;
    try {
      event = webhooks.constructEvent(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), signature, deps.webhookSecret, TOLERANCE_SEC);
    } catch (err) {
      const why = (err as Error).message.split(/(?<=\.)\s/)[0]; // the SDK's first sentence (its advice follows on other lines)
      throw new AppError('validation', `the Stripe-Signature does not verify (${why}); check STRIPE_WEBHOOK_SECRET against the endpoint's signing secret`);
    }
    let action: Action | undefined;
    try {
      action = await actionOf(event);
    } catch (err) {
      throw unavailable(err, event);
    }
    if (!action) return void res.json({ received: true, ignored: true });
    // Once per event id, on whichever instance stores it first; forgotten again if handling fails, so Stripe's retry is handled.
    try {
      await models.StripeEvent.create({ _id: event.id, type: event.type });
    } catch (err) {
      if (isDuplicateKeyError(err)) return void res.json({ received: true, duplicate: true });
      throw unavailable(err, event);
    }
    let outcome: 'handled' | 'ignored';
    try {
      outcome = await action();
    } catch (err) {
      await models.StripeEvent.deleteOne({ _id: event.id }).catch(() => undefined);
      throw unavailable(err, event);
    }
    res.json({ received: true, ...(outcome === 'ignored' ? { ignored: true } : {}) });
  });
}
