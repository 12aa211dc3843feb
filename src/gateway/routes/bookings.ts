/**
 * Bookings: validated and priced here, then handed to the booking saga on the task
 * queue of their priority. The same Idempotency-Key gives the same booking: the
 * booking id (and so the workflow id) is derived from the client and the key.
 */
import crypto from 'node:crypto';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Express, Request } from 'express';
import { GRANULE_MIN } from '../../domain/availability';
import { actionRefusal, type AppointmentAction, FAILURE_TYPES } from '../../domain/booking';
import { AppError, notFound } from '../../domain/errors';
import { classifyPriority } from '../../domain/priority';
import {
  activeAt,
  type BookingContext,
  BookingRejected,
  bookingPolicy,
  findBooking as readBooking,
  listBookings,
  loadBookingCatalogue,
  markSendFailed,
  requestCancellation,
  salonPolicy,
  type StoredBooking,
  upsertPendingBooking,
} from '../../infra/bookings';
import type { Models } from '../../infra/models';
import { noneIfMalformedId } from '../../infra/mongo';
import { executeUpdateOnceHandled } from '../../infra/temporal';
import {
  type BookingInput,
  type CancelRequest,
  cancelSignal,
  cancelUpdate,
  checkInUpdate,
  completeUpdate,
  noShowUpdate,
  type RescheduleRequest,
  rescheduleSignal,
  rescheduleUpdate,
  workflowIdFor,
} from '../../shared/booking';
import type { Principal } from '../auth';
import type { ResponseCache } from '../cache';
import { canManageSalon, principal, requireRole } from '../middleware/auth';
import { requestId } from '../middleware/request-id';
import { parse } from '../middleware/validate';
import { BookingBody, BookingsQuery, IdempotencyKey, RescheduleBody } from '../schemas';
import { decodeCursor, page } from '../paging';
import { type CancelledBy, paymentStatus } from '../../domain/money';
import { startOutsideBounds } from '../../domain/policy';
import { z } from 'zod';

/** The key of the last booking of a page: its start and id. */
const BookingCursor = z.strictObject({ start: z.iso.datetime(), id: z.string().regex(/^[a-f0-9]{32}$/) });
import type { Enqueue } from '../../infra/intake';

export interface BookingRoutesDeps {
  models: Models;
  temporal: Client;
  /** Puts a command on the SQS queue of its priority (the dispatcher starts the saga). */
  enqueue: Enqueue;
  /** What the saga is started with: the hold's time to live, tries per compensation. */
  booking: { holdTtlMs: number; compensationAttempts: number };
  /** Where the catalogue a booking is priced from is kept between catalogue changes. */
  cache: ResponseCache;
  now: () => Date;
}

/** A booking as the API shows it (the contract's Booking); `forItsClient` adds what only its client sees (the 3-D Secure client secret). */
export function toView(b: StoredBooking, forItsClient = false) {
  const policy = bookingPolicy(b);
  const refundedCents = b.refundedCents ?? 0;
  const chargedCents = b.chargedCents ?? 0;
  const authorizedCents = b.authorizedCents ?? 0;
  // Stripe waits for the customer's authentication while the slot is held for them.
  const requiresAction = Boolean(b.clientSecret) && (b.status === 'pending' || b.status === 'held');
  return {
    id: b._id,
    status: b.status,
    priority: b.priority,
    salonId: b.salonId,
    serviceId: b.serviceId,
    ...(b.staffId ? { staffId: b.staffId } : {}),
    start: b.start.toISOString(),
    end: b.end.toISOString(),
    priceCents: b.priceCents,
    currency: b.currency,
    ...(b.failureReason ? { failureReason: b.failureReason } : {}),
    payment: {
      policy: policy.payment,
      priceCents: b.priceCents,
      chargedCents,
      authorizedCents,
      refundedCents,
      status: paymentStatus({ chargedCents, authorizedCents, refundedCents, voided: b.voided === true, requiresAction }),
      ...(requiresAction && forItsClient ? { clientSecret: b.clientSecret! } : {}),
    },
    rescheduledFrom: (b.rescheduledFrom ?? []).map((d) => new Date(d).toISOString()),
    ...(b.status === 'cancelled' && b.cancelledBy ? { cancelledBy: b.cancelledBy } : {}),
  };
}
type BookingView = ReturnType<typeof toView>;

