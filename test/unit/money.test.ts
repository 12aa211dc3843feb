/** The money table of LIFECYCLE.md, cell by cell (README shows the same table). */
import { isEarly, type MoneyPolicy, type Outcome, paymentStatus, percentOf, settle, takeAtBooking } from '../../src/domain/money';

const HOUR = 3_600_000;
const policy = (payment: MoneyPolicy['payment'], extra: Partial<MoneyPolicy> = {}): MoneyPolicy => ({
  payment,
  depositPercent: 30,
  cancellationWindowHours: 24,
  lateCancelFeePercent: 50,
  ...extra,
});
const early: Outcome = { kind: 'cancelled', by: 'client', noticeMs: 48 * HOUR };
const late: Outcome = { kind: 'cancelled', by: 'client', noticeMs: 2 * HOUR };
const bySalon: Outcome = { kind: 'cancelled', by: 'salon', noticeMs: 1 * HOUR };
const byOperator: Outcome = { kind: 'cancelled', by: 'operator', noticeMs: 0 };

describe('what each policy takes at booking (price 40.00 EUR)', () => {
  test.each([
    ['prepay', {}, { chargeCents: 4000, authorizeCents: 0 }],
    ['deposit', {}, { chargeCents: 1200, authorizeCents: 0 }],
    ['deposit', { depositPercent: 1 }, { chargeCents: 50, authorizeCents: 0 }], // raised to Stripe's minimum
    ['card_hold', {}, { chargeCents: 0, authorizeCents: 4000 }],
  ] as const)('%s %j', (payment, extra, take) => {
    expect(takeAtBooking(policy(payment, extra), 4000, 'EUR')).toEqual(take);
  });

  test('a deposit on a price below the minimum is the price; a free booking takes nothing', () => {
    expect(takeAtBooking(policy('deposit'), 30, 'EUR')).toEqual({ chargeCents: 30, authorizeCents: 0 });
    for (const p of ['prepay', 'deposit', 'card_hold'] as const) expect(takeAtBooking(policy(p), 0, 'EUR')).toEqual({ chargeCents: 0, authorizeCents: 0 });
  });
});

describe('what each outcome does with it (price 40.00 EUR; deposit 30 %; late fee 50 %)', () => {
  const taken = (p: MoneyPolicy['payment']) => takeAtBooking(policy(p), 4000, 'EUR');
  test.each([
    // policy, outcome, refund, capture, void
    ['prepay', 'early client cancel', early, 4000, 0, false],
    ['prepay', 'late client cancel', late, 0, 0, false],
    ['prepay', 'salon cancel (late)', bySalon, 4000, 0, false],
    ['prepay', 'operator cancel', byOperator, 4000, 0, false],
    ['prepay', 'no-show', { kind: 'no_show' }, 0, 0, false],
    ['prepay', 'completed', { kind: 'completed' }, 0, 0, false],
    ['prepay', 'failed', { kind: 'failed' }, 4000, 0, false],
    ['deposit', 'early client cancel', early, 1200, 0, false],
    ['deposit', 'late client cancel', late, 0, 0, false],
    ['deposit', 'salon cancel (late)', bySalon, 1200, 0, false],
    ['deposit', 'no-show', { kind: 'no_show' }, 0, 0, false],
    ['deposit', 'completed', { kind: 'completed' }, 0, 0, false],
    ['card_hold', 'early client cancel', early, 0, 0, true],
    ['card_hold', 'late client cancel', late, 0, 2000, false],
    ['card_hold', 'salon cancel (late)', bySalon, 0, 0, true],
    ['card_hold', 'no-show', { kind: 'no_show' }, 0, 2000, false],
    ['card_hold', 'completed', { kind: 'completed' }, 0, 4000, false],
    ['card_hold', 'failed', { kind: 'failed' }, 0, 0, true],
  ] as const)('%s, %s: refund %d, capture %d, void %s', (p, _what, outcome, refundCents, captureCents, voidAuthorization) => {
    expect(settle(policy(p), 4000, 'EUR', taken(p), outcome as Outcome)).toEqual({ refundCents, captureCents, voidAuthorization });
  });

  test('card_hold: a fee of 0, or below Stripe’s minimum, is waived (voided); without an authorization in place nothing happens', () => {
    expect(settle(policy('card_hold', { lateCancelFeePercent: 0 }), 4000, 'EUR', taken('card_hold'), late)).toEqual({ refundCents: 0, captureCents: 0, voidAuthorization: true });
    expect(settle(policy('card_hold', { lateCancelFeePercent: 1 }), 4000, 'EUR', taken('card_hold'), { kind: 'no_show' })).toEqual({ refundCents: 0, captureCents: 0, voidAuthorization: true });
    expect(settle(policy('card_hold'), 4000, 'EUR', { chargeCents: 0, authorizeCents: 0 }, late)).toEqual({ refundCents: 0, captureCents: 0, voidAuthorization: false });
  });
});

test('a cancellation exactly the window before the start counts as early; percentages round half up', () => {
  expect(isEarly({ cancellationWindowHours: 24 }, 24 * HOUR)).toBe(true);
  expect(isEarly({ cancellationWindowHours: 24 }, 24 * HOUR - 1)).toBe(false);
  expect(percentOf(2550, 30)).toBe(765);
  expect(percentOf(2505, 30)).toBe(752); // 751.5 → 752
  expect(percentOf(1001, 50)).toBe(501); // 500.5 → 501
});

test.each([
  [{ chargedCents: 0, authorizedCents: 0, refundedCents: 0, voided: false }, 'none'],
  [{ chargedCents: 0, authorizedCents: 0, refundedCents: 0, voided: false, requiresAction: true }, 'requires_action'],
  [{ chargedCents: 0, authorizedCents: 4000, refundedCents: 0, voided: false }, 'authorized'],
  [{ chargedCents: 4000, authorizedCents: 0, refundedCents: 0, voided: false }, 'charged'],
  [{ chargedCents: 4000, authorizedCents: 0, refundedCents: 1000, voided: false }, 'partially_refunded'],
  [{ chargedCents: 4000, authorizedCents: 0, refundedCents: 4000, voided: false }, 'refunded'],
  [{ chargedCents: 0, authorizedCents: 4000, refundedCents: 0, voided: true }, 'voided'],
])('payment status of %j is %s', (money, status) => {
  expect(paymentStatus(money)).toBe(status);
});
