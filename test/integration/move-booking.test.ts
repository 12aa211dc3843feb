/**
 * moveBooking, the reschedule's activity, on the real database: the new time is held
 * before the old one is let go, and a crash at any point between its writes leaves the
 * booking on one of its two times — the retry completes the move. A time held by
 * another booking is refused, and the booking keeps all of its own time, even the part
 * the new time shares with it.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBookingActivities, type Moved } from '../../activities/booking';
import { loadConfig } from '../../src/config';
import { granulesOf } from '../../src/domain/availability';
import { confirmIfHeld, markHeld, markRescheduled } from '../../src/infra/bookings';
import { acquireHold, lockIdsOf } from '../../src/infra/slot-locks';
import { envelope, type EventPublisher } from '../../src/infra/events';
import { createStripe } from '../../src/infra/stripe';
import { TOPICS } from '../../src/shared/topics';
import { quietEvents as events, quietMetrics as metrics } from '../support/activity-deps';
import { bookingsOn, useTestModels } from '../support/booking-docs';

const cfg = loadConfig();
const modelsOf = useTestModels();
const { pendingBooking, holders } = bookingsOn(modelsOf);

const MIN = 60_000;

/** A confirmed booking holding its time (10:00 UTC in five days, `durationMin`), by its only staff member. */
async function confirmed(durationMin = 30) {
  const b = await pendingBooking(1, durationMin);
  const staffId = b.staffIds[0]!;
  expect(await acquireHold(modelsOf(), { staffId, salonId: b.salonId, bookingId: b.bookingId, range: b.range })).toBe(true);
  await markHeld(modelsOf(), b.bookingId, staffId);
  await confirmIfHeld(modelsOf(), b.bookingId, new Date());
  return { ...b, staffId };
}

const move = (args: { bookingId: string; start: string; from: string; staffId?: string }, publisher: EventPublisher = events) => {
  const activities = createBookingActivities({ models: modelsOf(), stripe: createStripe(cfg), events: publisher, metrics });
  return new MockActivityEnvironment().run<[typeof args], Moved, (a: typeof args) => Promise<Moved>>((a) => activities.moveBooking(a), args);
};

/** Every lock the booking holds, as ids. */
const lockIds = async (bookingId: string) => (await modelsOf().SlotLock.find({ bookingId }, { _id: 1 }).lean()).map((l) => l._id).sort();

test('when it moves, then it holds the new time only and the booking says so', async () => {
  const b = await confirmed();
  const to = new Date(b.range.start.getTime() + 3 * 60 * MIN);
  const moved = await move({ bookingId: b.bookingId, start: to.toISOString(), from: b.range.start.toISOString() });
  expect(moved).toEqual({ start: to.toISOString(), end: new Date(to.getTime() + 30 * MIN).toISOString(), staffId: b.staffId, rescheduledFrom: [b.range.start.toISOString()] });
  expect(await lockIds(b.bookingId)).toEqual(lockIdsOf(b.staffId, { start: to, end: new Date(to.getTime() + 30 * MIN) }).sort());
});

test('when an attempt died after holding the new time, before writing the move, then the booking is still on its old time and the retry completes the move', async () => {
  const b = await confirmed();
  const to = new Date(b.range.start.getTime() + 2 * 60 * MIN);
  const newRange = { start: to, end: new Date(to.getTime() + 30 * MIN) };
  // The dead attempt: the new time held, nothing written.
  expect(await acquireHold(modelsOf(), { staffId: b.staffId, salonId: b.salonId, bookingId: b.bookingId, range: newRange })).toBe(true);
  const between = await modelsOf().Booking.findById(b.bookingId).lean();
  expect(between!.start).toEqual(b.range.start); // on its old time, holding both
  expect(await holders(b.staffId, b.range)).toEqual(granulesOf(b.range).map(() => b.bookingId));

  const moved = await move({ bookingId: b.bookingId, start: to.toISOString(), from: b.range.start.toISOString() });
  expect(moved.start).toBe(to.toISOString());
  expect(await lockIds(b.bookingId)).toEqual(lockIdsOf(b.staffId, newRange).sort());
});

