/**
 * The booking saga's activities, built once per worker from injected dependencies.
 * Every activity is idempotent: Temporal may run it again after a crash or a timeout.
 * Business failures are non-retryable ApplicationFailures with a type the workflow and
 * the gateway switch on; anything else is transient and retried with backoff.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { DateTime } from 'luxon';
import type Stripe from 'stripe';
import { computeSlots, GRANULE_MIN } from '../src/domain/availability';
import { FAILURE_TYPES, type FailureReason } from '../src/domain/booking';
import { authorizationDueAt, type CancelledBy, type Outcome, settle } from '../src/domain/money';
import * as bookings from '../src/infra/bookings';
import type { EventPublisher } from '../src/infra/events';
import type { Metrics } from '../src/infra/metrics';
import type { Models } from '../src/infra/models';
import { toSchedule } from '../src/infra/schedules';
import { acquireHold, heldBy, lockIdsOf, releaseHold, releaseHoldExcept } from '../src/infra/slot-locks';
import { isPaymentRefused } from '../src/infra/stripe';
import type { AppointmentPolicy, BookingInput } from '../src/shared/booking';
import type { PaymentPolicy } from '../src/domain/policy';
import { TOPICS } from '../src/shared/topics';
import { beatingWhile, lazyHeartbeat } from './heartbeat';

export interface BookingDeps {
  models: Models;
  stripe: Stripe;
  events: EventPublisher;
  metrics: Metrics;
  now?: () => Date;
}

export interface Reservation {
  end: string;
  holdEnd: string;
  priceCents: number;
  currency: string;
  cancellationWindowHours: number;
  /** What the appointment's windows and timers need of the booking's policy (absent in results recorded before it). */
  appointment?: AppointmentPolicy;
  /** Its payment policy (absent in results recorded before card_hold: prepay or deposit, settled by refunds). */
  payment?: PaymentPolicy;
  /** Set when the API accepted a cancellation before the saga started: the saga cancels at once. */
  cancelRequestedAt?: string;
  cancelledBy?: CancelledBy;
}

export interface BookingRef {
  bookingId: string;
}

/**
 * What step 3 did: the intent (null when nothing was taken: a free booking, or a
 * card_hold authorization left for later), whether the card_hold price is authorized,
 * and whether Stripe waits for the customer's authentication (3-D Secure).
 */
export interface Paid {
  paymentIntentId: string | null;
  authorized?: boolean;
  requiresAction?: true;
}

/** A booking's time after a reschedule. */
export interface Moved {
  start: string;
  end: string;
  staffId: string;
  rescheduledFrom: string[];
}

const movedOf = (b: { start: Date; end: Date; staffId?: string | null; rescheduledFrom?: Date[] | null }): Moved => ({
  start: b.start.toISOString(),
  end: b.end.toISOString(),
  staffId: b.staffId ?? '',
  rescheduledFrom: (b.rescheduledFrom ?? []).map((d) => d.toISOString()),
});

const invalid = (message: string) =>
  ApplicationFailure.create({ type: FAILURE_TYPES.InvalidBooking, message, nonRetryable: true });

/** A Stripe call whose refusal (see isPaymentRefused) fails the payment step at once, releasing the hold. */
async function refusedIsDeclined<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isPaymentRefused(err)) throw err;
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.PaymentDeclined,
      message: `Stripe refused the payment: ${(err as Error).message}`,
      nonRetryable: true,
    });
  }
}

/** Stripe statuses in which nothing has been charged yet, so the intent can be voided. */
const VOIDABLE = new Set(['requires_payment_method', 'requires_confirmation', 'requires_action', 'requires_capture', 'processing']);

