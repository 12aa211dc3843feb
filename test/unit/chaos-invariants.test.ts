/** The chaos suite's invariant checkers: each passes a consistent case and catches a broken one. */
import {
  type BookingRecord,
  everyBookingTerminal,
  everyEventPublished,
  everyRequestAccepted,
  type EventRecord,
  type IntentRecord,
  type LockRecord,
  noDoubleBooking,
  noOrphanHolds,
  outcomeCounts,
  openStrayIntents,
  outcomesAsIntended,
  paymentsMatchBookings,
  holdsMatchTimes,
  movesAsAnswered,
} from '../../chaos/invariants';
import { lockIdsOf } from '../../src/infra/slot-locks';

const booking = (id: string, over: Partial<BookingRecord> = {}): BookingRecord => ({
  id,
  status: 'confirmed',
  staffId: 'staff-1',
  start: '2030-01-07T09:00:00.000Z',
  end: '2030-01-07T09:30:00.000Z',
  priceCents: 2500,
  paymentIntentId: `pi_${id}`,
  ...over,
});
const intent = (bookingId: string, over: Partial<IntentRecord> = {}): IntentRecord => ({
  id: `pi_${bookingId}`,
  bookingId,
  status: 'succeeded',
  amount: 2500,
  refundedCents: 0,
  ...over,
});
const lock = (bookingId: string, n = 0, staffId = 'staff-1'): LockRecord => ({ id: `${staffId}|${n}`, bookingId, staffId });
const event = (bookingId: string, topic: string, id = `${bookingId}:${topic}`): EventRecord => ({ id, topic, bookingId });

/** A consistent world: b1 confirmed, b2 failed (voided), b3 cancelled (refunded). */
const good = {
  bookings: [
    booking('b1'),
    booking('b2', { status: 'failed', failureReason: 'payment_declined', paymentIntentId: 'pi_b2' }),
    booking('b3', { status: 'cancelled', start: '2030-01-07T10:00:00.000Z', end: '2030-01-07T10:30:00.000Z' }),
  ],
  intents: [intent('b1'), intent('b2', { status: 'canceled' }), intent('b3', { refundedCents: 2500 })],
  locks: [lock('b1', 0), lock('b1', 1)],
  events: [
    event('b1', 'reserva.creada'),
    event('b1', 'reserva.confirmada'),
    event('b1', 'reserva.confirmada'), // a redelivery of the same id is fine
    event('b2', 'reserva.creada'),
    event('b2', 'reserva.fallida'),
    event('b3', 'reserva.creada'),
    event('b3', 'reserva.cancelada'),
  ],
};
const withBooking = (id: string, over: Partial<BookingRecord>) => good.bookings.map((b) => (b.id === id ? { ...b, ...over } : b));

describe('everyRequestAccepted', () => {
  test('when every request got a 202 in the end, then it passes', () => {
    expect(everyRequestAccepted([{ key: 'k1', bookingId: 'b1', status: 202, attempts: 3 }])).toEqual([]);
  });
  test('when a request never got its 202, then it names it', () => {
    const v = everyRequestAccepted([{ key: 'k2', status: 500, attempts: 7 }]);
    expect(v).toEqual([expect.stringContaining('request k2 was never accepted: last status 500')]);
  });
});

describe('everyBookingTerminal', () => {
  test('when every accepted booking is confirmed, failed or cancelled, then it passes', () => {
    expect(everyBookingTerminal(['b1', 'b2', 'b3'], good.bookings)).toEqual([]);
  });
  test('when one is still held and another is missing, then both are reported', () => {
    const v = everyBookingTerminal(['b1', 'b2', 'b3', 'b4'], withBooking('b2', { status: 'held' }));
    expect(v).toEqual(['booking b2 is still held', 'booking b4 was accepted but is not in the database']);
  });
});

