/**
 * checkAvailability retried after an attempt that took the hold and then died (a worker
 * SIGKILLed, or the attempt timed out) before it marked the booking held: the retry
 * finds the hold and marks the booking held, so the saga confirms it instead of failing
 * it at confirmBooking ("pending, not held") after charging. Found by npm run chaos.
 * Also how a hold is taken: completed when cut short, refused whole when any part is taken.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Connection } from 'mongoose';
import { createBookingActivities } from '../../activities/booking';
import { HEARTBEAT_EVERY_MS } from '../../activities/heartbeat';
import { loadConfig } from '../../src/config';
import { createModels, type Models } from '../../src/infra/models';
import { connectMongo } from '../../src/infra/mongo';
import { granulesOf } from '../../src/domain/availability';
import { endedAmong, markFailed } from '../../src/infra/bookings';
import { acquireHold, sweepOrphanLocks } from '../../src/infra/slot-locks';
import { createStripe } from '../../src/infra/stripe';
import { quietEvents as events, quietMetrics as metrics } from '../support/activity-deps';
import { bookingsOn } from '../support/booking-docs';
import { unique } from '../support/ids';

const cfg = loadConfig();
let conn: Connection;
let models: Models;


beforeAll(async () => {
  conn = await connectMongo(cfg);
  models = createModels(conn);
});
afterAll(() => conn?.close());

const { pendingBooking, holders } = bookingsOn(() => models);

const checkAvailability = (bookingId: string, env = new MockActivityEnvironment()) => {
  const activities = createBookingActivities({ models, stripe: createStripe(cfg), events, metrics });
  return env.run((ref: { bookingId: string }) => activities.checkAvailability(ref), { bookingId });
};

test('when the hold is taken within the step’s first 2 s, then the step sends Temporal no heartbeat (one per 2 s after)', async () => {
  const { staffIds, bookingId, range } = await pendingBooking();
  const env = new MockActivityEnvironment();
  const heartbeats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => heartbeats.push(d));
  const started = performance.now();

  expect(await checkAvailability(bookingId, env)).toEqual({ staffId: staffIds[0] });
  expect(await holders(staffIds[0]!, range)).toEqual(granulesOf(range).map(() => bookingId));
  // Each heartbeat that reaches the server is a write of the workflow's state there
  // (activities/heartbeat.ts): none in the step's first 2 s, one at most every 2 s after.
  expect(heartbeats.length).toBeLessThanOrEqual(Math.floor((performance.now() - started) / HEARTBEAT_EVERY_MS));
});

test('when the hold was taken by an attempt that died before marking the booking held, then the retry marks it held', async () => {
  const { salonId, staffIds, bookingId, range } = await pendingBooking();
  // What the dead attempt left behind: the hold, and the booking still pending.
  expect(await acquireHold(models, { staffId: staffIds[0]!, salonId, bookingId, range })).toBe(true);

  expect(await checkAvailability(bookingId)).toEqual({ staffId: staffIds[0] });
  const after = await models.Booking.findById(bookingId).lean();
  expect(after).toMatchObject({ status: 'held', staffId: staffIds[0] });
});

test('when the dead attempt held the second of two free staff members, then the retry keeps that one and leaves the first free', async () => {
  const { salonId, staffIds, bookingId, range } = await pendingBooking(2);
  const [first, second] = [staffIds.sort()[0]!, staffIds[1]!];
  expect(await acquireHold(models, { staffId: second, salonId, bookingId, range })).toBe(true);

  expect(await checkAvailability(bookingId)).toEqual({ staffId: second });
  expect(new Set(await holders(first, range))).toEqual(new Set([undefined]));
});

test('when the dead attempt took only the first granules, then the retry takes the rest', async () => {
  const { salonId, staffIds, bookingId, range } = await pendingBooking();
  const staffId = staffIds[0]!;
  const granules = granulesOf(range);
  expect(granules.length).toBeGreaterThan(3);
  // An ordered insert cut short after three granules.
  await models.SlotLock.insertMany(granules.slice(0, 3).map((at) => ({ _id: `${staffId}|${at.getTime()}`, staffId, salonId, bookingId, at })));

  expect(await checkAvailability(bookingId)).toEqual({ staffId });
  expect(await holders(staffId, range)).toEqual(granules.map(() => bookingId));
});

test('when another booking holds the end of the range, then the hold is refused and leaves nothing held', async () => {
  const { salonId, staffIds, bookingId, range } = await pendingBooking();
  const staffId = staffIds[0]!;
  const tail = { start: new Date(range.end.getTime() - 10 * 60_000), end: range.end };
  expect(await acquireHold(models, { staffId, salonId, bookingId: 'another-booking', range: tail })).toBe(true);

  expect(await acquireHold(models, { staffId, salonId, bookingId, range })).toBe(false);
  const held = await holders(staffId, range);
  expect(held.filter((h) => h === bookingId)).toEqual([]);
  expect(held.filter((h) => h === 'another-booking')).toHaveLength(granulesOf(tail).length);
  await models.SlotLock.deleteMany({ bookingId: 'another-booking' });
});

test('when two bookings contend for overlapping time again and again, then each time exactly one holds it and the other holds nothing', async () => {
  const { salonId, staffIds, range } = await pendingBooking();
  const staffId = staffIds[0]!;
  const shifted = { start: new Date(range.start.getTime() + 15 * 60_000), end: new Date(range.end.getTime() + 15 * 60_000) };
  for (let round = 0; round < 15; round++) {
    const [a, b] = [unique(`a${round}`), unique(`b${round}`)];
    // Alternate which range each contender asks for, so both orders of overlap are tried.
    const [ra, rb] = round % 2 === 0 ? [range, shifted] : [shifted, range];
    const won = await Promise.all([
      acquireHold(models, { staffId, salonId, bookingId: a, range: ra }),
      acquireHold(models, { staffId, salonId, bookingId: b, range: rb }),
    ]);
    expect(won.filter(Boolean)).toHaveLength(1);
    const loser = won[0] ? b : a;
    expect(await models.SlotLock.countDocuments({ bookingId: loser })).toBe(0);
    await models.SlotLock.deleteMany({ bookingId: { $in: [a, b] } });
  }
});

test('when an attempt takes the hold after its booking ended, then it gives the hold back and fails', async () => {
  const { staffIds, bookingId, range } = await pendingBooking();
  await markFailed(models, bookingId, 'hold_expired'); // the saga gave up and compensated meanwhile
  await expect(checkAvailability(bookingId)).rejects.toThrow(/ended while its slot was being held/);
  expect(await holders(staffIds[0]!, range)).toEqual(granulesOf(range).map(() => undefined));
});

test('when the saga gave up on an attempt, then the attempt stops at its next write and takes nothing', async () => {
  const { staffIds, bookingId, range } = await pendingBooking();
  const env = new MockActivityEnvironment();
  const activities = createBookingActivities({ models, stripe: createStripe(cfg), events, metrics });
  env.cancel();
  await expect(env.run((ref: { bookingId: string }) => activities.checkAvailability(ref), { bookingId })).rejects.toThrow(/no longer waits/);
  expect(await holders(staffIds[0]!, range)).toEqual(granulesOf(range).map(() => undefined));
});

test('when locks belong to bookings that ended, then the sweeper deletes them and leaves the open bookings’ locks', async () => {
  const ended = await pendingBooking();
  const open = await pendingBooking();
  expect(await acquireHold(models, { staffId: ended.staffIds[0]!, salonId: ended.salonId, bookingId: ended.bookingId, range: ended.range })).toBe(true);
  expect(await acquireHold(models, { staffId: open.staffIds[0]!, salonId: open.salonId, bookingId: open.bookingId, range: open.range })).toBe(true);
  await markFailed(models, ended.bookingId, 'payment_declined'); // a stale attempt's locks, left after releaseHold

  const deleted = await sweepOrphanLocks(models, { withinMs: 3_600_000, ended: (ids) => endedAmong(models, ids) });
  expect(deleted).toBeGreaterThanOrEqual(granulesOf(ended.range).length);
  expect(await models.SlotLock.countDocuments({ bookingId: ended.bookingId })).toBe(0);
  expect(await models.SlotLock.countDocuments({ bookingId: open.bookingId })).toBe(granulesOf(open.range).length);
  await models.SlotLock.deleteMany({ bookingId: open.bookingId });
});
