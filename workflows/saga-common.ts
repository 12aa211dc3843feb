/**
 * What every version of the booking saga shares: the activities' timeout and retry
 * profiles (options are not part of a history's commands, so changing them is
 * replay-safe), the race of the payment against the hold and a cancellation, and the
 * mapping of failures to reasons. Deterministic code only.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { BookingActivities } from '../activities/booking';
import { FAILURE_TYPES, type FailureReason, REASON_OF_TYPE } from '../src/domain/booking';
import { taskQueueFor } from '../src/shared/booking';

export const DEFAULT_HOLD_TTL_MS = 10 * 60_000;
export const DEFAULT_COMPENSATION_ATTEMPTS = 10;
export const REMINDER_BEFORE_MS = 24 * 3_600_000;

const businessFailures = Object.values(FAILURE_TYPES);

const dbStepOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 20, nonRetryableErrorTypes: businessFailures },
} as const;

export const dbStep = proxyActivities<BookingActivities>(dbStepOptions);

/**
 * The same profile for a short database step run as a local activity (createReservation
 * since the local-reservation patch): in the workflow task that schedules it, without a
 * round trip through the server, recorded as a marker. Only for idempotent steps that
 * take milliseconds and need no heartbeat: a workflow task in flight answers no query and
 * takes no update until the step ends, and an attempt whose worker dies runs again with
 * the workflow task. A failure reaches the workflow as the ApplicationFailure itself, not
 * wrapped in an ActivityFailure.
 */
export const localDbStep = proxyLocalActivities<BookingActivities>(dbStepOptions);

/**
 * Holding the slot heartbeats between its writes: an attempt whose worker died is
 * retried within seconds, and one that was given up on is told so at its next write
 * (and stops) instead of taking locks after the saga released the hold.
 */
export const holdStep = proxyActivities<BookingActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 20, nonRetryableErrorTypes: businessFailures },
});

/** Moving a booking holds its new time like step 2, heartbeating; the update that asked waits for it. */
export const moveStep = holdStep;

export const paymentStep = proxyActivities<BookingActivities>({
  // Each Stripe call may take up to 10 s and is tried up to 3 times; the activity
  // heartbeats every few seconds while one is in flight, so only a dead worker lets
  // the heartbeat lapse — never a slow call, which would start a second attempt
  // alongside the first.
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  // The workflow waits for a cancelled payment to stop before it compensates, so a
  // charge can never land after its refund.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  // No attempt limit: the hold's expiry bounds how long a payment may keep retrying.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', nonRetryableErrorTypes: businessFailures },
});

/** card_hold captures and releases: retried until Stripe answers (an appointment's money is never left undecided). */
export const settleStep = proxyActivities<BookingActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: businessFailures },
});

export const compensationSteps = (maximumAttempts: number) =>
  proxyActivities<BookingActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts },
  });

// The reminder is back-office work: it runs on the low-priority task queue.
export const reminderStep = proxyActivities<BookingActivities>({
  taskQueue: taskQueueFor('low'),
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

/** A step's undo, registered before the step runs. */
export interface Compensation {
  name: string;
  run: () => Promise<unknown>;
}

export class HoldExpired extends Error {}
export class CancelRequested extends Error {}

/** Runs the payment; a hold expiry or a cancellation cancels it and is thrown instead. */
export async function raceHold(pay: () => Promise<unknown>, ttlMs: number, cancelled: () => boolean): Promise<void> {
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

/** The error a failed saga ends with: its business failure, or SagaFailed. */
export function sagaFailure(err: unknown, holdTtlMs: number): Error {
  if (err instanceof HoldExpired) {
    return ApplicationFailure.create({
      type: FAILURE_TYPES.HoldExpired,
      message: `payment did not complete within ${holdTtlMs / 1000} s; the hold was released`,
      nonRetryable: true,
    });
  }
  if (err instanceof ActivityFailure || err instanceof ApplicationFailure) return err;
  return ApplicationFailure.create({ type: 'SagaFailed', message: String(err), nonRetryable: true });
}

/** 2500, 'EUR' → "25.00 EUR" (for the Temporal UI's activity summaries). */
export function money(cents: number, currency: string): string {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}

export function reasonOf(err: unknown): FailureReason {
  if (err instanceof HoldExpired) return 'hold_expired';
  const failure = err instanceof ActivityFailure ? err.cause : err;
  if (failure instanceof ApplicationFailure && failure.type) return REASON_OF_TYPE[failure.type] ?? 'error';
  return 'error';
}
