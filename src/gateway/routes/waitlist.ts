/**
 * The waitlist (LIFECYCLE.md, "Waitlist"): clients join for a salon, service, optional
 * staff member, date and window; a freed slot is offered to (or booked for) the
 * earliest-created matching entry by an offer chain (workflows/waitlist-offer-chain.ts),
 * which the accept and decline routes answer through its updates.
 */
import crypto from 'node:crypto';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Express, Request } from 'express';
import { DateTime } from 'luxon';
import { AppError, notFound } from '../../domain/errors';
import { salonPolicy } from '../../infra/bookings';
import type { Models } from '../../infra/models';
import { noneIfMalformedId } from '../../infra/mongo';
import { createEntry, deleteEntry, findEntry, listEntries, type StoredEntry, toEntryView } from '../../infra/waitlist';
import { acceptOfferSignal, acceptOfferUpdate, declineOfferSignal, declineOfferUpdate, entryWithdrawnSignal } from '../../shared/waitlist';
import type { Principal } from '../auth';
import { canManageSalon, principal, requireRole } from '../middleware/auth';
import { parse } from '../middleware/validate';
import { checkStaffOf } from './bookings';
import { WaitlistBody, WaitlistQuery } from '../schemas';

export interface WaitlistRoutesDeps {
  models: Models;
  temporal: Client;
  now: () => Date;
}

/** How long accept and decline wait for the chain's answer before they fall back to its signal. */
const ANSWER_MS = 5000;

const newId = (): string => crypto.randomUUID().replace(/-/g, '');

