/**
 * Just enough of the REST API to set a benchmark up: log in, create a salon with its
 * service and staff, register clients. Every failure names the call.
 */
import crypto from 'node:crypto';
import { BENCH_CITY } from './data';
import { OPERATOR } from './product';

export interface Reply<T> {
  status: number;
  body: T;
}

export async function call<T>(baseUrl: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text) as T };
}

async function expect<T>(what: string, status: number, reply: Promise<Reply<T>>): Promise<T> {
  const r = await reply;
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const runId = (): string => `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`;

export interface BenchSalon {
  salonId: string;
  serviceId: string;
  staffIds: string[];
  /** Opening hours, every day, in UTC (the salon's time zone). */
  opensAtMin: number;
  closesAtMin: number;
  serviceMin: number;
}

/**
 * A salon in UTC open 06:00–22:00 every day, one 5-minute service and `staff` staff
 * members who all perform it: many distinct slots, so no two benchmark bookings collide.
 */
export async function createSalon(baseUrl: string, staff: number): Promise<BenchSalon> {
  const { token } = await expect<{ token: string }>('operator login', 200, call(baseUrl, 'POST', '/v1/auth/login', { body: OPERATOR }));
  const post = <T>(what: string, path: string, body: unknown) => expect<T>(what, 201, call<T>(baseUrl, 'POST', path, { token, body }));
  const salon = await post<{ id: string }>('salon', '/v1/salons', { name: `Bench ${runId()}`, city: BENCH_CITY, timezone: 'UTC' });
  const service = await post<{ id: string }>('service', `/v1/salons/${salon.id}/services`, {
    name: 'Express trim',
    durationMin: 5,
    bufferMin: 0,
    priceCents: 1500,
    currency: 'EUR',
  });
  const staffIds: string[] = [];
  for (let i = 0; i < staff; i++) {
    const s = await post<{ id: string }>('staff', `/v1/salons/${salon.id}/staff`, {
      name: `Stylist ${i + 1}`,
      serviceIds: [service.id],
      workingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '06:00', end: '22:00' })),
    });
    staffIds.push(s.id);
  }
  return { salonId: salon.id, serviceId: service.id, staffIds, opensAtMin: 6 * 60, closesAtMin: 22 * 60, serviceMin: 5 };
}

/**
 * The i-th distinct appointment start from `fromDay` days ahead (UTC midnight): slots
 * fill each day's opening hours in order, one booking per start.
 */
export function slotStart(salon: BenchSalon, i: number, fromDay = 2): string {
  const perDay = (salon.closesAtMin - salon.opensAtMin) / salon.serviceMin;
  const today = new Date();
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const day = fromDay + Math.floor(i / perDay);
  const minute = salon.opensAtMin + (i % perDay) * salon.serviceMin;
  return new Date(midnight + day * 86_400_000 + minute * 60_000).toISOString();
}

/** Registers `n` client accounts (a few at a time) and returns their tokens. */
export async function registerClients(baseUrl: string, n: number): Promise<string[]> {
  const id = runId();
  const tokens: string[] = [];
  for (let i = 0; i < n; i += 5) {
    const batch = Array.from({ length: Math.min(5, n - i) }, (_, j) =>
      expect<{ token: string }>('register', 201, call(baseUrl, 'POST', '/v1/auth/register', {
        body: { email: `bench-${id}-${i + j}@instudio.bench`, password: 'bench-client-password', name: 'Bench Client' },
      })),
    );
    tokens.push(...(await Promise.all(batch)).map((r) => r.token));
  }
  return tokens;
}

export interface BookingRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The i-th benchmark booking: its own client (round-robin), Idempotency-Key and slot. */
export function bookingRequest(salon: BenchSalon, tokens: readonly string[], i: number, key: string, fromDay?: number): BookingRequest {
  return {
    path: '/v1/bookings',
    headers: {
      authorization: `Bearer ${tokens[i % tokens.length]!}`,
      'content-type': 'application/json',
      'idempotency-key': key,
    },
    body: JSON.stringify({ salonId: salon.salonId, serviceId: salon.serviceId, start: slotStart(salon, i, fromDay), paymentMethod: 'pm_card_visa' }),
  };
}
