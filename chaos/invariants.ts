/**
 * The invariants the chaos trials check, as pure functions over what a trial collected
 * once its load was over: the bookings (MongoDB), the PaymentIntents and refunds (the
 * Stripe endpoint), the holds (slot_locks) and the events (Kafka). Each checker returns
 * the violations it found, one readable sentence each; an empty list is a pass.
 */

export type { BookingStatus } from '../src/domain/booking';
import type { BookingStatus } from '../src/domain/booking';
import { lockIdsOf } from '../src/infra/slot-locks';

export interface BookingRecord {
  id: string;
  status: BookingStatus;
  failureReason?: string;
  staffId?: string;
  /** ISO 8601 instants. */
  start: string;
  end: string;
  /** End of the time it holds (end + buffer); absent: the end. */
  holdEnd?: string;
  priceCents: number;
  /** What its salon's policy takes at booking (the price, a deposit, or the price authorized for card_hold); absent: the price. */
  takeCents?: number;
  /** card_hold: a confirmed booking's intent is authorized (requires_capture), not charged. */
  holdsCard?: boolean;
  paymentIntentId?: string;
  /** How many times it was moved (its rescheduledFrom). */
  moves?: number;
}

export interface IntentRecord {
  id: string;
  /** From the intent's metadata. */
  bookingId?: string;
  /** Stripe's status: `succeeded` is charged, `canceled` is voided. */
  status: string;
  amount: number;
  /** Sum of the refunds made on it. */
  refundedCents: number;
}

export interface LockRecord {
  id: string;
  bookingId: string;
  staffId: string;
}

export interface EventRecord {
  id: string;
  topic: string;
  /** `data.bookingId` of the envelope. */
  bookingId?: string;
}

/** A booking request as the load generator saw it. */
export interface Submission {
  key: string;
  bookingId?: string;
  /** The last HTTP status (0 when the request itself failed). */
  status: number;
  attempts: number;
}

export type Violations = string[];

export const TERMINAL_STATUSES: readonly BookingStatus[] = ['confirmed', 'failed', 'cancelled'];
const TERMINAL: ReadonlySet<BookingStatus> = new Set(TERMINAL_STATUSES);

export const RESCHEDULED = 'reserva.reprogramada';

/** The booking events each terminal status implies (topics of src/shared/topics.ts). */
export const EVENTS_OF_STATUS: Record<BookingStatus, readonly string[]> = {
  pending: ['reserva.creada'],
  held: ['reserva.creada'],
  confirmed: ['reserva.creada', 'reserva.confirmada'],
  failed: ['reserva.creada', 'reserva.fallida'],
  cancelled: ['reserva.creada', 'reserva.cancelada'],
  // Appointments that began (no trial reaches them: they start days ahead).
  checked_in: ['reserva.creada', 'reserva.confirmada', 'reserva.presentada'],
  completed: ['reserva.creada', 'reserva.confirmada', 'reserva.completada'],
  no_show: ['reserva.creada', 'reserva.confirmada', 'reserva.no_presentada'],
};

const groupBy = <T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
};

/** Every request the load generator made was accepted (202) in the end, retries included. */
export function everyRequestAccepted(submissions: readonly Submission[]): Violations {
  return submissions
    .filter((s) => s.status !== 202)
    .map((s) => `request ${s.key} was never accepted: last status ${s.status || 'no answer'} after ${s.attempts} attempts`);
}

/** Every accepted booking exists and reached confirmed, failed or cancelled. */
export function everyBookingTerminal(acceptedIds: readonly string[], bookings: readonly BookingRecord[]): Violations {
  const byId = new Map(bookings.map((b) => [b.id, b]));
  return acceptedIds.flatMap((id) => {
    const booking = byId.get(id);
    if (!booking) return [`booking ${id} was accepted but is not in the database`];
    return TERMINAL.has(booking.status) ? [] : [`booking ${id} is still ${booking.status}`];
  });
}

/** Exactly `expected` bookings confirmed; every other one failed with `failureReason`. */
export function outcomeCounts(bookings: readonly BookingRecord[], expected: { confirmed: number; failureReason: string }): Violations {
  const confirmed = bookings.filter((b) => b.status === 'confirmed').length;
  const violations = confirmed === expected.confirmed ? [] : [`${confirmed} bookings confirmed, expected exactly ${expected.confirmed}`];
  return [
    ...violations,
    ...bookings
      .filter((b) => b.status !== 'confirmed' && (b.status !== 'failed' || b.failureReason !== expected.failureReason))
      .map((b) => `booking ${b.id} is ${b.status}${b.failureReason ? ` (${b.failureReason})` : ''}, expected failed (${expected.failureReason})`),
  ];
}

export interface Outcome {
  status: BookingStatus;
  failureReason?: string;
}

/**
 * Each booking ended as its request meant it to (a free slot and a good card confirm, a
 * declined card fails with payment_declined, an accepted cancellation cancels): crashes
 * and outages may delay a booking, never change how it ends.
 */
