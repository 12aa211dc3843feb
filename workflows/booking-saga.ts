/**
 * The booking workflow (`booking:<id>`): one execution owns a booking from the request
 * until its appointment starts.
 *
 * Before confirmation it is a saga: create reservation → hold the slot → charge →
 * confirm. Each step registers its compensation before it runs; on failure, hold expiry
 * or cancellation every compensation runs (in reverse order, each retried; one that
 * still fails does not stop the others) and those left failing wait together for an
 * operator's retryCompensation signal (NeedsAttention). After confirmation it sleeps on
 * durable timers: the reminders of the salon's policy, then the start, cancellable and
 * movable (reschedule) until then; then the appointment (check-in, completion, no-show,
 * or completion by itself).
 *
 * A cancellation is accepted or refused in one place, whichever way it comes (the
 * gateway's update, the operators' signal, or the booking document when it was
 * requested before the saga started), and it is recorded with the moment and the status
 * it was accepted in: that — not when the compensation happens to run — decides the
 * refund. Once the saga is compensating, a cancellation is refused.
 *
 * Versioning: executions started before the `lifecycle-v2` patch run
 * booking-saga-v1.ts unchanged (see README, "Changing the workflow").
 *
 * Deterministic code only: no I/O, no Node builtins (lint-enforced).
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  patched,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Reservation } from '../activities/booking';
import { actionRefusal, type AppointmentAction, type BookingStatus, refundOnCancel, rescheduleRefusal } from '../src/domain/booking';
import { POLICY_DEFAULTS } from '../src/domain/policy';
import { authorizationDueAt, type CancelledBy, type Outcome } from '../src/domain/money';
import {
  type BookingInput,
  type CancelRequest,
  type CancelResult,
  cancelSignal,
  cancelUpdate,
  checkInUpdate,
  completeUpdate,
  noShowUpdate,
  paymentEventSignal,
  type RescheduleRequest,
  rescheduleSignal,
  rescheduleUpdate,
  retryCompensationSignal,
  type SagaStatus,
  statusQuery,
} from '../src/shared/booking';
import { BookingStatusKey, NeedsAttentionKey } from '../src/shared/search-attributes';
import { bookingSagaV1 } from './booking-saga-v1';
import { PATCHES } from './patches';
import {
  CancelRequested,
  type Compensation,
  compensationSteps,
  dbStep,
  DEFAULT_COMPENSATION_ATTEMPTS,
  DEFAULT_HOLD_TTL_MS,
  holdStep,
  localDbStep,
  money,
  moveStep,
  paymentStep,
  raceHold,
  reasonOf,
  REMINDER_BEFORE_MS,
  reminderStep,
  sagaFailure,
  settleStep,
} from './saga-common';

export { DEFAULT_COMPENSATION_ATTEMPTS, DEFAULT_HOLD_TTL_MS, REMINDER_BEFORE_MS } from './saga-common';

/** While a payment waits for the customer's authentication, the intent is read again this often (besides every webhook). */
const PAYMENT_RECHECK_MS = 20_000;

/** A cancellation as accepted: when, in which status of the booking, and by whom. */
interface Cancellation {
  at: number;
  status: BookingStatus;
  by: CancelledBy;
}

/** The patches single-marker folds in. A later change is a `patched()` call of its own. */
type Folded = (typeof PATCHES)['localReservation' | 'cardHold' | 'paymentRecheck' | 'appointment' | 'reschedule'];
/** Whether a folded patch's change applies to this execution: `patched`, or always under single-marker. */
type Applies = (patchId: Folded) => boolean;
const always: Applies = () => true;

export async function bookingSaga(input: BookingInput): Promise<SagaStatus> {
  // Since the single-marker patch an execution records that one marker, and every change
  // of the patches before it applies; one started before it asks each as it comes.
  if (patched(PATCHES.singleMarker)) return bookingLifecycle(input, always);
  if (!patched(PATCHES.lifecycleV2)) return bookingSagaV1(input);
  return bookingLifecycle(input, patched);
}