describe('outcomeCounts', () => {
  const contended = [booking('b1'), booking('b2', { status: 'failed', failureReason: 'slot_unavailable' })];
  test('when exactly the expected number confirmed and the rest lost the slot, then it passes', () => {
    expect(outcomeCounts(contended, { confirmed: 1, failureReason: 'slot_unavailable' })).toEqual([]);
  });
  test('when one more confirmed than slots exist, then it fails', () => {
    const v = outcomeCounts([...contended, booking('b3')], { confirmed: 1, failureReason: 'slot_unavailable' });
    expect(v).toEqual(['2 bookings confirmed, expected exactly 1']);
  });
  test('when a loser failed for another reason, then it is named', () => {
    const v = outcomeCounts([booking('b1'), booking('b2', { status: 'failed', failureReason: 'error' })], { confirmed: 1, failureReason: 'slot_unavailable' });
    expect(v).toEqual(['booking b2 is failed (error), expected failed (slot_unavailable)']);
  });
});

describe('outcomesAsIntended', () => {
  const intended = new Map([
    ['b1', { status: 'confirmed' as const }],
    ['b2', { status: 'failed' as const, failureReason: 'payment_declined' }],
    ['b3', { status: 'cancelled' as const }],
  ]);
  test('when each booking ended as its request meant, then it passes', () => {
    expect(outcomesAsIntended(good.bookings, intended)).toEqual([]);
  });
  test('when a good booking failed after a crash, then it is named with both outcomes', () => {
    const v = outcomesAsIntended(withBooking('b1', { status: 'failed', failureReason: 'invalid_booking' }), intended);
    expect(v).toEqual(['booking b1 ended failed (invalid_booking), expected confirmed']);
  });
  test('when a declined booking failed for another reason, then it fails', () => {
    const v = outcomesAsIntended(withBooking('b2', { failureReason: 'hold_expired' }), intended);
    expect(v).toEqual(['booking b2 ended failed (hold_expired), expected failed (payment_declined)']);
  });
});

describe('noDoubleBooking', () => {
  test('when confirmed bookings of one staff member do not overlap, then it passes', () => {
    expect(noDoubleBooking(good.bookings)).toEqual([]);
  });
  test('when two confirmed bookings overlap for one staff member, then it fails', () => {
    const v = noDoubleBooking([booking('b1'), booking('b2', { start: '2030-01-07T09:15:00.000Z', end: '2030-01-07T09:45:00.000Z' })]);
    expect(v).toEqual([expect.stringContaining('bookings b1 and b2')]);
  });
});

describe('paymentsMatchBookings', () => {
  test('when confirmed is charged once and failed/cancelled are voided or refunded, then it passes', () => {
    expect(paymentsMatchBookings(good.bookings, good.intents)).toEqual([]);
  });
  test('when a confirmed booking was never charged, then it fails', () => {
    const v = paymentsMatchBookings(good.bookings, [intent('b1', { status: 'requires_confirmation' }), ...good.intents.slice(1)]);
    expect(v).toEqual([expect.stringContaining('confirmed booking b1: its PaymentIntent pi_b1 is requires_confirmation')]);
  });
  test('when a confirmed booking is charged twice, then it fails', () => {
    const v = paymentsMatchBookings(good.bookings, [...good.intents, intent('b1', { id: 'pi_b1_again' })]);
    expect(v).toEqual(['confirmed booking b1 is charged a second time by pi_b1_again']);
  });
  test('when a failed booking is charged without a refund, then it fails', () => {
    const v = paymentsMatchBookings(good.bookings, [good.intents[0]!, intent('b2'), good.intents[2]!]);
    expect(v).toEqual([expect.stringContaining('failed booking b2: PaymentIntent pi_b2 is succeeded with 0 of 2500 refunded')]);
  });
  test('when a cancelled booking is only partly refunded, then it fails', () => {
    const v = paymentsMatchBookings(good.bookings, [...good.intents.slice(0, 2), intent('b3', { refundedCents: 100 })]);
    expect(v).toEqual([expect.stringContaining('cancelled booking b3')]);
  });
  test('when a failed booking left an intent open (neither voided nor charged), then it fails', () => {
    const v = paymentsMatchBookings(good.bookings, [good.intents[0]!, intent('b2', { status: 'requires_confirmation' }), good.intents[2]!]);
    expect(v).toEqual([expect.stringContaining('PaymentIntent pi_b2 is requires_confirmation, neither voided nor refunded')]);
  });
  test('when a failed booking has a stray intent that charged it, then it fails', () => {
    const v = paymentsMatchBookings(good.bookings, [...good.intents, intent('b2', { id: 'pi_b2_stray' })]);
    expect(v).toEqual([expect.stringContaining('failed booking b2: PaymentIntent pi_b2_stray is succeeded with 0 of 2500 refunded')]);
  });
  test('when a stray intent was left open but never charged, then payments pass and openStrayIntents names it', () => {
    const stray = intent('b3', { id: 'pi_b3_stray', status: 'requires_confirmation' });
    expect(paymentsMatchBookings(good.bookings, [...good.intents, stray])).toEqual([]);
    expect(openStrayIntents(good.bookings, [...good.intents, stray])).toEqual([stray]);
  });
  test('when money was taken for a booking that does not exist, then it fails', () => {
    const v = paymentsMatchBookings(good.bookings, [...good.intents, intent('ghost')]);
    expect(v).toEqual(['PaymentIntent pi_ghost charged booking ghost, which does not exist']);
  });
});

