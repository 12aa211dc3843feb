import { localTime, type MessageContext, type MessageKind, renderMessage } from '../../src/domain/messages';
import { calendarUid, invitation } from '../../src/infra/calendar';

const KINDS: MessageKind[] = ['confirmed', 'failed', 'cancelled', 'rescheduled', 'reminder', 'no_show', 'waitlist_offered', 'waitlist_booked'];
// 09:00 UTC on a winter day is 10:00 in Madrid (CET, +01:00).
const start = new Date('2026-12-04T09:00:00Z');
const context = (locale: 'es' | 'en', extra: Partial<MessageContext> = {}): MessageContext => ({
  locale,
  clientName: 'Lucía <script>',
  salonName: 'Salón Sol',
  timezone: 'Europe/Madrid',
  serviceName: 'Corte',
  start,
  ...extra,
});

test('times are the salon’s local time with the zone named, in the client’s language', () => {
  expect(localTime(start, 'Europe/Madrid', 'es')).toBe('viernes, 4 de diciembre de 2026, 10:00 (Europe/Madrid, UTC+01:00)');
  expect(localTime(start, 'Europe/Madrid', 'en')).toBe('Friday, December 4, 2026, 10:00 (Europe/Madrid, UTC+01:00)');
  expect(localTime(start, 'America/New_York', 'en')).toContain('04:00 (America/New_York, UTC-05:00)');
});

test.each(KINDS)('%s: a subject, a text and an HTML body in Spanish and in English, each with the local time and no UTC', (kind) => {
  for (const locale of ['es', 'en'] as const) {
    const m = renderMessage(kind, context(locale, { reason: 'payment_declined', expiresAt: new Date('2026-12-03T18:00:00Z'), previousStart: new Date('2026-12-04T07:00:00Z'), refundedCents: 2500, currency: 'EUR' }));
    expect(m.subject.length).toBeGreaterThan(5);
    expect(m.text).toContain('10:00 (Europe/Madrid, UTC+01:00)');
    expect(m.text).not.toContain('09:00');
    expect(m.text).toContain(locale === 'es' ? 'Hola, Lucía' : 'Hello Lucía');
    expect(m.html).toContain(`lang="${locale}"`);
    expect(m.html).not.toContain('<script>'); // names are escaped
  }
  expect(renderMessage(kind, context('es')).subject).not.toBe(renderMessage(kind, context('en')).subject);
});

test('the offer names its expiry, the failure its reason, the cancellation its refund', () => {
  expect(renderMessage('waitlist_offered', context('en', { expiresAt: new Date('2026-12-03T18:00:00Z') })).text).toContain('until Thursday, December 3, 2026, 19:00 (Europe/Madrid');
  expect(renderMessage('failed', context('es', { reason: 'payment_declined' })).text).toContain('el pago fue rechazado');
  expect(renderMessage('cancelled', context('en', { refundedCents: 2500, currency: 'EUR' })).text).toContain('€25.00');
});

describe('the calendar invitation', () => {
  const appointment = {
    bookingId: 'b1',
    start,
    end: new Date('2026-12-04T09:30:00Z'),
    summary: 'Corte · Salón Sol',
    location: 'Salón Sol, Madrid',
    attendee: { name: 'Lucía', email: 'lucia@example.com' },
    moves: 0,
  };
  const field = (ics: string, name: string): string | undefined => new RegExp(`^${name}:(.*)$`, 'm').exec(ics)?.[1]?.trim();

  test('a confirmation is a METHOD:REQUEST of the booking’s UID at SEQUENCE 0, in UTC', () => {
    const ics = invitation(appointment, 'request');
    expect(field(ics, 'METHOD')).toBe('REQUEST');
    expect(field(ics, 'UID')).toBe(calendarUid('b1'));
    expect(field(ics, 'SEQUENCE')).toBe('0');
    expect(field(ics, 'DTSTART')).toBe('20261204T090000Z');
    expect(field(ics, 'STATUS')).toBe('CONFIRMED');
  });

  test('a reschedule keeps the UID with SEQUENCE + 1; a cancellation is METHOD:CANCEL one SEQUENCE later', () => {
    const moved = invitation({ ...appointment, start: new Date('2026-12-04T10:00:00Z'), end: new Date('2026-12-04T10:30:00Z'), moves: 1 }, 'request');
    expect([field(moved, 'UID'), field(moved, 'SEQUENCE'), field(moved, 'DTSTART')]).toEqual([calendarUid('b1'), '1', '20261204T100000Z']);
    const cancelled = invitation({ ...appointment, moves: 1 }, 'cancel');
    expect([field(cancelled, 'METHOD'), field(cancelled, 'UID'), field(cancelled, 'SEQUENCE'), field(cancelled, 'STATUS')]).toEqual(['CANCEL', calendarUid('b1'), '2', 'CANCELLED']);
  });
});