export function outcomesAsIntended(bookings: readonly BookingRecord[], intended: ReadonlyMap<string, Outcome>): Violations {
  return bookings.flatMap((b) => {
    const want = intended.get(b.id);
    if (!want || (want.status === b.status && (want.failureReason ?? b.failureReason) === b.failureReason)) return [];
    const show = (o: Outcome) => `${o.status}${o.failureReason ? ` (${o.failureReason})` : ''}`;
    return [`booking ${b.id} ended ${show(b)}, expected ${show(want)}`];
  });
}

/** No staff member has two confirmed bookings that overlap in time. */
export function noDoubleBooking(bookings: readonly BookingRecord[]): Violations {
  const confirmed = bookings.filter((b) => b.status === 'confirmed');
  const violations: Violations = [];
  for (const [staffId, list] of groupBy(confirmed, (b) => b.staffId)) {
    const sorted = [...list].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    for (let i = 1; i < sorted.length; i++) {
      const [prev, cur] = [sorted[i - 1]!, sorted[i]!];
      if (Date.parse(cur.start) < Date.parse(prev.end)) {
        violations.push(`staff ${staffId} is confirmed twice at ${cur.start}: bookings ${prev.id} and ${cur.id}`);
      }
    }
  }
  for (const b of confirmed) if (!b.staffId) violations.push(`confirmed booking ${b.id} has no staff member`);
  return violations;
}

const charged = (i: IntentRecord): boolean => i.status === 'succeeded';
const settledWithoutCharge = (i: IntentRecord): boolean => i.status === 'canceled' || (charged(i) && i.refundedCents >= i.amount);

/**
 * Payments agree with bookings: a confirmed booking has its own PaymentIntent succeeded
 * for what its policy takes (the price, or the deposit) and not refunded — or, card_hold,
 * authorized for the price; a failed or cancelled booking's own intent is voided
 * or fully refunded; no other intent charges a booking without a full refund, and
 * nothing is charged for a booking that is not confirmed or does not exist. (Another
 * intent left open, never charged, is no payment: see `openStrayIntents`.)
 */
export function paymentsMatchBookings(bookings: readonly BookingRecord[], intents: readonly IntentRecord[]): Violations {
  const byBooking = groupBy(intents, (i) => i.bookingId);
  const known = new Set(bookings.map((b) => b.id));
  const violations: Violations = [];
  for (const b of bookings) {
    const mine = byBooking.get(b.id) ?? [];
    const own = mine.find((i) => i.id === b.paymentIntentId);
    const strays = mine.filter((i) => i !== own && charged(i) && !settledWithoutCharge(i));
    if (b.status === 'confirmed') {
      const want = b.holdsCard ? 'requires_capture' : 'succeeded';
      const take = b.takeCents ?? b.priceCents;
      if (own?.status !== want) violations.push(`confirmed booking ${b.id}: its PaymentIntent ${b.paymentIntentId ?? '(none)'} is ${own?.status ?? 'missing'}, not ${want}`);
      else if (own.amount !== take) violations.push(`confirmed booking ${b.id} ${b.holdsCard ? 'authorized' : 'charged'} ${own.amount}; its policy takes ${take}`);
      else if (own.refundedCents > 0) violations.push(`confirmed booking ${b.id} was refunded ${own.refundedCents}`);
      for (const i of strays) violations.push(`confirmed booking ${b.id} is charged a second time by ${i.id}`);
    } else if (b.status === 'failed' || b.status === 'cancelled') {
      for (const i of [...(own && !settledWithoutCharge(own) ? [own] : []), ...strays]) {
        violations.push(
          `${b.status} booking ${b.id}: PaymentIntent ${i.id} is ${i.status}${charged(i) ? ` with ${i.refundedCents} of ${i.amount} refunded` : ''}, neither voided nor refunded`,
        );
      }
    } else {
      for (const i of mine.filter(charged)) violations.push(`booking ${b.id} is ${b.status} but PaymentIntent ${i.id} charged it`);
    }
  }
  for (const [bookingId, list] of byBooking) {
    if (known.has(bookingId)) continue;
    for (const i of list.filter((x) => charged(x) && !settledWithoutCharge(x))) {
      violations.push(`PaymentIntent ${i.id} charged booking ${bookingId}, which does not exist`);
    }
  }
  return violations;
}

/**
 * Intents left open (neither charged nor voided) that are not their booking's own: a
 * payment attempt that created one and died before recording it, retried into a new one.
 * Stripe's idempotency key makes the retry find the first; localstripe ignores the key.
 */
export function openStrayIntents(bookings: readonly BookingRecord[], intents: readonly IntentRecord[]): IntentRecord[] {
  const own = new Set(bookings.flatMap((b) => (b.paymentIntentId ? [b.paymentIntentId] : [])));
  return intents.filter((i) => !own.has(i.id) && !charged(i) && i.status !== 'canceled');
}

