/** Booking states, failure reasons, pricing and the refund rule: pure. */
import { type CancelledBy, isEarly } from './money';
export const BOOKING_STATUSES = ['pending', 'held', 'confirmed', 'checked_in', 'completed', 'no_show', 'failed', 'cancelled'] as const;
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
  return isEarly({ cancellationWindowHours: opts.windowHours }, notice) ? opts.priceCents : 0;
}

/** The appointment's own windows (LIFECYCLE.md): when check-in, completion and a no-show may be recorded. */
export const CHECK_IN_OPENS_BEFORE_MS = 60 * 60_000;

export type AppointmentAction = 'checkIn' | 'complete' | 'noShow';

/**
 * Why `action` may not be taken now on an appointment of `status` that runs [start, end),
 * or undefined when it may — with when it becomes possible, or why it never will.
 */
export function actionRefusal(
  action: AppointmentAction,
  opts: { status: BookingStatus; start: number; end: number; now: number; graceMinutes: number },
): string | undefined {
  const { status, start, end, now } = opts;
  const iso = (t: number) => new Date(t).toISOString();
  const open = ['confirmed', 'checked_in'].includes(status);
  switch (action) {
    case 'checkIn':
      if (status !== 'confirmed') return `it is ${status}; only a confirmed booking checks in`;
      if (now < start - CHECK_IN_OPENS_BEFORE_MS) return `check-in opens at ${iso(start - CHECK_IN_OPENS_BEFORE_MS)}, 60 minutes before the start`;
      if (now >= end) return `check-in closed at the end of the appointment (${iso(end)})`;
      return undefined;
    case 'complete':
      if (!open) return `it is ${status}; only a confirmed or checked-in booking completes`;
      if (now < start) return `it can be completed from its start, ${iso(start)}`;
      return undefined;
    case 'noShow': {
      if (status !== 'confirmed') return `it is ${status}; only a confirmed booking that nobody checked in is a no-show`;
      const from = start + opts.graceMinutes * 60_000;
      if (now < from) return `a no-show may be recorded from ${iso(from)} (the start plus the salon's ${opts.graceMinutes}-minute grace)`;
      return undefined;
    }
  }
}

/**
 * Why a booking of `status` starting at `start` may not be moved by `by` at `at` (ms),
 * or undefined when it may: its client until `windowHours` before the start, the salon's
 * side until the start; only a confirmed booking moves.
 */
export function rescheduleRefusal(opts: { status: BookingStatus; start: number; at: number; by: CancelledBy; windowHours: number }): string | undefined {
  const { status, start, at, by, windowHours } = opts;
  if (status !== 'confirmed') return `it is ${status}; only a confirmed booking can be moved`;
  if (by === 'client') {
    const until = start - windowHours * 3_600_000;
    if (at > until) {
      return `its client could move it until ${new Date(until).toISOString()}, ${windowHours} h before the start; the salon can still move it until the start`;
    }
  } else if (at >= start) return `its appointment started at ${new Date(start).toISOString()}`;
  return undefined;
}