describe('noOrphanHolds', () => {
  test('when only confirmed bookings hold time, then it passes', () => {
    expect(noOrphanHolds(good.bookings, good.locks)).toEqual([]);
  });
  test('when a failed booking still holds its slot, then it fails', () => {
    expect(noOrphanHolds(good.bookings, [...good.locks, lock('b2', 5)])).toEqual(['1 locks still held for failed booking b2']);
  });
  test('when a lock belongs to no booking, then it fails', () => {
    expect(noOrphanHolds(good.bookings, [...good.locks, lock('ghost', 9)])).toEqual([expect.stringContaining('booking ghost, which does not exist')]);
  });
  test('when a confirmed booking lost its hold, then it fails', () => {
    expect(noOrphanHolds(good.bookings, [])).toEqual(['confirmed booking b1 holds no time']);
  });
});

describe('everyEventPublished', () => {
  test('when every status has its events (redeliveries included), then it passes', () => {
    expect(everyEventPublished(good.bookings, good.events)).toEqual([]);
  });
  test('when a failed booking has no reserva.fallida, then it fails', () => {
    const v = everyEventPublished(good.bookings, good.events.filter((e) => e.topic !== 'reserva.fallida'));
    expect(v).toEqual(['failed booking b2: no reserva.fallida event on Kafka']);
  });
  test('when one event went out under two ids, then it fails', () => {
    const v = everyEventPublished(good.bookings, [...good.events, event('b3', 'reserva.creada', 'random-id')]);
    expect(v).toEqual([expect.stringContaining('booking b3: reserva.creada published under 2 event ids')]);
  });
});

describe('holdsMatchTimes', () => {
  const b = booking('m1', { start: '2030-01-07T09:00:00.000Z', end: '2030-01-07T09:30:00.000Z' });
  const own = lockIdsOf('staff-1', { start: new Date(b.start), end: new Date(b.end) }).map((id) => ({ id, bookingId: 'm1', staffId: 'staff-1' }));
  test('passes when a confirmed booking holds exactly its time', () => {
    expect(holdsMatchTimes([b], own)).toEqual([]);
  });
  test('catches the old time kept after a move, and time missing', () => {
    const old = lockIdsOf('staff-1', { start: new Date('2030-01-07T12:00:00.000Z'), end: new Date('2030-01-07T12:30:00.000Z') }).map((id) => ({ id, bookingId: 'm1', staffId: 'staff-1' }));
    expect(holdsMatchTimes([b], [...own, ...old])).toEqual([expect.stringContaining(`holds ${old.length} granules outside its time and misses 0`)]);
    expect(holdsMatchTimes([b], own.slice(1))).toEqual([expect.stringContaining('misses 1 of its own')]);
  });
});

