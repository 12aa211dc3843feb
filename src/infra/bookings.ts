/**
 * The booking repository: every read and write of a booking document goes through this
 * module, and every change of status is one named, conditional write (`markHeld`,
 * `confirmIfHeld`, `markFailed`, …) that moves the booking only from the states it may
 * leave — so a retried activity, a late attempt or a second process cannot move it
 * backwards. Lint keeps `models.Booking` out of every other module.
 *
 * At intake the document is priced (the best promotion active when the client asked)
 * and written `pending`, idempotently by booking id: the gateway writes it before it
 * answers 202 (that write is the commit point), and the saga's first step writes the
 * same document if it is missing.
 */
import type { FilterQuery, UpdateQuery } from 'mongoose';
import { type FailureReason, priceBooking } from '../domain/booking';
import { type CancelledBy, takeAtBooking } from '../domain/money';
import { policyOf, type SalonPolicy } from '../domain/policy';
import type { BookingInput } from '../shared/booking';
import type { BookingDoc, Models } from './models';
import { insertOnePlain, isDuplicateKeyError, noneIfMalformedId } from './mongo';

export class BookingRejected extends Error {}

export type StoredBooking = BookingDoc & { _id: string; createdAt?: Date };

/** What pricing a booking needs; a caller that read it already passes it in. */
export interface BookingContext {
  salon: { name: string; timezone: string; cancellationWindowHours: number; policy?: unknown };
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
  const { end, holdEnd, priceCents } = priceBooking({ start, service, discountPercents: promotions.map((p) => p.discountPercent) });
  const policy = salonPolicy(salon);
  const doc = {
    _id: input.bookingId,
    customerId: input.customerId,
    salonId: input.salonId,
    serviceId: input.serviceId,
    ...(input.staffId ? { staffId: input.staffId } : {}),
    start,
    end,
    holdEnd,
    priceCents,
    currency: service.currency,
    priority: input.priority,
    status: 'pending' as const,
    paymentMethod: input.paymentMethod,
    cancellationWindowHours: policy.cancellationWindowHours,
    policy,
    correlationId: input.correlationId,
    ...(extra.requestHash ? { requestHash: extra.requestHash } : {}),
    ...(extra.idempotencyKey ? { idempotencyKey: extra.idempotencyKey } : {}),
  };
  // Insert first: a new booking is the common case, and one insert costs less than an
  // upsert followed by a read (FerretDB scans the collection for an upsert that matches
  // nothing, and to find a string _id). Every field is built above with its stored type,
  // so the insert skips mongoose's document (see insertPlain), and joins the inserts of
  // other bookings under way (group commit, insertOnePlain).
  try {
    const inserted = await insertOnePlain(models.Booking, doc);
    return { booking: inserted as StoredBooking, created: true }; // with the schema's createdAt and updatedAt
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err; // it exists: a retry, or a concurrent request inserted it first
  }
  const booking = await models.Booking.findById(input.bookingId).lean();
  if (!booking) throw new Error(`booking ${input.bookingId} vanished after its insert was refused as a duplicate`);
  return { booking, created: false };
}

/** A salon's whole policy, as a booking made now keeps it. */
export const salonPolicy = (salon: BookingContext['salon']): SalonPolicy =>
  policyOf(salon.policy as Partial<SalonPolicy> | undefined, salon.cancellationWindowHours);

/** The policy a booking was made under (bookings from before policies: the defaults, with their window). */
export const bookingPolicy = (b: Pick<StoredBooking, 'policy' | 'cancellationWindowHours'>): SalonPolicy =>
  policyOf(b.policy as Partial<SalonPolicy> | undefined, b.cancellationWindowHours);

/** What the booking charges (or authorizes) when it is made, under its policy. */
export const takeOf = (b: StoredBooking) => takeAtBooking(bookingPolicy(b), b.priceCents, b.currency);

/** A booking by id (a malformed id finds nothing). */
export async function findBooking(models: Models, bookingId: string): Promise<StoredBooking | null> {
  return /^[a-f0-9]{32}$/.test(bookingId) ? models.Booking.findById(bookingId).lean<StoredBooking>() : null;
}