/**
 * No hold outlives its booking: every lock belongs to a confirmed booking (once the
 * bookings are terminal), and every confirmed booking still holds its time.
 */
export function noOrphanHolds(bookings: readonly BookingRecord[], locks: readonly LockRecord[]): Violations {
  const byId = new Map(bookings.map((b) => [b.id, b]));
  const violations: Violations = [];
  for (const [bookingId, list] of groupBy(locks, (l) => l.bookingId)) {
    const booking = byId.get(bookingId);
    if (!booking) violations.push(`${list.length} locks held for booking ${bookingId}, which does not exist (first ${list[0]!.id})`);
    else if (booking.status !== 'confirmed') violations.push(`${list.length} locks still held for ${booking.status} booking ${bookingId}`);
    else if (list.some((l) => l.staffId !== booking.staffId)) violations.push(`confirmed booking ${bookingId} holds time of another staff member`);
  }
  const holding = new Set(locks.map((l) => l.bookingId));
  for (const b of bookings) if (b.status === 'confirmed' && !holding.has(b.id)) violations.push(`confirmed booking ${b.id} holds no time`);
  return violations;
}

/**
 * Every event a booking's status implies is on Kafka (`reserva.creada`, then
 * `reserva.confirmada`, `reserva.fallida` or `reserva.cancelada`), matched by the
 * envelope's booking id and counted by event id: redeliveries of one id are fine, but
 * one event under two ids would reach consumers (who dedupe by id) twice.
 */
export function everyEventPublished(bookings: readonly BookingRecord[], events: readonly EventRecord[]): Violations {
  const ids = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.bookingId === undefined) continue;
    const k = `${e.bookingId} ${e.topic}`;
    ids.set(k, (ids.get(k) ?? new Set()).add(e.id));
  }
  return bookings.flatMap((b) => [
    ...EVENTS_OF_STATUS[b.status].flatMap((topic) => {
      const found = ids.get(`${b.id} ${topic}`);
      if (!found) return [`${b.status} booking ${b.id}: no ${topic} event on Kafka`];
      return found.size > 1 ? [`booking ${b.id}: ${topic} published under ${found.size} event ids (${[...found].join(', ')})`] : [];
    }),
    // One reserva.reprogramada per move, each under its own id.
    ...((ids.get(`${b.id} ${RESCHEDULED}`)?.size ?? 0) !== (b.moves ?? 0)
      ? [`booking ${b.id} was moved ${b.moves ?? 0} times; ${ids.get(`${b.id} ${RESCHEDULED}`)?.size ?? 0} ${RESCHEDULED} events on Kafka`]
      : []),
  ]);
}

/**
 * A confirmed booking holds exactly its own time: the granules of [start, holdEnd) of
 * its staff member, no more (a move that let the old time go) and no fewer.
 */
export function holdsMatchTimes(bookings: readonly BookingRecord[], locks: readonly LockRecord[]): Violations {
  const held = groupBy(locks, (l) => l.bookingId);
  return bookings.flatMap((b) => {
    if (b.status !== 'confirmed' || !b.staffId) return [];
    const want = new Set(lockIdsOf(b.staffId, { start: new Date(b.start), end: new Date(b.holdEnd ?? b.end) }));
    const have = new Set((held.get(b.id) ?? []).map((l) => l.id));
    const extra = [...have].filter((id) => !want.has(id));
    const missing = [...want].filter((id) => !have.has(id));
    if (extra.length === 0 && missing.length === 0) return [];
    return [`booking ${b.id} at ${b.start} holds ${extra.length} granules outside its time and misses ${missing.length} of its own`];
  });
}

/** A move of a booking as the trial's client saw it answered. */
export interface MoveAnswer {
  bookingId: string;
  /** The start asked for. */
  start: string;
  /** The final HTTP status (after retries with the same key). */
  status: number;
}

/**
 * Every move got a definite answer (200 moved, 409 refused) and each booking is where
 * its last 200 put it (its first start when none did), moved once per 200.
 */
export function movesAsAnswered(bookings: readonly BookingRecord[], firstStarts: ReadonlyMap<string, string>, answers: readonly MoveAnswer[]): Violations {
  const violations: Violations = answers
    .filter((a) => a.status !== 200 && a.status !== 409)
    .map((a) => `move of booking ${a.bookingId} to ${a.start} ended without a definite answer (last status ${a.status || 'no answer'})`);
  const byId = new Map(bookings.map((b) => [b.id, b]));
  for (const [id, first] of firstStarts) {
    const moved = answers.filter((a) => a.bookingId === id && a.status === 200);
    const b = byId.get(id);
    if (!b) continue;
    const want = moved.at(-1)?.start ?? first;
    if (Date.parse(b.start) !== Date.parse(want)) violations.push(`booking ${id} starts at ${b.start}, but its last accepted move put it at ${want}`);
    if ((b.moves ?? 0) !== moved.length) violations.push(`booking ${id} records ${b.moves ?? 0} moves; ${moved.length} were answered 200`);
  }
  return violations;
}
