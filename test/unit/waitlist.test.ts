/** The waitlist's pure rules: an entry's window, the slot it gets of freed time, an offer's expiry. */
import { entryLapsesAt, entryWindow, offerExpiresAt, pickSlot } from '../../src/domain/waitlist';

const slot = (start: string, minutes = 30) => ({ start, end: new Date(Date.parse(start) + minutes * 60_000).toISOString(), staffId: 's' });
const freed = { start: new Date('2026-06-01T08:00:00Z'), end: new Date('2026-06-01T08:30:00Z') };
const wholeDay = { start: new Date('2026-06-01T00:00:00Z'), end: new Date('2026-06-02T00:00:00Z') };
const earliest = new Date('2026-06-01T07:00:00Z');

test('when the freed start fits, then it is the slot; else the earliest start whose occupied time overlaps the freed time', () => {
  const slots = [slot('2026-06-01T07:45:00Z'), slot('2026-06-01T08:00:00Z'), slot('2026-06-01T08:15:00Z')];
  expect(pickSlot(slots, { freed, window: wholeDay, earliest, bufferMin: 0 })?.start).toBe('2026-06-01T08:00:00Z');
  expect(pickSlot([slots[0]!, slots[2]!], { freed, window: wholeDay, earliest, bufferMin: 0 })?.start).toBe('2026-06-01T07:45:00Z');
});

test('when no slot overlaps the freed time, or none lies in the window or after the earliest start, then none', () => {
  expect(pickSlot([slot('2026-06-01T07:00:00Z')], { freed, window: wholeDay, earliest, bufferMin: 0 })).toBeUndefined();
  expect(pickSlot([slot('2026-06-01T07:30:00Z')], { freed, window: wholeDay, earliest, bufferMin: 5 })?.start).toBe('2026-06-01T07:30:00Z'); // its buffer overlaps
  const morning = { start: new Date('2026-06-01T06:00:00Z'), end: new Date('2026-06-01T08:00:00Z') };
  expect(pickSlot([slot('2026-06-01T08:00:00Z')], { freed, window: morning, earliest, bufferMin: 0 })).toBeUndefined();
  expect(pickSlot([slot('2026-06-01T08:00:00Z')], { freed, window: wholeDay, earliest: new Date('2026-06-01T08:05:00Z'), bufferMin: 0 })).toBeUndefined();
});

test('an entry window is local time on its date; its date passes at the local midnight after it', () => {
  expect(entryWindow({ date: '2026-06-01', from: '09:00', to: '12:00' }, 'Europe/Madrid')).toEqual({
    start: new Date('2026-06-01T07:00:00Z'),
    end: new Date('2026-06-01T10:00:00Z'),
  });
  expect(entryLapsesAt('2026-06-01', 'Europe/Madrid')).toEqual(new Date('2026-06-01T22:00:00Z'));
});

test('an offer lasts waitlistOfferMinutes, never past the start minus the notice', () => {
  const now = new Date('2026-06-01T07:00:00Z');
  expect(offerExpiresAt(now, 15, new Date('2026-06-01T10:00:00Z'), 60)).toEqual(new Date('2026-06-01T07:15:00Z'));
  expect(offerExpiresAt(now, 15, new Date('2026-06-01T08:10:00Z'), 60)).toEqual(new Date('2026-06-01T07:10:00Z'));
});
