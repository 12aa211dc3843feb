/** Stripe's official SDK, pointed at localstripe locally and at Stripe in production. */
import Stripe from 'stripe';
import type { Config } from '../config';

export function createStripe(cfg: Config): Stripe {
  const api = new URL(cfg.stripe.apiUrl);
  return new Stripe(cfg.stripe.secretKey, {
    host: api.hostname,
    port: Number(api.port || (api.protocol === 'https:' ? 443 : 80)),
    protocol: api.protocol === 'https:' ? 'https' : 'http',
    maxNetworkRetries: 2,
    timeout: 10_000,
  });
}

/**
 * True when Stripe refused the payment for good: the card was declined (a
 * StripeCardError: 402 `card_declined`, `insufficient_funds`, `expired_card`, …) or the
 * request is one Stripe will never accept (a StripeInvalidRequestError: a payment method
 * that does not exist or cannot be used, an amount below the minimum) — retrying either
 * only holds the slot until the hold expires. Rate limits, connection errors, Stripe's
 * 5xx and anything else are transient.
 */
export function isPaymentRefused(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeCardError || err instanceof Stripe.errors.StripeInvalidRequestError;
}
