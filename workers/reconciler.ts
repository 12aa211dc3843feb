/**
 * The intake relay. The gateway's write of a booking is its commit point; its command
 * reaches a saga through SQS, and when that does not happen this puts it on its queue
 * again: within seconds when the gateway's send failed (the booking says so), and after
 * `olderThanMs` when the command was lost afterwards (the SQS endpoint lost it — a
 * restarted moto keeps no messages — or it was purged). Safe to repeat: the workflow id
 * is the booking's, so a command that was only slow starts nothing twice.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import { clearSendFailed, failedSends, pendingBefore, type StoredBooking } from '../src/infra/bookings';
import type { Models } from '../src/infra/models';
import { type BookingInput, workflowIdFor } from '../src/shared/booking';
import type { Enqueue } from '../src/infra/intake';

export interface ReconcilerDeps {
  models: Models;
  temporal: Client;
  enqueue: Enqueue;
  logger: Logger;
  /** Relays the pending bookings older than this (their command may be lost); unset: the failed sends the gateway reported. */
  olderThanMs?: number;
  /** A failed send is relayed once it is this old (the gateway may still be marking it). */
  failedSendAfterMs?: number;
  booking: { holdTtlMs: number; compensationAttempts: number };
  /** Bookings looked at per sweep. */
  limit?: number;
}

/** One sweep; resolves with the bookings put back on their queue. */
export async function reconcilePending(deps: ReconcilerDeps): Promise<string[]> {
  const now = Date.now();
  const cutoff = new Date(now - (deps.olderThanMs ?? 0));
  const limit = deps.limit ?? 100;
  const pending: StoredBooking[] =
    deps.olderThanMs !== undefined
      ? await pendingBefore(deps.models, cutoff, limit)
      : await failedSends(deps.models, new Date(now - (deps.failedSendAfterMs ?? 1000)), limit);
  const requeued: string[] = [];
  for (const b of pending) {
    if (!b.paymentMethod) continue; // recorded before payment methods were kept: nothing to start
    try {
      await deps.temporal.workflow.getHandle(workflowIdFor(b._id)).describe();
      await clearSendFailed(deps.models, b._id);
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
      requestedAt: (b.createdAt ?? cutoff).toISOString(),
      holdTtlMs: deps.booking.holdTtlMs,
      compensationAttempts: deps.booking.compensationAttempts,
    };
    await deps.enqueue(b.priority, { kind: 'booking', version: 1, input });
    await clearSendFailed(deps.models, b._id);
    requeued.push(b._id);
  }
  if (requeued.length > 0) deps.logger.warn({ bookings: requeued }, 'pending bookings without a saga put back on their queues');
  return requeued;
}
