/**
 * The waitlist over HTTP on the real stack (LIFECYCLE.md, "Waitlist"): every route and
 * role, and the offer chain end to end — a cancellation, a failed booking and a
 * reschedule free time; the earliest matching entry is offered it (held: availability
 * hides it, nobody else books it), declines pass it on, accepting books it, autoBook
 * books at once, a declined card and a deleted entry pass it on.
 */
import pino from 'pino';
import { DateTime } from 'luxon';
import { loadConfig } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { TOPICS } from '../../src/shared/topics';
import type { BookingWorker } from '../../workers/booking-worker';
import { startWaitlist } from '../../workers/waitlist';
import { at, settled } from '../support/bookings';
import { ApiClient, newClient, newSalon, newSalonAdmin, operatorOf, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';
import { collectEvents } from '../support/kafka';
import { eventually } from '../support/wait';
import { startTestDispatcher, startTestWorker } from '../support/worker';

let gateway: Gateway;
let worker: BookingWorker;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let waitlist: Awaited<ReturnType<typeof startWaitlist>>;
let anon: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  [gateway, worker, dispatcher, waitlist] = await Promise.all([
    startTestGateway(),
    startTestWorker(),
    startTestDispatcher(),
    startWaitlist(loadConfig(), pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), { groupId: unique('waitlist') }),
  ]);
  anon = new ApiClient(gateway.url);
  operator = await operatorOf(anon);
  await eventually(() => waitlist.ready, { timeoutMs: 60_000, what: 'the waitlist consumer in its group' });
}, 120_000);
afterAll(() => Promise.all([gateway?.stop(), worker?.stop(), dispatcher?.stop(), waitlist?.stop()]));

const DAYS_AHEAD = 3;
const dateOf = (iso: string): string => DateTime.fromISO(iso, { zone: 'Europe/Madrid' }).toISODate()!;

/** A salon with one service and one staff member, and a confirmed booking at `time` (10:00) `DAYS_AHEAD` days ahead. */
async function bookedSalon(policy: Record<string, unknown> = {}, time = '10:00') {
  const salon = await newSalon(operator);
  if (Object.keys(policy).length > 0) expect((await operator.patch(`/v1/salons/${salon.salonId}`, { policy })).status).toBe(200);
  const holder = await newClient(anon);
  const start = at(DAYS_AHEAD, time);
  const res = await holder.api.post('/v1/bookings', { salonId: salon.salonId, serviceId: salon.serviceId, start, paymentMethod: 'pm_card_visa' });
  expect(res.status).toBe(202);
  expect((await settled(holder.api, res.body.bookingId)).status).toBe('confirmed');
  return { ...salon, holder, bookingId: res.body.bookingId as string, start, date: dateOf(start) };
}

