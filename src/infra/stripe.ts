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
 * True when the card was refused (a StripeCardError: 402 `card_declined`,
 * `insufficient_funds`, `expired_card`, ...), as opposed to a transient failure.
 */
export function isCardDeclined(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeCardError;
}
