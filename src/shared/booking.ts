/**
 * Names and shapes both sides of the booking saga share: the gateway (or dispatcher)
 * that starts it, the workflow, the activities and the worker.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BookingStatus, FailureReason } from '../domain/booking';
import type { CancelledBy } from '../domain/money';
import type { Priority } from '../domain/priority';

export const WORKFLOW_TYPE = 'bookingSaga';
export const taskQueueFor = (priority: Priority): string => `bookings-${priority}`;
export const workflowIdFor = (bookingId: string): string => `booking:${bookingId}`;

export interface BookingInput {
  bookingId: string;
  customerId: string;
  salonId: string;
  serviceId: string;
  staffId?: string;
  /** ISO 8601 instant. */
  start: string;
  paymentMethod: string;
  priority: Priority;
  correlationId: string;
  /** When the client asked: promotions are priced as of this instant. */
  requestedAt: string;
  /** How long the hold waits for payment before the saga gives up (default 10 minutes). */
  holdTtlMs?: number;
  /** Tries of each compensation before the saga waits for an operator (default 10). */
  compensationAttempts?: number;
}

/** The policy fields the workflow's timers and windows need (from the booking, as made). */
export interface AppointmentPolicy {
  checkInGraceMinutes: number;
  autoCompleteHours: number;
  /** Absent in results recorded before reschedules (those sagas never reschedule and remind 24 h ahead). */
  rescheduleWindowHours?: number;
  reminderOffsetsHours?: number[];
}

export type SagaStep =
  | 'createReservation'
  | 'checkAvailability'
  | 'confirmPayment'
  | 'confirmBooking'
  | 'confirmed'
  /** The appointment has started: no cancelling; check-in, completion or a no-show ends it (else auto-completion). */
  | 'appointment'
  | 'compensating'
  | 'done';

export interface SagaStatus {
  step: SagaStep;
  status: BookingStatus;
  staffId?: string;
  failureReason?: FailureReason;
  /** Compensations run so far, in the order they ran. */
  compensations: string[];
  needsAttention: boolean;
  /** While it waits for an operator: the compensations that exhausted their retries. */
  failedCompensations?: string[];
  refundedCents?: number;
  /** Stripe waits for the customer's authentication (3-D Secure). */
  paymentRequiresAction?: boolean;
  /** The start and end now, once the booking has been moved (ISO 8601 instants). */
  start?: string;
  end?: string;
  /** Previous starts, oldest first. */
  rescheduledFrom?: string[];
}

export interface CancelResult {
  accepted: boolean;
  status: BookingStatus;
}

/** Who cancels, and when the API accepted it (both optional: the CLI sends neither — a client's, now). */
export interface CancelRequest {
  by?: CancelledBy;
  /** ISO 8601 instant. */
  at?: string;
}

/** Move a confirmed booking (the gateway's reschedule route); `key` makes a retry answer the same. */
export interface RescheduleRequest {
  /** ISO 8601 instant. */
  start: string;
  staffId?: string;
  by: CancelledBy;
  /** When the API accepted it (ISO 8601): the window is judged at this moment. */
  at: string;
  /** The request's identity: its Idempotency-Key, or a digest of what it asks. */
  key: string;
}

export const statusQuery = defineQuery<SagaStatus>('status');
/** Cancel and learn the outcome at once (the gateway uses this). */
export const cancelUpdate = defineUpdate<CancelResult, [CancelRequest]>('cancel');
/** Cancel, fire-and-forget (operators' CLI: `temporal workflow signal --name cancelBooking`). */
export const cancelSignal = defineSignal<[CancelRequest?]>('cancelBooking');
export const retryCompensationSignal = defineSignal('retryCompensation');

/** Stripe told us something happened to the booking's PaymentIntent (the gateway's webhook): the saga reads the intent again. */
export interface PaymentEvent {
  /** Stripe's event id and type, for the history. */
  id: string;
  type: string;
}
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent');

/** The salon records the appointment (the gateway's check-in, complete and no-show routes). */
export const checkInUpdate = defineUpdate<SagaStatus>('checkIn');
export const completeUpdate = defineUpdate<SagaStatus>('complete');
export const noShowUpdate = defineUpdate<SagaStatus>('noShow');

/** Move the booking; answers its state afterwards (start, end, staff). */
export const rescheduleUpdate = defineUpdate<SagaStatus, [RescheduleRequest]>('reschedule');
/** The same, fire-and-forget: what the gateway falls back to when no worker answered the update in time. */
export const rescheduleSignal = defineSignal<[RescheduleRequest]>('reschedule');
