/**
 * The iCalendar invitation an appointment's emails carry (ical-generator): one `UID` per
 * booking for its whole life, so a calendar updates the same entry — the confirmation is
 * a `METHOD:REQUEST`, each reschedule the same `UID` with `SEQUENCE` + 1, a cancellation
 * `METHOD:CANCEL` one `SEQUENCE` later. Times in UTC: every calendar shows them local.
 */
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

export const ORGANIZER = { name: 'InStudio', email: 'reservas@instudio.example' };

export interface Appointment {
  bookingId: string;
  start: Date;
  end: Date;
  summary: string;
  location: string;
  attendee: { name: string; email: string };
  /** How many times the booking has moved: its invitation's SEQUENCE. */
  moves: number;
}

export const calendarUid = (bookingId: string): string => `booking-${bookingId}@instudio`;

export function invitation(a: Appointment, kind: 'request' | 'cancel'): string {
  const cancel = kind === 'cancel';
  const calendar = ical({ prodId: { company: 'InStudio', product: 'bookings', language: 'ES' }, method: cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST });
  calendar.createEvent({
    id: calendarUid(a.bookingId),
    sequence: cancel ? a.moves + 1 : a.moves,
    start: a.start,
    end: a.end,
    stamp: new Date(),
    summary: a.summary,
    location: a.location,
    status: cancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: ORGANIZER,
    attendees: [{ name: a.attendee.name, email: a.attendee.email, rsvp: false }],
  });
  return calendar.toString();
}
