/**
 * The load: clients booking through the gateway as a real client would — one
 * Idempotency-Key per booking, retried with the same key on 5xx, 429 or no answer until
 * a 202 or a deadline.
 */
import crypto from 'node:crypto';
import type { ApiClient } from '../test/support/gateway';
import { cardFor, intendedFor, slotStart, type TrialSalon } from './fixtures';
import type { Outcome, Submission } from './invariants';

export interface BookingRequest {
  client: ApiClient;
  body: { salonId: string; serviceId: string; staffId?: string; start: string; paymentMethod: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const retryable = (status: number): boolean => status === 0 || status === 429 || status >= 500;

/** POSTs one booking, retrying with the same key (backoff 250 ms → 2 s) until accepted or the deadline. */
export async function submitBooking(req: BookingRequest, deadlineMs = 90_000): Promise<Submission> {
  const key = crypto.randomUUID();
  const deadline = Date.now() + deadlineMs;
  let status = 0;
  let attempts = 0;
  for (let backoff = 250; ; backoff = Math.min(backoff * 2, 2000)) {
    attempts++;
    try {
      const res = await req.client.post('/v1/bookings', req.body, { 'Idempotency-Key': key });
      status = res.status;
      if (status === 202) return { key, bookingId: res.body.bookingId as string, status, attempts };
    } catch {
      status = 0;
    }
    if (!retryable(status) || Date.now() + backoff > deadline) return { key, status, attempts };
    await sleep(backoff);
  }
}

/**
 * Submits `next(i)` at a steady rate until `stopped()` holds; resolves with every
 * submission once each has its answer. Each booking is also handed to `onAccepted`.
 */
export async function steadyLoad(opts: {
  perSecond: number;
  stopped: () => boolean;
  next: (i: number) => BookingRequest;
  onAccepted?: (s: Submission, i: number) => void;
}): Promise<Submission[]> {
  const pending: Promise<Submission>[] = [];
  const t0 = Date.now();
  for (let i = 0; !opts.stopped(); i++) {
    const req = opts.next(i);
    pending.push(
      submitBooking(req).then((s) => {
        if (s.status === 202) opts.onAccepted?.(s, i);
        return s;
      }),
    );
    // Pacing of the load, not a wait for a condition.
    const due = t0 + ((i + 1) * 1000) / opts.perSecond;
    await sleep(Math.max(0, due - Date.now()));
  }
  return Promise.all(pending);
}

/**
 * Steady load on distinct free slots of one salon (so no booking loses its slot), every
 * `declineEvery`-th with a declined card; records how each accepted booking should end.
 */
export function slotLoad(opts: {
  salon: TrialSalon;
  clients: ApiClient[];
  perSecond: number;
  declineEvery?: number;
  stopped: () => boolean;
  onAccepted?: (bookingId: string, client: ApiClient) => void;
}): { submissions: Promise<Submission[]>; intended: Map<string, Outcome> } {
  const intended = new Map<string, Outcome>();
  const clientOf = (i: number) => opts.clients[i % opts.clients.length]!;
  const submissions = steadyLoad({
    perSecond: opts.perSecond,
    stopped: opts.stopped,
    next: (i) => ({
      client: clientOf(i),
      body: { salonId: opts.salon.salonId, serviceId: opts.salon.serviceId, start: slotStart(i), paymentMethod: cardFor(i, opts.declineEvery) },
    }),
    onAccepted: (s, i) => {
      intended.set(s.bookingId!, intendedFor(cardFor(i, opts.declineEvery)));
      opts.onAccepted?.(s.bookingId!, clientOf(i));
    },
  });
  return { submissions, intended };
}
