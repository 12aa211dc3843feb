import { POLICY_DEFAULTS } from '../../src/domain/policy';
import { DateTime } from 'luxon';
import type { Gateway } from '../../src/gateway/server';
import { acquireHold, releaseHold } from '../../src/infra/slot-locks';
import { ApiClient, newClient, newSalon, newSalonAdmin, operatorOf, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';

let gateway: Gateway;
let anon: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  gateway = await startTestGateway();
  anon = new ApiClient(gateway.url);
  operator = await operatorOf(anon);
});
afterAll(() => gateway?.stop());

const salonBody = () => ({ name: unique('Salon'), city: 'Sevilla', address: 'Calle Sierpes 1', timezone: 'Europe/Madrid' });
const staffBody = (serviceIds: string[]) => ({
  name: 'Luis',
  serviceIds,
  workingHours: [{ weekday: 1, start: '10:00', end: '14:00' }],
  breaks: [{ weekday: 1, start: '12:00', end: '12:30' }],
  timeOff: [{ from: '2030-01-01T00:00:00+01:00', to: '2030-01-08T00:00:00+01:00' }],
});
const promotionBody = (serviceIds: string[]) => ({
  serviceIds,
  discountPercent: 20,
  startsAt: new Date(Date.now() - 3_600_000).toISOString(),
  endsAt: new Date(Date.now() + 86_400_000).toISOString(),
});
const serviceBody = { name: 'Manicura', durationMin: 45, bufferMin: 15, priceCents: 3000, currency: 'EUR' };

