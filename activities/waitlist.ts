/**
 * The waitlist offer chain's activities. Each is idempotent (Temporal may run one again
 * after a crash): what an entry is, is decided by conditional writes on its document
 * (status and the chain named in its offer), and what time is held, by the holds' ids.
 */
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { DateTime } from 'luxon';
import { computeSlots, SLOT_STEP_MIN } from '../src/domain/availability';
import { earliestOfferable, offerExpiresAt, pickSlot } from '../src/domain/waitlist';
import * as bookings from '../src/infra/bookings';
import type { EventPublisher } from '../src/infra/events';
import type { Enqueue } from '../src/infra/intake';
import type { Metrics } from '../src/infra/metrics';
import type { Models, ServiceDoc } from '../src/infra/models';
import { toSchedule } from '../src/infra/schedules';
import { acquireHold, busyTimeByStaff, lockIdsOf, releaseHold, releaseHoldExcept } from '../src/infra/slot-locks';
import { offeredBy, toChainOffer } from '../src/infra/waitlist';
import type { BookingInput } from '../src/shared/booking';
import { TOPICS } from '../src/shared/topics';
import { lazyHeartbeat } from './heartbeat';
import { type ChainOffer, type FreedTime, offerHolderOf } from '../src/shared/waitlist';

export interface WaitlistDeps {
  models: Models;
  events: EventPublisher;
  metrics: Metrics;
  /** Puts the waitlist booking on the high-priority intake queue (the dispatcher starts its saga). */
  enqueue: Enqueue;
  booking: { holdTtlMs: number; compensationAttempts: number };
  now?: () => Date;
  /** How often awaitBooking reads the booking. */
  pollMs?: number;
}

/** How a waitlist booking's saga came out, as far as the chain cares. */
export interface BookingOutcome {
  status: 'confirmed' | 'failed' | 'cancelled';
  reason?: string;
}

const SETTLED = new Set(['confirmed', 'checked_in', 'completed', 'no_show']);

