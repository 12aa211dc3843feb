/**
 * checkAvailability retried after an attempt that took the hold and then died (a worker
 * SIGKILLed, or the attempt timed out) before it marked the booking held: the retry
 * finds the hold and marks the booking held, so the saga confirms it instead of failing
 * it at confirmBooking ("pending, not held") after charging. Found by npm run chaos.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Connection } from 'mongoose';
import { createBookingActivities } from '../../activities/booking';
import { loadConfig } from '../../src/config';
import { upsertPendingBooking } from '../../src/infra/bookings';
import { envelope, type EventPublisher } from '../../src/infra/events';
import type { Metrics } from '../../src/infra/metrics';
import { createModels, type Models } from '../../src/infra/models';
import { connectMongo } from '../../src/infra/mongo';
import { acquireHold } from '../../src/infra/slot-locks';
import { createStripe } from '../../src/infra/stripe';
import { unique } from '../support/ids';

const cfg = loadConfig();
let conn: Connection;
let models: Models;

const events: EventPublisher = {
  publish: async (topic, _key, data, opts) => envelope(topic, data, opts),
  close: async () => undefined,
};
const metrics: Metrics = { record: () => undefined, flush: async () => undefined, close: async () => undefined };

beforeAll(async () => {
  conn = await connectMongo(cfg);
  models = createModels(conn);
});
afterAll(() => conn?.close());

test('when the hold was taken by an attempt that died before marking the booking held, then the retry marks it held', async () => {
  const salon = await models.Salon.create({ name: unique('Salon'), city: 'Madrid', cityKey: 'madrid', timezone: 'Europe/Madrid' });
  const service = await models.Service.create({ salonId: String(salon._id), name: 'Corte', durationMin: 30, priceCents: 2500, currency: 'EUR' });
  const staff = await models.Staff.create({
    salonId: String(salon._id),
    name: 'Ana',
    serviceIds: [String(service._id)],
    workingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '18:00' })),
  });
  const start = new Date(Date.now() + 5 * 86_400_000);
  start.setUTCHours(10, 0, 0, 0);
  const bookingId = unique('b').replace(/[^a-f0-9]/g, '').padEnd(32, '0').slice(0, 32);
  const { booking } = await upsertPendingBooking(models, {
    bookingId,
    customerId: 'c-retry',
    salonId: String(salon._id),
    serviceId: String(service._id),
    start: start.toISOString(),
    paymentMethod: 'pm_card_visa',
    priority: 'normal',
    correlationId: bookingId,
    requestedAt: new Date().toISOString(),
  });
  // What the dead attempt left behind: the hold, and the booking still pending.
  expect(await acquireHold(models, { staffId: String(staff._id), salonId: String(salon._id), bookingId, range: { start: booking.start, end: booking.holdEnd } })).toBe(true);

  const activities = createBookingActivities({ models, stripe: createStripe(cfg), events, metrics });
  const result = await new MockActivityEnvironment().run((ref: { bookingId: string }) => activities.checkAvailability(ref), { bookingId });

  expect(result).toEqual({ staffId: String(staff._id) });
  const after = await models.Booking.findById(bookingId).lean();
  expect(after).toMatchObject({ status: 'held', staffId: String(staff._id) });
});
