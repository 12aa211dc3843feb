/**
 * The salon booking policy over HTTP on the real stack (LIFECYCLE.md): the policy object
 * and its defaults, its booking bounds in availability and in POST /v1/bookings, the
 * deposit policy's money on the Stripe endpoint, who cancelled and what they get back,
 * and cursor paging.
 */
import { loadConfig } from '../../src/config';
import { POLICY_DEFAULTS } from '../../src/domain/policy';
import type { Gateway } from '../../src/gateway/server';
import { createStripe } from '../../src/infra/stripe';
import type { BookingWorker } from '../../workers/booking-worker';
import { TOPICS } from '../../src/shared/topics';
import { at, settled } from '../support/bookings';
import { collectEvents } from '../support/kafka';
import { ApiClient, newClient, newSalon, newSalonAdmin, operatorOf, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';
import { eventually } from '../support/wait';
import { startTestDispatcher, startTestWorker } from '../support/worker';

const stripe = createStripe(loadConfig());
let gateway: Gateway;
let worker: BookingWorker;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let anon: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  [gateway, worker, dispatcher] = await Promise.all([startTestGateway(), startTestWorker(), startTestDispatcher()]);
  anon = new ApiClient(gateway.url);
  operator = await operatorOf(anon);
});
afterAll(() => Promise.all([gateway?.stop(), worker?.stop(), dispatcher?.stop()]));

/** A salon (one 30-minute service at `priceCents`) with `policy` set. */
async function salonWith(policy: Record<string, unknown>, priceCents = 4000) {
  const salon = await newSalon(operator, { priceCents });
  const res = await operator.patch(`/v1/salons/${salon.salonId}`, { policy });
  if (res.status !== 200) throw new Error(`policy: ${res.status} ${JSON.stringify(res.body)}`);
  return salon;
}

/** The PaymentIntent of a booking, as Stripe holds it. */
const intentOf = async (bookingId: string) => {
  const doc = await gateway.models.Booking.findById(bookingId).lean();
  return stripe.paymentIntents.retrieve(doc!.paymentIntentId!, { expand: ['latest_charge'] });
};

