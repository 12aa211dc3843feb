/**
 * The load: clients booking through the gateway as a real client would — one
 * Idempotency-Key per booking, retried with the same key on 5xx, 429 or no answer until
 * a 202 or a deadline.
 */
import crypto from 'node:crypto';
import type { ApiClient } from '../test/support/gateway';
import { cardFor, intendedFor, slotStart, type TrialSalon } from './fixtures';
import type { Outcome, Submission } from './invariants';
import { pause } from './pause';

export interface BookingRequest {
  client: ApiClient;
  body: { salonId: string; serviceId: string; staffId?: string; start: string; paymentMethod: string };
}
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
    await pause(backoff);
  }
}

export interface SlotLoad {
  /** How each accepted booking should end (its card decides). */
  intended: Map<string, Outcome>;
  /** Submits `count` more bookings at once, on top of the steady rate. */
  burst(count: number): void;
  /** Every submission, once the load has stopped and each has its answer. */
  submissions(): Promise<Submission[]>;
}

/**
 * Steady load on distinct free slots of one salon (so no booking loses its slot), every
 * `declineEvery`-th with a declined card, until `stopped()`; records how each accepted
 * booking should end.
 */
export function slotLoad(opts: {
  salon: TrialSalon;
  clients: ApiClient[];
  perSecond: number;
  declineEvery?: number;
  stopped: () => boolean;
  onAccepted?: (bookingId: string, client: ApiClient) => void;
}): SlotLoad {
  const intended = new Map<string, Outcome>();
  const pending: Promise<Submission>[] = [];
  let next = 0;
  const submitNext = (): void => {
    const i = next++;
    const client = opts.clients[i % opts.clients.length]!;
    const card = cardFor(i, opts.declineEvery);
    const body = { salonId: opts.salon.salonId, serviceId: opts.salon.serviceId, start: slotStart(i), paymentMethod: card };
    pending.push(
      submitBooking({ client, body }).then((s) => {
        if (s.bookingId) {
          intended.set(s.bookingId, intendedFor(card));
          opts.onAccepted?.(s.bookingId, client);
        }
        return s;
      }),
    );
  };
  const paced = (async () => {
    const t0 = Date.now();
    for (let k = 0; !opts.stopped(); k++) {
      submitNext();
      // Pacing of the load, not a wait for a condition.
      await pause(Math.max(0, t0 + ((k + 1) * 1000) / opts.perSecond - Date.now()));
    }
  })();
  return {
    intended,
    burst: (count) => Array.from({ length: count }, submitNext),
    submissions: async () => {
      await paced;
      return Promise.all(pending);
    },
  };
}