export interface BookingPageQuery {
  customerId?: string;
  salonId?: string;
  status?: string;
  /** `start` in [from, to). */
  from?: Date;
  to?: Date;
  limit: number;
  /** After this booking, in the order start descending then id descending. */
  after?: { start: Date; id: string };
}

/** A page of a client's or a salon's bookings, newest start first; `more` when another page follows. */
export async function listBookings(models: Models, q: BookingPageQuery): Promise<{ items: StoredBooking[]; more: boolean }> {
  const range = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
  const filter: Record<string, unknown> = {
    ...(q.customerId ? { customerId: q.customerId } : {}),
    ...(q.salonId ? { salonId: q.salonId } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.from || q.to ? { start: range } : {}),
  };
  if (q.after) {
    const { start, id } = q.after;
    filter.$and = [{ $or: [{ start: { $lt: start } }, { start, _id: { $lt: id } }] }];
  }
  const found = await models.Booking.find(filter).sort({ start: -1, _id: -1 }).limit(q.limit + 1).lean<StoredBooking[]>();
  return { items: found.slice(0, q.limit), more: found.length > q.limit };
}

const ENDED = ['failed', 'cancelled'];

/** A salon's bookings that take time in [range.start, range.end): every status but failed and cancelled, by start. */
export async function bookingsBetween(models: Models, salonId: string, range: { start: Date; end: Date }, staffId?: string): Promise<StoredBooking[]> {
  return models.Booking.find({
    salonId,
    ...(staffId ? { staffId } : {}),
    start: { $gte: range.start, $lt: range.end },
    status: { $nin: ENDED },
  })
    .sort({ start: 1 })
    .lean<StoredBooking[]>();
}

/**
 * Applies `update` to the booking if it also matches `guard`, and resolves with the
 * booking as it is afterwards, changed or not (null if there is none): one round trip
 * when the guard matches, the usual case on the saga's way.
 */
async function updateIfThenRead(
  models: Models,
  bookingId: string,
  guard: FilterQuery<BookingDoc>,
  update: UpdateQuery<BookingDoc>,
): Promise<StoredBooking | null> {
  return (
    (await models.Booking.findOneAndUpdate({ ...guard, _id: bookingId }, update, { new: true }).lean<StoredBooking>()) ??
    (await models.Booking.findById(bookingId).lean<StoredBooking>())
  );
}

/** A booking the waitlist made: its entry, and the offer chain that follows its saga (and passes the slot on if it fails). */
export async function markFromWaitlist(models: Models, bookingId: string, from: { entryId: string; chainId: string }): Promise<void> {
  await models.Booking.updateOne({ _id: bookingId }, { $set: { waitlistEntryId: from.entryId, waitlistChainId: from.chainId } });
}

/**
 * Step 2 done: `pending` → `held` by a staff member. Resolves with false when the booking
 * has ended (failed, cancelled) meanwhile, true when it is held (here or by an earlier
 * attempt). One write when it was pending, as it is on the saga's way.
 */
export async function markHeld(models: Models, bookingId: string, staffId: string): Promise<boolean> {
  const { matchedCount } = await models.Booking.updateOne({ _id: bookingId, status: 'pending' }, { $set: { status: 'held', staffId } });
  return matchedCount === 1 || isOpen(models, bookingId);
}

/** True while the booking may still take time (not failed or cancelled). */
async function isOpen(models: Models, bookingId: string): Promise<boolean> {
  const booking = await models.Booking.findById(bookingId, { status: 1 }).lean();
  return booking !== null && !ENDED.includes(booking.status);
}

/**
 * Stores the PaymentIntent of the booking if it has none yet; the stored one is the
 * intent, whichever attempt wrote it. Resolves with the stored intent id.
 */
export async function recordIntent(models: Models, bookingId: string, intentId: string): Promise<string> {
  const booking = await updateIfThenRead(models, bookingId, { paymentIntentId: { $exists: false } }, { $set: { paymentIntentId: intentId } });
  if (!booking?.paymentIntentId) throw new Error(`booking ${bookingId} has no PaymentIntent after storing ${intentId}`);
  return booking.paymentIntentId;
}

