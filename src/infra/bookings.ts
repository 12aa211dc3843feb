/**
 * The booking document at intake: priced (the best promotion active when the client
 * asked) and written `pending`, idempotently by booking id. The gateway writes it before
 * it answers 202, so the booking is readable at once; the saga's first step writes the
 * same document if it is missing.
 */
import { discountedPrice } from '../domain/booking';
import type { BookingInput } from '../shared/booking';
import type { BookingDoc, Models } from './models';
import { isDuplicateKeyError, noneIfMalformedId } from './mongo';

export class BookingRejected extends Error {}

/** What pricing a booking needs; a caller that read it already passes it in. */
export interface BookingContext {
  salon: { name: string; timezone: string; cancellationWindowHours: number };
  service: { name: string; durationMin: number; bufferMin: number; priceCents: number; currency: string };
  promotions: { discountPercent: number }[];
}

/** A booking context with every promotion not yet ended: good for any later moment until a catalogue change (see `activeAt`). */
export interface BookingCatalogue extends BookingContext {
  promotions: { discountPercent: number; startsAt: Date; endsAt: Date }[];
}

/**
 * Reads the salon, the active service and the promotions not ended at `from`, at once.
 * The salon and service are read by id and checked here: an `_id`-only filter is an
 * index lookup on MongoDB and the one filter FerretDB does not answer by scanning.
 */
export async function loadBookingCatalogue(
  models: Models,
  ref: { salonId: string; serviceId: string },
  from: Date,
): Promise<BookingCatalogue> {
  const [salon, service, promotions] = await Promise.all([
    models.Salon.findById(ref.salonId).lean().catch(noneIfMalformedId),
    models.Service.findById(ref.serviceId).lean().catch(noneIfMalformedId),
    models.Promotion.find({ salonId: ref.salonId, serviceIds: ref.serviceId, endsAt: { $gt: from } }).lean(),
  ]);
  if (!salon) throw new BookingRejected(`salon ${ref.salonId} does not exist`);
  if (!service || service.salonId !== ref.salonId || !service.active) {
    throw new BookingRejected(`service ${ref.serviceId} is not offered by salon ${ref.salonId}`);
  }
  return { salon, service, promotions };
}

/** The context at one moment: only the promotions active then. */
export const activeAt = (catalogue: BookingCatalogue, at: Date): BookingContext => ({
  ...catalogue,
  promotions: catalogue.promotions.filter((p) => p.startsAt <= at && at < p.endsAt),
});

/** Reads the salon, the active service and the promotions active at `at`. */
const loadBookingContext = async (models: Models, ref: { salonId: string; serviceId: string }, at: Date): Promise<BookingContext> =>
  activeAt(await loadBookingCatalogue(models, ref, at), at);

export async function upsertPendingBooking(
  models: Models,
  input: BookingInput,
  extra: { requestHash?: string; idempotencyKey?: string; context?: BookingContext } = {},
): Promise<{ booking: BookingDoc & { _id: string }; created: boolean }> {
  const { salon, service, promotions } = extra.context ?? (await loadBookingContext(models, input, new Date(input.requestedAt)));
  const start = new Date(input.start);
  const end = new Date(start.getTime() + service.durationMin * 60_000);
  const doc = {
    _id: input.bookingId,
    customerId: input.customerId,
    salonId: input.salonId,
    serviceId: input.serviceId,
    ...(input.staffId ? { staffId: input.staffId } : {}),
    start,
    end,
    holdEnd: new Date(end.getTime() + service.bufferMin * 60_000),
    priceCents: discountedPrice(service.priceCents, promotions.map((p) => p.discountPercent)),
    currency: service.currency,
    priority: input.priority,
    status: 'pending' as const,
    paymentMethod: input.paymentMethod,
    cancellationWindowHours: salon.cancellationWindowHours,
    correlationId: input.correlationId,
    ...(extra.requestHash ? { requestHash: extra.requestHash } : {}),
    ...(extra.idempotencyKey ? { idempotencyKey: extra.idempotencyKey } : {}),
  };
  // Insert first: a new booking is the common case, and one insert costs less than an
  // upsert followed by a read (FerretDB scans the collection for an upsert that matches
  // nothing, and to find a string _id).
  try {
    const inserted = await models.Booking.create(doc);
    return { booking: inserted.toObject(), created: true };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err; // it exists: a retry, or a concurrent request inserted it first
  }
  const booking = await models.Booking.findById(input.bookingId).lean();
  if (!booking) throw new Error(`booking ${input.bookingId} vanished after its insert was refused as a duplicate`);
  return { booking, created: false };
}
