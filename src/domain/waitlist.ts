/**
 * The waitlist's rules, pure (LIFECYCLE.md, "Waitlist"): an entry's window as instants,
 * which freed time it matches, and how long an offer stays held.
 */
import { DateTime } from 'luxon';
import type { Slot, TimeRange } from './availability';

export const WAITLIST_STATUSES = ['waiting', 'offered', 'booked', 'declined', 'expired'] as const;
export type WaitlistStatus = (typeof WAITLIST_STATUSES)[number];

/** An offer must leave its client at least this long to answer, else it is not made. */
export const MIN_ANSWER_MS = 60_000;

/** The instant of local `HH:MM` on `date` (`24:00`: the next midnight). */
function localTime(date: string, hhmm: string, timezone: string): Date {
  const day = DateTime.fromISO(date, { zone: timezone }).startOf('day');
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return (h === 24 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: h, minute: m })).toJSDate();
}

/** The starts an entry takes: [from, to) on its local date (default: the whole day). */
export function entryWindow(entry: { date: string; from?: string; to?: string }, timezone: string): TimeRange {
  return { start: localTime(entry.date, entry.from ?? '00:00', timezone), end: localTime(entry.date, entry.to ?? '24:00', timezone) };
}

/** When an entry's date has passed (the end of that local day): it ends `expired`. */
export const entryLapsesAt = (date: string, timezone: string): Date => localTime(date, '24:00', timezone);

/**
 * The start an entry gets of freed time: among `slots` (one staff member's free starts
 * for the entry's service, the freed time counted free), one whose occupied time
 * [start, end + buffer) overlaps `freed`, in the entry's window, at least `earliest` —
 * the freed start itself when it fits, else the earliest.
 */
export function pickSlot(slots: readonly Slot[], opts: { freed: TimeRange; window: TimeRange; earliest: Date; bufferMin: number }): Slot | undefined {
  const fits = slots.filter((s) => {
    const start = Date.parse(s.start);
    const occupiedEnd = Date.parse(s.end) + opts.bufferMin * 60_000;
    return (
      start >= opts.window.start.getTime() &&
      start < opts.window.end.getTime() &&
      start >= opts.earliest.getTime() &&
      start < opts.freed.end.getTime() &&
      occupiedEnd > opts.freed.start.getTime()
    );
  });
  return fits.find((s) => Date.parse(s.start) === opts.freed.start.getTime()) ?? fits.sort((a, b) => Date.parse(a.start) - Date.parse(b.start))[0];
}

/** The earliest start an offer made now may have: the salon's notice, plus time to answer. */
export const earliestOfferable = (now: Date, minNoticeMinutes: number): Date => new Date(now.getTime() + minNoticeMinutes * 60_000 + MIN_ANSWER_MS);

/** An offer's expiry: `offerMinutes` from now, and never later than the start minus the salon's notice. */
export function offerExpiresAt(now: Date, offerMinutes: number, start: Date, minNoticeMinutes: number): Date {
  return new Date(Math.min(now.getTime() + offerMinutes * 60_000, start.getTime() - minNoticeMinutes * 60_000));
}
