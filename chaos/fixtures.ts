/**
 * What a trial books against: a fresh salon (one staff member working 09:00–18:00 every
 * day, a 30-minute service; test/support's newSalon), a few clients, and start times.
 */
import { DateTime } from 'luxon';
import { type ApiClient, newClient, newSalon } from '../test/support/gateway';

export const TIMEZONE = 'Europe/Madrid';
const DAY_SLOTS = 18; // 09:00 … 17:30, every 30 minutes
const SLOT_MIN = 30;

export interface TrialSalon {
  salonId: string;
  serviceId: string;
  staffId: string;
  priceCents: number;
}

export async function trialSalon(operator: ApiClient, priceCents = 2500): Promise<TrialSalon> {
  return { ...(await newSalon(operator, { timezone: TIMEZONE, durationMin: SLOT_MIN, priceCents })), priceCents };
}

export async function trialClients(api: ApiClient, count: number): Promise<ApiClient[]> {
  return Promise.all(Array.from({ length: count }, async () => (await newClient(api)).api));
}

/**
 * The n-th distinct 30-minute start, day after day from `fromDays` days ahead (far
 * enough that a cancellation is refunded in full and the priority is normal).
 */
export function slotStart(n: number, fromDays = 3): string {
  const day = DateTime.now().setZone(TIMEZONE).startOf('day').plus({ days: fromDays + Math.floor(n / DAY_SLOTS) });
  return day.set({ hour: 9 }).plus({ minutes: SLOT_MIN * (n % DAY_SLOTS) }).toUTC().toISO()!;
}