test('when an attempt died after writing the move, before letting the old time go, then the retry gives it back and answers the same', async () => {
  const b = await confirmed();
  const to = new Date(b.range.start.getTime() + 2 * 60 * MIN);
  const newRange = { start: to, end: new Date(to.getTime() + 30 * MIN) };
  expect(await acquireHold(modelsOf(), { staffId: b.staffId, salonId: b.salonId, bookingId: b.bookingId, range: newRange })).toBe(true);
  await markRescheduled(modelsOf(), b.bookingId, { from: b.range.start, start: to, end: newRange.end, holdEnd: newRange.end, staffId: b.staffId });

  const moved = await move({ bookingId: b.bookingId, start: to.toISOString(), from: b.range.start.toISOString() });
  expect(moved).toMatchObject({ start: to.toISOString(), rescheduledFrom: [b.range.start.toISOString()] });
  expect(await holders(b.staffId, b.range)).toEqual(granulesOf(b.range).map(() => undefined));
  expect(await lockIds(b.bookingId)).toEqual(lockIdsOf(b.staffId, newRange).sort());
});

test('when it moves by less than its length, then the shared time stays held throughout and the rest follows', async () => {
  const b = await confirmed(60);
  const to = new Date(b.range.start.getTime() + 30 * MIN);
  await move({ bookingId: b.bookingId, start: to.toISOString(), from: b.range.start.toISOString() });
  expect(await lockIds(b.bookingId)).toEqual(lockIdsOf(b.staffId, { start: to, end: new Date(to.getTime() + 60 * MIN) }).sort());
});

test('when another booking holds part of the new time, then SlotUnavailable, and the booking keeps all its own time — also what it shares with the new one', async () => {
  const b = await confirmed(60);
  const before = await lockIds(b.bookingId);
  // Another booking holds 11:15–11:30; the move to 10:30–11:30 would share 10:30–11:00 with the booking's own time.
  const blockedStart = new Date(b.range.start.getTime() + 75 * MIN);
  expect(await acquireHold(modelsOf(), { staffId: b.staffId, salonId: b.salonId, bookingId: 'another-booking', range: { start: blockedStart, end: new Date(blockedStart.getTime() + 15 * MIN) } })).toBe(true);
  const to = new Date(b.range.start.getTime() + 30 * MIN);
  await expect(move({ bookingId: b.bookingId, start: to.toISOString(), from: b.range.start.toISOString() })).rejects.toMatchObject({ type: 'SlotUnavailable' });
  expect(await lockIds(b.bookingId)).toEqual(before);
  expect((await modelsOf().Booking.findById(b.bookingId).lean())!.start).toEqual(b.range.start);
  await modelsOf().SlotLock.deleteMany({ bookingId: 'another-booking' });
});

test('when the booking is no longer confirmed, then the move is refused and takes nothing', async () => {
  const b = await confirmed();
  await modelsOf().Booking.updateOne({ _id: b.bookingId }, { $set: { status: 'cancelled' } });
  const to = new Date(b.range.start.getTime() + 2 * 60 * MIN);
  await expect(move({ bookingId: b.bookingId, start: to.toISOString(), from: b.range.start.toISOString() })).rejects.toThrow(/is cancelled/);
  expect(await holders(b.staffId, { start: to, end: new Date(to.getTime() + 30 * MIN) })).toEqual(granulesOf({ start: to, end: new Date(to.getTime() + 30 * MIN) }).map(() => undefined));
});

test('each move has an event id of its own, also a move back to an earlier time (consumers dedupe by id)', async () => {
  const b = await confirmed();
  const ids: string[] = [];
  const recording: EventPublisher = {
    publish: async (topic, _key, data, opts) => {
      if (topic === TOPICS.bookingRescheduled) ids.push(opts!.id!);
      return envelope(topic, data, opts);
    },
    close: async () => undefined,
  };
  const a = b.range.start.toISOString();
  const later = new Date(b.range.start.getTime() + 2 * 60 * MIN).toISOString();
  await move({ bookingId: b.bookingId, start: later, from: a }, recording);
  await move({ bookingId: b.bookingId, start: a, from: later }, recording);
  await move({ bookingId: b.bookingId, start: later, from: a }, recording);
  expect(new Set(ids).size).toBe(3);
  // A retry of the last move (written already) re-sends the same event id.
  await move({ bookingId: b.bookingId, start: later, from: a }, recording);
  expect(ids.at(-1)).toBe(ids.at(-2));
});
