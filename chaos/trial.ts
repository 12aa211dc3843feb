/**
 * What a trial is given and what it returns, and the checks every trial ends with:
 * once the load is over and the bookings settled, the collected data must satisfy
 * every invariant of chaos/invariants.ts.
 */
import type Stripe from 'stripe';
import type { Config } from '../src/config';
import type { Gateway } from '../src/gateway/server';
import type { ApiClient } from '../test/support/gateway';
import {
  everyBookingTerminal,
  everyEventPublished,
  everyRequestAccepted,
  noDoubleBooking,
  noOrphanHolds,
  openStrayIntents,
  type Outcome,
  outcomesAsIntended,
  paymentsMatchBookings,
  type Submission,
  type Violations,
} from './invariants';
import { awaitSettled, snapshot, type Snapshot } from './observe';
import type { WorkerPool } from './workers';

export interface ChaosContext {
  cfg: Config;
  gateway: Gateway;
  api: ApiClient;
  operator: ApiClient;
  workers: WorkerPool;
  stripe: Stripe;
  /** Progress lines for the operator watching the run. */
  log(message: string): void;
}

export interface Check {
  name: string;
  violations: Violations;
}

export interface TrialResult {
  name: string;
  title: string;
  durationMs: number;
  /** What happened, for the table: bookings, outcomes, kills, outage length... */
  stats: Record<string, number>;
  checks: Check[];
  /** Set when the trial itself could not run to the end. */
  error?: string;
}

export interface Trial {
  name: string;
  title: string;
  run(ctx: ChaosContext): Promise<Omit<TrialResult, 'name' | 'title' | 'durationMs'>>;
}

/** How long the bookings of a trial may take to settle once its load is over. */
const SETTLE_TIMEOUT_MS = 4 * 60_000;

/** Waits for the bookings to settle, collects everything, and runs the common invariants. */
export async function settleAndCheck(
  ctx: ChaosContext,
  scope: { submissions: readonly Submission[]; salonIds: readonly string[]; intended?: ReadonlyMap<string, Outcome> },
): Promise<{ snapshot: Snapshot; checks: Check[]; stats: Record<string, number> }> {
  const accepted = scope.submissions.flatMap((s) => (s.bookingId ? [s.bookingId] : []));
  const t0 = Date.now();
  const cancelling = [...(scope.intended ?? [])].flatMap(([id, o]) => (o.status === 'cancelled' ? [id] : []));
  const open = await awaitSettled(ctx.gateway.models, accepted, cancelling, SETTLE_TIMEOUT_MS);
  ctx.log(`${accepted.length} accepted bookings: ${open === 0 ? 'all settled' : `${open} not settled`} after ${Math.round((Date.now() - t0) / 1000)} s`);
  const snap = await snapshot({ cfg: ctx.cfg, models: ctx.gateway.models, stripe: ctx.stripe }, { bookingIds: accepted, salonIds: scope.salonIds });
  const count = (status: string) => snap.bookings.filter((b) => b.status === status).length;
  return {
    snapshot: snap,
    stats: {
      requests: scope.submissions.length,
      /** Requests that needed a retry (5xx or no answer) before their 202. */
      retried: scope.submissions.filter((s) => s.attempts > 1).length,
      accepted: accepted.length,
      confirmed: count('confirmed'),
      failed: count('failed'),
      cancelled: count('cancelled'),
      settleSeconds: Math.round((Date.now() - t0) / 1000),
      openStrayIntents: openStrayIntents(snap.bookings, snap.intents).length,
    },
    checks: [
      { name: 'every request accepted (202)', violations: everyRequestAccepted(scope.submissions) },
      { name: 'every booking terminal', violations: everyBookingTerminal(accepted, snap.bookings) },
      ...(scope.intended ? [{ name: 'each booking ended as intended', violations: outcomesAsIntended(snap.bookings, scope.intended) }] : []),
      { name: 'no double booking', violations: noDoubleBooking(snap.bookings) },
      { name: 'payments match bookings', violations: paymentsMatchBookings(snap.bookings, snap.intents) },
      { name: 'no orphan holds', violations: noOrphanHolds(snap.bookings, snap.locks) },
      { name: 'every event on Kafka', violations: everyEventPublished(snap.bookings, snap.events) },
    ],
  };
}