describe('salons', () => {
  test('when an operator creates a salon, then 201 with its id, and anyone can read and list it by city', async () => {
    const body = salonBody();
    const created = await operator.post('/v1/salons', body);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[a-f0-9]{24}$/), ...body, cancellationWindowHours: 24, policy: POLICY_DEFAULTS });
    expect(created.headers.get('location')).toBe(`/v1/salons/${created.body.id}`);

    const read = await anon.get(`/v1/salons/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const byCity = await anon.get('/v1/salons?city=sevilla');
    expect(byCity.status).toBe(200);
    expect(byCity.body.items).toContainEqual(created.body);
    expect(byCity.body.items.every((s: { city: string }) => s.city === 'Sevilla')).toBe(true);
  });

  test('when a client or a salon admin creates a salon, then 403', async () => {
    const client = await newClient(anon);
    expect((await client.api.post('/v1/salons', salonBody())).status).toBe(403);
    const { salonId } = await newSalon(operator);
    const admin = await newSalonAdmin(operator, salonId);
    expect((await admin.post('/v1/salons', salonBody())).status).toBe(403);
  });

  test('when the salon body is invalid, then 400 per field', async () => {
    const res = await operator.post('/v1/salons', { name: '', city: 'X', timezone: 'Mars/Olympus' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'timezone']);
  });

  test('when the salon id is unknown or malformed, then 404', async () => {
    expect((await anon.get('/v1/salons/0123456789abcdef01234567')).status).toBe(404);
    expect((await anon.get('/v1/salons/not-an-id')).status).toBe(404);
    expect((await operator.patch('/v1/salons/0123456789abcdef01234567', { name: 'X' })).status).toBe(404);
  });

  test('when its admin or an operator patches a salon, then 200; another salon’s admin or a client gets 403', async () => {
    const { salonId } = await newSalon(operator);
    const other = await newSalon(operator);
    const admin = await newSalonAdmin(operator, salonId);
    const otherAdmin = await newSalonAdmin(operator, other.salonId);
    const client = await newClient(anon);

    const byAdmin = await admin.patch(`/v1/salons/${salonId}`, { name: 'Renamed', cancellationWindowHours: 48 });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ id: salonId, name: 'Renamed', cancellationWindowHours: 48 });
    expect((await operator.patch(`/v1/salons/${salonId}`, { city: 'Bilbao' })).body.city).toBe('Bilbao');
    expect((await otherAdmin.patch(`/v1/salons/${salonId}`, { name: 'Mine' })).status).toBe(403);
    expect((await client.api.patch(`/v1/salons/${salonId}`, { name: 'Mine' })).status).toBe(403);
    expect((await anon.patch(`/v1/salons/${salonId}`, { name: 'Mine' })).status).toBe(401);
    expect((await operator.patch(`/v1/salons/${salonId}`, {})).status).toBe(400);
    expect((await anon.get(`/v1/salons/${salonId}`)).body.name).toBe('Renamed');
  });
});

describe('services, staff and promotions', () => {
  test('when a salon’s admin adds them, then 201 each and they are listed', async () => {
    const { salonId } = await newSalon(operator);
    const admin = await newSalonAdmin(operator, salonId);

    const service = await admin.post(`/v1/salons/${salonId}/services`, serviceBody);
    expect(service.status).toBe(201);
    expect(service.body).toEqual({ id: expect.any(String), ...serviceBody, active: true });

    const staff = await admin.post(`/v1/salons/${salonId}/staff`, staffBody([service.body.id]));
    expect(staff.status).toBe(201);
    expect(staff.body).toMatchObject({ id: expect.any(String), salonId, name: 'Luis', serviceIds: [service.body.id] });
    expect(staff.body.timeOff).toEqual([{ from: '2029-12-31T23:00:00.000Z', to: '2030-01-07T23:00:00.000Z' }]);

    const promotion = await admin.post(`/v1/salons/${salonId}/promotions`, promotionBody([service.body.id]));
    expect(promotion.status).toBe(201);
    expect(promotion.body).toMatchObject({ id: expect.any(String), salonId, discountPercent: 20 });

    const services = await anon.get(`/v1/salons/${salonId}/services`);
    expect(services.status).toBe(200);
    expect(services.body.items.map((s: { id: string }) => s.id)).toContain(service.body.id);
    expect(services.body.items[0]).toEqual(
      expect.objectContaining({ id: expect.any(String), name: expect.any(String), durationMin: expect.any(Number), priceCents: expect.any(Number), currency: 'EUR' }),
    );
    expect((await anon.get(`/v1/salons/${salonId}/staff`)).body.items.map((s: { id: string }) => s.id)).toContain(staff.body.id);
    expect((await anon.get(`/v1/salons/${salonId}/promotions`)).body.items).toEqual([promotion.body]);
  });

  test.each(['services', 'staff', 'promotions'])('when a client or another salon’s admin adds %s, then 403; anonymous 401', async (kind) => {
    const { salonId, serviceId } = await newSalon(operator);
    const other = await newSalon(operator);
    const otherAdmin = await newSalonAdmin(operator, other.salonId);
    const client = await newClient(anon);
    const body = kind === 'services' ? serviceBody : kind === 'staff' ? staffBody([serviceId]) : promotionBody([serviceId]);
    expect((await client.api.post(`/v1/salons/${salonId}/${kind}`, body)).status).toBe(403);
    expect((await otherAdmin.post(`/v1/salons/${salonId}/${kind}`, body)).status).toBe(403);
    expect((await anon.post(`/v1/salons/${salonId}/${kind}`, body)).status).toBe(401);
    expect((await operator.post(`/v1/salons/${salonId}/${kind}`, body)).status).toBe(201);
    expect((await operator.post(`/v1/salons/0123456789abcdef01234567/${kind}`, body)).status).toBe(404);
  });

  test('when staff or a promotion names a service of another salon, then 400 naming it', async () => {
    const a = await newSalon(operator);
    const b = await newSalon(operator);
    const staff = await operator.post(`/v1/salons/${a.salonId}/staff`, staffBody([b.serviceId]));
    expect(staff.status).toBe(400);
    expect(staff.body.errors).toEqual([{ field: 'serviceIds', message: expect.stringContaining(b.serviceId) }]);
    expect((await operator.post(`/v1/salons/${a.salonId}/promotions`, promotionBody([b.serviceId]))).status).toBe(400);
  });

  test('when bodies are invalid, then 400 with the offending fields', async () => {
    const { salonId, serviceId } = await newSalon(operator);
    const service = await operator.post(`/v1/salons/${salonId}/services`, { name: 'X', durationMin: 7, priceCents: -1, currency: 'eur' });
    expect(service.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['currency', 'durationMin', 'priceCents']);
    const staff = await operator.post(`/v1/salons/${salonId}/staff`, {
      name: 'X',
      serviceIds: [serviceId],
      workingHours: [{ weekday: 8, start: '18:00', end: '09:00' }],
    });
    expect(staff.status).toBe(400);
    expect(staff.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['workingHours.0.weekday', 'workingHours.0.end']));
    const promo = await operator.post(`/v1/salons/${salonId}/promotions`, {
      serviceIds: [serviceId],
      discountPercent: 150,
      startsAt: '2030-01-02T00:00:00Z',
      endsAt: '2030-01-01T00:00:00Z',
    });
    expect(promo.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['discountPercent', 'endsAt']);
  });
});

describe('availability', () => {
  const nextMonday = () => {
    const now = DateTime.now().setZone('Europe/Madrid');
    return now.plus({ days: 8 - now.weekday }).toISODate()!; // a Monday 1–7 days ahead
  };

  test('when a day is free, then slots follow working hours, breaks and duration + buffer', async () => {
    const { salonId } = await newSalon(operator);
    const service = await operator.post(`/v1/salons/${salonId}/services`, serviceBody);
    const staff = await operator.post(`/v1/salons/${salonId}/staff`, staffBody([service.body.id]));
    const date = nextMonday();
    const res = await anon.get(`/v1/salons/${salonId}/availability?serviceId=${service.body.id}&date=${date}`);
    expect(res.status).toBe(200);
    // 10:00–14:00 with a 12:00–12:30 break; 45 min + 15 buffer.
    expect(res.body.slots.map((s: { start: string }) => s.start.slice(11, 16))).toEqual(['10:00', '10:15', '10:30', '10:45', '11:00', '12:30', '12:45', '13:00']);
    expect(res.body.slots[0]).toEqual({
      start: expect.stringMatching(new RegExp(`^${date}T10:00:00\\+0[12]:00$`)),
      end: expect.stringMatching(new RegExp(`^${date}T10:45:00\\+0[12]:00$`)),
      staffId: staff.body.id,
    });
  });

  test('when time is held, then its slots disappear, and come back once released', async () => {
    const { salonId, serviceId, staffId } = await newSalon(operator);
    const date = nextMonday();
    const url = `/v1/salons/${salonId}/availability?serviceId=${serviceId}&date=${date}&staffId=${staffId}`;
    const before = (await anon.get(url)).body.slots.length;
    const start = DateTime.fromISO(`${date}T11:00`, { zone: 'Europe/Madrid' });
    const bookingId = unique('booking');
    const range = { start: start.toJSDate(), end: start.plus({ minutes: 30 }).toJSDate() };
    expect(await acquireHold(gateway.models, { staffId, salonId, bookingId, range })).toBe(true);
    try {
      const during = (await anon.get(url)).body.slots.map((s: { start: string }) => s.start.slice(11, 16));
      expect(during).not.toContain('11:00');
      expect(during).not.toContain('10:45'); // would run into the hold
      expect(during).toContain('11:30');
      expect(during).toHaveLength(before - 3);
    } finally {
      await releaseHold(gateway.models, bookingId);
    }
    expect((await anon.get(url)).body.slots).toHaveLength(before);
  });

  test('when the query is bad or ids unknown, then 400 or 404', async () => {
    const { salonId, serviceId } = await newSalon(operator);
    const other = await newSalon(operator);
    const base = `/v1/salons/${salonId}/availability`;
    expect((await anon.get(`${base}?serviceId=${serviceId}`)).status).toBe(400);
    expect((await anon.get(`${base}?serviceId=${serviceId}&date=2026-13-45`)).status).toBe(400);
    expect((await anon.get(`${base}?serviceId=nope&date=2030-01-07`)).status).toBe(400);
    expect((await anon.get(`${base}?serviceId=${other.serviceId}&date=2030-01-07`)).status).toBe(404);
    expect((await anon.get(`${base}?serviceId=${serviceId}&date=2030-01-07&staffId=0123456789abcdef01234567`)).status).toBe(404);
    expect((await anon.get(`/v1/salons/0123456789abcdef01234567/availability?serviceId=${serviceId}&date=2030-01-07`)).status).toBe(404);
    expect((await anon.get(`${base}?serviceId=${serviceId}&date=2030-01-07&staffId=${other.staffId}`)).status).toBe(404);
  });

  test('when the date is past, then no slots', async () => {
    const { salonId, serviceId } = await newSalon(operator);
    const res = await anon.get(`/v1/salons/${salonId}/availability?serviceId=${serviceId}&date=2020-01-06`);
    expect(res.status).toBe(200);
    expect(res.body.slots).toEqual([]);
  });
});

describe('salon admins', () => {
  test('when an operator names an unknown email, then 404; a client may not name admins (403)', async () => {
    const { salonId } = await newSalon(operator);
    expect((await operator.post(`/v1/salons/${salonId}/admins`, { email: `${unique('ghost')}@instudio.test` })).status).toBe(404);
    const client = await newClient(anon);
    expect((await client.api.post(`/v1/salons/${salonId}/admins`, { email: client.email })).status).toBe(403);
  });
});