/** Step 4: `held` → `confirmed`. Resolves with the booking as it is afterwards (null if there is none). */
export function confirmIfHeld(models: Models, bookingId: string, at: Date): Promise<StoredBooking | null> {
  return updateIfThenRead(models, bookingId, { status: 'held' }, { $set: { status: 'confirmed', confirmedAt: at } });
}

/** What Stripe charged for the booking (no authentication pending any more). */
export async function recordCharge(models: Models, bookingId: string, chargedCents: number): Promise<void> {
  await models.Booking.updateOne({ _id: bookingId }, { $set: { chargedCents }, $unset: { clientSecret: 1 } });
}

/** Stripe waits for the customer's authentication (3-D Secure): `payment.status: requires_action`, the client secret for its client. */
export async function recordActionRequired(models: Models, bookingId: string, clientSecret: string): Promise<void> {
  await models.Booking.updateOne({ _id: bookingId }, { $set: { clientSecret } });
}

/** The booking of a PaymentIntent, if it is one of ours: by the booking id its metadata names, else by the intent id. */
export async function bookingOfIntent(models: Models, intentId: string, bookingId?: unknown): Promise<StoredBooking | null> {
  const booking =
    typeof bookingId === 'string' ? await findBooking(models, bookingId) : await models.Booking.findOne({ paymentIntentId: intentId }).lean<StoredBooking>();
  return booking?.paymentIntentId === intentId ? booking : null;
}

/** Stripe says the charge was refunded (by us, or in its dashboard): what it has refunded in all. */
export async function recordStripeRefund(models: Models, bookingId: string, refundedCents: number): Promise<void> {
  await models.Booking.updateOne({ _id: bookingId, $or: [{ refundedCents: { $exists: false } }, { refundedCents: { $lt: refundedCents } }] }, { $set: { refundedCents } });
}

/** Stripe says the customer disputed the charge. */
export async function recordDispute(models: Models, bookingId: string, at: Date): Promise<void> {
  await models.Booking.updateOne({ _id: bookingId, disputedAt: { $exists: false } }, { $set: { disputedAt: at } });
}

/** card_hold: what Stripe authorized (nothing charged yet). */
export async function recordAuthorization(models: Models, bookingId: string, authorizedCents: number): Promise<void> {
  await models.Booking.updateOne({ _id: bookingId }, { $set: { authorizedCents }, $unset: { clientSecret: 1 } });
}

/** card_hold: what was captured of the authorization (the rest released); 0 and `voided` when all was released. */
export async function recordCapture(models: Models, bookingId: string, capturedCents: number): Promise<void> {
  await models.Booking.updateOne({ _id: bookingId }, { $set: capturedCents > 0 ? { chargedCents: capturedCents } : { voided: true } });
}

/** card_hold: an authorization let go before its time (the booking moved beyond the horizon); a new one follows. */
export async function forgetAuthorization(models: Models, bookingId: string, intentId: string): Promise<void> {
  await models.Booking.updateOne(
    { _id: bookingId, paymentIntentId: intentId },
    { $unset: { paymentIntentId: 1 }, $set: { authorizedCents: 0 }, $inc: { releasedAuthorizations: 1 } },
  );
}

/** What was refunded, once Stripe did it; `voided` when the intent was cancelled before it charged. */
export async function recordRefund(models: Models, bookingId: string, refundedCents: number, voided = false): Promise<void> {
  await models.Booking.updateOne({ _id: bookingId }, { $set: { refundedCents, ...(voided ? { voided: true } : {}) }, $unset: { clientSecret: 1 } });
}

/** The appointment recorded: `confirmed` → `checked_in`; `confirmed`/`checked_in` → `completed`; `confirmed` → `no_show`. */
export async function markAppointment(
  models: Models,
  bookingId: string,
  to: 'checked_in' | 'completed' | 'no_show',
): Promise<StoredBooking | null> {
  const from = to === 'completed' ? ['confirmed', 'checked_in'] : ['confirmed'];
  return updateIfThenRead(models, bookingId, { status: { $in: from } }, { $set: { status: to } });
}

