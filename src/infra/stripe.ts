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

/** True when Stripe declined the card (402 card_declined), as opposed to a transient failure. */
export function isCardDeclined(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeCardError && err.code === 'card_declined';
}
