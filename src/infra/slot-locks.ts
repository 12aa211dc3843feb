/**
 * Holds on staff time. A hold is one slot_locks document per granule; the document id
 * (`<staffId>|<granule ms>`) makes the database refuse a second hold on the same time,
 * so two sagas can never hold overlapping time for one staff member.
 */
import { granulesOf, localDayRange, rangesOfGranules, type TimeRange } from '../domain/availability';
import type { Models } from './models';
import { isDuplicateKeyError } from './mongo';

const lockId = (staffId: string, at: Date): string => `${staffId}|${at.getTime()}`;

/**
 * Holds [range.start, range.end) of a staff member for a booking. Idempotent for the
 * same booking; false when any part is held by another booking (nothing is left held).
 */
export async function acquireHold(
  models: Models,
  hold: { staffId: string; salonId: string; bookingId: string; range: TimeRange },
): Promise<boolean> {
  const docs = granulesOf(hold.range).map((at) => ({
    _id: lockId(hold.staffId, at),
    staffId: hold.staffId,
    salonId: hold.salonId,
    bookingId: hold.bookingId,
    at,
  }));
  try {
    await models.SlotLock.insertMany(docs, { ordered: true });
    return true;
  } catch (err) {
    if (!isDuplicateKeyError(err) && !isDuplicateKeyError((err as { writeErrors?: { err?: unknown }[] }).writeErrors?.[0]))
      throw err;
    // Held by this booking already (a retried activity)? Then the hold is ours.
    const ours = await models.SlotLock.countDocuments({ _id: { $in: docs.map((d) => d._id) }, bookingId: hold.bookingId });
    if (ours === docs.length) return true;
    await releaseHold(models, hold.bookingId, hold.staffId);
    return false;
  }
}

/** Releases every granule a booking holds (of one staff member, when given). Idempotent. */
export async function releaseHold(models: Models, bookingId: string, staffId?: string): Promise<number> {
  const res = await models.SlotLock.deleteMany({ bookingId, ...(staffId ? { staffId } : {}) });
  return res.deletedCount;
}

/** Held and booked time per staff member around one local date. */
export async function busyTimeByStaff(
  models: Models,
  staffIds: string[],
  date: string,
  timezone: string,
): Promise<Map<string, TimeRange[]>> {
  const day = localDayRange(date, timezone);
  const locks = await models.SlotLock.find(
    { staffId: { $in: staffIds }, at: { $gte: new Date(day.start.getTime() - 86_400_000), $lt: day.end } },
    { staffId: 1, at: 1 },
  ).lean();
  const byStaff = new Map<string, Date[]>();
  for (const l of locks) {
    const list = byStaff.get(l.staffId) ?? [];
    list.push(l.at);
    byStaff.set(l.staffId, list);
  }
  return new Map([...byStaff].map(([id, granules]) => [id, rangesOfGranules(granules)]));
}
