/**
 * Operator tooling over HTTP: sagas found through Temporal's visibility (the same
 * search attributes the Temporal UI filters on), and the retry of a saga whose
 * compensation waits for an operator.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Express } from 'express';
import type { z } from 'zod';
import { AppError, notFound } from '../../domain/errors';
import { retryCompensationSignal, WORKFLOW_TYPE, workflowIdFor } from '../../shared/booking';
import { BookingStatusKey, NeedsAttentionKey, PriorityKey, SalonIdKey } from '../../shared/search-attributes';
import { requireRole } from '../middleware/auth';
import { parse } from '../middleware/validate';
import { bookingIdParam, SagasQuery, type SagaSummary } from '../schemas';

/** The visibility query for a filter; every value was validated against a closed pattern. */
export function sagasVisibilityQuery(q: Omit<z.infer<typeof SagasQuery>, 'limit'>): string {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
  if (q.status) clauses.push(`${BookingStatusKey.name} = '${q.status}'`);
  if (q.salonId) clauses.push(`${SalonIdKey.name} = '${q.salonId}'`);
  if (q.priority) clauses.push(`${PriorityKey.name} = '${q.priority}'`);
  if (q.needsAttention) clauses.push(`${NeedsAttentionKey.name} = ${q.needsAttention}`);
  return clauses.join(' AND ');
}

export function opsRoutes(app: Express, deps: { temporal: Client }): void {
  const { temporal } = deps;

  app.get('/v1/ops/sagas', requireRole('operator'), async (req, res) => {
    const { limit, ...filter } = parse(SagasQuery, req.query, 'query');
    const query = sagasVisibilityQuery(filter);
    const items: z.infer<typeof SagaSummary>[] = [];
    for await (const w of temporal.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      const attrs = w.typedSearchAttributes;
      items.push({
        bookingId: w.workflowId.replace(/^booking:/, ''),
        workflowId: w.workflowId,
        runId: w.runId,
        workflowStatus: w.status.name,
        bookingStatus: attrs.get(BookingStatusKey),
        salonId: attrs.get(SalonIdKey),
        priority: attrs.get(PriorityKey),
        needsAttention: attrs.get(NeedsAttentionKey) ?? false,
        startTime: w.startTime.toISOString(),
        ...(w.closeTime ? { closeTime: w.closeTime.toISOString() } : {}),
      });
      if (items.length >= limit) break;
    }
    res.json({ query, items });
  });

  app.post('/v1/ops/sagas/:bookingId/retry-compensation', requireRole('operator'), async (req, res) => {
    const bookingId = parse(bookingIdParam, String(req.params.bookingId), 'bookingId');
    const handle = temporal.workflow.getHandle(workflowIdFor(bookingId));
    let waiting: boolean;
    try {
      // The mutable state's search attributes: no worker needed to answer.
      waiting = (await handle.describe()).typedSearchAttributes.get(NeedsAttentionKey) === true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('saga of booking', bookingId);
      throw err;
    }
    if (!waiting) throw new AppError('conflict', `the saga of booking ${bookingId} is not waiting for an operator; nothing to retry`);
    await handle.signal(retryCompensationSignal);
    res.status(202).json({ bookingId, retrying: true });
  });
}
