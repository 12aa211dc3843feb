/** Reads the Stripe endpoint the way an auditor would: every PaymentIntent, page by page. */
import type Stripe from 'stripe';

/** The PaymentIntents that charged money for one booking (by its metadata). */
export async function chargesFor(stripe: Stripe, bookingId: string): Promise<Stripe.PaymentIntent[]> {
  const found: Stripe.PaymentIntent[] = [];
  for await (const pi of stripe.paymentIntents.list({ limit: 100 })) {
    if (pi.metadata?.bookingId === bookingId && pi.status === 'succeeded') found.push(pi);
  }
  return found;
}