async function bookingLifecycle(input: BookingInput, applies: Applies): Promise<SagaStatus> {
  const state: SagaStatus = { step: 'createReservation', status: 'pending', compensations: [], needsAttention: false };
  const ref = { bookingId: input.bookingId };
  const holdTtlMs = input.holdTtlMs ?? DEFAULT_HOLD_TTL_MS;
  const compensationStep = compensationSteps(input.compensationAttempts ?? DEFAULT_COMPENSATION_ATTEMPTS);
  /** The appointment's time (ms); a reschedule moves it. */
  const times = { start: Date.parse(input.start), end: Date.parse(input.start) };
  let cancellation: Cancellation | undefined;
  /** How the saga ends when it compensates: fixed before the compensations run. */
  let outcome: 'failed' | 'cancelled' = 'failed';
  let retryRequested = false;
  /** card_hold (since the card-hold patch): the price is authorized, captured or released later. */
  let cardHold = false;
  /** card_hold: an authorization is in place. */
  let authorized = false;

  const setStatus = (status: BookingStatus): void => {
    state.status = status;
    upsertSearchAttributes([{ key: BookingStatusKey, value: status }]);
  };

  // The one rule for cancelling, shared by the update (which answers) and the signal (which cannot).
  const refusal = (): string | undefined => {
    if (state.status === 'failed' || state.status === 'cancelled') return `it is already ${state.status}`;
    if (state.status === 'checked_in') return 'its client has checked in';
    if (state.step === 'appointment') return 'its appointment has started';
    if (state.step === 'compensating') return 'its saga is already undoing it';
    if (state.step === 'done') return 'its appointment has started';
    return undefined;
  };
  const acceptCancel = (request?: CancelRequest): CancelResult => {
    // The moment the API accepted it (carried in the request), else now; the first one stands.
    cancellation ??= { at: request?.at ? Date.parse(request.at) : Date.now(), status: state.status, by: request?.by ?? 'client' };
    return { accepted: true, status: state.status };
  };
  setHandler(statusQuery, () => state);
  setHandler(retryCompensationSignal, () => {
    retryRequested = true;
  });
  /** Stripe's webhooks about the intent, counted: each one is a reason to read it again. */
  let paymentEvents = 0;
  setHandler(paymentEventSignal, () => {
    paymentEvents += 1;
  });
  setHandler(cancelSignal, (request?: CancelRequest) => {
    if (refusal() === undefined) acceptCancel(request);
  });
  setHandler(cancelUpdate, (request: CancelRequest) => acceptCancel(request), {
    validator: (_request: CancelRequest) => {
      const why = refusal();
      if (why !== undefined) throw new Error(`booking ${input.bookingId} cannot be cancelled: ${why}`);
    },
  });
  const cancelled = (): boolean => cancellation !== undefined;
  const stopIfCancelled = (): void => {
    if (cancelled()) throw new CancelRequested();
  };

  const compensations: Compensation[] = [];
  const register = (name: string, run: () => Promise<unknown>): void => {
    compensations.unshift({ name, run });
  };

  /**
   * Runs every compensation (LIFO), each with its retries; those that still fail wait
   * together for an operator, and only they run again.
   */
  const compensate = async (): Promise<void> => {
    state.step = 'compensating';
    await CancellationScope.nonCancellable(async () => {
      let pending = [...compensations];
      for (;;) {
        const failed: Compensation[] = [];
        for (const c of pending) {
          try {
            await c.run();
            state.compensations.push(c.name);
          } catch {
            failed.push(c);
          }
        }
        if (failed.length === 0) break;
        state.needsAttention = true;
        state.failedCompensations = failed.map((c) => c.name);
        upsertSearchAttributes([{ key: NeedsAttentionKey, value: true }]);
        retryRequested = false;
        await condition(() => retryRequested);
        state.needsAttention = false;
        state.failedCompensations = undefined;
        upsertSearchAttributes([{ key: NeedsAttentionKey, value: false }]);
        pending = failed;
      }
    });
    state.step = 'done';
  };

  const refund = (amountCents: number | undefined, summary: string) => async () => {
    const args = amountCents === undefined ? ref : { ...ref, amountCents };
    state.refundedCents = (await compensationStep.refundPayment.executeWithOptions({ summary }, [args])).refundedCents;
  };

  /** card_hold: captures the price or a fee of the authorization, or releases it, as money.settle decides for `outcome`. */
  const settle = (outcome: Outcome, summary: string) => settleStep.settlePayment.executeWithOptions({ summary }, [{ ...ref, outcome }]);
  const autoCompleteHours = (booked: Reservation): number => booked.appointment?.autoCompleteHours ?? POLICY_DEFAULTS.autoCompleteHours;

  /**
   * The appointment's own updates (check-in, complete, no-show), each allowed in its
   * window (src/domain/booking.ts), and `follow`, which waits from the start for the
   * completion or the no-show, or completes the appointment `autoCompleteHours` after
   * its end.
   */
  function appointmentRecorder(booked: Reservation) {
    const policy = booked.appointment ?? { checkInGraceMinutes: POLICY_DEFAULTS.checkInGraceMinutes, autoCompleteHours: POLICY_DEFAULTS.autoCompleteHours };
    let finished = false;
    let closing = false;
    const record = async (to: 'checked_in' | 'completed' | 'no_show', auto = false): Promise<void> => {
      const summary = { checked_in: 'Check the client in', completed: auto ? 'Complete the appointment (automatic)' : 'Complete the appointment', no_show: 'Record a no-show' }[to];
      await dbStep.recordAppointment.executeWithOptions({ summary }, [{ ...ref, to, ...(auto ? { auto } : {}) }]);
      if (cardHold && to === 'completed') await settle({ kind: 'completed' }, 'Capture the price (card hold)');
      if (cardHold && to === 'no_show') await settle({ kind: 'no_show' }, 'Capture the no-show fee, release the rest (card hold)');
      setStatus(to);
      if (to !== 'checked_in') finished = true;
    };
    const action = (def: typeof checkInUpdate, name: AppointmentAction, to: 'checked_in' | 'completed' | 'no_show'): void => {
      setHandler(
        def,
        async () => {
          await record(to);
          return state;
        },
        {
          validator: () => {
            const why = closing
              ? 'its appointment is already over'
              : actionRefusal(name, { status: state.status, start: times.start, end: times.end, now: Date.now(), graceMinutes: policy.checkInGraceMinutes });
            if (why !== undefined) throw new Error(`booking ${input.bookingId}: ${why}`);
          },
        },
      );
    };
    action(checkInUpdate, 'checkIn', 'checked_in');
    action(completeUpdate, 'complete', 'completed');
    action(noShowUpdate, 'noShow', 'no_show');
    return {
      async follow(): Promise<SagaStatus> {
        state.step = 'appointment';
        const untilAuto = times.end + policy.autoCompleteHours * 3_600_000 - Date.now();
        if (untilAuto > 0) await condition(() => finished, untilAuto);
        closing = true;
        await condition(allHandlersFinished); // an update in flight finishes first
        if (!finished) await record('completed', true);
        state.step = 'done';
        return state;
      },
    };
  }

  /**
   * Until the start: a durable timer for each reminder of the policy, re-armed when the
   * booking moves; the booking can be cancelled and moved meanwhile. Resolves at the
   * start, or once a cancellation was accepted (after any move under way has finished).
   */
  async function untilStartMovable(booked: Reservation): Promise<void> {
    const offsets = booked.appointment?.reminderOffsetsHours ?? [REMINDER_BEFORE_MS / 3_600_000];
    const windowHours = booked.appointment?.rescheduleWindowHours ?? POLICY_DEFAULTS.rescheduleWindowHours;
    /** Each reminder once per start and offset. */
    const reminded = new Set<string>();
    /** Each request's answer (or refusal) by its key: a retry answers the same. */
    const answers = new Map<string, { moved: SagaStatus } | { refused: ApplicationFailure }>();
    /** The key of the move under way. */
    let moving: string | undefined;
    let moves = 0;

    const moveRefusal = (request: RescheduleRequest): string | undefined => {
      if (cancelled()) return 'its cancellation is under way';
      if (moving !== undefined) return 'another reschedule of it is under way; retry once it has finished';
      if (state.step !== 'confirmed') return 'its appointment has started';
      if (Date.parse(request.start) === times.start && (request.staffId ?? state.staffId) === state.staffId) return 'it already starts then, with that staff member';
      return rescheduleRefusal({ status: state.status, start: times.start, at: Date.parse(request.at), by: request.by, windowHours });
    };
    const move = async (request: RescheduleRequest): Promise<SagaStatus> => {
      // The same request again (a retry, or the signal after its update): the first one's answer.
      if (moving === request.key) await condition(() => answers.has(request.key));
      const known = answers.get(request.key);
      if (known) {
        if ('moved' in known) return known.moved;
        throw known.refused;
      }
      moving = request.key;
      try {
        const moved = await moveStep.moveBooking.executeWithOptions({ summary: `Move the booking to ${request.start}` }, [
          { ...ref, start: request.start, from: new Date(times.start).toISOString(), ...(request.staffId ? { staffId: request.staffId } : {}) },
        ]);
        times.start = Date.parse(moved.start);
        times.end = Date.parse(moved.end);
        Object.assign(state, { staffId: moved.staffId, start: moved.start, end: moved.end, rescheduledFrom: moved.rescheduledFrom });
        // card_hold moved beyond the authorization's lifetime: let it go; the loop places a new one in time.
        if (cardHold && authorized && authorizationDueAt(times.end, autoCompleteHours(booked)) > Date.now()) {
          await settleStep.releaseAuthorization.executeWithOptions({ summary: 'Release the card hold (moved beyond its lifetime)' }, [ref]);
          authorized = false;
        }
        moves += 1;
        const answer = { ...state, compensations: [...state.compensations] };
        answers.set(request.key, { moved: answer });
        return answer;
      } catch (err) {
        // The activity's business failure (slot taken, booking changed), kept for retries of the same request.
        const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
        const refused = ApplicationFailure.create({ type: cause?.type ?? 'RescheduleFailed', message: cause?.message ?? String(err), nonRetryable: true });
        answers.set(request.key, { refused });
        throw refused;
      } finally {
        moving = undefined;
      }
    };
    setHandler(rescheduleUpdate, move, {
      validator: (request: RescheduleRequest) => {
        if (answers.has(request.key) || moving === request.key) return;
        const why = moveRefusal(request);
        if (why !== undefined) throw new Error(`booking ${input.bookingId} cannot be moved: ${why}`);
      },
    });
    // The gateway's fallback when no worker answered the update in time: the same rule, no answer.
    setHandler(rescheduleSignal, async (request: RescheduleRequest) => {
      if (answers.has(request.key) || moving === request.key || moveRefusal(request) !== undefined) return;
      await move(request).catch(() => undefined); // refused: the booking stays where it was
    });

    for (;;) {
      const armed = moves;
      const now = Date.now();
      const next = offsets
        .map((offsetHours) => ({ offsetHours, at: times.start - offsetHours * 3_600_000, key: `${times.start}:${offsetHours}` }))
        .filter((r) => r.at > now && !reminded.has(r.key))
        .sort((a, b) => a.at - b.at)[0];
      // card_hold without an authorization: placed 6 days before the latest capture, and by the start at the latest.
      const authorizeAt = cardHold && !authorized ? Math.min(authorizationDueAt(times.end, autoCompleteHours(booked)), times.start) : undefined;
      const wakeAt = Math.min(next?.at ?? times.start, authorizeAt ?? Infinity);
      if (wakeAt > now) await condition(() => cancelled() || moves !== armed, wakeAt - now);
      if (moving !== undefined) await condition(() => moving === undefined); // a move under way decides where the booking is first
      if (cancelled()) return;
      if (moves !== armed) continue;
      if (authorizeAt !== undefined && authorizeAt <= Date.now()) {
        // Declined: the booking fails (thrown to the caller, which undoes it).
        await paymentStep.authorizePayment.executeWithOptions({ summary: `Authorize ${money(booked.priceCents, booked.currency)} (card hold)` }, [ref]);
        authorized = true;
        continue;
      }
      if (next === undefined) return; // the start
      reminded.add(next.key);
      try {
        await reminderStep.sendReminder.executeWithOptions({ summary: `Send the reminder, ${next.offsetHours} h ahead` }, [
          { ...ref, offsetHours: next.offsetHours, start: new Date(times.start).toISOString() },
        ]);
      } catch {
        // A reminder that could not be sent never undoes a confirmed booking.
      }
    }
  }

  let reservation: Reservation | undefined;
  try {
    // Step 1. Its compensation marks the booking failed or cancelled, as it turned out.
    register('markBooking', () =>
      outcome === 'cancelled'
        ? compensationStep.markBookingCancelled.executeWithOptions({ summary: 'Mark the booking cancelled' }, [
            { ...ref, salonId: input.salonId, refundedCents: state.refundedCents ?? 0, cancelledBy: cancellation?.by ?? 'client' },
          ])
        : compensationStep.markBookingFailed.executeWithOptions({ summary: `Mark the booking failed (${state.failureReason ?? 'error'})` }, [
            { ...ref, salonId: input.salonId, reason: state.failureReason ?? 'error' },
          ]),
    );
    // Since the local-reservation patch it runs inside the workflow task (a local activity).
    const reserveStep = applies(PATCHES.localReservation) ? localDbStep : dbStep;
    reservation = await reserveStep.createReservation.executeWithOptions({ summary: 'Create the reservation (price, end, hold window)' }, [input]);
    times.end = Date.parse(reservation.end);
    cardHold = reservation.payment === 'card_hold' && applies(PATCHES.cardHold);
    // A cancellation the API accepted before this saga existed waits on the booking document.
    if (reservation.cancelRequestedAt !== undefined) {
      cancellation ??= { at: Date.parse(reservation.cancelRequestedAt), status: 'pending', by: reservation.cancelledBy ?? 'client' };
    }
    stopIfCancelled();

    // Step 2.
    state.step = 'checkAvailability';
    register('releaseHold', () => compensationStep.releaseHold.executeWithOptions({ summary: 'Undo: release the held slot' }, [ref]));
    const { staffId } = await holdStep.checkAvailability.executeWithOptions({ summary: 'Hold the slot for a qualified staff member' }, [ref]);
    state.staffId = staffId;
    setStatus('held');
    stopIfCancelled();

    // Step 3, racing the hold's expiry and a cancellation.
    state.step = 'confirmPayment';
    register('refundPayment', refund(undefined, 'Undo: refund (or void) the payment'));
    const amount = money(reservation.priceCents, reservation.currency);
    await raceHold(
      async () => {
        // Webhooks counted from before each read of the intent: one that lands while the
        // read's result is on its way (the customer was quick) still wakes the wait below.
        let seen = paymentEvents;
        let paid = await paymentStep.confirmPayment.executeWithOptions({ summary: cardHold ? `Authorize ${amount} (card hold)` : `Charge ${amount}` }, [
          { ...ref, allowAction: true },
        ]);
        // 3-D Secure: the customer authenticates with Stripe, whose webhook signals here; within the hold's TTL.
        let recheck: boolean | undefined;
        while (paid.requiresAction) {
          state.paymentRequiresAction = true;
          // Since the payment-recheck patch, also every PAYMENT_RECHECK_MS, in case a webhook was lost.
          recheck ??= applies(PATCHES.paymentRecheck);
          if (recheck) await condition(() => paymentEvents > seen, PAYMENT_RECHECK_MS);
          else await condition(() => paymentEvents > seen);
          seen = paymentEvents;
          paid = await paymentStep.confirmPayment.executeWithOptions({ summary: 'Read the payment after the customer’s authentication' }, [{ ...ref, allowAction: true }]);
        }
        state.paymentRequiresAction = undefined;
        authorized = paid.authorized === true;
      },
      holdTtlMs,
      cancelled,
    );

    // Step 4. A cancellation accepted while it ran is judged by the moment it was accepted:
    // before the booking became confirmed (as its client could read it), it is undone in
    // full; after, the window rule applies below. (A result without that moment, from
    // before it was recorded, counts as before.)
    state.step = 'confirmBooking';
    const confirmation = await dbStep.confirmBooking.executeWithOptions({ summary: 'Confirm the booking' }, [ref]);
    const confirmedAt = confirmation?.confirmedAt ? Date.parse(confirmation.confirmedAt) : undefined;
    if (cancellation !== undefined && confirmedAt !== undefined && cancellation.at >= confirmedAt) {
      cancellation.status = 'confirmed';
    }
    if (cancellation?.status !== 'confirmed') stopIfCancelled();
    setStatus('confirmed');
    state.step = 'confirmed';
  } catch (err) {
    // An accepted cancellation decides the outcome, whatever failed after it.
    outcome = cancelled() ? 'cancelled' : 'failed';
    if (outcome === 'failed') state.failureReason = reasonOf(err);
    await compensate();
    setStatus(outcome);
    if (outcome === 'cancelled') return state;
    throw sagaFailure(err, holdTtlMs);
  }

  // Confirmed. Since the `appointment` patch the workflow goes on past the start: the
  // salon records the appointment (check-in, completion, no-show), or it completes itself.
  const appointmentFlow = applies(PATCHES.appointment);
  const appointment = appointmentFlow ? appointmentRecorder(reservation) : undefined;

  if (appointmentFlow && applies(PATCHES.reschedule)) {
    try {
      await untilStartMovable(reservation);
    } catch (err) {
      // card_hold: the authorization placed by the timer was declined — the booking fails.
      outcome = 'failed';
      state.failureReason = reasonOf(err);
      await compensate();
      setStatus('failed');
      throw sagaFailure(err, holdTtlMs);
    }
  } else {
    // Before the reschedule patch: one durable timer for the reminder 24 h ahead, unless cancelled first.
    const untilReminder = times.start - REMINDER_BEFORE_MS - Date.now();
    if (untilReminder > 0 && !(await condition(cancelled, untilReminder))) {
      try {
        await reminderStep.sendReminder.executeWithOptions({ summary: 'Send the reminder, 24 h ahead' }, [ref]);
      } catch {
        // A reminder that could not be sent never undoes a confirmed booking.
      }
    }
    // Then cancellable until the appointment starts; after that the workflow is done.
    const untilStart = times.start - Date.now();
    if (untilStart > 0) await condition(cancelled, untilStart);
  }
  if (cancellation === undefined) {
    if (appointment) return appointment.follow();
    state.step = 'done';
    return state;
  }
  // Accepted once confirmed: by the salon's side, everything back; by the client, the
  // salon's window decides, at the moment the cancellation was accepted.
  const refundable =
    cancellation.by === 'client'
      ? refundOnCancel({
          priceCents: reservation.priceCents,
          start: new Date(times.start),
          cancelledAt: new Date(cancellation.at),
          windowHours: reservation.cancellationWindowHours,
        })
      : reservation.priceCents;
  const noticeMs = times.start - cancellation.at;
  compensations.splice(
    compensations.findIndex((c) => c.name === 'refundPayment'),
    1,
    cardHold
      ? { name: 'settlePayment', run: () => settle({ kind: 'cancelled', by: cancellation!.by, noticeMs }, 'Settle the card hold: the late fee or nothing') }
      : { name: 'refundPayment', run: refund(refundable, `Refund ${money(refundable, reservation.currency)} (cancellation window)`) },
  );
  outcome = 'cancelled';
  await compensate();
  setStatus('cancelled');
  return state;
}