describe('the salon policy', () => {
  test('when a salon names some policy fields, then GET returns the whole policy with the defaults; PATCH merges the fields it names', async () => {
    const created = await operator.post('/v1/salons', {
      name: unique('Salon'),
      city: 'Madrid',
      timezone: 'Europe/Madrid',
      policy: { payment: 'deposit', depositPercent: 40 },
    });
    expect(created.status).toBe(201);
    expect(created.body.policy).toEqual({ ...POLICY_DEFAULTS, payment: 'deposit', depositPercent: 40 });
    const id: string = created.body.id;

    const patched = await operator.patch(`/v1/salons/${id}`, { policy: { minNoticeMinutes: 0, reminderOffsetsHours: [48, 2] } });
    expect(patched.body.policy).toEqual({ ...POLICY_DEFAULTS, payment: 'deposit', depositPercent: 40, minNoticeMinutes: 0, reminderOffsetsHours: [48, 2] });
    // The top-level alias and the policy field are one value.
    const aliased = await operator.patch(`/v1/salons/${id}`, { cancellationWindowHours: 48 });
    expect(aliased.body).toMatchObject({ cancellationWindowHours: 48, policy: { cancellationWindowHours: 48, depositPercent: 40 } });
    expect((await anon.get(`/v1/salons/${id}`)).body.policy.cancellationWindowHours).toBe(48);
  });

  test.each([
    [{ cancellationWindowHours: 10, policy: { cancellationWindowHours: 20 } }, 'cancellationWindowHours'],
    [{ policy: { depositPercent: 0 } }, 'policy.depositPercent'],
    [{ policy: { reminderOffsetsHours: [1, 2, 3, 4] } }, 'policy.reminderOffsetsHours'],
    [{ policy: { payment: 'cash' } }, 'policy.payment'],
    [{ policy: { tip: 10 } }, 'policy'],
  ])('when a PATCH sends %j, then 400 naming %s', async (body, field) => {
    const { salonId } = await newSalon(operator);
    const res = await operator.patch(`/v1/salons/${salonId}`, body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});

describe('booking bounds', () => {
  test('when a start is inside the notice or beyond the advance limit, then POST /v1/bookings says the bound, and availability does not offer it', async () => {
    const salon = await salonWith({ minNoticeMinutes: 3 * 24 * 60, maxAdvanceDays: 10 });
    const client = await newClient(anon);
    const soon = await client.api.post('/v1/bookings', { ...salon, start: at(1), paymentMethod: 'pm_card_visa' });
    expect(soon.status).toBe(400);
    expect(soon.body.detail).toBe("start must be at least 4320 minutes ahead (the salon's notice)");
    const far = await client.api.post('/v1/bookings', { ...salon, start: at(12), paymentMethod: 'pm_card_visa' });
    expect(far.body.detail).toBe("start must be at most 10 days ahead (the salon's limit)");

    const day = (d: number) => at(d).slice(0, 10);
    const slotsOn = async (d: number) =>
      (await anon.get(`/v1/salons/${salon.salonId}/availability?serviceId=${salon.serviceId}&date=${day(d)}`)).body.slots as unknown[];
    expect(await slotsOn(1)).toEqual([]);
    expect(await slotsOn(12)).toEqual([]);
    expect((await slotsOn(5)).length).toBeGreaterThan(0);
  });
});

describe('deposit', () => {
  test('when a deposit salon is booked, then only the deposit is charged; cancelled early it is refunded, by the client', async () => {
    const salon = await salonWith({ payment: 'deposit', depositPercent: 30 });
    const client = await newClient(anon);
    const res = await client.api.post('/v1/bookings', { ...salon, start: at(3), paymentMethod: 'pm_card_visa' });
    const confirmed = await settled(client.api, res.body.bookingId);
    expect(confirmed).toMatchObject({
      status: 'confirmed',
      priceCents: 4000,
      payment: { policy: 'deposit', priceCents: 4000, chargedCents: 1200, authorizedCents: 0, refundedCents: 0, status: 'charged' },
    });
    expect((await intentOf(res.body.bookingId)).amount).toBe(1200);

    expect((await client.api.post(`/v1/bookings/${res.body.bookingId}/cancel`)).status).toBe(202);
    const cancelled = await settled(client.api, res.body.bookingId, ['cancelled']);
    expect(cancelled).toMatchObject({ cancelledBy: 'client', payment: { chargedCents: 1200, refundedCents: 1200, status: 'refunded' } });
    const intent = await intentOf(res.body.bookingId);
    expect(typeof intent.latest_charge === 'object' && intent.latest_charge?.amount_refunded).toBe(1200);
  });

  test('when a deposit booking is cancelled late by its client, then the deposit is kept', async () => {
    const salon = await salonWith({ payment: 'deposit', depositPercent: 30, cancellationWindowHours: 720 });
    const client = await newClient(anon);
    const res = await client.api.post('/v1/bookings', { ...salon, start: at(3), paymentMethod: 'pm_card_visa' });
    await settled(client.api, res.body.bookingId);
    await client.api.post(`/v1/bookings/${res.body.bookingId}/cancel`);
    const cancelled = await settled(client.api, res.body.bookingId, ['cancelled']);
    expect(cancelled).toMatchObject({ cancelledBy: 'client', payment: { chargedCents: 1200, refundedCents: 0, status: 'charged' } });
  });
});

describe('card_hold', () => {
  /** A confirmed card_hold booking `daysAhead`, its client, and its intent on Stripe. */
  async function held(policy: Record<string, unknown>, daysAhead = 3) {
    const salon = await salonWith({ payment: 'card_hold', ...policy });
    const client = await newClient(anon);
    const res = await client.api.post('/v1/bookings', { ...salon, start: at(daysAhead), paymentMethod: 'pm_card_visa' });
    expect(res.status).toBe(202);
    const booking = await settled(client.api, res.body.bookingId);
    return { client, bookingId: res.body.bookingId as string, booking };
  }

  test('when booked within 6 days of its latest capture, then the full price is authorized, nothing charged; cancelled early, the authorization is voided', async () => {
    const { client, bookingId, booking } = await held({});
    expect(booking).toMatchObject({ status: 'confirmed', payment: { policy: 'card_hold', priceCents: 4000, authorizedCents: 4000, chargedCents: 0, refundedCents: 0, status: 'authorized' } });
    const intent = await intentOf(bookingId);
    expect(intent).toMatchObject({ status: 'requires_capture', capture_method: 'manual', amount: 4000 });

    expect((await client.api.post(`/v1/bookings/${bookingId}/cancel`)).status).toBe(202);
    const cancelled = await settled(client.api, bookingId, ['cancelled']);
    expect(cancelled).toMatchObject({ cancelledBy: 'client', payment: { chargedCents: 0, status: 'voided' } });
    expect((await intentOf(bookingId)).status).toBe('canceled');
  });

  test('when its client cancels late, then the late-cancellation fee is captured and the rest released', async () => {
    const { client, bookingId } = await held({ cancellationWindowHours: 720, lateCancelFeePercent: 25 });
    await client.api.post(`/v1/bookings/${bookingId}/cancel`);
    const cancelled = await settled(client.api, bookingId, ['cancelled']);
    expect(cancelled).toMatchObject({ payment: { chargedCents: 1000, refundedCents: 0, status: 'charged' } });
    const intent = await intentOf(bookingId);
    expect(intent.status).toBe('succeeded');
    const charge = intent.latest_charge as { amount: number; amount_refunded: number; captured: boolean };
    expect(charge.captured).toBe(true);
    // What stays captured: the fee (localstripe releases the rest as a refund of the remainder).
    expect(charge.amount - charge.amount_refunded).toBe(1000);
  });

  test('when the salon cancels late, or the fee is 0, then the authorization is voided', async () => {
    const salonSide = await held({ cancellationWindowHours: 720, lateCancelFeePercent: 25 });
    expect((await operator.post(`/v1/bookings/${salonSide.bookingId}/cancel`)).status).toBe(202);
    expect(await settled(operator, salonSide.bookingId, ['cancelled'])).toMatchObject({ cancelledBy: 'operator', payment: { status: 'voided' } });
    const noFee = await held({ cancellationWindowHours: 720, lateCancelFeePercent: 0 });
    await noFee.client.api.post(`/v1/bookings/${noFee.bookingId}/cancel`);
    expect(await settled(noFee.client.api, noFee.bookingId, ['cancelled'])).toMatchObject({ payment: { chargedCents: 0, status: 'voided' } });
    expect((await intentOf(noFee.bookingId)).status).toBe('canceled');
  });

  test('when booked further ahead than the authorization lasts, then nothing is authorized yet (the workflow places it later)', async () => {
    const { bookingId, booking } = await held({}, 20);
    expect(booking).toMatchObject({ status: 'confirmed', payment: { policy: 'card_hold', authorizedCents: 0, chargedCents: 0, status: 'none' } });
    expect((await gateway.models.Booking.findById(bookingId).lean())!.paymentIntentId).toBeUndefined();
  });
});

test('when the salon’s admin cancels late, then the client gets everything back and the booking says who cancelled', async () => {
  const salon = await salonWith({ cancellationWindowHours: 720 }); // any client cancel would be late
  const admin = await newSalonAdmin(operator, salon.salonId);
  const client = await newClient(anon);
  const res = await client.api.post('/v1/bookings', { ...salon, start: at(3), paymentMethod: 'pm_card_visa' });
  await settled(client.api, res.body.bookingId);
  expect((await admin.post(`/v1/bookings/${res.body.bookingId}/cancel`)).status).toBe(202);
  const cancelled = await settled(client.api, res.body.bookingId, ['cancelled']);
  expect(cancelled).toMatchObject({ cancelledBy: 'salon', payment: { policy: 'prepay', chargedCents: 4000, refundedCents: 4000, status: 'refunded' } });
});

describe('paging', () => {
  test('when a client has more bookings than the limit, then pages follow nextCursor, newest start first, with nothing twice or missing', async () => {
    const salon = await newSalon(operator);
    const client = await newClient(anon);
    const starts = [at(6, '10:00'), at(7, '10:00'), at(8, '10:00')];
    const ids: string[] = [];
    for (const start of starts) ids.push((await client.api.post('/v1/bookings', { ...salon, start, paymentMethod: 'pm_card_visa' })).body.bookingId);

    const first = await client.api.get('/v1/bookings?limit=2');
    expect(first.body.items.map((b: { id: string }) => b.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await client.api.get(`/v1/bookings?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((b: { id: string }) => b.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeUndefined();

    const ranged = await client.api.get(`/v1/bookings?from=${encodeURIComponent(starts[1]!)}&to=${encodeURIComponent(starts[2]!)}`);
    expect(ranged.body.items.map((b: { id: string }) => b.id)).toEqual([ids[1]]);
    const bad = await client.api.get('/v1/bookings?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'cursor', message: 'not a cursor of this list' }]);
    await eventually(async () => {
      const all = await client.api.get('/v1/bookings?status=confirmed');
      return all.body.items.length === 3;
    }, { timeoutMs: 60_000, what: 'the three bookings confirmed' });
  });

  test('when salons are listed a page at a time, then every salon of the city comes once', async () => {
    const city = unique('Ciudad');
    const names = ['B', 'A', 'C'].map((n) => `${n} ${unique('Salon')}`);
    for (const name of names) expect((await operator.post('/v1/salons', { name, city, timezone: 'Europe/Madrid' })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await anon.get(`/v1/salons?city=${encodeURIComponent(city)}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((s: { name: string }) => s.name));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...names].sort());
  });
});

describe('the salon’s day', () => {
  test('when the salon’s admin asks for a day, then each staff member’s working time and bookings, in local time; others are refused', async () => {
    const salon = await newSalon(operator);
    const admin = await newSalonAdmin(operator, salon.salonId);
    const client = await newClient(anon);
    const start = at(4, '12:00');
    const booked = await client.api.post('/v1/bookings', { ...salon, start, paymentMethod: 'pm_card_visa' });
    await settled(client.api, booked.body.bookingId);
    const date = start.slice(0, 10);

    const res = await admin.get(`/v1/salons/${salon.salonId}/schedule?date=${date}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      date,
      timezone: 'Europe/Madrid',
      staff: [
        {
          id: salon.staffId,
          name: 'Ana',
          working: [{ start: `${date}T09:00:00${start.slice(-6)}`, end: `${date}T18:00:00${start.slice(-6)}` }],
          bookings: [
            {
              id: booked.body.bookingId,
              start: `${date}T12:00:00${start.slice(-6)}`,
              end: `${date}T12:30:00${start.slice(-6)}`,
              status: 'confirmed',
              serviceId: salon.serviceId,
              serviceName: 'Corte',
              customerName: 'Test Client',
            },
          ],
        },
      ],
    });
    expect((await client.api.get(`/v1/salons/${salon.salonId}/schedule?date=${date}`)).status).toBe(403);
    expect((await anon.get(`/v1/salons/${salon.salonId}/schedule?date=${date}`)).status).toBe(401);
    expect((await admin.get(`/v1/salons/${salon.salonId}/schedule?date=tomorrow`)).status).toBe(400);
    expect((await operator.get(`/v1/salons/${salon.salonId}/schedule?date=${date}&staffId=${'0'.repeat(24)}`)).status).toBe(404);
  });
});

describe('check-in, complete, no-show', () => {
  /** A booking by a client, `minutesAhead` from now (on a 5-minute boundary), with a staff member who works around the clock. */
  async function bookedAhead(minutesAhead: number) {
    const salon = await salonWith({ minNoticeMinutes: 0 });
    const allDay = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' }));
    const staff = await operator.post(`/v1/salons/${salon.salonId}/staff`, { name: 'Noa', serviceIds: [salon.serviceId], workingHours: allDay });
    const client = await newClient(anon);
    const granule = 5 * 60_000;
    const start = new Date(Math.ceil((Date.now() + minutesAhead * 60_000) / granule) * granule).toISOString();
    const res = await client.api.post('/v1/bookings', { ...salon, staffId: staff.body.id, start, paymentMethod: 'pm_card_visa' });
    expect(res.status).toBe(202);
    await settled(client.api, res.body.bookingId);
    return { salon, client, bookingId: res.body.bookingId as string, admin: await newSalonAdmin(operator, salon.salonId) };
  }

  test('when the client arrives within the hour before the start, then the salon checks them in; too early to complete, no longer a no-show or cancellable', async () => {
    const { client, bookingId, admin } = await bookedAhead(30);
    expect((await client.api.post(`/v1/bookings/${bookingId}/check-in`)).status).toBe(403);
    const checkedIn = await admin.post(`/v1/bookings/${bookingId}/check-in`);
    expect(checkedIn.status).toBe(200);
    expect(checkedIn.body).toMatchObject({ id: bookingId, status: 'checked_in' });

    const complete = await admin.post(`/v1/bookings/${bookingId}/complete`);
    expect(complete.status).toBe(409);
    expect(complete.body.detail).toMatch(/^cannot record the completion now: it can be completed from its start, \d{4}-/);
    expect((await operator.post(`/v1/bookings/${bookingId}/no-show`)).body.detail).toMatch(/only a confirmed booking that nobody checked in/);
    expect((await client.api.post(`/v1/bookings/${bookingId}/cancel`)).status).toBe(409);
    expect((await client.api.get(`/v1/bookings/${bookingId}`)).body.status).toBe('checked_in');
  });

  test('when it is days ahead, then check-in says when it opens', async () => {
    const { bookingId, admin } = await bookedAhead(2 * 24 * 60);
    const early = await admin.post(`/v1/bookings/${bookingId}/check-in`);
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/check-in opens at \d{4}-\d\d-\d\dT.*60 minutes before the start/);
  });
});

describe('reschedule', () => {
  /** `at(...)` as the API writes instants (UTC). */
  const utc = (days: number, hhmm?: string) => new Date(at(days, hhmm)).toISOString();
  /** A confirmed booking `daysAhead` at 10:00 Madrid time, in a salon of two staff members (Ana, then Noa) with `policy`. */
  async function confirmedBooking(daysAhead: number, policy: Record<string, unknown> = {}) {
    const salon = await salonWith(policy);
    const noa = await operator.post(`/v1/salons/${salon.salonId}/staff`, {
      name: 'Noa',
      serviceIds: [salon.serviceId],
      workingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '18:00' })),
    });
    const client = await newClient(anon);
    const res = await client.api.post('/v1/bookings', { ...salon, start: utc(daysAhead), paymentMethod: 'pm_card_visa' });
    expect(res.status).toBe(202);
    const booking = await settled(client.api, res.body.bookingId);
    expect(booking.status).toBe('confirmed');
    return { salon, noaId: noa.body.id as string, client, bookingId: res.body.bookingId as string, booking };
  }
  const locksOf = (bookingId: string) => gateway.models.SlotLock.find({ bookingId }).lean();

  test('when its client moves it, then 200 the booking moved: same id, price and payment, the new time held and the old one free, reserva.reprogramada; the same key answers the same', async () => {
    const { client, bookingId, booking, salon } = await confirmedBooking(5);
    const intentBefore = await intentOf(bookingId);
    const to = utc(6, '12:00');
    const key = unique('move');
    const moved = await client.api.post(`/v1/bookings/${bookingId}/reschedule`, { start: to }, { 'Idempotency-Key': key });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      id: bookingId,
      status: 'confirmed',
      start: to,
      end: new Date(Date.parse(to) + 30 * 60_000).toISOString(),
      staffId: booking.staffId, // its own staff member, free then
      priceCents: booking.priceCents,
      payment: booking.payment,
      rescheduledFrom: [booking.start],
    });
    // The hold moved with it: locks only at the new time.
    const locks = await locksOf(bookingId);
    expect(locks.length).toBeGreaterThan(0);
    for (const l of locks) expect(l.at.getTime()).toBeGreaterThanOrEqual(Date.parse(to));
    // The old time is bookable again; the new one is not.
    const slots = async (date: string) => (await anon.get(`/v1/salons/${salon.salonId}/availability?serviceId=${salon.serviceId}&date=${date}`)).body.slots as { start: string; staffId: string }[];
    const free = (list: { start: string; staffId: string }[], start: string) => list.some((s) => Date.parse(s.start) === Date.parse(start) && s.staffId === booking.staffId);
    expect(free(await slots(booking.start.slice(0, 10)), booking.start)).toBe(true);
    expect(free(await slots(to.slice(0, 10)), to)).toBe(false);
    // Stripe: the same intent, nothing charged again or refunded.
    const intentAfter = await intentOf(bookingId);
    expect(intentAfter.id).toBe(intentBefore.id);
    expect(intentAfter.amount_received).toBe(intentBefore.amount_received);
    expect((intentAfter.latest_charge as { amount_refunded: number }).amount_refunded).toBe(0);
    // A retry with the same key answers the same.
    const again = await client.api.post(`/v1/bookings/${bookingId}/reschedule`, { start: to }, { 'Idempotency-Key': key });
    expect(again.status).toBe(200);
    expect(again.body.rescheduledFrom).toEqual([booking.start]);
    const events = await collectEvents([TOPICS.bookingRescheduled], (seen) => seen.some((e) => e.event.data.bookingId === bookingId));
    const event = events.find((e) => e.event.data.bookingId === bookingId)!;
    expect(event.event.data).toMatchObject({ previousStart: booking.start, start: to, staffId: booking.staffId });
    expect(events.filter((e) => e.event.data.bookingId === bookingId)).toHaveLength(1);
  });

  test('when the new time is taken, then 409 slot-unavailable and the booking is unchanged, still holding its time', async () => {
    const { client, bookingId, booking, salon } = await confirmedBooking(5);
    // Both staff members busy at the target time.
    const to = utc(7, '11:00');
    for (let i = 0; i < 2; i++) {
      const other = await newClient(anon);
      const res = await other.api.post('/v1/bookings', { ...salon, staffId: undefined, start: to, paymentMethod: 'pm_card_visa' });
      expect((await settled(other.api, res.body.bookingId)).status).toBe('confirmed');
    }
    const locksBefore = (await locksOf(bookingId)).map((l) => l._id).sort();
    const res = await client.api.post(`/v1/bookings/${bookingId}/reschedule`, { start: to });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.type).toMatch(/slot-unavailable$/);
    const after = (await client.api.get(`/v1/bookings/${bookingId}`)).body;
    expect(after).toMatchObject({ status: 'confirmed', start: booking.start, staffId: booking.staffId, rescheduledFrom: [] });
    expect((await locksOf(bookingId)).map((l) => l._id).sort()).toEqual(locksBefore);
  });

  test('the client may move it until rescheduleWindowHours before the start, the salon’s admin and operators until the start; other clients and admins are refused', async () => {
    const { client, bookingId, salon, noaId } = await confirmedBooking(2, { rescheduleWindowHours: 72 });
    const late = await client.api.post(`/v1/bookings/${bookingId}/reschedule`, { start: utc(3, '12:00') });
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/could move it until .*72 h before the start/);
    const stranger = await newClient(anon);
    expect((await stranger.api.post(`/v1/bookings/${bookingId}/reschedule`, { start: utc(3, '12:00') })).status).toBe(403);
    const otherSalon = await newSalon(operator);
    const otherAdmin = await newSalonAdmin(operator, otherSalon.salonId);
    expect((await otherAdmin.post(`/v1/bookings/${bookingId}/reschedule`, { start: utc(3, '12:00') })).status).toBe(403);
    const admin = await newSalonAdmin(operator, salon.salonId);
    const byAdmin = await admin.post(`/v1/bookings/${bookingId}/reschedule`, { start: utc(3, '12:00'), staffId: noaId });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ start: utc(3, '12:00'), staffId: noaId });
    const byOperator = await operator.post(`/v1/bookings/${bookingId}/reschedule`, { start: utc(3, '13:00') });
    expect(byOperator.status).toBe(200);
    expect(byOperator.body.rescheduledFrom).toEqual([utc(2), utc(3, '12:00')]);
  });

  test.each([
    [{ start: 'tomorrow' }, 'start'],
    [{ start: '2026-12-24T10:03:00Z' }, 'start'],
    [{ start: '2020-01-01T10:00:00Z' }, 'start'],
    [{ start: utc(200) }, 'start'],
    [{ start: utc(6), extra: 1 }, ''],
  ])('when the body is %j, then 400 naming %s and the booking stays', async (body, field) => {
    const { client, bookingId, booking } = await confirmedBooking(5, { maxAdvanceDays: 90 });
    const res = await client.api.post(`/v1/bookings/${bookingId}/reschedule`, body);
    expect(res.status).toBe(400);
    if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await client.api.get(`/v1/bookings/${bookingId}`)).body.start).toBe(booking.start);
  });

  test('a booking that is not confirmed cannot be moved (409), nor one moved to the time it already has', async () => {
    const { client, bookingId, booking } = await confirmedBooking(5);
    const same = await client.api.post(`/v1/bookings/${bookingId}/reschedule`, { start: booking.start });
    expect(same.status).toBe(409);
    expect(same.body.detail).toMatch(/already starts then/);
    expect((await client.api.post(`/v1/bookings/${bookingId}/cancel`)).status).toBe(202);
    await settled(client.api, bookingId, ['cancelled']);
    const res = await client.api.post(`/v1/bookings/${bookingId}/reschedule`, { start: utc(6) });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/only a confirmed booking can be moved/);
  });
});