export function waitlistRoutes(app: Express, deps: WaitlistRoutesDeps): void {
  const { models, temporal } = deps;

  /** The entry, if its client or a manager of its salon asks. */
  const readEntry = async (who: Principal, id: string): Promise<StoredEntry> => {
    const entry = await findEntry(models, id);
    if (!entry) throw notFound('waitlist entry', id);
    const allowed = who.role === 'client' ? entry.customerId === who.userId : canManageSalon(who, entry.salonId);
    if (!allowed) throw new AppError('forbidden', 'this waitlist entry belongs to another client or salon');
    return entry;
  };
  /** Only the entry's client accepts, declines or deletes it. */
  const ownEntry = async (req: Request): Promise<StoredEntry> => {
    const who = principal(req);
    if (who.role !== 'client') throw new AppError('forbidden', 'only the entry’s client may do this; salon admins and operators may list and read entries');
    return readEntry(who, String(req.params.entryId));
  };
  const offeredOrConflict = (entry: StoredEntry, what: string): string => {
    const now = deps.now();
    const view = toEntryView(entry, now);
    if (view.status !== 'offered' || !entry.offer?.chainId) throw new AppError('conflict', `cannot ${what}: the entry is ${view.status}, not offered`);
    if (entry.offer.expiresAt && entry.offer.expiresAt.getTime() <= now.getTime()) throw new AppError('conflict', `cannot ${what}: the offer expired at ${entry.offer.expiresAt.toISOString()}`);
    return entry.offer.chainId;
  };
  /** A chain's refusal, named for the client. */
  const refused = (err: WorkflowUpdateFailedError): AppError => {
    const why = err.cause instanceof Error ? err.cause.message : err.message;
    return new AppError('conflict', why);
  };

  app.post('/v1/waitlist', requireRole('client'), async (req, res) => {
    const who = principal(req);
    const body = parse(WaitlistBody, req.body);
    const [salon, service] = await Promise.all([
      models.Salon.findById(body.salonId).lean().catch(noneIfMalformedId),
      models.Service.findById(body.serviceId).lean().catch(noneIfMalformedId),
    ]);
    if (!salon) throw notFound('salon', body.salonId);
    if (service?.salonId !== body.salonId || !service.active) throw notFound('service', body.serviceId);
    if (body.staffId) await checkStaffOf(models, body.salonId, body.serviceId, body.staffId);
    const policy = salonPolicy(salon);
    const today = DateTime.fromJSDate(deps.now(), { zone: salon.timezone }).startOf('day');
    const day = DateTime.fromISO(body.date, { zone: salon.timezone });
    const dateError =
      day < today
        ? `has passed in the salon's time zone (${salon.timezone}); today there is ${today.toISODate()}`
        : day.diff(today, 'days').days > policy.maxAdvanceDays
          ? `is more than ${policy.maxAdvanceDays} days ahead (the salon's limit)`
          : undefined;
    if (dateError) throw new AppError('validation', `date ${dateError}`, { errors: [{ field: 'date', message: dateError }] });
    const entry = await createEntry(
      models,
      {
        id: newId(),
        customerId: who.userId,
        salonId: body.salonId,
        serviceId: body.serviceId,
        ...(body.staffId ? { staffId: body.staffId } : {}),
        date: body.date,
        ...(body.from ? { from: body.from } : {}),
        ...(body.to ? { to: body.to } : {}),
        paymentMethod: body.paymentMethod,
        autoBook: body.autoBook ?? false,
      },
      salon.timezone,
    );
    res.status(201).location(`/v1/waitlist/${entry._id}`).json(toEntryView(entry, deps.now()));
  });

  app.get('/v1/waitlist', async (req, res) => {
    const who = principal(req);
    const query = parse(WaitlistQuery, req.query, 'query');
    let filter: { customerId?: string; salonId?: string };
    if (who.role === 'client') filter = { customerId: who.userId, ...(query.salonId ? { salonId: query.salonId } : {}) };
    else if (!query.salonId) {
      throw new AppError('validation', 'name the salon: GET /v1/waitlist?salonId=<id>', {
        errors: [{ field: 'salonId', message: 'required for salon admins and operators' }],
      });
    } else if (!canManageSalon(who, query.salonId)) throw new AppError('forbidden', 'you administer another salon');
    else filter = { salonId: query.salonId };
    const now = deps.now();
    res.json({ items: (await listEntries(models, filter)).map((e) => toEntryView(e, now)) });
  });

  app.get('/v1/waitlist/:entryId', async (req, res) => {
    res.json(toEntryView(await readEntry(principal(req), String(req.params.entryId)), deps.now()));
  });

  app.delete('/v1/waitlist/:entryId', async (req, res) => {
    const entry = await ownEntry(req);
    const deleted = await deleteEntry(models, entry._id, deps.now());
    // Offered: its chain passes the slot on now (were this signal lost, at the offer's expiry).
    if (deleted?.status === 'offered' && deleted.offer?.chainId) {
      const chainId = deleted.offer.chainId;
      await temporal
        .withDeadline(Date.now() + ANSWER_MS, () => temporal.workflow.getHandle(chainId).signal(entryWithdrawnSignal, { entryId: entry._id }))
        .catch((err: unknown) => req.log.warn({ err, entryId: entry._id }, 'could not tell the offer chain; the slot passes on at the offer’s expiry'));
    }
    res.status(204).end();
  });

  app.post('/v1/waitlist/:entryId/accept', async (req, res) => {
    const entry = await ownEntry(req);
    if (entry.status === 'booked' && entry.bookingId) {
      res.status(202).location(`/v1/bookings/${entry.bookingId}`).json({ bookingId: entry.bookingId }); // accepted before
      return;
    }
    const handle = temporal.workflow.getHandle(offeredOrConflict(entry, 'accept'));
    const request = { entryId: entry._id, bookingId: newId() };
    const accepted = (): void => {
      res.status(202).location(`/v1/bookings/${request.bookingId}`).json({ bookingId: request.bookingId });
    };
    try {
      await temporal.withDeadline(Date.now() + ANSWER_MS, () => handle.executeUpdate(acceptOfferUpdate, { args: [request], updateId: `accept:${request.bookingId}` }));
      return accepted();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw refused(err);
      if (err instanceof WorkflowNotFoundError) throw new AppError('conflict', 'cannot accept: the offer is over');
      // No answer in time: the durable signal carries the same request; the booking shows the outcome.
    }
    try {
      await temporal.withDeadline(Date.now() + ANSWER_MS, () => handle.signal(acceptOfferSignal, request));
    } catch {
      throw new AppError('unavailable', 'the waitlist service did not answer; retry', { retryAfterSec: 2 });
    }
    accepted();
  });

  app.post('/v1/waitlist/:entryId/decline', async (req, res) => {
    const entry = await ownEntry(req);
    const handle = temporal.workflow.getHandle(offeredOrConflict(entry, 'decline'));
    try {
      await temporal.withDeadline(Date.now() + ANSWER_MS, () => handle.executeUpdate(declineOfferUpdate, { args: [{ entryId: entry._id }] }));
      res.json(toEntryView((await findEntry(models, entry._id)) ?? entry, deps.now()));
      return;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw refused(err);
      if (err instanceof WorkflowNotFoundError) throw new AppError('conflict', 'cannot decline: the offer is over');
    }
    try {
      await temporal.withDeadline(Date.now() + ANSWER_MS, () => handle.signal(declineOfferSignal, { entryId: entry._id }));
    } catch {
      throw new AppError('unavailable', 'the waitlist service did not answer; retry', { retryAfterSec: 2 });
    }
    res.status(202).location(`/v1/waitlist/${entry._id}`).json(toEntryView(entry, deps.now()));
  });
}
