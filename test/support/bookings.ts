/** Booking helpers shared by the HTTP tests. */
import { DateTime } from 'luxon';
import type { ApiClient } from './gateway';
import { eventually } from './wait';

/** `hhmm` local time, `days` ahead, in the salon's zone (Europe/Madrid unless told). */
export const at = (days: number, hhmm = '10:00', zone = 'Europe/Madrid'): string =>
  DateTime.now()
    .setZone(zone)
    .plus({ days })
    .set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3)), second: 0, millisecond: 0 })
    .toISO()!;

export const TERMINAL = ['confirmed', 'failed', 'cancelled'];

/** The booking once it reaches one of `statuses` (terminal by default). */
export async function settled(client: ApiClient, bookingId: string, statuses = TERMINAL, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const res = await client.get(`/v1/bookings/${bookingId}`);
      return statuses.includes(res.body.status) ? res.body : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `booking ${bookingId} to reach ${statuses.join('|')}` },
  );
}
