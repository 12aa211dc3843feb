/**
 * The booking saga: create reservation → check availability → confirm payment →
 * confirm booking. Each step registers its compensation before it runs; on failure,
 * hold expiry or cancellation the compensations run in reverse order, in a
 * non-cancellable scope, each retried until it succeeds — or, past its retry budget,
 * the saga raises NeedsAttention and waits for an operator's retryCompensation signal.
 *
 * Deterministic code only: no I/O, no Node builtins (lint-enforced).
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { BookingActivities, Reservation } from '../activities/booking';
import { type BookingStatus, FAILURE_TYPES, type FailureReason, REASON_OF_TYPE, refundOnCancel } from '../src/domain/booking';
import {
  type BookingInput,
  cancelSignal,
  cancelUpdate,
  retryCompensationSignal,
  type SagaStatus,
  statusQuery,
  taskQueueFor,
} from '../src/shared/booking';
import { BookingStatusKey, NeedsAttentionKey } from '../src/shared/search-attributes';

export const DEFAULT_HOLD_TTL_MS = 10 * 60_000;

const businessFailures = Object.values(FAILURE_TYPES);

// Timeout and retry profiles, one per kind of step.
const dbStep = proxyActivities<BookingActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 20, nonRetryableErrorTypes: businessFailures },
});
const paymentStep = proxyActivities<BookingActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  // The workflow waits for a cancelled payment to stop before it compensates, so a
  // charge can never land after its refund.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  // No attempt limit: the hold's expiry bounds how long a payment may keep retrying.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', nonRetryableErrorTypes: businessFailures },
});
const compensationSteps = (maximumAttempts: number) =>
  proxyActivities<BookingActivities>({
    startToCloseTimeout: '15 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts },
  });
export const DEFAULT_COMPENSATION_ATTEMPTS = 10;

// The reminder is back-office work: it runs on the low-priority task queue.
const reminderStep = proxyActivities<BookingActivities>({
  taskQueue: taskQueueFor('low'),
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export const REMINDER_BEFORE_MS = 24 * 3_600_000;

interface Compensation {
  name: string;
  run: () => Promise<unknown>;
}

class HoldExpired extends Error {}
class CancelRequested extends Error {}

export async function bookingSaga(input: BookingInput): Promise<SagaStatus> {
  const state: SagaStatus = { step: 'createReservation', status: 'pending', compensations: [], needsAttention: false };
  const ref = { bookingId: input.bookingId };
  const compensationStep = compensationSteps(input.compensationAttempts ?? DEFAULT_COMPENSATION_ATTEMPTS);
  let cancelRequested = false;
  let retryRequested = false;

  const setStatus = (status: BookingStatus): void => {
    state.status = status;
    upsertSearchAttributes([{ key: BookingStatusKey, value: status }]);
  };

  setHandler(statusQuery, () => state);
  setHandler(retryCompensationSignal, () => {
    retryRequested = true;
  });
  setHandler(cancelSignal, () => {
    if (state.status !== 'failed' && state.status !== 'cancelled') cancelRequested = true;
  });
  setHandler(
    cancelUpdate,
    () => {
      cancelRequested = true;
      return { accepted: true, status: state.status };
    },
    {
      validator: () => {
        if (state.status === 'failed' || state.status === 'cancelled' || state.step === 'compensating') {
          throw new Error(`booking ${input.bookingId} is ${state.status}; there is nothing to cancel`);
        }
      },
    },
  );

  const compensations: Compensation[] = [];
  const register = (name: string, run: () => Promise<unknown>): void => {
    compensations.unshift({ name, run });
  };

  /** Runs the compensations (LIFO); one that exhausts its retries waits for an operator. */
  const compensate = async (): Promise<void> => {
    state.step = 'compensating';
    await CancellationScope.nonCancellable(async () => {
      for (const c of compensations) {
        for (;;) {
          try {
            await c.run();
            state.compensations.push(c.name);
            break;
          } catch {
            state.needsAttention = true;
            upsertSearchAttributes([{ key: NeedsAttentionKey, value: true }]);
            retryRequested = false;
            await condition(() => retryRequested);
            state.needsAttention = false;
            upsertSearchAttributes([{ key: NeedsAttentionKey, value: false }]);
          }
        }
      }
    });
    state.step = 'done';
  };

  let reservation: Reservation | undefined;
  try {
    // Step 1. Its compensation marks the booking failed or cancelled, as it turns out.
    register('markBooking', () =>
      cancelRequested
        ? compensationStep.markBookingCancelled.executeWithOptions({ summary: 'Mark the booking cancelled' }, [
            { ...ref, salonId: input.salonId, refundedCents: state.refundedCents ?? 0 },
          ])
        : compensationStep.markBookingFailed.executeWithOptions({ summary: `Mark the booking failed (${state.failureReason ?? 'error'})` }, [
            { ...ref, salonId: input.salonId, reason: state.failureReason ?? 'error' },
          ]),
    );
    reservation = await dbStep.createReservation.executeWithOptions({ summary: 'Create the reservation (price, end, hold window)' }, [input]);
    if (cancelRequested) throw new CancelRequested();

    // Step 2.
    state.step = 'checkAvailability';
    register('releaseHold', () => compensationStep.releaseHold.executeWithOptions({ summary: 'Undo: release the held slot' }, [ref]));
    const { staffId } = await dbStep.checkAvailability.executeWithOptions({ summary: 'Hold the slot for a qualified staff member' }, [ref]);
    state.staffId = staffId;
    setStatus('held');
    if (cancelRequested) throw new CancelRequested();

    // Step 3, racing the hold's expiry and a cancellation.
    state.step = 'confirmPayment';
    register('refundPayment', async () => {
      state.refundedCents = (await compensationStep.refundPayment.executeWithOptions({ summary: 'Undo: refund (or void) the payment' }, [ref])).refundedCents;
    });
    await raceHold(
      () => paymentStep.confirmPayment.executeWithOptions({ summary: `Charge ${money(reservation!.priceCents, reservation!.currency)}` }, [ref]),
      input.holdTtlMs ?? DEFAULT_HOLD_TTL_MS,
      () => cancelRequested,
    );

    // Step 4.
    state.step = 'confirmBooking';
    await dbStep.confirmBooking.executeWithOptions({ summary: 'Confirm the booking' }, [ref]);
    setStatus('confirmed');
    state.step = 'confirmed';
  } catch (err) {
    if (err instanceof CancelRequested) {
      await compensate();
      setStatus('cancelled');
      return state;
    }
    state.failureReason = reasonOf(err);
    await compensate();
    setStatus('failed');
    if (err instanceof HoldExpired) {
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.HoldExpired,
        message: `payment did not complete within ${(input.holdTtlMs ?? DEFAULT_HOLD_TTL_MS) / 1000} s; the hold was released`,
        nonRetryable: true,
      });
    }
    if (err instanceof ActivityFailure || err instanceof ApplicationFailure) throw err;
    throw ApplicationFailure.create({ type: 'SagaFailed', message: String(err), nonRetryable: true });
  }

  // Confirmed: a durable timer for the reminder 24 h ahead, unless cancelled first.
  const untilReminder = new Date(input.start).getTime() - REMINDER_BEFORE_MS - Date.now();
  if (untilReminder > 0 && !(await condition(() => cancelRequested, untilReminder))) {
    try {
      await reminderStep.sendReminder.executeWithOptions({ summary: 'Send the reminder, 24 h ahead' }, [ref]);
    } catch {
      // A reminder that could not be sent never undoes a confirmed booking.
    }
  }
  // Then wait until the appointment starts for a cancellation; after that the saga is done.
  const untilStart = new Date(input.start).getTime() - Date.now();
  if (untilStart > 0 && (await condition(() => cancelRequested, untilStart))) {
    const refundable = refundOnCancel({
      priceCents: reservation.priceCents,
      start: new Date(input.start),
      cancelledAt: new Date(Date.now()),
      windowHours: reservation.cancellationWindowHours,
    });
    // After confirmation the refund follows the salon's cancellation window.
    compensations.splice(compensations.findIndex((c) => c.name === 'refundPayment'), 1, {
      name: 'refundPayment',
      run: async () => {
        state.refundedCents = (
          await compensationStep.refundPayment.executeWithOptions({ summary: `Refund ${money(refundable, reservation.currency)} (cancellation window)` }, [
            { ...ref, amountCents: refundable },
          ])
        ).refundedCents;
      },
    });
    await compensate();
    setStatus('cancelled');
  } else {
    state.step = 'done';
  }
  return state;

  /** Runs the payment; a hold expiry or a cancellation cancels it and is thrown instead. */
  async function raceHold(pay: () => Promise<unknown>, ttlMs: number, cancelled: () => boolean): Promise<void> {
    const paymentScope = new CancellationScope();
    const payment = paymentScope.run(pay);
    const timerScope = new CancellationScope();
    const interrupt = timerScope.run(async () => ((await condition(cancelled, ttlMs)) ? ('cancelled' as const) : ('expired' as const)));
    interrupt.catch(() => undefined); // cancelled below once the payment settles first
    let winner: 'paid' | 'cancelled' | 'expired';
    try {
      winner = await Promise.race([payment.then(() => 'paid' as const), interrupt]);
    } finally {
      timerScope.cancel();
    }
    if (winner === 'paid') return;
    paymentScope.cancel();
    try {
      await payment; // waits for the activity to acknowledge (WAIT_CANCELLATION_COMPLETED)
    } catch (err) {
      if (!isCancellation(err)) throw err; // a business failure that landed first wins
    }
    throw winner === 'cancelled' ? new CancelRequested() : new HoldExpired();
  }
}

/** 2500, 'EUR' → "25.00 EUR" (for the Temporal UI's activity summaries). */
function money(cents: number, currency: string): string {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}

function reasonOf(err: unknown): FailureReason {
  if (err instanceof HoldExpired) return 'hold_expired';
  const failure = err instanceof ActivityFailure ? err.cause : err;
  if (failure instanceof ApplicationFailure && failure.type) return REASON_OF_TYPE[failure.type] ?? 'error';
  return 'error';
}

