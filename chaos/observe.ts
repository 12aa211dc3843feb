/**
 * Reads the outcome of a trial from the servers themselves: the bookings and holds in
 * MongoDB, every PaymentIntent and refund on the Stripe endpoint (page by page), and
 * the booking events on Kafka (from the beginning, counted by id).
 */
import type Stripe from 'stripe';
import type { Config } from '../src/config';
import { createKafka } from '../src/infra/kafka';
import { bookingPolicy, takeOf } from '../src/infra/bookings';
import type { Models } from '../src/infra/models';
import { TOPICS } from '../src/shared/topics';
import { unique } from '../test/support/ids';
import { eventually } from '../test/support/wait';
import { type BookingRecord, EVENTS_OF_STATUS, type EventRecord, type IntentRecord, type LockRecord, RESCHEDULED, TERMINAL_STATUSES } from './invariants';

export interface Snapshot {
  bookings: BookingRecord[];
  intents: IntentRecord[];
  locks: LockRecord[];
  events: EventRecord[];
}

const BOOKING_TOPICS = [TOPICS.bookingCreated, TOPICS.bookingConfirmed, TOPICS.bookingFailed, TOPICS.bookingCancelled, TOPICS.bookingRescheduled];

export async function readBookings(models: Models, ids: readonly string[]): Promise<BookingRecord[]> {
  const docs = await models.Booking.find({ _id: { $in: ids } }).lean();
  return docs.map((d) => ({
    id: d._id,
    status: d.status,
    ...(d.failureReason ? { failureReason: d.failureReason } : {}),
    ...(d.staffId ? { staffId: d.staffId } : {}),
    start: d.start.toISOString(),
    end: d.end.toISOString(),
    holdEnd: d.holdEnd.toISOString(),
    priceCents: d.priceCents,
    takeCents: (({ chargeCents, authorizeCents }) => chargeCents + authorizeCents)(takeOf({ ...d, _id: d._id })),
    ...(bookingPolicy(d).payment === 'card_hold' ? { holdsCard: true } : {}),
    ...(d.rescheduledFrom?.length ? { moves: d.rescheduledFrom.length } : {}),
    ...(d.paymentIntentId ? { paymentIntentId: d.paymentIntentId } : {}),
  }));
}

/**
 * Waits (up to the deadline) until the bookings settle: every one terminal, and those
 * whose cancellation was accepted cancelled (a confirmed booking being cancelled is
 * still `confirmed` while its saga refunds and releases the hold). Returns how many have
 * not settled; the invariants report which ones.
 */
export async function awaitSettled(models: Models, ids: readonly string[], cancelling: readonly string[], timeoutMs: number): Promise<number> {
  const unsettled = async () =>
    (await models.Booking.countDocuments({ _id: { $in: ids }, status: { $nin: TERMINAL_STATUSES } })) +
    (cancelling.length === 0 ? 0 : await models.Booking.countDocuments({ _id: { $in: cancelling }, status: { $nin: ['cancelled', 'failed'] } }));
  try {
    await eventually(async () => (await unsettled()) === 0, { timeoutMs, intervalMs: 2000, what: 'every booking to settle' });
    return 0;
  } catch {
    return unsettled();
  }
}

/** Every hold of the trial's salons. */
async function readLocks(models: Models, salonIds: readonly string[]): Promise<LockRecord[]> {
  const docs = await models.SlotLock.find({ salonId: { $in: salonIds } }).lean();
  return docs.map((d) => ({ id: d._id, bookingId: d.bookingId, staffId: d.staffId }));
}

/** The PaymentIntents whose metadata names one of the bookings, with their refunds summed. */
async function readIntents(stripe: Stripe, bookingIds: ReadonlySet<string>): Promise<IntentRecord[]> {
  const refunded = new Map<string, number>();
  for await (const r of stripe.refunds.list({ limit: 100 })) {
    const pi = typeof r.payment_intent === 'string' ? r.payment_intent : r.payment_intent?.id;
    if (pi && r.status === 'succeeded') refunded.set(pi, (refunded.get(pi) ?? 0) + r.amount);
  }
  const intents: IntentRecord[] = [];
  for await (const pi of stripe.paymentIntents.list({ limit: 100 })) {
    const bookingId = pi.metadata?.bookingId;
    if (!bookingId || !bookingIds.has(bookingId)) continue;
    intents.push({ id: pi.id, bookingId, status: pi.status, amount: pi.amount, refundedCents: refunded.get(pi.id) ?? 0 });
  }
  return intents;
}

/**
 * The booking events of these bookings on Kafka: reads every booking topic from the
 * beginning until each event the bookings' statuses imply was seen, or the deadline.
 */
export async function readEvents(cfg: Config, bookings: readonly BookingRecord[], timeoutMs = 60_000): Promise<EventRecord[]> {
  const ids = new Set(bookings.map((b) => b.id));
  // Each event the statuses imply once, and one reserva.reprogramada per move (each under its own id).
  const wanted = new Map<string, number>(bookings.flatMap((b) => EVENTS_OF_STATUS[b.status].map((t) => [`${b.id} ${t}`, 1] as [string, number])));
  for (const b of bookings) if (b.moves) wanted.set(`${b.id} ${RESCHEDULED}`, b.moves);
  const counted = new Map<string, Set<string>>();
  const seen: EventRecord[] = [];
  const consumer = createKafka(cfg, { clientId: 'chaos-reader' }).consumer({ groupId: unique('chaos-reader'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: BOOKING_TOPICS, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      if (wanted.size === 0) resolve();
      void consumer.run({
        eachMessage: async ({ topic, message }) => {
          const envelope = JSON.parse(String(message.value)) as { id: string; data?: { bookingId?: string } };
          const bookingId = envelope.data?.bookingId;
          if (!bookingId || !ids.has(bookingId)) return;
          seen.push({ id: envelope.id, topic, bookingId });
          const k = `${bookingId} ${topic}`;
          const distinct = counted.get(k) ?? new Set<string>();
          counted.set(k, distinct.add(envelope.id));
          if (distinct.size >= (wanted.get(k) ?? 0)) wanted.delete(k);
          if (wanted.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

export async function snapshot(
  deps: { cfg: Config; models: Models; stripe: Stripe },
  scope: { bookingIds: readonly string[]; salonIds: readonly string[] },
): Promise<Snapshot> {
  const bookings = await readBookings(deps.models, scope.bookingIds);
  const [intents, locks, events] = await Promise.all([
    readIntents(deps.stripe, new Set(scope.bookingIds)),
    readLocks(deps.models, scope.salonIds),
    readEvents(deps.cfg, bookings),
  ]);
  return { bookings, intents, locks, events };
}
