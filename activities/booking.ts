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
import { BookingRejected, upsertPendingBooking } from '../src/infra/bookings';
import type { EventPublisher } from '../src/infra/events';
import type { Metrics } from '../src/infra/metrics';
import type { BookingDoc, Models } from '../src/infra/models';
import { toSchedule } from '../src/infra/schedules';
import { acquireHold, heldBy, releaseHold } from '../src/infra/slot-locks';
import { isPaymentRefused } from '../src/infra/stripe';
import type { BookingInput } from '../src/shared/booking';
import { TOPICS } from '../src/shared/topics';

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
  /** Set when the API accepted a cancellation before the saga started: the saga cancels at once. */
  cancelRequestedAt?: string;
}

export interface BookingRef {
  bookingId: string;
}

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
    const booking = await models.Booking.findById(bookingId).lean();
    if (!booking) throw invalid(`booking ${bookingId} does not exist`);
    return booking;
  };

  const publish = (topic: (typeof TOPICS)[keyof typeof TOPICS], booking: { _id: string; salonId: string; correlationId?: string | null }, data: object) =>
    // The event id is derived from the booking, so a retried activity re-sends the same event.
    events.publish(topic, booking.salonId, { bookingId: booking._id, salonId: booking.salonId, ...data }, {
      id: `${booking._id}:${topic}`,
      correlationId: booking.correlationId ?? undefined,
    });

  const markHeld = async (bookingId: string, staffId: string): Promise<{ staffId: string }> => {
    await models.Booking.updateOne({ _id: bookingId, status: 'pending' }, { $set: { status: 'held', staffId } });
    return { staffId };
  };

  const writeBooking = async (input: BookingInput) => {
    try {
      return (await upsertPendingBooking(models, input)).booking;
    } catch (err) {
      if (err instanceof BookingRejected) throw invalid(err.message);
      throw err;
    }
  };

  const compensated = (name: string) => metrics.record('Compensations', 1, 'Count', { Compensation: name });

  return {
    /** Step 1: the booking document, `pending`; idempotent by booking id. Publishes `reserva.creada`. */
    async createReservation(input: BookingInput): Promise<Reservation> {
      // The gateway wrote the booking before its 202; a command that reached the saga
      // some other way (re-driven by hand, an older gateway) is priced and written here.
      const booking = (await models.Booking.findById(input.bookingId).lean<BookingDoc & { _id: string }>()) ?? (await writeBooking(input));
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
      };
    },

    /**
     * Step 2: holds the named staff member, or the first qualified free one, for
     * [start, start + duration + buffer). The database refuses overlapping holds.
     */
    async checkAvailability({ bookingId }: BookingRef): Promise<{ staffId: string }> {
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
      const date = DateTime.fromJSDate(booking.start, { zone: salon.timezone }).toISODate()!;
      const candidates = computeSlots({
        date,
        timezone: salon.timezone,
        durationMin: service.durationMin,
        bufferMin: service.bufferMin,
        staff: staff.map(toSchedule),
        busy: new Map(),
        now: now(),
        stepMin: GRANULE_MIN,
      })
        .filter((slot) => new Date(slot.start).getTime() === booking.start.getTime())
        .map((slot) => slot.staffId);
      // A retry whose earlier attempt took (part of) a hold and died before marking the
      // booking held: that staff member first, and the hold is completed.
      const mine = await heldBy(models, bookingId, staff.map((s) => String(s._id)), booking.start);
      const order = mine ? [mine, ...candidates.filter((c) => c !== mine)] : candidates;

      for (const staffId of order) {
        const held = await acquireHold(models, {
          staffId,
          salonId: booking.salonId,
          bookingId,
          range: { start: booking.start, end: booking.holdEnd },
        });
        if (held) return markHeld(bookingId, staffId);
      }
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.SlotUnavailable,
        message: `no ${booking.staffId ? 'time with the chosen staff member' : 'qualified staff member'} is free at ${booking.start.toISOString()}`,
        nonRetryable: true,
      });
    },

    /**
     * Step 3: charges the price with a Stripe PaymentIntent. The intent id is stored
     * before confirming, so a retried activity reuses it; idempotency keys derived from
     * the booking id protect the calls on real Stripe too.
     */
    async confirmPayment({ bookingId }: BookingRef): Promise<{ paymentIntentId: string | null }> {
      const ctx = Context.current();
      let booking = await loadBooking(bookingId);
      if (booking.priceCents === 0) return { paymentIntentId: null }; // free: nothing to charge, Stripe is not asked
      let created: Stripe.PaymentIntent | undefined;
      if (!booking.paymentIntentId) {
        const intent = await refusedIsDeclined(() =>
          stripe.paymentIntents.create(
            {
              amount: booking.priceCents,
              currency: booking.currency.toLowerCase(),
              payment_method: booking.paymentMethod ?? undefined,
              metadata: { bookingId },
            },
            { idempotencyKey: `booking-${bookingId}-intent` },
          ),
        );
        const stored = await models.Booking.updateOne(
          { _id: bookingId, paymentIntentId: { $exists: false } },
          { $set: { paymentIntentId: intent.id } },
        );
        if (stored.modifiedCount === 1) created = intent;
        else {
          await stripe.paymentIntents.cancel(intent.id).catch(() => undefined); // another attempt won
          booking = await loadBooking(bookingId);
        }
      }
      const intentId = created?.id ?? booking.paymentIntentId!;
      ctx.heartbeat();
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('payment cancelled before confirmation');
      // An intent created just now is as Stripe answered; one from an earlier attempt is read again.
      let intent = created ?? (await stripe.paymentIntents.retrieve(intentId));
      if (intent.status === 'requires_confirmation') {
        intent = await refusedIsDeclined(() =>
          stripe.paymentIntents.confirm(intentId, {}, { idempotencyKey: `booking-${bookingId}-confirm` }),
        );
      }
      if (intent.status !== 'succeeded') {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.PaymentDeclined,
          message: `the payment did not complete (PaymentIntent ${intentId} is ${intent.status})`,
          nonRetryable: true,
        });
      }
      return { paymentIntentId: intentId };
    },

    /** Step 4: `confirmed`; publishes `reserva.confirmada`. */
    async confirmBooking({ bookingId }: BookingRef): Promise<void> {
      await models.Booking.updateOne({ _id: bookingId, status: 'held' }, { $set: { status: 'confirmed' } });
      const booking = await loadBooking(bookingId);
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
    },

    /** Back-office (low priority): the reminder 24 h before a confirmed booking, as `reserva.recordatorio`. */
    async sendReminder({ bookingId }: BookingRef): Promise<{ sent: boolean }> {
      const booking = await loadBooking(bookingId);
      if (booking.status !== 'confirmed') return { sent: false };
      await publish(TOPICS.bookingReminder, booking, {
        customerId: booking.customerId,
        serviceId: booking.serviceId,
        staffId: booking.staffId,
        start: booking.start.toISOString(),
      });
      return { sent: true };
    },

    /** Compensation of step 2. */
    async releaseHold({ bookingId }: BookingRef): Promise<void> {
      await releaseHold(models, bookingId);
      compensated('releaseHold');
    },

    /**
     * Compensation of step 3, and the refund of a cancellation: voids an intent that
     * charged nothing yet, refunds (`amountCents`, default all) one that succeeded.
     */
    async refundPayment({ bookingId, amountCents }: BookingRef & { amountCents?: number }): Promise<{ refundedCents: number }> {
      const booking = await models.Booking.findById(bookingId).lean();
      if (!booking?.paymentIntentId) return { refundedCents: 0 };
      if (booking.refundedCents !== undefined && booking.refundedCents !== null) return { refundedCents: booking.refundedCents };
      const intent = await stripe.paymentIntents.retrieve(booking.paymentIntentId);
      let refundedCents = 0;
      if (VOIDABLE.has(intent.status)) {
        await stripe.paymentIntents.cancel(intent.id, {}, { idempotencyKey: `booking-${bookingId}-void` });
      } else if (intent.status === 'succeeded') {
        refundedCents = Math.min(amountCents ?? intent.amount, intent.amount);
        if (refundedCents > 0) {
          await stripe.refunds.create(
            { payment_intent: intent.id, amount: refundedCents },
            { idempotencyKey: `booking-${bookingId}-refund` },
          );
        }
      }
      await models.Booking.updateOne({ _id: bookingId }, { $set: { refundedCents } });
      compensated('refundPayment');
      return { refundedCents };
    },

    /** Compensation of step 1 on failure: `failed` with the reason; publishes `reserva.fallida`. */
    async markBookingFailed({ bookingId, reason, salonId }: BookingRef & { reason: FailureReason; salonId: string }): Promise<void> {
      await models.Booking.updateOne(
        { _id: bookingId, status: { $nin: ['failed', 'cancelled'] } },
        { $set: { status: 'failed', failureReason: reason } },
      );
      const booking = await models.Booking.findById(bookingId).lean();
      await publish(TOPICS.bookingFailed, booking ?? { _id: bookingId, salonId }, { reason });
      compensated('markBookingFailed');
      metrics.record('SagaOutcome', 1, 'Count', { Outcome: 'compensated' });
      metrics.record('SagaFailed', 1, 'None');
      metrics.record('SagaFailures', 1, 'Count', { Reason: reason });
    },

    /** Compensation of step 1 on cancellation: `cancelled`; publishes `reserva.cancelada`. */
    async markBookingCancelled({ bookingId, salonId, refundedCents }: BookingRef & { salonId: string; refundedCents: number }): Promise<void> {
      await models.Booking.updateOne(
        { _id: bookingId, status: { $nin: ['failed', 'cancelled'] } },
        { $set: { status: 'cancelled' } },
      );
      const booking = await models.Booking.findById(bookingId).lean();
      await publish(TOPICS.bookingCancelled, booking ?? { _id: bookingId, salonId }, { refundedCents, customerId: booking?.customerId });
      compensated('markBookingCancelled');
      metrics.record('SagaOutcome', 1, 'Count', { Outcome: 'cancelled' });
    },
  };
}

export type BookingActivities = ReturnType<typeof createBookingActivities>;
