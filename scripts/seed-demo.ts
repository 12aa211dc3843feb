/**
 * The demo network `npm start` seeds unless already present: three salons, their
 * services and staff, one active promotion, a demo client and a demo salon admin.
 */
import type { Models } from '../src/infra/models';
import { hashPassword } from '../src/gateway/auth';

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_ACCOUNTS = {
  client: 'cliente@instudio.demo',
  salonAdmin: 'admin.madrid@instudio.demo',
};

const week = (start: string, end: string, days = [1, 2, 3, 4, 5, 6]) => days.map((weekday) => ({ weekday, start, end }));

const SALONS = [
  {
    name: 'InStudio Sol',
    city: 'Madrid',
    address: 'Calle de Alcalá 21',
    timezone: 'Europe/Madrid',
    services: [
      { name: 'Corte de pelo', durationMin: 30, bufferMin: 10, priceCents: 2500 },
      { name: 'Tinte', durationMin: 90, bufferMin: 15, priceCents: 6500 },
      { name: 'Manicura', durationMin: 45, bufferMin: 5, priceCents: 3000 },
    ],
    staff: ['Lucía', 'Marta'],
  },
  {
    name: 'InStudio Gràcia Spa',
    city: 'Barcelona',
    address: 'Carrer Gran de Gràcia 100',
    timezone: 'Europe/Madrid',
    services: [
      { name: 'Masaje relajante', durationMin: 60, bufferMin: 15, priceCents: 7000 },
      { name: 'Facial hidratante', durationMin: 50, bufferMin: 10, priceCents: 5500 },
    ],
    staff: ['Jordi', 'Núria'],
  },
  {
    name: 'InStudio Canarias',
    city: 'Las Palmas',
    address: 'Calle Triana 50',
    timezone: 'Atlantic/Canary',
    services: [{ name: 'Pedicura', durationMin: 45, bufferMin: 10, priceCents: 3500 }],
    staff: ['Ayoze'],
  },
];

/** Idempotent: returns false when the demo network was there already. */
export async function seedDemo(models: Models, now = new Date()): Promise<boolean> {
  if (await models.Salon.exists({ name: SALONS[0]!.name })) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  let firstSalonId = '';
  for (const [i, s] of SALONS.entries()) {
    const salon = await models.Salon.create({
      name: s.name,
      city: s.city,
      cityKey: s.city.toLowerCase(),
      address: s.address,
      timezone: s.timezone,
      cancellationWindowHours: 24,
    });
    const salonId = String(salon._id);
    if (i === 0) firstSalonId = salonId;
    const services = await models.Service.insertMany(s.services.map((svc) => ({ ...svc, salonId, currency: 'EUR', active: true })));
    const serviceIds = services.map((svc) => String(svc._id));
    await models.Staff.insertMany(
      s.staff.map((name, n) => ({
        salonId,
        name,
        serviceIds,
        workingHours: n % 2 === 0 ? week('09:00', '17:00') : week('12:00', '20:00'),
        breaks: n % 2 === 0 ? week('13:00', '14:00') : week('16:00', '16:30'),
        timeOff: [],
      })),
    );
    if (i === 0) {
      await models.Promotion.create({
        salonId,
        serviceIds: [serviceIds[2]!],
        discountPercent: 20,
        startsAt: now,
        endsAt: new Date(now.getTime() + 30 * 86_400_000),
      });
    }
  }
  await models.User.updateOne(
    { email: DEMO_ACCOUNTS.client },
    { $setOnInsert: { name: 'Cliente Demo', role: 'client', passwordHash } },
    { upsert: true },
  );
  await models.User.updateOne(
    { email: DEMO_ACCOUNTS.salonAdmin },
    { $setOnInsert: { name: 'Admin Madrid', role: 'salon_admin', salonId: firstSalonId, passwordHash } },
    { upsert: true },
  );
  return true;
}