/** Who a cancellation is by, for the money rules: the client, or the salon's side. */
const cancellerOf = (who: Principal): CancelledBy => (who.role === 'client' ? 'client' : who.role === 'operator' ? 'operator' : 'salon');

/** The request's Idempotency-Key (absent: undefined), or a 400 saying what a key must be. */
function idempotencyKeyOf(req: Request): string | undefined {
  const keyCheck = IdempotencyKey.safeParse(req.header('idempotency-key'));
  if (!keyCheck.success) {
    throw new AppError('validation', 'the Idempotency-Key header is invalid: use 1–200 printable ASCII characters', {
      errors: [{ field: 'Idempotency-Key', message: 'use 1–200 printable ASCII characters' }],
    });
  }
  return keyCheck.data;
}

/** A start a booking may take (in the future, on a granule, within the policy's notice and advance), or a 400 naming why not. */
function checkStart(start: Date, now: Date, policy?: Parameters<typeof startOutsideBounds>[0]): void {
  const errors: string[] = [];
  if (start.getTime() <= now.getTime()) errors.push('must be in the future');
  if (start.getTime() % (GRANULE_MIN * 60_000) !== 0) errors.push(`must fall on a ${GRANULE_MIN}-minute boundary (see availability)`);
  const outside = errors.length === 0 && policy ? startOutsideBounds(policy, start, now) : undefined;
  if (outside) errors.push(outside);
  if (errors.length > 0) {
    throw new AppError('validation', `start ${errors.join(' and ')}`, { errors: errors.map((message) => ({ field: 'start', message })) });
  }
}

/** How long a cancel waits for the saga's answer before it falls back to a signal. */
const CANCEL_ANSWER_MS = 5000;

const sha256 = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

/** A staff member of the salon who performs the service, or a 404/400 saying which is not (bookings and the waitlist). */
export async function checkStaffOf(models: Models, salonId: string, serviceId: string, staffId: string): Promise<void> {
  const staff = await models.Staff.findById(staffId).lean().catch(noneIfMalformedId);
  if (staff?.salonId !== salonId) throw notFound('staff member', staffId);
  if (!staff.serviceIds.includes(serviceId)) {
    throw new AppError('validation', `staff member ${staffId} does not perform service ${serviceId}`, {
      errors: [{ field: 'staffId', message: 'does not perform this service' }],
    });
  }
}

