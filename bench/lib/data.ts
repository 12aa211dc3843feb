/**
 * What the benchmarks leave behind, removed. FerretDB (the local MongoDB) finds a
 * booking by its string id by scanning the collection, so a bookings collection grown
 * by earlier runs would slow every later one: each benchmark starts with no bench data.
 */
import type { Config } from '../../src/config';
import { createModels } from '../../src/infra/models';
import { connectMongo } from '../../src/infra/mongo';

/** Every benchmark salon is in this city (see api.ts createSalon). */
export const BENCH_CITY = 'Benchville';
export const BENCH_EMAIL = /@instudio\.bench$/;

/** Deletes the bench's salons and all that hangs off them, and its client accounts. */
export async function clearBenchData(cfg: Config): Promise<number> {
  const conn = await connectMongo(cfg);
  try {
    const m = createModels(conn);
    const salonIds = (await m.Salon.find({ city: BENCH_CITY }, { _id: 1 }).lean()).map((s) => String(s._id));
    const staffIds = (await m.Staff.find({ salonId: { $in: salonIds } }, { _id: 1 }).lean()).map((s) => String(s._id));
    const bookings = await m.Booking.deleteMany({ salonId: { $in: salonIds } });
    await m.SlotLock.deleteMany({ staffId: { $in: staffIds } });
    await m.Service.deleteMany({ salonId: { $in: salonIds } });
    await m.Staff.deleteMany({ salonId: { $in: salonIds } });
    await m.Promotion.deleteMany({ salonId: { $in: salonIds } });
    await m.Salon.deleteMany({ _id: { $in: salonIds } });
    await m.User.deleteMany({ email: BENCH_EMAIL, role: 'client' });
    return bookings.deletedCount;
  } finally {
    await conn.close();
  }
}

