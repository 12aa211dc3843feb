/**
 * Bookings written straight to the database, for the activity tests: a salon with one
 * service and its staff, a pending booking, and who holds each granule.
 */
import type { Connection } from 'mongoose';
import { loadConfig } from '../../src/config';
import { granulesOf } from '../../src/domain/availability';
import { upsertPendingBooking } from '../../src/infra/bookings';
import { createModels, type Models } from '../../src/infra/models';
import { connectMongo } from '../../src/infra/mongo';
import { unique } from './ids';

const everyDay = (start: string, end: string) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end }));

/** Helpers over the models `modelsOf` gives once the test's connection is open. */
export function bookingsOn(modelsOf: () => Models) {
  /** A salon with one service of `durationMin` and `staffCount` staff who perform it, and a pending booking at 10:00 UTC in five days. */
  async function pendingBooking(staffCount = 1, durationMin = 30) {
    const models = modelsOf();
    const salon = await models.Salon.create({ name: unique('Salon'), city: 'Madrid', cityKey: 'madrid', timezone: 'Europe/Madrid' });
    const salonId = String(salon._id);
    const service = await models.Service.create({ salonId, name: 'Corte', durationMin, priceCents: 2500, currency: 'EUR' });
    const staff = [];
    for (let i = 0; i < staffCount; i++) {
      staff.push(await models.Staff.create({ salonId, name: `Staff ${i}`, serviceIds: [String(service._id)], workingHours: everyDay('09:00', '18:00') }));
    }
    const start = new Date(Date.now() + 5 * 86_400_000);
    start.setUTCHours(10, 0, 0, 0);
    const bookingId = unique('b').replace(/[^a-f0-9]/g, '').padEnd(32, '0').slice(0, 32);
    const { booking } = await upsertPendingBooking(models, {
      bookingId,
      customerId: 'c-retry',
      salonId,
      serviceId: String(service._id),
      start: start.toISOString(),
      paymentMethod: 'pm_card_visa',
      priority: 'normal',
      correlationId: bookingId,
      requestedAt: new Date().toISOString(),
    });
    return { salonId, staffIds: staff.map((s) => String(s._id)), bookingId, booking, range: { start: booking.start, end: booking.holdEnd } };
  }

  /** The booking holding each granule of the range for a staff member (undefined where free). */
  const holders = async (staffId: string, range: { start: Date; end: Date }) =>
    Promise.all(granulesOf(range).map(async (at) => (await modelsOf().SlotLock.findById(`${staffId}|${at.getTime()}`).lean())?.bookingId));

  return { pendingBooking, holders };
}

/** The models on the test database: connected before the file's tests, closed after them. */
export function useTestModels(): () => Models {
  let conn: Connection | undefined;
  let models: Models | undefined;
  beforeAll(async () => {
    conn = await connectMongo(loadConfig());
    models = createModels(conn);
  });
  afterAll(() => conn?.close());
  return () => {
    if (!models) throw new Error('the models are connected in beforeAll: use them inside a test');
    return models;
  };
}