export function createBookingActivities(deps: BookingDeps) {
  const { models, stripe, events, metrics } = deps;
  const now = deps.now ?? (() => new Date());

  const loadBooking = async (bookingId: string) => {
    const booking = await bookings.findBooking(models, bookingId);
    if (!booking) throw invalid(`booking ${bookingId} does not exist`);
    return booking;
  };

  /**
   * The event id is derived from the booking (and `occurrence` for events a booking can
   * have more than once: each reminder, each move), so a retried activity re-sends the same event.
   */
  const publish = (
    topic: (typeof TOPICS)[keyof typeof TOPICS],
    booking: { _id: string; salonId: string; correlationId?: string | null },
    data: object,
    occurrence?: string,
  ) =>
    events.publish(topic, booking.salonId, { bookingId: booking._id, salonId: booking.salonId, ...data }, {
      id: `${booking._id}:${topic}${occurrence ? `:${occurrence}` : ''}`,
      correlationId: booking.correlationId ?? undefined,
    });

  /** A heartbeat (see lazyHeartbeat) that throws once the workflow no longer waits for the activity. */
  const heartbeatOrStop = (why: string) => {
    const beat = lazyHeartbeat(Context.current());
    return (): void => beat.orStop(why);
  };

  /** Who works at `start` for `durationMin` (+ buffer) among `staff`, by the salon's schedules; the hold decides who is free. */
  const workingAt = (
    salon: { timezone: string },
    service: { durationMin: number; bufferMin: number },
    staff: Parameters<typeof toSchedule>[0][],
    start: Date,
  ): string[] =>
    computeSlots({
      date: DateTime.fromJSDate(start, { zone: salon.timezone }).toISODate()!,
      timezone: salon.timezone,
      durationMin: service.durationMin,
      bufferMin: service.bufferMin,
      staff: staff.map(toSchedule),
      busy: new Map(),
      now: now(),
      stepMin: GRANULE_MIN,
      onlyAt: start,
    }).map((slot) => slot.staffId);


  const writeBooking = async (input: BookingInput) => {
    try {
      return (await bookings.upsertPendingBooking(models, input)).booking;
    } catch (err) {
      if (err instanceof bookings.BookingRejected) throw invalid(err.message);
      throw err;
    }
  };

  const compensated = (name: string) => metrics.record('Compensations', 1, 'Count', { Compensation: name });

  /**
   * Charges (`automatic`) or authorizes (`manual` capture) `amountCents` for the booking
   * and records it; resolves with the intent's id. A refusal is a PaymentDeclined failure.
   * Heartbeats flow while a Stripe call is in flight past the activity's first 2 s (one
   * may take 30 s with its retries), so a second attempt only ever starts when this
   * one's worker is gone.
   */
  const takePayment = async (
    booking: bookings.StoredBooking,
    amountCents: number,
    capture: 'automatic' | 'manual',
    /** The customer is there to authenticate (3-D Secure): an intent that asks for it is answered, not refused. */
    allowAction = false,
  ): Promise<{ intentId: string; requiresAction: boolean }> => {
    const ctx = Context.current();
    const beat = lazyHeartbeat(ctx);
    const bookingId = booking._id;
    const stripeCall = <T>(call: () => Promise<T>): Promise<T> => {
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('payment cancelled');
      return beatingWhile(beat, () => refusedIsDeclined(call));
    };
    // An authorization released after a reschedule is followed by a new intent, with a key of its own.
    const generation = booking.releasedAuthorizations ? `-${booking.releasedAuthorizations}` : '';
    let intentId = booking.paymentIntentId;
    let intent: Stripe.PaymentIntent | undefined;
    if (!intentId) {
      const created = await stripeCall(() =>
        stripe.paymentIntents.create(
          {
            amount: amountCents,
            currency: booking.currency.toLowerCase(),
            payment_method: booking.paymentMethod ?? undefined,
            ...(capture === 'manual' ? { capture_method: 'manual' as const } : {}),
            metadata: { bookingId },
          },
          { idempotencyKey: `booking-${bookingId}-intent${generation}` },
        ),
      );
      intentId = await bookings.recordIntent(models, bookingId, created.id);
      if (intentId === created.id) intent = created;
      // Another attempt stored its intent first. On Stripe the idempotency key made
      // both the same intent; where it did not, the extra one is voided — never the stored one.
      else await stripe.paymentIntents.cancel(created.id).catch(() => undefined);
    }
    const storedId = intentId;
    intent ??= await stripeCall(() => stripe.paymentIntents.retrieve(storedId));
    if (intent.status === 'requires_confirmation') {
      intent = await stripeCall(() => stripe.paymentIntents.confirm(storedId, {}, { idempotencyKey: `booking-${bookingId}-confirm${generation}` }));
    }
    if (intent.status === 'requires_action' && allowAction && intent.client_secret) {
      await bookings.recordActionRequired(models, bookingId, intent.client_secret);
      return { intentId: storedId, requiresAction: true };
    }
    const done = capture === 'manual' ? intent.status === 'requires_capture' : intent.status === 'succeeded';
    if (!done) {
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.PaymentDeclined,
        message: `the payment did not complete (PaymentIntent ${storedId} is ${intent.status})`,
        nonRetryable: true,
      });
    }
    if (capture === 'manual') await bookings.recordAuthorization(models, bookingId, intent.amount_capturable ?? intent.amount);
    else await bookings.recordCharge(models, bookingId, intent.amount_received ?? intent.amount);
    return { intentId: storedId, requiresAction: false };
  };

  return {
    /** Step 1: the booking document, `pending`; idempotent by booking id. Publishes `reserva.creada`. */
    async createReservation(input: BookingInput): Promise<Reservation> {
      // The gateway wrote the booking before its 202; a command that reached the saga
      // some other way (re-driven by hand, an older gateway) is priced and written here.
      const booking = (await bookings.findBooking(models, input.bookingId)) ?? (await writeBooking(input));
      await publish(TOPICS.bookingCreated, booking, {
        customerId: booking.customerId,
        serviceId: booking.serviceId,
        start: booking.start.toISOString(),
        priceCents: booking.priceCents,
        currency: booking.currency,
        priority: booking.priority,
      });
      return {
        end: booking.end.toISOString(),
        holdEnd: booking.holdEnd.toISOString(),
        priceCents: booking.priceCents,
        currency: booking.currency,
        cancellationWindowHours: booking.cancellationWindowHours,
        appointment: (({ checkInGraceMinutes, autoCompleteHours, rescheduleWindowHours, reminderOffsetsHours }) => ({
          checkInGraceMinutes,
          autoCompleteHours,
          rescheduleWindowHours,
          reminderOffsetsHours,
        }))(bookings.bookingPolicy(booking)),
        payment: bookings.bookingPolicy(booking).payment,
        ...(booking.cancelRequestedAt ? { cancelRequestedAt: booking.cancelRequestedAt.toISOString(), cancelledBy: booking.cancelledBy ?? 'client' } : {}),
      };
    },

    /**
     * Step 2: holds the named staff member, or the first qualified free one, for
     * [start, start + duration + buffer). The database refuses overlapping holds. It
     * heartbeats between writes and stops when the saga gave up on it; a hold taken for
     * a booking that has ended meanwhile is given back (what an attempt that outlived
     * its saga's releaseHold would otherwise leave; the lock sweeper catches the rest).
     */
    async checkAvailability({ bookingId }: BookingRef): Promise<{ staffId: string }> {
      const beat = heartbeatOrStop('the saga no longer waits for this hold');
      const booking = await loadBooking(bookingId);
      const [salon, service, staff] = await Promise.all([
        models.Salon.findById(booking.salonId).lean(),
        models.Service.findById(booking.serviceId).lean(),
        models.Staff.find({
          salonId: booking.salonId,
          serviceIds: booking.serviceId,
          ...(booking.staffId ? { _id: booking.staffId } : {}),
        })
          .sort({ _id: 1 })
          .lean(),
      ]);
      if (!salon || !service) throw invalid(`salon or service of booking ${bookingId} no longer exists`);
      // Who works then; whether their time is free, the hold itself decides (the
      // database refuses a granule held twice), so no busy time is read here.
      const candidates = workingAt(salon, service, staff, booking.start);
      // A retry whose earlier attempt took (part of) a hold and died before marking the
      // booking held: that staff member first, and the hold is completed.
      const mine = await heldBy(models, bookingId, staff.map((s) => String(s._id)), booking.start);
      const order = mine ? [mine, ...candidates.filter((c) => c !== mine)] : candidates;

      for (const staffId of order) {
        beat();
        const held = await acquireHold(
          models,
          { staffId, salonId: booking.salonId, bookingId, range: { start: booking.start, end: booking.holdEnd } },
          beat,
        );
        if (!held) continue;
        if (!(await bookings.markHeld(models, bookingId, staffId))) {
          await releaseHold(models, bookingId);
          throw invalid(`booking ${bookingId} ended while its slot was being held; the hold was given back`);
        }
        return { staffId };
      }
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.SlotUnavailable,
        message: `no ${booking.staffId ? 'time with the chosen staff member' : 'qualified staff member'} is free at ${booking.start.toISOString()}`,
        nonRetryable: true,
      });
    },

    /**
     * Step 3: charges what the policy takes now (the price, or the deposit) with a Stripe
     * PaymentIntent — or, for card_hold, authorizes the price (manual capture) when the
     * latest capture is within Stripe's authorization lifetime; a later one is placed by
     * the workflow's timer (authorizePayment). The intent id is stored before confirming,
     * so a retried activity reuses it; idempotency keys derived from the booking id
     * protect the calls on real Stripe too.
     */
    async confirmPayment({ bookingId, allowAction }: BookingRef & { allowAction?: boolean }): Promise<Paid> {
      const booking = await loadBooking(bookingId);
      const { chargeCents, authorizeCents } = bookings.takeOf(booking);
      const paid = (taken: { intentId: string; requiresAction: boolean }, authorized?: boolean): Paid => ({
        paymentIntentId: taken.intentId,
        ...(taken.requiresAction ? { requiresAction: true } : authorized !== undefined ? { authorized } : {}),
      });
      if (authorizeCents > 0) {
        const policy = bookings.bookingPolicy(booking);
        if (authorizationDueAt(booking.end.getTime(), policy.autoCompleteHours) > now().getTime()) return { paymentIntentId: null, authorized: false };
        return paid(await takePayment(booking, authorizeCents, 'manual', allowAction), true);
      }
      // A free booking never asks Stripe.
      if (chargeCents === 0) return { paymentIntentId: null };
      return paid(await takePayment(booking, chargeCents, 'automatic', allowAction));
    },

    /**
     * card_hold, from the workflow's timer 6 days before the latest capture: authorizes
     * the price. A refusal fails the booking — also a card that asks for authentication
     * then, with no customer there to give it.
     */
    async authorizePayment({ bookingId }: BookingRef): Promise<{ paymentIntentId: string }> {
      const booking = await loadBooking(bookingId);
      return { paymentIntentId: (await takePayment(booking, bookings.takeOf(booking).authorizeCents, 'manual')).intentId };
    },

    /**
     * card_hold: settles the authorization for how the booking ended (money.settle):
     * captures the whole price (completed) or the fee (a late cancellation by its client,
     * a no-show), or releases it all. Idempotent on the intent's own state.
     */
    async settlePayment({ bookingId, outcome }: BookingRef & { outcome: Outcome }): Promise<{ capturedCents: number }> {
      const booking = await loadBooking(bookingId);
      if (!booking.paymentIntentId) return { capturedCents: 0 }; // no authorization in place yet: no fee
      const policy = bookings.bookingPolicy(booking);
      const settlement = settle(policy, booking.priceCents, booking.currency, { chargeCents: 0, authorizeCents: booking.authorizedCents ?? 0 }, outcome);
      const intent = await stripe.paymentIntents.retrieve(booking.paymentIntentId);
      let capturedCents = 0;
      if (intent.status === 'requires_capture') {
        if (settlement.captureCents > 0) {
          await stripe.paymentIntents.capture(intent.id, { amount_to_capture: settlement.captureCents }, { idempotencyKey: `booking-${bookingId}-capture` });
          capturedCents = settlement.captureCents;
        } else {
          await stripe.paymentIntents.cancel(intent.id, {}, { idempotencyKey: `booking-${bookingId}-void` });
        }
      } else if (intent.status === 'succeeded') {
        capturedCents = intent.amount_received ?? settlement.captureCents; // captured by an earlier attempt
      }
      await bookings.recordCapture(models, bookingId, capturedCents);
      metrics.record('Settlements', 1, 'Count', { Outcome: outcome.kind, Captured: capturedCents > 0 ? 'fee-or-price' : 'none' });
      return { capturedCents };
    },

    /** card_hold: lets an authorization go before its time (the booking moved beyond the horizon); the workflow places a new one later. */
    async releaseAuthorization({ bookingId }: BookingRef): Promise<void> {
      const booking = await loadBooking(bookingId);
      if (!booking.paymentIntentId) return;
      const intent = await stripe.paymentIntents.retrieve(booking.paymentIntentId);
      if (VOIDABLE.has(intent.status)) await stripe.paymentIntents.cancel(intent.id, {}, { idempotencyKey: `booking-${bookingId}-release-${booking.releasedAuthorizations ?? 0}` });
      await bookings.forgetAuthorization(models, bookingId, intent.id);
    },

    /** Step 4: `confirmed`; publishes `reserva.confirmada`. */
    async confirmBooking({ bookingId }: BookingRef): Promise<{ confirmedAt: string }> {
      const booking = await bookings.confirmIfHeld(models, bookingId, now());
      if (!booking) throw invalid(`booking ${bookingId} does not exist`);
      if (booking.status !== 'confirmed') throw invalid(`booking ${bookingId} is ${booking.status}, not held`);
      await publish(TOPICS.bookingConfirmed, booking, {
        customerId: booking.customerId,
        staffId: booking.staffId,
        start: booking.start.toISOString(),
        priceCents: booking.priceCents,
        currency: booking.currency,
      });
      const createdAt = (booking as { createdAt?: Date }).createdAt;
      if (createdAt) metrics.record('SagaDuration', now().getTime() - createdAt.getTime(), 'Milliseconds', { Priority: booking.priority });
      metrics.record('SagaOutcome', 1, 'Count', { Outcome: 'confirmed' });
      metrics.record('SagaFailed', 0, 'None'); // its average is the failure rate the alarm watches
      return { confirmedAt: (booking.confirmedAt ?? now()).toISOString() };
    },

    /**
     * Back-office (low priority): a reminder `offsetHours` before a confirmed booking's
     * `start` (absent: 24 h before its start), as `reserva.recordatorio`; once per offset
     * and start, so a moved booking is reminded again.
     */
    async sendReminder({ bookingId, offsetHours, start }: BookingRef & { offsetHours?: number; start?: string }): Promise<{ sent: boolean }> {
      const booking = await loadBooking(bookingId);
      if (booking.status !== 'confirmed') return { sent: false };
      if (start !== undefined && booking.start.getTime() !== Date.parse(start)) return { sent: false }; // moved since
      await publish(
        TOPICS.bookingReminder,
        booking,
        { customerId: booking.customerId, serviceId: booking.serviceId, staffId: booking.staffId, start: booking.start.toISOString(), ...(offsetHours !== undefined ? { offsetHours } : {}) },
        offsetHours !== undefined ? `${booking.start.getTime()}:${offsetHours}h` : undefined,
      );
      return { sent: true };
    },

    /**
     * Moves a confirmed booking from `from` to `start` (by `staffId`, else its own staff
     * member if free, else any qualified one). The new time is held before the old one
     * is let go, and the booking document says which one is its time: a crash in between
     * leaves it on the old one holding both, and the retry completes the move (or finds
     * it written and gives the old time back). A time nobody qualified can hold is a
     * SlotUnavailable failure, and the booking stays as it was. Publishes `reserva.reprogramada`.
     */
    async moveBooking({ bookingId, start, staffId, from }: BookingRef & { start: string; staffId?: string; from: string }): Promise<Moved> {
      const beat = heartbeatOrStop('the reschedule was given up');
      const booking = await loadBooking(bookingId);
      const to = new Date(start);
      const previous = new Date(from);
      const done = async (b: typeof booking, previousStaffId?: string): Promise<Moved> => {
        await releaseHoldExcept(models, bookingId, lockIdsOf(b.staffId!, { start: b.start, end: b.holdEnd }));
        // One event id per move: the n-th move of the booking (a move back to an earlier time is a move of its own).
        // The time it left (previousStart, previousStaffId, previousEnd with the buffer) may go to the waitlist.
        const previousEnd = new Date(previous.getTime() + (b.holdEnd.getTime() - b.start.getTime())).toISOString();
        await publish(
          TOPICS.bookingRescheduled,
          b,
          {
            previousStart: previous.toISOString(),
            previousEnd,
            ...(previousStaffId ? { previousStaffId } : {}),
            start: b.start.toISOString(),
            staffId: b.staffId,
            customerId: b.customerId,
            // The n-th move: the SEQUENCE of the client's calendar invitation.
            moves: b.rescheduledFrom?.length ?? 0,
          },
          `move-${b.rescheduledFrom?.length ?? 0}`,
        );
        return movedOf(b);
      };
      // A retry of a move already written: give the old time back, answer the same.
      if (booking.start.getTime() === to.getTime() && booking.start.getTime() !== previous.getTime()) return done(booking);
      if (booking.status !== 'confirmed' || booking.start.getTime() !== previous.getTime()) {
        throw invalid(`booking ${bookingId} is ${booking.status} at ${booking.start.toISOString()}; it was to be moved from ${from}`);
      }
      const [salon, service, staff] = await Promise.all([
        models.Salon.findById(booking.salonId).lean(),
        models.Service.findById(booking.serviceId).lean(),
        models.Staff.find({ salonId: booking.salonId, serviceIds: booking.serviceId, ...(staffId ? { _id: staffId } : {}) })
          .sort({ _id: 1 })
          .lean(),
      ]);
      if (!salon || !service) throw invalid(`salon or service of booking ${bookingId} no longer exists`);
      const working = workingAt(salon, service, staff, to);
      // Its own staff member first, if they work then.
      const order = booking.staffId && working.includes(booking.staffId) ? [booking.staffId, ...working.filter((w) => w !== booking.staffId)] : working;
      const end = new Date(to.getTime() + service.durationMin * 60_000);
      const holdEnd = new Date(end.getTime() + service.bufferMin * 60_000);
      const current = lockIdsOf(booking.staffId!, { start: booking.start, end: booking.holdEnd });
      for (const candidate of order) {
        beat();
        const held = await acquireHold(models, { staffId: candidate, salonId: booking.salonId, bookingId, range: { start: to, end: holdEnd } }, beat, new Set(current));
        if (!held) continue;
        const moved = await bookings.markRescheduled(models, bookingId, { from: previous, start: to, end, holdEnd, staffId: candidate });
        if (moved?.start.getTime() !== to.getTime()) {
          await releaseHoldExcept(models, bookingId, current);
          throw invalid(`booking ${bookingId} changed while it was being moved (it is ${moved?.status ?? 'gone'}); the new time was given back`);
        }
        metrics.record('Reschedules', 1, 'Count');
        return done(moved, booking.staffId ?? undefined);
      }
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.SlotUnavailable,
        message: `no ${staffId ? 'time with the chosen staff member' : 'qualified staff member'} is free at ${to.toISOString()}; the booking stays at ${booking.start.toISOString()}`,
        nonRetryable: true,
      });
    },

    /**
     * The appointment recorded by the salon (check-in, completion, no-show) or completed
     * automatically; publishes `reserva.presentada`, `reserva.completada` or
     * `reserva.no_presentada`. A no-show keeps what prepay or deposit charged.
     */
    async recordAppointment({ bookingId, to, auto }: BookingRef & { to: 'checked_in' | 'completed' | 'no_show'; auto?: boolean }): Promise<void> {
      const booking = await bookings.markAppointment(models, bookingId, to);
      if (!booking) throw invalid(`booking ${bookingId} does not exist`);
      if (booking.status !== to) throw invalid(`booking ${bookingId} is ${booking.status}; it cannot become ${to}`);
      const topic = { checked_in: TOPICS.bookingCheckedIn, completed: TOPICS.bookingCompleted, no_show: TOPICS.bookingNoShow }[to];
      await publish(topic, booking, { customerId: booking.customerId, staffId: booking.staffId, start: booking.start.toISOString(), ...(auto ? { automatic: true } : {}) });
      metrics.record('Appointments', 1, 'Count', { Outcome: to });
    },

    /** Compensation of step 2. */
    async releaseHold({ bookingId }: BookingRef): Promise<void> {
      await releaseHold(models, bookingId);
      compensated('releaseHold');
    },

    /**
     * Compensation of step 3, and the refund of a cancellation: voids an intent that
     * charged nothing yet; of one that succeeded, refunds `amountCents` (default: all that
     * was charged). Idempotent on Stripe's own record — the charge's `amount_refunded` —
     * so a retry, even days later, refunds only what is still missing.
     */
    async refundPayment({ bookingId, amountCents }: BookingRef & { amountCents?: number }): Promise<{ refundedCents: number }> {
      const booking = await bookings.findBooking(models, bookingId);
      if (!booking?.paymentIntentId) return { refundedCents: 0 };
      const intent = await stripe.paymentIntents.retrieve(booking.paymentIntentId, { expand: ['latest_charge'] });
      let refundedCents = 0;
      let voided = intent.status === 'canceled';
      if (VOIDABLE.has(intent.status)) {
        await stripe.paymentIntents.cancel(intent.id, {}, { idempotencyKey: `booking-${bookingId}-void` });
        voided = true;
      } else if (intent.status === 'succeeded') {
        const charge = typeof intent.latest_charge === 'object' && intent.latest_charge !== null ? intent.latest_charge : undefined;
        const charged = charge?.amount_captured ?? charge?.amount ?? intent.amount_received ?? intent.amount;
        const alreadyRefunded = charge?.amount_refunded ?? 0;
        const target = Math.min(amountCents ?? charged, charged);
        if (target > alreadyRefunded) {
          await stripe.refunds.create(
            { payment_intent: intent.id, amount: target - alreadyRefunded },
            { idempotencyKey: `booking-${bookingId}-refund-${target}-${alreadyRefunded}` },
          );
        }
        refundedCents = Math.max(target, alreadyRefunded);
      }
      await bookings.recordRefund(models, bookingId, refundedCents, voided);
      compensated('refundPayment');
      return { refundedCents };
    },

    /** Compensation of step 1 on failure: `failed` with the reason; publishes `reserva.fallida`. */
    async markBookingFailed({ bookingId, reason, salonId }: BookingRef & { reason: FailureReason; salonId: string }): Promise<void> {
      const booking = await bookings.markFailed(models, bookingId, reason);
      await publish(TOPICS.bookingFailed, booking ?? { _id: bookingId, salonId }, { reason });
      compensated('markBookingFailed');
      metrics.record('SagaOutcome', 1, 'Count', { Outcome: 'compensated' });
      metrics.record('SagaFailed', 1, 'None');
      metrics.record('SagaFailures', 1, 'Count', { Reason: reason });
    },

    /** Compensation of step 1 on cancellation: `cancelled`; publishes `reserva.cancelada`. */
    async markBookingCancelled({
      bookingId,
      salonId,
      refundedCents,
      cancelledBy,
    }: BookingRef & { salonId: string; refundedCents: number; cancelledBy?: CancelledBy }): Promise<void> {
      const booking = await bookings.markCancelled(models, bookingId, cancelledBy ?? 'client');
      await publish(TOPICS.bookingCancelled, booking ?? { _id: bookingId, salonId }, { refundedCents, customerId: booking?.customerId, cancelledBy: cancelledBy ?? 'client' });
      compensated('markBookingCancelled');
      metrics.record('SagaOutcome', 1, 'Count', { Outcome: 'cancelled' });
    },
  };
}

export type BookingActivities = ReturnType<typeof createBookingActivities>;
