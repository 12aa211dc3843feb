/** Booking states, failure reasons, pricing and the refund rule: pure. */
export const BOOKING_STATUSES = ['pending', 'held', 'confirmed', 'failed', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const FAILURE_REASONS = ['slot_unavailable', 'payment_declined', 'hold_expired', 'invalid_booking', 'error'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** ApplicationFailure types of the saga's business failures (never retried). */
export const FAILURE_TYPES = {
  SlotUnavailable: 'SlotUnavailable',
  PaymentDeclined: 'PaymentDeclined',
  InvalidBooking: 'InvalidBooking',
  HoldExpired: 'HoldExpired',
} as const;

export const REASON_OF_TYPE: Record<string, FailureReason> = {
  [FAILURE_TYPES.SlotUnavailable]: 'slot_unavailable',
  [FAILURE_TYPES.PaymentDeclined]: 'payment_declined',
  [FAILURE_TYPES.InvalidBooking]: 'invalid_booking',
  [FAILURE_TYPES.HoldExpired]: 'hold_expired',
};

/** The price after the best active promotion, rounded to the minor unit. */
export function discountedPrice(priceCents: number, discountPercents: number[]): number {
  const best = Math.max(0, ...discountPercents.filter((d) => d > 0 && d <= 100));
  return Math.round((priceCents * (100 - best)) / 100);
}

/**
 * What a booking costs and how long it holds its staff member: the price after the best
 * promotion active when the client asked, the end of the service, and the end of the
 * hold (the end plus the service's buffer).
 */
export function priceBooking(opts: {
  start: Date;
  service: { durationMin: number; bufferMin: number; priceCents: number };
  discountPercents: number[];
}): { end: Date; holdEnd: Date; priceCents: number } {
  const end = new Date(opts.start.getTime() + opts.service.durationMin * 60_000);
  return {
    end,
    holdEnd: new Date(end.getTime() + opts.service.bufferMin * 60_000),
    priceCents: discountedPrice(opts.service.priceCents, opts.discountPercents),
  };
}

/**
 * A confirmed booking cancelled at least `windowHours` before it starts is refunded in
 * full; later, nothing is refunded. The window is the salon's when the booking was made.
 */
export function refundOnCancel(opts: { priceCents: number; start: Date; cancelledAt: Date; windowHours: number }): number {
  const notice = opts.start.getTime() - opts.cancelledAt.getTime();
  return notice >= opts.windowHours * 3_600_000 ? opts.priceCents : 0;
}
