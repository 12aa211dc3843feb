/**
 * Every money rule of a booking, in one pure module (LIFECYCLE.md): what each payment
 * policy takes at booking, and what it keeps, refunds, captures or releases at each
 * outcome. The saga's activities move the money these functions decide; README shows
 * the table and test/unit/money.test.ts proves each cell.
 */
import type { SalonPolicy } from './policy';

/** Stripe's minimum charge per currency, in minor units (others: 50). */
const MINIMUM_CHARGE: Record<string, number> = { EUR: 50, USD: 50, GBP: 30, CHF: 50, CAD: 50, AUD: 50, MXN: 1000, JPY: 50, DKK: 250, SEK: 300, NOK: 300, PLN: 200 };

export const minimumCharge = (currency: string): number => MINIMUM_CHARGE[currency.toUpperCase()] ?? 50;

/** `percent` of a price, rounded half up to the minor unit. */
export const percentOf = (priceCents: number, percent: number): number => Math.floor((priceCents * percent + 50) / 100);

export type MoneyPolicy = Pick<SalonPolicy, 'payment' | 'depositPercent' | 'cancellationWindowHours' | 'lateCancelFeePercent'>;

/** What a booking takes when it is made: a charge (prepay, deposit) or an authorization (card_hold). */
export interface Take {
  chargeCents: number;
  authorizeCents: number;
}

export function takeAtBooking(policy: MoneyPolicy, priceCents: number, currency: string): Take {
  if (priceCents === 0) return { chargeCents: 0, authorizeCents: 0 };
  switch (policy.payment) {
    case 'prepay':
      return { chargeCents: priceCents, authorizeCents: 0 };
    case 'deposit':
      // Raised to Stripe's minimum, never above the price.
      return { chargeCents: Math.min(priceCents, Math.max(percentOf(priceCents, policy.depositPercent), minimumCharge(currency))), authorizeCents: 0 };
    case 'card_hold':
      return { chargeCents: 0, authorizeCents: priceCents };
  }
}

/**
 * card_hold: Stripe drops an uncaptured authorization after about 7 days, and it must
 * last until the latest capture (the end plus autoCompleteHours): it is placed at most
 * 6 days before that moment — at booking when that is already the case.
 */
export const AUTHORIZATION_LEAD_MS = 6 * 86_400_000;
export const authorizationDueAt = (endMs: number, autoCompleteHours: number): number => endMs + autoCompleteHours * 3_600_000 - AUTHORIZATION_LEAD_MS;

export type CancelledBy = 'client' | 'salon' | 'operator';

export type Outcome =
  | { kind: 'cancelled'; by: CancelledBy; noticeMs: number }
  | { kind: 'no_show' }
  | { kind: 'completed' }
  | { kind: 'failed' };

/** What happens to what was taken: refund part of a charge, capture part of an authorization, release (void) the rest. */
export interface Settlement {
  refundCents: number;
  captureCents: number;
  /** An authorization (card_hold) released whole. */
  voidAuthorization: boolean;
}

const NOTHING: Settlement = { refundCents: 0, captureCents: 0, voidAuthorization: false };

/** A cancellation at least the window before the start is early (exactly the window counts as early). */
export const isEarly = (policy: Pick<SalonPolicy, 'cancellationWindowHours'>, noticeMs: number): boolean =>
  noticeMs >= policy.cancellationWindowHours * 3_600_000;

/**
 * The settlement of an outcome, given what was taken (`taken`: charged or authorized
 * at booking; nothing when no authorization is in place yet).
 */
export function settle(policy: MoneyPolicy, priceCents: number, currency: string, taken: Take, outcome: Outcome): Settlement {
  const forgiven = outcome.kind === 'failed' || (outcome.kind === 'cancelled' && (outcome.by !== 'client' || isEarly(policy, outcome.noticeMs)));
  if (policy.payment === 'card_hold') {
    if (taken.authorizeCents === 0) return NOTHING;
    if (outcome.kind === 'completed') return { refundCents: 0, captureCents: taken.authorizeCents, voidAuthorization: false };
    if (forgiven) return { refundCents: 0, captureCents: 0, voidAuthorization: true };
    // A late cancellation by the client, or a no-show: the fee, waived below Stripe's minimum.
    const fee = Math.min(percentOf(priceCents, policy.lateCancelFeePercent), taken.authorizeCents);
    return fee > 0 && fee >= minimumCharge(currency)
      ? { refundCents: 0, captureCents: fee, voidAuthorization: false }
      : { refundCents: 0, captureCents: 0, voidAuthorization: true };
  }
  // prepay and deposit: what was charged is kept, unless forgiven.
  return forgiven ? { refundCents: taken.chargeCents, captureCents: 0, voidAuthorization: false } : NOTHING;
}

export type PaymentStatus = 'none' | 'requires_action' | 'authorized' | 'charged' | 'partially_refunded' | 'refunded' | 'voided';

/** The `payment.status` of a booking from what its money did. */
export function paymentStatus(m: { chargedCents: number; authorizedCents: number; refundedCents: number; voided: boolean; requiresAction?: boolean }): PaymentStatus {
  if (m.requiresAction) return 'requires_action';
  if (m.chargedCents > 0) {
    if (m.refundedCents >= m.chargedCents) return 'refunded';
    return m.refundedCents > 0 ? 'partially_refunded' : 'charged';
  }
  if (m.voided) return 'voided';
  if (m.authorizedCents > 0) return 'authorized';
  return 'none';
}
