/**
 * Availability math, pure: which start times a staff member can take a service on one
 * local date of the salon's time zone. Times are compared as instants, so daylight-saving
 * changes (a missing or a repeated local hour) come out right.
 */
import { DateTime, Interval } from 'luxon';

/** Every booked or held interval is made of granules of this size (minutes). */
export const GRANULE_MIN = 5;
/** Offered start times are this far apart (minutes). */
export const SLOT_STEP_MIN = 15;

export interface WeeklyWindow {
  /** 1 = Monday … 7 = Sunday (ISO). */
  weekday: number;
  /** Local `HH:MM`. */
  start: string;
  end: string;
}

export interface StaffSchedule {
  id: string;
  workingHours: WeeklyWindow[];
  breaks: WeeklyWindow[];
  timeOff: { from: Date; to: Date }[];
}

export interface TimeRange {
  start: Date;
  end: Date;
}

export interface Slot {
  start: string;
  end: string;
  staffId: string;
}

export interface AvailabilityRequest {
  /** Local date `YYYY-MM-DD`. */
  date: string;
  timezone: string;
  durationMin: number;
  bufferMin: number;
  staff: StaffSchedule[];
  /** Time already taken (holds and confirmed bookings), per staff id. */
  busy: ReadonlyMap<string, TimeRange[]>;
  now: Date;
  stepMin?: number;
  /** Starts to consider besides the grid's (e.g. freed time off the grid), under the same rules. */
  alsoAt?: readonly Date[];
  /**
   * Only this start, if it is on the grid: the slots starting then, as the whole day's
   * slots filtered to it would give, without building the others (the booking saga asks
   * who works at one time; the day at 5-minute steps was ~100 slots a staff member).
   */
  onlyAt?: Date;
}

/** The instant of a local wall-clock time; a time skipped by a DST jump moves forward. */
function localInstant(day: DateTime, hhmm: string): DateTime {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  if (h === 24 && m === 0) return day.plus({ days: 1 }).startOf('day');
  return day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
}

function windowsOn(day: DateTime, windows: WeeklyWindow[]): Interval[] {
  return windows
    .filter((w) => w.weekday === day.weekday)
    .map((w) => Interval.fromDateTimes(localInstant(day, w.start), localInstant(day, w.end)))
    .filter((i) => i.isValid && !i.isEmpty());
}

/** The local day's bounds, as instants (23 or 25 hours long on DST change days). */
export function localDayRange(date: string, timezone: string): TimeRange {
  const day = DateTime.fromISO(date, { zone: timezone }).startOf('day');
  return { start: day.toJSDate(), end: day.plus({ days: 1 }).startOf('day').toJSDate() };
}

/** When a staff member works on a local date: working hours less breaks and time off, as instants. */
export function workingRanges(date: string, timezone: string, staff: StaffSchedule): TimeRange[] {
  const day = DateTime.fromISO(date, { zone: timezone }).startOf('day');
  if (!day.isValid) return [];
  const blocked = [...windowsOn(day, staff.breaks), ...staff.timeOff.map((t) => Interval.fromDateTimes(t.from, t.to))].filter((i) => i.isValid);
  return windowsOn(day, staff.workingHours)
    .flatMap((w) => w.difference(...blocked))
    .filter((i) => i.isValid && !i.isEmpty())
    .sort((a, b) => a.start!.toMillis() - b.start!.toMillis())
    .map((i) => ({ start: i.start!.toJSDate(), end: i.end!.toJSDate() }));
}

export function computeSlots(req: AvailabilityRequest): Slot[] {
  const day = DateTime.fromISO(req.date, { zone: req.timezone }).startOf('day');
  if (!day.isValid) return [];
  const stepMs = (req.stepMin ?? SLOT_STEP_MIN) * 60_000;
  const serviceMs = req.durationMin * 60_000;
  const occupiedMs = (req.durationMin + req.bufferMin) * 60_000;
  const now = req.now.getTime();
  const slots: (Slot & { at: number })[] = [];

  for (const staff of req.staff) {
    const blocked: Interval[] = [
      ...windowsOn(day, staff.breaks),
      ...staff.timeOff.map((t) => Interval.fromDateTimes(t.from, t.to)),
      ...(req.busy.get(staff.id) ?? []).map((b) => Interval.fromDateTimes(b.start, b.end)),
    ].filter((i) => i.isValid);

    for (const window of windowsOn(day, staff.workingHours)) {
      const windowStart = window.start!.toMillis();
      const windowEnd = window.end!.toMillis();
      const fits = (at: number) => at >= windowStart && at + occupiedMs <= windowEnd;
      const onGrid = (at: number) => (at - windowStart) % stepMs === 0;
      const starts: number[] = [];
      if (req.onlyAt) {
        const at = req.onlyAt.getTime();
        if (fits(at) && onGrid(at)) starts.push(at);
      } else {
        for (let at = windowStart; fits(at); at += stepMs) starts.push(at);
        for (const extra of req.alsoAt ?? []) {
          const at = extra.getTime();
          if (fits(at) && !onGrid(at)) starts.push(at);
        }
      }
      for (const at of starts) {
        if (at <= now) continue;
        const occupied = Interval.fromDateTimes(new Date(at), new Date(at + occupiedMs));
        if (blocked.some((b) => b.overlaps(occupied))) continue;
        slots.push({
          at,
          staffId: staff.id,
          start: DateTime.fromMillis(at, { zone: req.timezone }).toISO({ suppressMilliseconds: true })!,
          end: DateTime.fromMillis(at + serviceMs, { zone: req.timezone }).toISO({ suppressMilliseconds: true })!,
        });
      }
    }
  }
  slots.sort((a, b) => a.at - b.at || a.staffId.localeCompare(b.staffId));
  return slots.map(({ start, end, staffId }) => ({ start, end, staffId }));
}

/** Start instants of the granules that cover [start, end): the keys a hold takes. */
export function granulesOf(range: TimeRange): Date[] {
  const g = GRANULE_MIN * 60_000;
  const out: Date[] = [];
  for (let t = Math.floor(range.start.getTime() / g) * g; t < range.end.getTime(); t += g) out.push(new Date(t));
  return out;
}

/** Merges granule starts back into busy intervals. */
export function rangesOfGranules(starts: Date[]): TimeRange[] {
  const g = GRANULE_MIN * 60_000;
  const sorted = starts.map((d) => d.getTime()).sort((a, b) => a - b);
  const out: TimeRange[] = [];
  for (const t of sorted) {
    const last = out[out.length - 1];
    if (last && last.end.getTime() >= t) last.end = new Date(Math.max(last.end.getTime(), t + g));
    else out.push({ start: new Date(t), end: new Date(t + g) });
  }
  return out;
}