describe('movesAsAnswered', () => {
  const first = new Map([['m1', '2030-01-07T09:00:00.000Z']]);
  const at = (start: string, moves: number) => booking('m1', { start, moves });
  test('passes when the booking is where its last 200 put it, once per 200', () => {
    const answers = [
      { bookingId: 'm1', start: '2030-01-07T10:00:00.000Z', status: 200 },
      { bookingId: 'm1', start: '2030-01-07T11:00:00.000Z', status: 409 },
      { bookingId: 'm1', start: '2030-01-07T12:00:00.000Z', status: 200 },
    ];
    expect(movesAsAnswered([at('2030-01-07T12:00:00.000Z', 2)], first, answers)).toEqual([]);
    expect(movesAsAnswered([at('2030-01-07T09:00:00.000Z', 0)], first, [])).toEqual([]);
  });
  test('catches a booking elsewhere, a move counted wrong, and a move left without an answer', () => {
    const answers = [{ bookingId: 'm1', start: '2030-01-07T10:00:00.000Z', status: 200 }];
    expect(movesAsAnswered([at('2030-01-07T09:00:00.000Z', 1)], first, answers)).toEqual([expect.stringContaining('its last accepted move put it at 2030-01-07T10:00:00.000Z')]);
    expect(movesAsAnswered([at('2030-01-07T10:00:00.000Z', 2)], first, answers)).toEqual([expect.stringContaining('records 2 moves; 1 were answered 200')]);
    expect(movesAsAnswered([at('2030-01-07T09:00:00.000Z', 0)], first, [{ bookingId: 'm1', start: '2030-01-07T10:00:00.000Z', status: 503 }])).toEqual([
      expect.stringContaining('without a definite answer (last status 503)'),
    ]);
  });
});

describe('everyEventPublished, with moves', () => {
  test('wants one reserva.reprogramada per move, each under its own id', () => {
    const moved = booking('m2', { moves: 2 });
    const base = [event('m2', 'reserva.creada'), event('m2', 'reserva.confirmada')];
    expect(everyEventPublished([moved], [...base, event('m2', 'reserva.reprogramada', 'a'), event('m2', 'reserva.reprogramada', 'b')])).toEqual([]);
    expect(everyEventPublished([moved], [...base, event('m2', 'reserva.reprogramada', 'a')])).toEqual([expect.stringContaining('moved 2 times; 1 reserva.reprogramada')]);
  });
});

describe('paymentsMatchBookings, for each policy', () => {
  test('a deposit booking is charged its deposit; charging the price is caught', () => {
    const b = booking('d1', { takeCents: 750 });
    expect(paymentsMatchBookings([b], [intent('d1', { amount: 750 })])).toEqual([]);
    expect(paymentsMatchBookings([b], [intent('d1', { amount: 2500 })])).toEqual(['confirmed booking d1 charged 2500; its policy takes 750']);
  });
  test('a confirmed card_hold booking is authorized, not charged; a capture before its end is caught', () => {
    const b = booking('h1', { holdsCard: true });
    expect(paymentsMatchBookings([b], [intent('h1', { status: 'requires_capture' })])).toEqual([]);
    expect(paymentsMatchBookings([b], [intent('h1')])).toEqual([expect.stringContaining('is succeeded, not requires_capture')]);
  });
  test('a cancelled card_hold booking’s authorization is voided; one left authorized is caught', () => {
    const b = booking('h2', { holdsCard: true, status: 'cancelled' });
    expect(paymentsMatchBookings([b], [intent('h2', { status: 'canceled' })])).toEqual([]);
    expect(paymentsMatchBookings([b], [intent('h2', { status: 'requires_capture' })])).toEqual([expect.stringContaining('neither voided nor refunded')]);
  });
});
