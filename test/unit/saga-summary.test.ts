import { sagaSummary } from '../../src/domain/saga-summary';
import type { BookingInput } from '../../src/shared/booking';

const input: BookingInput = {
  bookingId: 'b'.repeat(32),
  customerId: 'client-1',
  salonId: 'salon-1',
  serviceId: 'service-1',
  start: '2026-10-25T09:30:00.000Z', // the day Madrid leaves summer time
  paymentMethod: 'pm_card_visa',
  priority: 'normal',
  correlationId: 'r1',
  requestedAt: '2026-10-01T08:00:00.000Z',
};

test('the summary names the service, the salon and the local time with its zone', () => {
  const { staticSummary, staticDetails } = sagaSummary(input, { salonName: 'Salón Sol', serviceName: 'Corte', timezone: 'Europe/Madrid' });
  // 09:30 UTC is 10:30 in Madrid once summer time has ended that morning.
  expect(staticSummary).toBe('Corte at Salón Sol, Sun 25 Oct 2026, 10:30 (Europe/Madrid)');
  expect(staticDetails.split('\n')).toEqual([
    `**Booking** ${input.bookingId}`,
    '**Salon** Salón Sol (salon-1)',
    '**Service** Corte (service-1)',
    '**When** Sun 25 Oct 2026, 10:30 (Europe/Madrid); 2026-10-25T09:30:00.000Z UTC',
    '**Client** client-1',
    '**Priority** normal',
    '**Requested** 2026-10-01T08:00:00.000Z',
  ]);
});

test('without the names (a command put back by the reconciler) it shows the ids, in UTC', () => {
  expect(sagaSummary({ ...input, staffId: 'staff-9' }).staticSummary).toBe('service service-1 at salon salon-1, Sun 25 Oct 2026, 09:30 (UTC)');
  expect(sagaSummary({ ...input, staffId: 'staff-9' }).staticDetails).toContain('**Staff** staff-9');
});
