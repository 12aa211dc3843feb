/** Staff documents as the availability math sees them. */
import type { Types } from 'mongoose';
import type { StaffSchedule, WeeklyWindow } from '../domain/availability';
import type { StaffDoc } from './models';

export const weeklyWindow = (w: { weekday?: number | null; start?: string | null; end?: string | null }): WeeklyWindow => ({
  weekday: w.weekday!,
  start: w.start!,
  end: w.end!,
});

export const toSchedule = (s: StaffDoc & { _id: Types.ObjectId | string }): StaffSchedule => ({
  id: String(s._id),
  workingHours: s.workingHours.map(weeklyWindow),
  breaks: s.breaks.map(weeklyWindow),
  timeOff: s.timeOff.map((t) => ({ from: t.from!, to: t.to! })),
});
