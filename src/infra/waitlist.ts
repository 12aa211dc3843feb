/** Waitlist entries: the documents the gateway's routes and the offer chains share. */
import { entryLapsesAt, entryWindow, type WaitlistStatus } from '../domain/waitlist';
import type { Models, WaitlistEntryDoc } from './models';
import type { ChainOffer } from '../shared/waitlist';

export type StoredEntry = WaitlistEntryDoc & { _id: string; createdAt?: Date; updatedAt?: Date };

export interface NewEntry {
  id: string;
  customerId: string;
  salonId: string;
  serviceId: string;
  staffId?: string;
  date: string;
  from?: string;
  to?: string;
  paymentMethod: string;
  autoBook: boolean;
}

export async function createEntry(models: Models, e: NewEntry, timezone: string): Promise<StoredEntry> {
  const window = entryWindow(e, timezone);
  const doc = await models.WaitlistEntry.create({
    _id: e.id,
    customerId: e.customerId,
    salonId: e.salonId,
    serviceId: e.serviceId,
    ...(e.staffId ? { staffId: e.staffId } : {}),
    date: e.date,
    ...(e.from ? { from: e.from } : {}),
    ...(e.to ? { to: e.to } : {}),
    windowStart: window.start,
    windowEnd: window.end,
    lapsesAt: entryLapsesAt(e.date, timezone),
    paymentMethod: e.paymentMethod,
    autoBook: e.autoBook,
    status: 'waiting',
  });
  return doc.toObject();
}

/** An entry by id; deleted ones are gone (a malformed id finds nothing). */
export async function findEntry(models: Models, id: string): Promise<StoredEntry | null> {
  if (!/^[a-f0-9]{32}$/.test(id)) return null;
  return models.WaitlistEntry.findOne({ _id: id, deletedAt: null }).lean<StoredEntry>();
}

export async function listEntries(models: Models, filter: { customerId?: string; salonId?: string }, limit = 200): Promise<StoredEntry[]> {
  return models.WaitlistEntry.find({ ...filter, deletedAt: null }).sort({ createdAt: 1, _id: 1 }).limit(limit).lean<StoredEntry[]>();
}

/** The entry a chain offered its time to, while it is offered. */
export async function offeredBy(models: Models, chainId: string): Promise<StoredEntry | null> {
  return models.WaitlistEntry.findOne({ 'offer.chainId': chainId, status: 'offered', deletedAt: null }).lean<StoredEntry>();
}

export const toChainOffer = (e: StoredEntry): ChainOffer => ({
  entryId: e._id,
  customerId: e.customerId,
  autoBook: e.autoBook,
  start: e.offer!.start!.toISOString(),
  end: e.offer!.end!.toISOString(),
  staffId: e.offer!.staffId!,
  expiresAt: e.offer!.expiresAt!.toISOString(),
});

/**
 * Deletes an entry (its client's); resolves with it as it was, so the caller can tell
 * an offered entry's chain. Null when it is not there (or already deleted).
 */
export async function deleteEntry(models: Models, id: string, at: Date): Promise<StoredEntry | null> {
  return models.WaitlistEntry.findOneAndUpdate({ _id: id, deletedAt: null }, { $set: { deletedAt: at } }).lean<StoredEntry>();
}

/** A waiting entry whose date has passed is `expired` — also when read before the sweep got to it. */
export const statusOf = (e: StoredEntry, now: Date): WaitlistStatus =>
  e.status === 'waiting' && e.lapsesAt.getTime() <= now.getTime() ? 'expired' : (e.status);

/** Ends the waiting entries whose date has passed; resolves with how many. */
export async function expireLapsedEntries(models: Models, now: Date): Promise<number> {
  const res = await models.WaitlistEntry.updateMany({ status: 'waiting', lapsesAt: { $lte: now } }, { $set: { status: 'expired' } });
  return res.modifiedCount;
}

export function toEntryView(e: StoredEntry, now: Date) {
  const status = statusOf(e, now);
  return {
    id: e._id,
    status,
    salonId: e.salonId,
    serviceId: e.serviceId,
    ...(e.staffId ? { staffId: e.staffId } : {}),
    date: e.date,
    from: e.from ?? '00:00',
    to: e.to ?? '24:00',
    autoBook: e.autoBook,
    ...(status === 'offered' && e.offer
      ? { offer: { start: e.offer.start!.toISOString(), end: e.offer.end!.toISOString(), staffId: e.offer.staffId!, expiresAt: e.offer.expiresAt!.toISOString() } }
      : {}),
    ...(e.bookingId ? { bookingId: e.bookingId } : {}),
    createdAt: (e.createdAt ?? new Date(0)).toISOString(),
  };
}
export type EntryView = ReturnType<typeof toEntryView>;
