/**
 * The booking worker SIGKILLed 20 times at random moments while bookings (some declined,
 * some cancelled once confirmed) keep arriving: every saga still ends, each confirmed
 * booking is charged exactly once, everything else voided or refunded, no hold left.
 */
import type { Models } from '../../src/infra/models';
import type { ApiClient } from '../../test/support/gateway';
import { eventually } from '../../test/support/wait';
import { trialClients, trialSalon } from '../fixtures';
import { TERMINAL_STATUSES } from '../invariants';
import { slotLoad } from '../load';
import { settleAndCheck, type Trial } from '../trial';
import { pause } from '../pause';

const KILLS = 20;
/**
 * Workers alive at once. A kill never takes the last polling one, so sagas progress
 * while the replacements start (bundling the workflows takes 10–60 s on a busy 2-core
 * machine).
 */
const POOL = 3;
/** The kills must be done within this (the trial stays bounded on a slow machine). */
const KILL_PHASE_LIMIT_MS = 6 * 60_000;
/**
 * Within what FerretDB on SQLite sustains on 2 cores while workers restart (heavier
 * load times activities out on SQLITE_BUSY and the run measures the stack, not crashes).
 */
const PER_SECOND = 0.5;
/** Every DECLINE_EVERY-th booking pays with a card declined at charge time. */
const DECLINE_EVERY = 10;
/** Every CANCEL_EVERY-th accepted booking is cancelled by its client once confirmed. */
const CANCEL_EVERY = 7;
/** A worker works at least this long before it may be killed, so sagas progress between kills. */
const MIN_LIFE_MS = 5000;
/** Bookings sent at once just before a kill, so the victim is caught mid-saga. */
const BURST = 3;
/** The kill lands at a random moment within this window after the burst. */
const KILL_WINDOW_MS = [500, 4000] as const;

/** Cancels a booking once it is confirmed (nothing to do if it failed); returns the HTTP status or undefined. */
async function cancelOnceConfirmed(models: Models, client: ApiClient, bookingId: string): Promise<number | undefined> {
  const status = await eventually(
    async () => {
      const b = await models.Booking.findById(bookingId, { status: 1 }).lean();
      return b && TERMINAL_STATUSES.includes(b.status) ? b.status : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 2000, what: `booking ${bookingId} to settle` },
  ).catch(() => undefined);
  if (status !== 'confirmed') return undefined;
  return (await client.post(`/v1/bookings/${bookingId}/cancel`)).status;
}

export const workerKills: Trial = {
  name: 'worker-kills',
  title: `${KILLS} SIGKILLs of the booking worker during load`,
  async run(ctx) {
    await ctx.workers.ensure(POOL);
    const salon = await trialSalon(ctx.operator);
    const clients = await trialClients(ctx.api, 10);
    const accepted: string[] = [];
    const cancels: Promise<[string, number | undefined]>[] = [];
    let stopped = false;
    const load = slotLoad({
      salon,
      clients,
      perSecond: PER_SECOND,
      declineEvery: DECLINE_EVERY,
      stopped: () => stopped,
      onAccepted: (bookingId, client) => {
        accepted.push(bookingId);
        if (accepted.length % CANCEL_EVERY === 0) cancels.push(cancelOnceConfirmed(ctx.gateway.models, client, bookingId).then((s) => [bookingId, s]));
      },
    });

    const inFlightAtKill: number[] = [];
    const killDeadline = Date.now() + KILL_PHASE_LIMIT_MS;
    const victimNow = () => {
      const ready = ctx.workers.ready();
      const candidates = ready.filter((w) => w.readyForMs() >= MIN_LIFE_MS);
      return ready.length >= 2 ? candidates[Math.floor(Math.random() * candidates.length)] : undefined;
    };
    try {
      while (inFlightAtKill.length < KILLS && Date.now() < killDeadline) {
        const victim = await eventually(victimNow, {
          timeoutMs: Math.max(0, killDeadline - Date.now()),
          intervalMs: 200,
          what: 'a worker to kill while another one polls',
        }).catch(() => undefined);
        if (!victim) break;
        load.burst(BURST);
        await pause(KILL_WINDOW_MS[0] + Math.random() * (KILL_WINDOW_MS[1] - KILL_WINDOW_MS[0])); // a random point in those sagas
        if (!victim.isAlive()) continue;
        const inFlight = await ctx.gateway.models.Booking.countDocuments({ _id: { $in: accepted }, status: { $in: ['pending', 'held'] } });
        await ctx.workers.kill(victim);
        inFlightAtKill.push(inFlight);
        ctx.log(`kill ${inFlightAtKill.length}/${KILLS}: worker ${victim.n} (pid ${victim.pid}) with ${inFlight} sagas in flight`);
        ctx.workers.spawn(); // the replacement starts while the load goes on
      }
    } finally {
      stopped = true;
    }
    const submissions = await load.submissions();
    await ctx.workers.ensure(POOL);
    const cancelled = (await Promise.all(cancels)).filter(([, status]) => status === 202).map(([id]) => id);
    for (const id of cancelled) load.intended.set(id, { status: 'cancelled' });
    const { checks, stats } = await settleAndCheck(ctx, { submissions, salonIds: [salon.salonId], intended: load.intended });
    const killsDone = inFlightAtKill.length < KILLS ? [`only ${inFlightAtKill.length} of ${KILLS} kills within ${KILL_PHASE_LIMIT_MS / 60_000} min`] : [];
    checks.unshift({ name: `${KILLS} workers SIGKILLed mid-load`, violations: killsDone });
    return {
      stats: {
        ...stats,
        kills: inFlightAtKill.length,
        meanInFlightAtKill: Math.round(inFlightAtKill.reduce((a, b) => a + b, 0) / Math.max(1, inFlightAtKill.length)),
        cancelsAccepted: cancelled.length,
      },
      checks,
    };
  },
};
