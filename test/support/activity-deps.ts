/** What the activity tests share: events and metrics that go nowhere, and a pending booking on the real database. */
import type { EventPublisher } from '../../src/infra/events';
import { envelope } from '../../src/infra/events';
import { upsertPendingBooking } from '../../src/infra/bookings';
import type { Metrics } from '../../src/infra/metrics';
import type { Models } from '../../src/infra/models';
import { unique } from './ids';

export const quietEvents: EventPublisher = { publish: async (topic, _key, data, opts) => envelope(topic, data, opts), close: async () => undefined };
export const quietMetrics: Metrics = { record: () => undefined, flush: async () => undefined, close: async () => undefined };

/** A salon with one 30-minute service of 25.00 EUR, and a pending booking of it in five days. */
export async function pendingBookingOf(models: Models, customerId: string): Promise<string> {
  const salon = await models.Salon.create({ name: unique('Salon'), city: 'Madrid', cityKey: 'madrid', timezone: 'Europe/Madrid' });
  const service = await models.Service.create({ salonId: String(salon._id), name: 'Corte', durationMin: 30, priceCents: 2500, currency: 'EUR' });
  const bookingId = unique('b').replace(/[^a-f0-9]/g, '').padEnd(32, '0').slice(0, 32);
  await upsertPendingBooking(models, {
    bookingId,
    customerId,
    salonId: String(salon._id),
    serviceId: String(service._id),
    start: new Date(Date.now() + 5 * 86_400_000).toISOString(),
    paymentMethod: 'pm_card_visa',
    priority: 'normal',
    correlationId: bookingId,
    requestedAt: new Date().toISOString(),
  });
  return bookingId;
}
