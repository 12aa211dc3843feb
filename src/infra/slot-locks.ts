/**
 * Holds on staff time. A hold is one slot_locks document per granule; the document id
 * (`<staffId>|<granule ms>`) makes the database refuse a second hold on the same time,
 * so two sagas can never hold overlapping time for one staff member.
 *
 * Taking and checking a hold reads and writes locks by `_id` only: that is an index
 * lookup on MongoDB and the one filter FerretDB pushes down to SQLite (any other filter
 * scans the whole collection, which grows by a dozen granules per booking).
 */
import { granulesOf, localDayRange, rangesOfGranules, type TimeRange } from '../domain/availability';
import type { Models } from './models';
import { insertPlain, isDuplicateKeyError } from './mongo';

const BOOKING_ID = /^[a-f0-9]{32}$/;
const lockId = (staffId: string, at: Date): string => `${staffId}|${at.getTime()}`;

interface Hold {
  staffId: string;
  salonId: string;
  bookingId: string;
  range: TimeRange;
}

const isDuplicate = (err: unknown): boolean =>
  isDuplicateKeyError(err) || isDuplicateKeyError((err as { writeErrors?: { err?: unknown }[] }).writeErrors?.[0]);

/** The booking holding each lock id (undefined where the time is free). */
async function holdersOf(models: Models, ids: string[]): Promise<(string | undefined)[]> {
  const locks = await Promise.all(ids.map((id) => models.SlotLock.findById(id, { bookingId: 1 }).lean()));
  return locks.map((l) => l?.bookingId);
}

/**
 * Holds [range.start, range.end) of a staff member for a booking. Idempotent for the
 * same booking (a retried attempt completes what a dead one began); false when any
 * part is held by another booking, and then nothing is left held by this call.
 *
 * Granules are taken in one global order (time ascending, one at a time in an ordered
 * insert), so of two overlapping contenders the one that takes their first shared
 * granule takes the rest too: the other meets it there and gives back only what lies
 * before it, and one of them always wins. `beat` runs between writes (the activity's
 * heartbeat, which throws once the saga gave up on it).
 */
export async function acquireHold(
  models: Models,
  hold: Hold,
  beat: () => void = () => undefined,
  /** Lock ids the booking holds for its current time (a reschedule): never given back here. */
  keep: ReadonlySet<string> = new Set(),
): Promise<boolean> {
  const docs = granulesOf(hold.range)
    .sort((a, b) => a.getTime() - b.getTime())
    .map((at) => ({
    _id: lockId(hold.staffId, at),
    staffId: hold.staffId,
    salonId: hold.salonId,
    bookingId: hold.bookingId,
    at,
  }));
  for (;;) {
    beat();
    try {
      await insertPlain(models.SlotLock, docs, { ordered: true });
      return true;
    } catch (err) {
      if (!isDuplicate(err)) throw err;
    }
    beat();
    const holders = await holdersOf(models, docs.map((d) => d._id));
    if (holders.some((h) => h !== undefined && h !== hold.bookingId)) {
      const mine = docs.filter((d, i) => holders[i] === hold.bookingId && !keep.has(d._id));
      await Promise.all(mine.map((d) => models.SlotLock.deleteOne({ _id: d._id })));
      return false;
    }
    // Every taken granule is this booking's (an earlier attempt): take the rest.
    const rest = docs.filter((_, i) => holders[i] === undefined);
    if (rest.length === 0) return true;
    docs.splice(0, docs.length, ...rest);
  }
}

/**
 * The staff member among `staffIds` whose time from `start` this booking holds already
 * (an attempt that died after taking it); a hold always begins with its first granule.
 */
export async function heldBy(models: Models, bookingId: string, staffIds: string[], start: Date): Promise<string | undefined> {
  const holders = await holdersOf(models, staffIds.map((s) => lockId(s, start)));
  return staffIds.find((_, i) => holders[i] === bookingId);
}

/** The lock ids of a staff member's time [range.start, range.end). */
export const lockIdsOf = (staffId: string, range: TimeRange): string[] => granulesOf(range).map((at) => lockId(staffId, at));

/** Releases the granules a booking holds outside `keep` (its time before a reschedule). Idempotent. */
export async function releaseHoldExcept(models: Models, bookingId: string, keep: string[]): Promise<number> {
  const res = await models.SlotLock.deleteMany({ bookingId, _id: { $nin: keep } });
  return res.deletedCount;
}

/** Releases every granule a booking holds, whoever took them. Idempotent. */
export async function releaseHold(models: Models, bookingId: string): Promise<number> {
  const res = await models.SlotLock.deleteMany({ bookingId });
  return res.deletedCount;
}

/**
 * Deletes the locks of bookings that are over (failed, cancelled) or gone, among the
 * locks taken in the last `withinMs`: what an activity attempt that outlived its saga's
 * releaseHold left behind. Resolves with how many were deleted.
 */
export async function sweepOrphanLocks(models: Models, opts: { withinMs: number; ended: (bookingIds: string[]) => Promise<string[]> }): Promise<number> {
  const recent = await models.SlotLock.find({ createdAt: { $gte: new Date(Date.now() - opts.withinMs) } }, { bookingId: 1 }).lean();
  // Bookings only: a waitlist offer's hold (`offer:<chain>`) is its chain's to give back.
  const owners = [...new Set(recent.map((l) => l.bookingId))].filter((id) => BOOKING_ID.test(id));
  if (owners.length === 0) return 0;
  const ended = await opts.ended(owners);
  if (ended.length === 0) return 0;
  return (await models.SlotLock.deleteMany({ bookingId: { $in: ended } })).deletedCount;
}

/** Held and booked time per staff member around one local date. */
export async function busyTimeByStaff(
  models: Models,
  staffIds: string[],
  date: string,
  timezone: string,
  /** A holder whose time counts as free (a waitlist offer chain weighing its own hold). */
  except?: string,
): Promise<Map<string, TimeRange[]>> {
  const day = localDayRange(date, timezone);
  const locks = await models.SlotLock.find(
    { staffId: { $in: staffIds }, at: { $gte: new Date(day.start.getTime() - 86_400_000), $lt: day.end } },
    { staffId: 1, at: 1, bookingId: 1 },
  ).lean();
  const byStaff = new Map<string, Date[]>();
  for (const l of locks) {
    if (except !== undefined && l.bookingId === except) continue;
    const list = byStaff.get(l.staffId) ?? [];
    list.push(l.at);
    byStaff.set(l.staffId, list);
  }
  return new Map([...byStaff].map(([id, granules]) => [id, rangesOfGranules(granules)]));
}
