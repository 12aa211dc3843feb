/**
 * The booking saga as it ran before the `lifecycle-v2` patch, kept unchanged so that
 * the executions it started — sleeping until their appointments, for weeks — replay and
 * finish as they began (test/replay). New executions run workflows/booking-saga.ts.
 * Delete this file (and the patch, via deprecatePatch) once no execution older than
 * the patch is open: `temporal workflow count --query "WorkflowType='bookingSaga' AND
 * ExecutionStatus='Running' AND StartTime < '<the patch's deploy time>'"` says 0.
 *
 * Frozen: change nothing here but what a shared module's change forces.
 */
import { CancellationScope, condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Reservation } from '../activities/booking';
import { type BookingStatus, refundOnCancel } from '../src/domain/booking';
import { type BookingInput, type CancelRequest, cancelSignal, cancelUpdate, retryCompensationSignal, type SagaStatus, statusQuery } from '../src/shared/booking';
import { BookingStatusKey, NeedsAttentionKey } from '../src/shared/search-attributes';
import {
  CancelRequested,
  type Compensation,
  compensationSteps,
  dbStep,
  DEFAULT_COMPENSATION_ATTEMPTS,
  DEFAULT_HOLD_TTL_MS,
  money,
  paymentStep,
  raceHold,
  reasonOf,
  REMINDER_BEFORE_MS,
  reminderStep,
  sagaFailure,
} from './saga-common';

export async function bookingSagaV1(input: BookingInput): Promise<SagaStatus> {
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
    (_request: CancelRequest) => {
      cancelRequested = true;
      return { accepted: true, status: state.status };
    },
    {
      validator: (_request: CancelRequest) => {
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
    throw sagaFailure(err, input.holdTtlMs ?? DEFAULT_HOLD_TTL_MS);
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
}
