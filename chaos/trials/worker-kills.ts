/**
 * The booking worker SIGKILLed 20 times at random moments while bookings (some declined,
 * some cancelled once confirmed) keep arriving: every saga still ends, each confirmed
 * booking is charged exactly once, everything else voided or refunded, no hold left.
 */
import type { Models } from '../../src/infra/models';
import type { ApiClient } from '../../test/support/gateway';
import { eventually } from '../../test/support/wait';
import { slotStart, trialClients, trialSalon } from '../fixtures';
import { steadyLoad } from '../load';
import { settleAndCheck, type Trial } from '../trial';

const KILLS = 20;
const POOL = 2;
const PER_SECOND = 3;
/** Every DECLINE_EVERY-th booking pays with a card declined at charge time. */
const DECLINE_EVERY = 10;
/** Every CANCEL_EVERY-th booking is cancelled by its client once confirmed. */
const CANCEL_EVERY = 7;
/** A kill lands at a random moment 1–4 s after the previous one. */
const KILL_GAP_MS = [1000, 4000] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cancels a booking once it is confirmed (nothing to do if it failed); returns the HTTP status or undefined. */
async function cancelOnceConfirmed(models: Models, client: ApiClient, bookingId: string): Promise<number | undefined> {
  const status = await eventually(
    async () => {
      const b = await models.Booking.findById(bookingId, { status: 1 }).lean();
      return b && ['confirmed', 'failed', 'cancelled'].includes(b.status) ? b.status : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 500, what: `booking ${bookingId} to settle` },
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
    const cancels: Promise<number | undefined>[] = [];
    let stopped = false;
    const load = steadyLoad({
      perSecond: PER_SECOND,
      stopped: () => stopped,
      next: (i) => ({
        client: clients[i % clients.length]!,
        body: {
          salonId: salon.salonId,
          serviceId: salon.serviceId,
          start: slotStart(i),
          paymentMethod: i % DECLINE_EVERY === DECLINE_EVERY - 1 ? 'pm_card_chargeCustomerFail' : 'pm_card_visa',
        },
      }),
      onAccepted: (s, i) => {
        accepted.push(s.bookingId!);
        if (i % CANCEL_EVERY === CANCEL_EVERY - 1) cancels.push(cancelOnceConfirmed(ctx.gateway.models, clients[i % clients.length]!, s.bookingId!));
      },
    });

    const inFlightAtKill: number[] = [];
    try {
      for (let k = 1; k <= KILLS; k++) {
        await sleep(KILL_GAP_MS[0] + Math.random() * (KILL_GAP_MS[1] - KILL_GAP_MS[0]));
        const victim = await eventually(
          () => {
            const ready = ctx.workers.ready();
            return ready[Math.floor(Math.random() * ready.length)];
          },
          { timeoutMs: 180_000, intervalMs: 200, what: 'a polling worker to kill' },
        );
        const inFlight = await ctx.gateway.models.Booking.countDocuments({ _id: { $in: accepted }, status: { $in: ['pending', 'held'] } });
        await ctx.workers.kill(victim);
        inFlightAtKill.push(inFlight);
        ctx.log(`kill ${k}/${KILLS}: worker ${victim.n} (pid ${victim.pid}) with ${inFlight} sagas in flight`);
        ctx.workers.spawn(); // the replacement starts while the load goes on
      }
    } finally {
      stopped = true;
    }
    const submissions = await load;
    await ctx.workers.ensure(POOL);
    const cancelStatuses = await Promise.all(cancels);
    const { checks, stats } = await settleAndCheck(ctx, { submissions, salonIds: [salon.salonId] });
    return {
      stats: {
        ...stats,
        kills: inFlightAtKill.length,
        meanInFlightAtKill: Math.round(inFlightAtKill.reduce((a, b) => a + b, 0) / Math.max(1, inFlightAtKill.length)),
        cancelsAccepted: cancelStatuses.filter((s) => s === 202).length,
      },
      checks,
    };
  },
};