export function createWaitlistActivities(deps: WaitlistDeps) {
  const { models, events, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const pollMs = deps.pollMs ?? 250;

  const publishOf = (entry: { _id: string; salonId: string; customerId: string; serviceId: string }, chainId: string) => ({
    offered: (offer: ChainOffer) =>
      events.publish(
        TOPICS.waitlistOffered,
        entry.salonId,
        { entryId: entry._id, customerId: entry.customerId, salonId: entry.salonId, serviceId: entry.serviceId, start: offer.start, end: offer.end, staffId: offer.staffId, expiresAt: offer.expiresAt },
        { id: `${entry._id}:${TOPICS.waitlistOffered}:${chainId}:${offer.start}`, correlationId: chainId },
      ),
    booked: (bookingId: string, b: { start: Date; staffId?: string | null }) =>
      events.publish(
        TOPICS.waitlistBooked,
        entry.salonId,
        { entryId: entry._id, bookingId, customerId: entry.customerId, salonId: entry.salonId, serviceId: entry.serviceId, start: b.start.toISOString(), staffId: b.staffId },
        { id: `${entry._id}:${TOPICS.waitlistBooked}:${bookingId}`, correlationId: chainId },
      ),
  });

  return {
    /**
     * Holds the freed time (or the part of it, with free time around it, that the entry's
     * service needs) for the earliest-created matching entry not in `tried`, and offers
     * it to them — or, with nothing matching, gives the chain's hold back and answers null.
     * An entry is claimed by a conditional write, so two chains never offer to one entry,
     * and the hold is in the chain's name, so no one else books the time meanwhile.
     */
    async offerNext({ freed, tried }: { freed: FreedTime; tried: string[] }): Promise<ChainOffer | null> {
      const beat = lazyHeartbeat(Context.current());
      const holder = offerHolderOf(freed.chainId);
      const already = await offeredBy(models, freed.chainId);
      if (already && !tried.includes(already._id)) return toChainOffer(already);

      const [salon, staff] = await Promise.all([models.Salon.findById(freed.salonId).lean(), models.Staff.findById(freed.staffId).lean()]);
      if (!salon || !staff) {
        await releaseHold(models, holder);
        return null;
      }
      const policy = bookings.salonPolicy(salon);
      const at = now();
      const range = { start: new Date(freed.start), end: new Date(freed.end) };
      const date = DateTime.fromJSDate(range.start, { zone: salon.timezone }).toISODate()!;
      const entries = await models.WaitlistEntry.find({ salonId: freed.salonId, date, status: 'waiting', deletedAt: null })
        .sort({ createdAt: 1, _id: 1 })
        .lean();
      const busy = await busyTimeByStaff(models, [freed.staffId], date, salon.timezone, holder);
      const services = new Map<string, ServiceDoc | null>();
      for (const entry of entries) {
        beat();
        if (tried.includes(entry._id) || (entry.staffId && entry.staffId !== freed.staffId) || !staff.serviceIds.includes(entry.serviceId)) continue;
        if (!services.has(entry.serviceId)) services.set(entry.serviceId, await models.Service.findById(entry.serviceId).lean());
        const service = services.get(entry.serviceId);
        if (!service?.active) continue;
        const slot = pickSlot(
          computeSlots({
            date,
            timezone: salon.timezone,
            durationMin: service.durationMin,
            bufferMin: service.bufferMin,
            staff: [toSchedule(staff)],
            busy,
            now: at,
            stepMin: SLOT_STEP_MIN,
            alsoAt: [range.start], // the freed start was bookable, on the grid or not
          }),
          { freed: range, window: { start: entry.windowStart, end: entry.windowEnd }, earliest: earliestOfferable(at, policy.minNoticeMinutes), bufferMin: service.bufferMin },
        );
        if (!slot) continue;
        const start = new Date(slot.start);
        const holdRange = { start, end: new Date(Date.parse(slot.end) + service.bufferMin * 60_000) };
        const keep = new Set((await models.SlotLock.find({ bookingId: holder }, { _id: 1 }).lean()).map((l) => l._id));
        const held = await acquireHold(models, { staffId: freed.staffId, salonId: freed.salonId, bookingId: holder, range: holdRange }, beat, keep);
        if (!held) continue; // taken by someone else meanwhile: the next entry may fit elsewhere
        const expiresAt = entry.autoBook ? at : offerExpiresAt(at, policy.waitlistOfferMinutes, start, policy.minNoticeMinutes);
        const claimed = await models.WaitlistEntry.findOneAndUpdate(
          { _id: entry._id, status: 'waiting', deletedAt: null },
          { $set: { status: 'offered', offer: { start, end: new Date(slot.end), staffId: freed.staffId, expiresAt, chainId: freed.chainId } } },
          { new: true },
        ).lean();
        if (!claimed) continue; // another chain offered it something first
        await releaseHoldExcept(models, holder, lockIdsOf(freed.staffId, holdRange));
        const offer = toChainOffer(claimed);
        if (!entry.autoBook) {
          await publishOf(entry, freed.chainId).offered(offer);
          metrics.record('WaitlistOffers', 1, 'Count');
        }
        return offer;
      }
      await releaseHold(models, holder);
      return null;
    },

    /** The offer lapsed: the entry waits again, in its place. */
    async lapseOffer({ freed, entryId }: { freed: FreedTime; entryId: string }): Promise<void> {
      await models.WaitlistEntry.updateOne({ _id: entryId, status: 'offered', 'offer.chainId': freed.chainId }, { $set: { status: 'waiting' }, $unset: { offer: 1 } });
      metrics.record('WaitlistExpired', 1, 'Count');
    },

    /** The client turned the offer down: the entry ends `declined`. */
    async declineEntry({ freed, entryId }: { freed: FreedTime; entryId: string }): Promise<void> {
      await models.WaitlistEntry.updateOne({ _id: entryId, status: 'offered', 'offer.chainId': freed.chainId }, { $set: { status: 'declined' }, $unset: { offer: 1 } });
      metrics.record('WaitlistDeclined', 1, 'Count');
    },

    /**
     * The offer accepted (or an autoBook entry claimed): writes the booking — a normal
     * one, at high priority, paid by the entry's payment method under the salon's policy —,
     * hands the chain's hold to it (each granule changes holder in one write, so no one
     * else can take it in between), marks the entry `booked` and puts the booking on the
     * intake, whose dispatcher starts its saga; the saga finds its slot already held.
     */
    async bookFromOffer({ freed, entryId, bookingId }: { freed: FreedTime; entryId: string; bookingId: string }): Promise<void> {
      const entry = await models.WaitlistEntry.findById(entryId).lean();
      if (!entry) throw new Error(`waitlist entry ${entryId} vanished`);
      const offer = entry.offer ?? undefined;
      const start = offer?.start ?? (await bookings.findBooking(models, bookingId))?.start;
      if (!start) throw new Error(`waitlist entry ${entryId} holds no offer and booking ${bookingId} does not exist`);
      const input: BookingInput = {
        bookingId,
        customerId: entry.customerId,
        salonId: entry.salonId,
        serviceId: entry.serviceId,
        staffId: freed.staffId,
        start: start.toISOString(),
        paymentMethod: entry.paymentMethod,
        priority: 'high',
        correlationId: freed.chainId,
        requestedAt: now().toISOString(),
        holdTtlMs: deps.booking.holdTtlMs,
        compensationAttempts: deps.booking.compensationAttempts,
      };
      const { booking } = await bookings.upsertPendingBooking(models, input);
      await bookings.markFromWaitlist(models, bookingId, { entryId, chainId: freed.chainId });
      await models.SlotLock.updateMany({ bookingId: offerHolderOf(freed.chainId) }, { $set: { bookingId } });
      await models.WaitlistEntry.updateOne(
        { _id: entryId, status: 'offered', 'offer.chainId': freed.chainId },
        { $set: { status: 'booked', bookingId }, $unset: { offer: 1 } },
      );
      if (booking.status === 'pending') await deps.enqueue('high', { kind: 'booking', version: 1, input });
      if (!entry.autoBook) metrics.record('WaitlistAccepted', 1, 'Count');
    },

    /** Waits (heartbeating) until the waitlist booking's saga has confirmed it, or undone it. */
    async awaitBooking({ bookingId }: { bookingId: string }): Promise<BookingOutcome> {
      const ctx = Context.current();
      const beat = lazyHeartbeat(ctx);
      for (;;) {
        beat();
        const booking = await bookings.findBooking(models, bookingId);
        if (booking && SETTLED.has(booking.status)) return { status: 'confirmed' };
        if (booking?.status === 'failed') return { status: 'failed', ...(booking.failureReason ? { reason: booking.failureReason } : {}) };
        if (booking?.status === 'cancelled') return { status: 'cancelled' };
        await Promise.race([new Promise((r) => setTimeout(r, pollMs)), ctx.cancelled.catch(() => undefined)]);
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('the chain no longer follows the booking');
      }
    },

    /**
     * After the waitlist booking's saga: confirmed, the time is refilled
     * (`listaespera.reservada`); failed (its card declined, its hold expired), the entry
     * waits again in its place and the chain passes the time on.
     */
    async settleEntry({ freed, entryId, bookingId, outcome }: { freed: FreedTime; entryId: string; bookingId: string; outcome: BookingOutcome }): Promise<void> {
      const entry = await models.WaitlistEntry.findById(entryId).lean();
      if (!entry) return;
      if (outcome.status === 'confirmed') {
        const booking = await bookings.findBooking(models, bookingId);
        await publishOf(entry, freed.chainId).booked(bookingId, booking ?? { start: new Date(freed.start), staffId: freed.staffId });
        metrics.record('WaitlistRefilled', 1, 'Count');
      } else if (outcome.status === 'failed') {
        await models.WaitlistEntry.updateOne({ _id: entryId, status: 'booked', bookingId }, { $set: { status: 'waiting' }, $unset: { bookingId: 1, offer: 1 } });
        metrics.record('WaitlistBookingFailed', 1, 'Count');
      }
    },
  };
}

export type WaitlistActivities = ReturnType<typeof createWaitlistActivities>;