/**
 * A confirmed booking moved from `from` to a new time: only while it is confirmed and
 * still starts at `from` (a retried move finds it moved already). Resolves with the
 * booking afterwards.
 */
export async function markRescheduled(
  models: Models,
  bookingId: string,
  move: { from: Date; start: Date; end: Date; holdEnd: Date; staffId: string },
): Promise<StoredBooking | null> {
  return updateIfThenRead(
    models,
    bookingId,
    { status: 'confirmed', start: move.from },
    { $set: { start: move.start, end: move.end, holdEnd: move.holdEnd, staffId: move.staffId }, $push: { rescheduledFrom: move.from } },
  );
}

/** Any open status → `failed` with its reason. Resolves with the booking afterwards. */
export function markFailed(models: Models, bookingId: string, reason: FailureReason): Promise<StoredBooking | null> {
  return updateIfThenRead(models, bookingId, { status: { $nin: ENDED } }, { $set: { status: 'failed', failureReason: reason } });
}

/** Any open status → `cancelled`, by whom. Resolves with the booking afterwards. */
export function markCancelled(models: Models, bookingId: string, by: CancelledBy = 'client'): Promise<StoredBooking | null> {
  return updateIfThenRead(models, bookingId, { status: { $nin: ENDED } }, { $set: { status: 'cancelled', cancelledBy: by } });
}

/**
 * Records a cancellation the API accepted while the booking is `pending` (its saga may
 * not exist yet): the saga reads it when it starts. The first request's moment stays.
 * Resolves with whether the booking is pending with a cancellation recorded.
 */
export async function requestCancellation(models: Models, bookingId: string, at: Date, by: CancelledBy): Promise<boolean> {
  await models.Booking.updateOne(
    { _id: bookingId, status: 'pending', cancelRequestedAt: { $exists: false } },
    { $set: { cancelRequestedAt: at, cancelledBy: by } },
  );
  const booking = await models.Booking.findById(bookingId, { status: 1, cancelRequestedAt: 1 }).lean();
  return booking?.status === 'pending' && booking.cancelRequestedAt != null;
}

/** The gateway could not send the booking's intake command: the relay will. */
export async function markSendFailed(models: Models, bookingId: string, at: Date): Promise<void> {
  await models.IntakeRetry.updateOne({ _id: bookingId }, { $setOnInsert: { failedAt: at } }, { upsert: true });
}

/** Pending bookings whose command is to be sent again: those sent before `createdBefore` (maybe lost since), or all. */
export async function pendingBefore(models: Models, createdBefore: Date, limit: number): Promise<StoredBooking[]> {
  return models.Booking.find({ status: 'pending', createdAt: { $lt: createdBefore } })
    .limit(limit)
    .lean<StoredBooking[]>();
}

/** Bookings whose send failed before `failedBefore` and that are still pending; entries of the others are dropped. */
export async function failedSends(models: Models, failedBefore: Date, limit: number): Promise<StoredBooking[]> {
  const retries = await models.IntakeRetry.find({ failedAt: { $lt: failedBefore } }).limit(limit).lean();
  const found = await Promise.all(retries.map((r) => models.Booking.findById(r._id).lean<StoredBooking>()));
  const pending = found.filter((b): b is StoredBooking => b?.status === 'pending');
  const settled = retries.filter((r) => !pending.some((b) => b._id === r._id));
  await Promise.all(settled.map((r) => clearSendFailed(models, r._id)));
  return pending;
}

/** The command was sent again. */
export async function clearSendFailed(models: Models, bookingId: string): Promise<void> {
  await models.IntakeRetry.deleteOne({ _id: bookingId });
}

/** Which of these bookings are over (failed or cancelled) or gone: their holds must not stay. */
export async function endedAmong(models: Models, bookingIds: string[]): Promise<string[]> {
  const open = await models.Booking.find({ _id: { $in: bookingIds }, status: { $nin: ENDED } }, { _id: 1 }).lean();
  const stillOpen = new Set(open.map((b) => String(b._id)));
  return bookingIds.filter((id) => !stillOpen.has(id));
}
