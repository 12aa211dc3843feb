/**
 * What a trial books against: a fresh salon (one staff member working 09:00–18:00 every
 * day, a 30-minute service; test/support's newSalon), a few clients, and start times.
 */
import { DateTime } from 'luxon';
import { type ApiClient, newClient, newSalon } from '../test/support/gateway';
import type { Outcome } from './invariants';

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

/** Test cards: one that pays, one declined at charge time (on localstripe and Stripe alike). */
export const CARDS = { good: 'pm_card_visa', declined: 'pm_card_chargeCustomerFail' } as const;

/** The card of the i-th request: every `declineEvery`-th one is declined (never, when 0). */
export const cardFor = (i: number, declineEvery = 0): string =>
  declineEvery > 0 && i % declineEvery === declineEvery - 1 ? CARDS.declined : CARDS.good;

/** How a booking on a free slot should end with this card. */
export const intendedFor = (card: string): Outcome =>
  card === CARDS.declined ? { status: 'failed', failureReason: 'payment_declined' } : { status: 'confirmed' };