async function join(client: ApiClient, salon: { salonId: string; serviceId: string; date: string }, extra: Record<string, unknown> = {}) {
  const res = await client.post('/v1/waitlist', { salonId: salon.salonId, serviceId: salon.serviceId, date: salon.date, from: '09:00', to: '12:00', paymentMethod: 'pm_card_visa', ...extra });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const entryIn = (client: ApiClient, id: string, statuses: string[], timeoutMs = 30_000) =>
  eventually(
    async () => {
      const res = await client.get(`/v1/waitlist/${id}`);
      return statuses.includes(res.body.status) ? res.body : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `waitlist entry ${id} to be ${statuses.join('|')}` },
  );

const cancel = async (client: ApiClient, bookingId: string) => expect((await client.post(`/v1/bookings/${bookingId}/cancel`)).status).toBe(202);

describe('the routes and who may use them', () => {
  test('when a client joins, then 201 waiting with the whole day by default; it reads and lists it; another client gets 403; the salon reads and lists it; only its client deletes it', async () => {
    const salon = await newSalon(operator);
    const date = dateOf(at(DAYS_AHEAD));
    const client = await newClient(anon);
    const created = await client.api.post('/v1/waitlist', { salonId: salon.salonId, serviceId: salon.serviceId, date, paymentMethod: 'pm_card_visa' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'waiting', salonId: salon.salonId, serviceId: salon.serviceId, date, from: '00:00', to: '24:00', autoBook: false });
    expect(created.headers.get('location')).toBe(`/v1/waitlist/${created.body.id}`);
    const id: string = created.body.id;

    expect((await client.api.get(`/v1/waitlist/${id}`)).body.id).toBe(id);
    expect((await client.api.get('/v1/waitlist')).body.items.map((e: { id: string }) => e.id)).toEqual([id]);
    const other = await newClient(anon);
    expect((await other.api.get(`/v1/waitlist/${id}`)).status).toBe(403);
    expect((await other.api.get('/v1/waitlist')).body.items).toEqual([]);

    const admin = await newSalonAdmin(operator, salon.salonId);
    expect((await admin.get(`/v1/waitlist/${id}`)).status).toBe(200);
    expect((await admin.get(`/v1/waitlist?salonId=${salon.salonId}`)).body.items.map((e: { id: string }) => e.id)).toEqual([id]);
    expect((await admin.get('/v1/waitlist')).status).toBe(400);
    expect((await operator.get(`/v1/waitlist?salonId=${salon.salonId}`)).body.items).toHaveLength(1);
    const otherSalon = await newSalon(operator);
    const otherAdmin = await newSalonAdmin(operator, otherSalon.salonId);
    expect((await otherAdmin.get(`/v1/waitlist/${id}`)).status).toBe(403);
    expect((await otherAdmin.get(`/v1/waitlist?salonId=${salon.salonId}`)).status).toBe(403);

    expect((await admin.post('/v1/waitlist', { salonId: salon.salonId, serviceId: salon.serviceId, date, paymentMethod: 'pm_card_visa' })).status).toBe(403);
    for (const action of ['accept', 'decline']) expect((await admin.post(`/v1/waitlist/${id}/${action}`)).status).toBe(403);
    expect((await admin.delete(`/v1/waitlist/${id}`)).status).toBe(403);
    expect((await other.api.delete(`/v1/waitlist/${id}`)).status).toBe(403);
    // Not offered: nothing to accept or decline.
    const accept = await client.api.post(`/v1/waitlist/${id}/accept`);
    expect(accept.status).toBe(409);
    expect(accept.body.detail).toMatch(/waiting, not offered/);

    expect((await client.api.delete(`/v1/waitlist/${id}`)).status).toBe(204);
    expect((await client.api.get(`/v1/waitlist/${id}`)).status).toBe(404);
    expect((await client.api.delete(`/v1/waitlist/${id}`)).status).toBe(404);
  });

  test.each([
    [{ date: '2020-01-01' }, 'date'],
    [{ date: '2026-02-30' }, 'date'],
    [{ from: '12:00', to: '09:00' }, 'to'],
    [{ from: '9:00' }, 'from'],
    [{ paymentMethod: 'visa' }, 'paymentMethod'],
    [{ autoBook: 'yes' }, 'autoBook'],
    [{ extra: 1 }, 'body'],
  ])('when a client joins with %j, then 400 naming %s', async (patch, field) => {
    const salon = await newSalon(operator);
    const client = await newClient(anon);
    const res = await client.api.post('/v1/waitlist', { salonId: salon.salonId, serviceId: salon.serviceId, date: dateOf(at(DAYS_AHEAD)), paymentMethod: 'pm_card_visa', ...patch });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  test('when the salon or service is unknown, then 404; a staff member who does not perform the service is a 400', async () => {
    const salon = await newSalon(operator);
    const client = await newClient(anon);
    const body = { salonId: salon.salonId, serviceId: salon.serviceId, date: dateOf(at(DAYS_AHEAD)), paymentMethod: 'pm_card_visa' };
    expect((await client.api.post('/v1/waitlist', { ...body, salonId: 'ffffffffffffffffffffffff' })).status).toBe(404);
    expect((await client.api.post('/v1/waitlist', { ...body, serviceId: 'ffffffffffffffffffffffff' })).status).toBe(404);
    const other = await operator.post(`/v1/salons/${salon.salonId}/services`, { name: 'Tinte', durationMin: 60, priceCents: 5000, currency: 'EUR' });
    const res = await client.api.post('/v1/waitlist', { ...body, serviceId: other.body.id, staffId: salon.staffId });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('staffId');
  });
});

describe('the offer chain', () => {
  test('when a booking is cancelled, then the earliest matching entry is offered its time, held: availability hides it and nobody else books it; a decline passes it to the next, who accepts and is booked', async () => {
    const salon = await bookedSalon();
    const first = await newClient(anon);
    const second = await newClient(anon);
    const late = await newClient(anon);
    const firstEntry = await join(first.api, salon);
    const secondEntry = await join(second.api, salon);
    const afternoon = await join(late.api, salon, { from: '14:00', to: '18:00' }); // no match: another window
    await cancel(salon.holder.api, salon.bookingId);

    const offered = await entryIn(first.api, firstEntry, ['offered']);
    expect(offered.offer).toMatchObject({ start: new Date(salon.start).toISOString(), staffId: salon.staffId });
    const expiresAt = Date.parse(offered.offer.expiresAt);
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
    expect((await second.api.get(`/v1/waitlist/${secondEntry}`)).body.status).toBe('waiting');
    expect((await late.api.get(`/v1/waitlist/${afternoon}`)).body.status).toBe('waiting');

    const slots = await anon.get(`/v1/salons/${salon.salonId}/availability?serviceId=${salon.serviceId}&date=${salon.date}`);
    expect(slots.body.slots.map((s: { start: string }) => Date.parse(s.start))).not.toContain(Date.parse(salon.start));
    const intruder = await newClient(anon);
    const attempt = await intruder.api.post('/v1/bookings', { salonId: salon.salonId, serviceId: salon.serviceId, start: salon.start, paymentMethod: 'pm_card_visa' });
    expect(await settled(intruder.api, attempt.body.bookingId)).toMatchObject({ status: 'failed', failureReason: 'slot_unavailable' });
    expect((await first.api.get(`/v1/waitlist/${firstEntry}`)).body.status).toBe('offered'); // its failure freed nothing

    const events = collectEvents([TOPICS.waitlistOffered, TOPICS.waitlistBooked], (seen) => seen.some((e) => e.topic === TOPICS.waitlistBooked && e.event.data.entryId === secondEntry), 60_000);
    events.catch(() => undefined); // awaited below; should an assertion fail first, its timeout is not reported against another suite
    const declined = await first.api.post(`/v1/waitlist/${firstEntry}/decline`);
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe('declined');
    expect((await first.api.post(`/v1/waitlist/${firstEntry}/accept`)).status).toBe(409);

    await entryIn(second.api, secondEntry, ['offered']);
    const accepted = await second.api.post(`/v1/waitlist/${secondEntry}/accept`);
    expect(accepted.status).toBe(202);
    const { bookingId } = accepted.body;
    expect(accepted.headers.get('location')).toBe(`/v1/bookings/${bookingId}`);
    const booking = await settled(second.api, bookingId);
    expect(booking).toMatchObject({ status: 'confirmed', priority: 'high', start: new Date(salon.start).toISOString(), staffId: salon.staffId });
    expect(await entryIn(second.api, secondEntry, ['booked'])).toMatchObject({ bookingId });
    expect((await second.api.post(`/v1/waitlist/${secondEntry}/accept`)).body.bookingId).toBe(bookingId); // the same answer again

    const seen = (await events).filter((e) => [firstEntry, secondEntry].includes(e.event.data.entryId));
    expect(seen.map((e) => [e.topic, e.event.data.entryId])).toEqual([
      [TOPICS.waitlistOffered, firstEntry],
      [TOPICS.waitlistOffered, secondEntry],
      [TOPICS.waitlistBooked, secondEntry],
    ]);
    expect(seen[2]!.event.data).toMatchObject({ bookingId, salonId: salon.salonId });
    expect((await late.api.get(`/v1/waitlist/${afternoon}`)).body.status).toBe('waiting');
  }, 120_000);

  test('when an entry autoBooks, then a freed slot is booked for it at once; when its card is declined, it waits again and the slot goes to the next entry', async () => {
    const salon = await bookedSalon();
    const declinedCard = await newClient(anon);
    const next = await newClient(anon);
    const failing = await join(declinedCard.api, salon, { autoBook: true, paymentMethod: 'pm_card_chargeCustomerFail' });
    const booked = await join(next.api, salon, { autoBook: true });
    await cancel(salon.holder.api, salon.bookingId);

    const entry = await entryIn(next.api, booked, ['booked'], 60_000);
    expect(await settled(next.api, entry.bookingId)).toMatchObject({ status: 'confirmed', start: new Date(salon.start).toISOString() });
    // The declined card's entry is back, in its place.
    const back = await entryIn(declinedCard.api, failing, ['waiting']);
    expect(back.bookingId).toBeUndefined();
    const failed = await gateway.models.Booking.findOne({ waitlistEntryId: failing }).lean();
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'payment_declined' });
  }, 120_000);

  test('when the offered entry is deleted, then the slot goes to the next entry at once', async () => {
    const salon = await bookedSalon();
    const leaving = await newClient(anon);
    const next = await newClient(anon);
    const gone = await join(leaving.api, salon);
    const waiting = await join(next.api, salon);
    await cancel(salon.holder.api, salon.bookingId);
    await entryIn(leaving.api, gone, ['offered']);
    expect((await leaving.api.delete(`/v1/waitlist/${gone}`)).status).toBe(204);
    const offered = await entryIn(next.api, waiting, ['offered']);
    expect(offered.offer.start).toBe(new Date(salon.start).toISOString());
  }, 120_000);

  test('when a booking at a start off the 15-minute grid is cancelled, then that very start is offered', async () => {
    const salon = await bookedSalon({}, '10:05');
    const client = await newClient(anon);
    const entry = await join(client.api, salon, { from: '10:05', to: '10:10' });
    await cancel(salon.holder.api, salon.bookingId);
    const offered = await entryIn(client.api, entry, ['offered']);
    expect(offered.offer.start).toBe(new Date(salon.start).toISOString());
  }, 120_000);

  test('when a booking is moved away, then the time it left is offered to a matching entry', async () => {
    const salon = await bookedSalon();
    const client = await newClient(anon);
    const entry = await join(client.api, salon, { from: '10:00', to: '10:30' });
    const moved = await salon.holder.api.post(`/v1/bookings/${salon.bookingId}/reschedule`, { start: at(DAYS_AHEAD, '15:00') });
    expect(moved.status).toBe(200);
    const offered = await entryIn(client.api, entry, ['offered']);
    expect(offered.offer).toMatchObject({ start: new Date(salon.start).toISOString(), end: new Date(Date.parse(salon.start) + 30 * 60_000).toISOString(), staffId: salon.staffId });
  }, 120_000);
});
