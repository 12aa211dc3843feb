/**
 * Intake reconciliation: a booking the gateway recorded `pending` whose command never
 * became a saga (the SQS endpoint lost it — a restarted moto keeps no messages — or it
 * was purged) is put on its queue again. Safe to repeat: the workflow id is the
 * booking's, so a command that was only slow starts nothing twice.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Models } from '../src/infra/models';
import { type BookingInput, workflowIdFor } from '../src/shared/booking';
import type { Enqueue } from '../src/infra/intake';

export interface ReconcilerDeps {
  models: Models;
  temporal: Client;
  enqueue: Enqueue;
  logger: Logger;
  /** A pending booking younger than this may still be on its way: left alone. */
  olderThanMs: number;
  booking: { holdTtlMs: number; compensationAttempts: number };
  /** Bookings looked at per sweep. */
  limit?: number;
}

/** One sweep; resolves with the bookings put back on their queue. */
export async function reconcilePending(deps: ReconcilerDeps): Promise<string[]> {
  const cutoff = new Date(Date.now() - deps.olderThanMs);
  const pending = await deps.models.Booking.find({ status: 'pending', createdAt: { $lt: cutoff } })
    .limit(deps.limit ?? 100)
    .lean();
  const requeued: string[] = [];
  for (const b of pending) {
    if (!b.paymentMethod) continue; // recorded before payment methods were kept: nothing to start
    try {
      await deps.temporal.workflow.getHandle(workflowIdFor(b._id)).describe();
      continue; // its saga exists: it will move the booking on
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const input: BookingInput = {
      bookingId: b._id,
      customerId: b.customerId,
      salonId: b.salonId,
      serviceId: b.serviceId,
      ...(b.staffId ? { staffId: b.staffId } : {}),
      start: b.start.toISOString(),
      paymentMethod: b.paymentMethod,
      priority: b.priority,
      correlationId: b.correlationId ?? b._id,
      requestedAt: ((b as { createdAt?: Date }).createdAt ?? cutoff).toISOString(),
      holdTtlMs: deps.booking.holdTtlMs,
      compensationAttempts: deps.booking.compensationAttempts,
    };
    await deps.enqueue(b.priority, { kind: 'booking', version: 1, input });
    requeued.push(b._id);
  }
  if (requeued.length > 0) deps.logger.warn({ bookings: requeued }, 'pending bookings without a saga put back on their queues');
  return requeued;
}
