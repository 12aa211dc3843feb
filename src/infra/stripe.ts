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

/**
 * The local stack's stand-in for Stripe's dashboard: tells localstripe to POST signed
 * events to `url` (its `POST /_config/webhooks/{id}`). Registering the same id again
 * replaces it; `events: []` stops it (localstripe cannot delete one). Only for an http
 * STRIPE_API_URL — Stripe itself is told in its dashboard.
 */
export async function registerLocalWebhook(cfg: Config, registration: { id: string; url: string; events: string[] }): Promise<boolean> {
  if (!cfg.stripe.apiUrl.startsWith('http:')) return false;
  const res = await fetch(new URL(`/_config/webhooks/${encodeURIComponent(registration.id)}`, cfg.stripe.apiUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${cfg.stripe.secretKey}` },
    body: JSON.stringify({ url: registration.url, secret: cfg.stripe.webhookSecret, events: registration.events }),
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`localstripe refused the webhook registration: ${res.status} ${await res.text()}`);
  return true;
}
