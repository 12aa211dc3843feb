/**
 * What the Temporal UI shows of a booking saga: a one-line summary in the workflow list
 * and details on its page (salon, service, local date and time with its zone, client,
 * priority), so an operator sees what each run is, not only `booking:<id>`.
 */
import { DateTime } from 'luxon';
import type { BookingInput } from '../shared/booking';

/** Names the gateway knows when it prices the booking (absent: ids are shown instead). */
export interface BookingDisplay {
  salonName: string;
  serviceName: string;
  /** The salon's IANA time zone. */
  timezone: string;
}

export function sagaSummary(input: BookingInput, display?: BookingDisplay): { staticSummary: string; staticDetails: string } {
  const start = DateTime.fromISO(input.start, { zone: display?.timezone ?? 'UTC' });
  const when = `${start.toFormat('ccc d LLL yyyy, HH:mm')} (${display?.timezone ?? 'UTC'})`;
  const service = display ? display.serviceName : `service ${input.serviceId}`;
  const salon = display ? display.salonName : `salon ${input.salonId}`;
  return {
    staticSummary: `${service} at ${salon}, ${when}`,
    staticDetails: [
      `**Booking** ${input.bookingId}`,
      `**Salon** ${display ? `${display.salonName} (${input.salonId})` : input.salonId}`,
      `**Service** ${display ? `${display.serviceName} (${input.serviceId})` : input.serviceId}`,
      ...(input.staffId ? [`**Staff** ${input.staffId}`] : []),
      `**When** ${when}; ${input.start} UTC`,
      `**Client** ${input.customerId}`,
      `**Priority** ${input.priority}`,
      `**Requested** ${input.requestedAt}`,
    ].join('\n'),
  };
}