export function bookingRoutes(app: Express, deps: BookingRoutesDeps): void {
  const { models, temporal } = deps;

  /** The booking, if its owner or a manager of its salon asks. */
  const findBooking = async (who: Principal, bookingId: string): Promise<{ view: BookingView; doc: StoredBooking }> => {
    const doc = await readBooking(models, bookingId);
    if (!doc) throw notFound('booking', bookingId);
    const allowed = who.role === 'client' ? doc.customerId === who.userId : canManageSalon(who, doc.salonId);
    if (!allowed) throw new AppError('forbidden', 'this booking belongs to another client or salon');
    return { view: toView(doc, who.role === 'client' && doc.customerId === who.userId), doc };
  };

  const checkStaff = (salonId: string, serviceId: string, staffId: string) => checkStaffOf(models, salonId, serviceId, staffId);

  app.post('/v1/bookings', requireRole('client'), async (req, res) => {
    const who = principal(req);
    const body = parse(BookingBody, req.body);
    const key = idempotencyKeyOf(req);
    const now = deps.now();
    const start = new Date(body.start);
    checkStart(start, now);

    let context: BookingContext;
    try {
      // From the gateway's cache (dropped by any change to the salon's catalogue), so a
      // booking reads nothing from the database for its price and priority.
      const catalogue = await deps.cache.memo(`booking-catalogue:${body.salonId}:${body.serviceId}`, [`salon:${body.salonId}`], () =>
        loadBookingCatalogue(models, body, now),
      );
      context = activeAt(catalogue, now);
    } catch (err) {
      if (err instanceof BookingRejected) throw new AppError('not-found', `${err.message}; check the id`);
      throw err;
    }
    const policy = salonPolicy(context.salon);
    checkStart(start, now, policy);
    if (body.staffId) await checkStaff(body.salonId, body.serviceId, body.staffId);
    const priority = classifyPriority({ kind: 'booking', start, requestedAt: now, promotionActive: context.promotions.length > 0 });

    const bookingId = key ? sha256(`${who.userId}:${key}`).slice(0, 32) : crypto.randomUUID().replace(/-/g, '');
    const requestHash = sha256(JSON.stringify(body));
    const input: BookingInput = {
      bookingId,
      customerId: who.userId,
      salonId: body.salonId,
      serviceId: body.serviceId,
      ...(body.staffId ? { staffId: body.staffId } : {}),
      start: start.toISOString(),
      paymentMethod: body.paymentMethod,
      priority,
      correlationId: requestId(req),
      requestedAt: now.toISOString(),
      holdTtlMs: deps.booking.holdTtlMs,
      compensationAttempts: deps.booking.compensationAttempts,
    };
    // Recorded before the 202, so the booking is readable at once and a retry finds it.
    const { booking, created } = await upsertPendingBooking(models, input, {
      requestHash,
      context,
      ...(key ? { idempotencyKey: key } : {}),
    });
    if (!created && booking.requestHash !== requestHash) {
      throw new AppError('conflict', 'this Idempotency-Key was used for a different booking request; use a new key');
    }
    // The booking's write above is the commit point: from here it is accepted. A retry of
    // a booking still pending sends again (the workflow id makes a duplicate start
    // nothing); a send that fails is left to the dispatcher's relay, which sends it again
    // within seconds — the client is answered 202 either way, and never books twice.
    if (created || booking.status === 'pending') {
      try {
        await deps.enqueue(booking.priority, {
          kind: 'booking',
          version: 1,
          input: { ...input, priority: booking.priority },
          display: { salonName: context.salon.name, serviceName: context.service.name, timezone: context.salon.timezone },
        });
      } catch (err) {
        req.log.warn({ err, bookingId }, 'intake send failed; the relay will send it');
        await markSendFailed(models, bookingId, now).catch((markErr: unknown) =>
          req.log.error({ err: markErr, bookingId }, 'could not mark the failed send; the reconciler will find the booking pending'),
        );
      }
    }
    res.status(202).location(`/v1/bookings/${bookingId}`).json({ bookingId, status: booking.status, priority: booking.priority });
  });

  app.get('/v1/bookings/:bookingId', async (req, res) => {
    const { view } = await findBooking(principal(req), String(req.params.bookingId));
    res.json(view);
  });

  app.get('/v1/bookings', async (req: Request, res) => {
    const who = principal(req);
    const query = parse(BookingsQuery, req.query, 'query');
    let filter: { customerId?: string; salonId?: string };
    if (who.role === 'client') filter = { customerId: who.userId, ...(query.salonId ? { salonId: query.salonId } : {}) };
    else if (!query.salonId) {
      throw new AppError('validation', 'name the salon: GET /v1/bookings?salonId=<id>', {
        errors: [{ field: 'salonId', message: 'required for salon admins and operators' }],
      });
    } else if (!canManageSalon(who, query.salonId)) throw new AppError('forbidden', 'you administer another salon');
    else filter = { salonId: query.salonId };
    const after = decodeCursor(BookingCursor, query.cursor);
    const { items, more } = await listBookings(models, {
      ...filter,
      ...(query.status ? { status: query.status } : {}),
      ...(query.from ? { from: new Date(query.from) } : {}),
      ...(query.to ? { to: new Date(query.to) } : {}),
      limit: query.limit,
      ...(after ? { after: { start: new Date(after.start), id: after.id } } : {}),
    });
    res.json(page(items.map((b) => toView(b, who.role === 'client')), more, (last) => ({ start: last.start, id: last.id })));
  });

  /** The salon records the appointment: an update of the booking's workflow, allowed in its window. */
  const appointmentRoute = (path: string, update: typeof checkInUpdate, action: AppointmentAction, what: string): void => {
    app.post(`/v1/bookings/:bookingId/${path}`, async (req, res) => {
      const bookingId = String(req.params.bookingId);
      const who = principal(req);
      if (who.role === 'client') throw new AppError('forbidden', `only the salon's admin or an operator records ${what}`);
      const { view, doc } = await findBooking(who, bookingId);
      // The same rule the workflow's validator applies, answered here while it is plain
      // from the booking (a pending booking may have no workflow yet).
      const refusal = actionRefusal(action, {
        status: view.status,
        start: Date.parse(view.start),
        end: Date.parse(view.end),
        now: deps.now().getTime(),
        graceMinutes: bookingPolicy(doc).checkInGraceMinutes,
      });
      if (refusal) throw new AppError('conflict', `cannot record ${what} now: ${refusal}`);
      try {
        const deadline = Date.now() + CANCEL_ANSWER_MS;
        const handle = temporal.workflow.getHandle(workflowIdFor(bookingId));
        await executeUpdateOnceHandled(() => temporal.withDeadline(deadline, () => handle.executeUpdate(update)), deadline);
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          const why = err.cause instanceof Error ? err.cause.message : err.message;
          throw new AppError('conflict', `cannot record ${what} now: ${why.replace(/^booking [a-f0-9]+: /, '')}`);
        }
        if (err instanceof WorkflowNotFoundError) {
          throw new AppError('conflict', `cannot record ${what}: the booking's workflow has ended (bookings confirmed before appointments were tracked end at their start)`);
        }
        throw new AppError('unavailable', `the booking service did not answer; retry (recording ${what} twice is safe)`, { retryAfterSec: 2 });
      }
      res.json((await findBooking(who, bookingId)).view);
    });
  };
  appointmentRoute('check-in', checkInUpdate, 'checkIn', 'a check-in');
  appointmentRoute('complete', completeUpdate, 'complete', 'the completion');
  appointmentRoute('no-show', noShowUpdate, 'noShow', 'a no-show');

  /**
   * Moves a confirmed booking: an update of its workflow, which holds the new time
   * before it lets the old one go and answers the moved booking. The same
   * Idempotency-Key (and body) answers the same; when no worker answers in time the
   * request goes on as the durable signal and the client reads the outcome on the booking.
   */
  app.post('/v1/bookings/:bookingId/reschedule', async (req, res) => {
    const bookingId = String(req.params.bookingId);
    const who = principal(req);
    const body = parse(RescheduleBody, req.body);
    const key = idempotencyKeyOf(req);
    const { view, doc } = await findBooking(who, bookingId);
    const now = deps.now();
    const start = new Date(body.start);
    checkStart(start, now, bookingPolicy(doc));
    if (body.staffId) await checkStaff(doc.salonId, doc.serviceId, body.staffId);
    if (view.status !== 'confirmed') throw new AppError('conflict', `booking ${bookingId} is ${view.status}; only a confirmed booking can be moved`);
    const request: RescheduleRequest = {
      start: start.toISOString(),
      ...(body.staffId ? { staffId: body.staffId } : {}),
      by: cancellerOf(who),
      at: now.toISOString(),
      key: key ? sha256(`${who.userId}:${key}:${JSON.stringify(body)}`).slice(0, 32) : crypto.randomUUID(),
    };
    const handle = temporal.workflow.getHandle(workflowIdFor(bookingId));
    try {
      const deadline = Date.now() + CANCEL_ANSWER_MS;
      await executeUpdateOnceHandled(
        () => temporal.withDeadline(deadline, () => handle.executeUpdate(rescheduleUpdate, { args: [request], updateId: `reschedule:${request.key}` })),
        deadline,
      );
      res.json((await findBooking(who, bookingId)).view);
      return;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause as { type?: string; message?: string } | undefined;
        const why = (cause?.message ?? err.message).replace(/^booking [a-f0-9]+ cannot be moved: /, '');
        if (cause?.type === FAILURE_TYPES.SlotUnavailable) throw new AppError('slot-unavailable', `${why}; pick another time (see availability)`);
        throw new AppError('conflict', `booking ${bookingId} cannot be moved: ${why}`);
      }
      if (err instanceof WorkflowNotFoundError) {
        throw new AppError('conflict', `booking ${bookingId} cannot be moved: its workflow has ended (bookings confirmed before reschedules existed cannot be moved; cancel and book again)`);
      }
      // No answer in time (or the call was cut): the durable signal carries the same request.
    }
    try {
      await temporal.withDeadline(Date.now() + CANCEL_ANSWER_MS, () => handle.signal(rescheduleSignal, request));
    } catch {
      throw new AppError('unavailable', 'the booking service did not answer; retry with the same Idempotency-Key (it is safe to repeat)', { retryAfterSec: 2 });
    }
    res.status(202).location(`/v1/bookings/${bookingId}`).json({ bookingId, status: view.status, rescheduling: true });
  });

  app.post('/v1/bookings/:bookingId/cancel', async (req, res) => {
    const bookingId = String(req.params.bookingId);
    const who = principal(req);
    const { view } = await findBooking(who, bookingId);
    // The moment that counts is now, when the API accepts it; the salon's side always refunds in full.
    const request = { by: cancellerOf(who), at: deps.now().toISOString() } satisfies CancelRequest;
    if (view.status === 'failed' || view.status === 'cancelled') {
      throw new AppError('conflict', `booking ${bookingId} is already ${view.status}`);
    }
    const handle = temporal.workflow.getHandle(workflowIdFor(bookingId));
    const accepted = (status: string): void => {
      res.status(202).location(`/v1/bookings/${bookingId}`).json({ bookingId, status, cancelling: true });
    };
    const ended = () =>
      new AppError('conflict', `booking ${bookingId} can no longer be cancelled (it is ${view.status} and its saga has ended)`);
    const unanswered = () =>
      new AppError('unavailable', 'the booking service did not answer; retry the cancellation (it is safe to repeat)', { retryAfterSec: 2 });
    /**
     * No saga runs for the booking. Not yet, while its command waits in the queue: a
     * pending booking is cancelled on its document, where its saga looks when it starts
     * (and the signal reaches a saga that started in between). Or no more: the booking
     * says how it ended — perhaps by this very cancellation.
     */
    const noSaga = async (): Promise<void> => {
      if (await requestCancellation(models, bookingId, new Date(request.at), request.by)) {
        try {
          await temporal.withDeadline(Date.now() + CANCEL_ANSWER_MS, () => handle.signal(cancelSignal, request));
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw unanswered();
        }
        return accepted('pending');
      }
      const now = await readBooking(models, bookingId);
      if (now?.status !== 'cancelled') throw ended();
      accepted(now.status);
    };
    try {
      const result = await temporal.withDeadline(Date.now() + CANCEL_ANSWER_MS, () => handle.executeUpdate(cancelUpdate, { args: [request] }));
      accepted(result.status);
      return;
    } catch (err) {
      // The saga refused (it is ending, checked in, started), or it has ended.
      if (err instanceof WorkflowUpdateFailedError) {
        const why = err.cause instanceof Error ? err.cause.message : '';
        throw why ? new AppError('conflict', why) : ended();
      }
      if (err instanceof WorkflowNotFoundError) return noSaga();
      // Any other end of the call came without the saga's answer: no worker answered in
      // time, the call was cancelled (gRPC CANCELLED) or the connection dropped — and the
      // update may or may not have reached the saga. Fall through to the durable signal,
      // which the saga handles the same way and which is harmless after an accepted update.
    }
    try {
      await temporal.withDeadline(Date.now() + CANCEL_ANSWER_MS, () => handle.signal(cancelSignal, request));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw unanswered();
      return noSaga();
    }
    accepted(view.status);
  });

}
