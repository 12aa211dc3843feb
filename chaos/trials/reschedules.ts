/**
 * Confirmed bookings of three salons — prepay, deposit and card_hold — moved again and
 * again, often onto each other's times, and some cancelled meanwhile, while the booking
 * worker is SIGKILLed: each move is answered 200 (moved) or 409 (taken, cancelled, or
 * another move of it under way), a 202 (no worker answered in time) is asked again with
 * the same Idempotency-Key until it is one of those; no staff member is ever booked twice,
 * every booking holds exactly its own time (a cancelled one none), is where its last
 * accepted move put it, its money is what its policy takes (a cancelled one's refunded
 * or voided), and it has one reserva.reprogramada per move.
 */
import crypto from 'node:crypto';
import type { ApiClient } from '../../test/support/gateway';
import { eventually } from '../../test/support/wait';
import { slotStart, trialClients, trialSalon, type TrialSalon } from '../fixtures';
import { holdsMatchTimes, type MoveAnswer, movesAsAnswered } from '../invariants';
import { submitBooking } from '../load';
import { pause } from '../pause';
import { readBookings } from '../observe';
import { settleAndCheck, type Trial } from '../trial';

/** One salon per payment policy, each with BOOKINGS_PER_SALON bookings. */
const POLICIES = [{ payment: 'prepay' }, { payment: 'deposit', depositPercent: 30 }, { payment: 'card_hold', lateCancelFeePercent: 50 }] as const;
const BOOKINGS_PER_SALON = 4;
/** Starts a move may ask for, in its salon: the bookings' own and as many free ones. */
const TARGETS = 8;
/** Bookings cancelled by their client (early: full refund or void) while the moves go on, one per salon. */
const CANCEL_AT_ROUND = 10;
const ROUNDS = 25;
/** Bookings moved at once per round (distinct ones: a booking's moves are one after another). */
const PER_ROUND = 3;
const KILLS = 6;
const POOL = 3;
const MIN_LIFE_MS = 5000;
/** How long a move is asked again (same key) until it has a definite answer. */
const ANSWER_DEADLINE_MS = 180_000;

/** POSTs one move, again with the same key on 202, 5xx, 429 or no answer, until 200 or 4xx or the deadline. */
async function move(client: ApiClient, bookingId: string, start: string): Promise<MoveAnswer> {
  const key = crypto.randomUUID();
  const deadline = Date.now() + ANSWER_DEADLINE_MS;
  let status = 0;
  for (let backoff = 500; ; backoff = Math.min(backoff * 2, 4000)) {
    try {
      status = (await client.post(`/v1/bookings/${bookingId}/reschedule`, { start }, { 'Idempotency-Key': key })).status;
    } catch {
      status = 0;
    }
    const again = status === 0 || status === 202 || status === 429 || status >= 500;
    if (!again || Date.now() + backoff > deadline) return { bookingId, start, status };
    await pause(backoff);
  }
}

export const reschedules: Trial = {
  name: 'reschedules',
  title: `${ROUNDS * PER_ROUND} reschedules of ${POLICIES.length * BOOKINGS_PER_SALON} bookings (prepay, deposit, card_hold) and ${POLICIES.length} cancellations with ${KILLS} SIGKILLs of the booking worker`,
  async run(ctx) {
    await ctx.workers.ensure(POOL);
    const salons: TrialSalon[] = [];
    for (const policy of POLICIES) {
      const salon = await trialSalon(ctx.operator);
      const res = await ctx.operator.patch(`/v1/salons/${salon.salonId}`, { policy });
      if (res.status !== 200) throw new Error(`policy ${policy.payment}: ${res.status} ${JSON.stringify(res.body)}`);
      salons.push(salon);
    }
    const clients = await trialClients(ctx.api, POLICIES.length * BOOKINGS_PER_SALON);
    // Salon k's bookings take slots 0..BOOKINGS_PER_SALON-1 of its own staff member; moves stay within its first TARGETS slots.
    const plan = clients.map((client, i) => ({ client, salon: salons[Math.floor(i / BOOKINGS_PER_SALON)]!, slot: i % BOOKINGS_PER_SALON }));
    const submissions = await Promise.all(
      plan.map(({ client, salon, slot }) =>
        submitBooking({ client, body: { salonId: salon.salonId, serviceId: salon.serviceId, start: slotStart(slot), paymentMethod: 'pm_card_visa' } }),
      ),
    );
    const booked = submissions.flatMap((s, i) => (s.bookingId ? [{ id: s.bookingId, client: plan[i]!.client, salon: plan[i]!.salon }] : []));
    await eventually(async () => ((await readBookings(ctx.gateway.models, booked.map((b) => b.id))).every((b) => b.status === 'confirmed') ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 1000,
      what: 'every booking confirmed before the moves',
    });
    const firstStarts = new Map((await readBookings(ctx.gateway.models, booked.map((b) => b.id))).map((b) => [b.id, b.start]));
    ctx.log(`${booked.length} bookings confirmed in ${salons.length} salons (${POLICIES.map((p) => p.payment).join(', ')}); moving them while killing workers`);

    let moving = true;
    const answers: MoveAnswer[] = [];
    const cancelled: string[] = [];
    const moves = (async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const picked = [...booked].sort(() => Math.random() - 0.5).slice(0, PER_ROUND);
        const cancels =
          round === CANCEL_AT_ROUND
            ? salons.map(async (salon) => {
                const victim = booked.find((b) => b.salon === salon)!;
                const res = await victim.client.post(`/v1/bookings/${victim.id}/cancel`);
                if (res.status === 202) cancelled.push(victim.id);
              })
            : [];
        const [moved] = await Promise.all([
          Promise.all(picked.map((b) => move(b.client, b.id, slotStart(Math.floor(Math.random() * TARGETS))))),
          ...cancels,
        ]);
        answers.push(...moved);
        await pause(300 + Math.random() * 700); // the moves spread over the kills
      }
      moving = false;
    })();
    let kills = 0;
    while (moving && kills < KILLS) {
      await pause(2000 + Math.random() * 4000);
      const victims = ctx.workers.ready().filter((w) => w.readyForMs() >= MIN_LIFE_MS);
      if (!moving || ctx.workers.ready().length < 2 || victims.length === 0) continue;
      const victim = victims[Math.floor(Math.random() * victims.length)]!;
      await ctx.workers.kill(victim);
      kills++;
      ctx.log(`kill ${kills}/${KILLS}: worker ${victim.n} (pid ${victim.pid}) mid-moves (${answers.length} answered so far)`);
      ctx.workers.spawn();
    }
    await moves;
    await ctx.workers.ensure(POOL);

    const intended = new Map(booked.map((b) => [b.id, { status: cancelled.includes(b.id) ? ('cancelled' as const) : ('confirmed' as const) }]));
    const { snapshot, checks, stats } = await settleAndCheck(ctx, { submissions, salonIds: salons.map((s) => s.salonId), intended });
    const count = (status: number) => answers.filter((a) => a.status === status).length;
    return {
      stats: { ...stats, moves: answers.length, moved: count(200), refused: count(409), kills, cancelsAccepted: cancelled.length },
      checks: [
        { name: `${KILLS} workers SIGKILLed mid-moves`, violations: kills < KILLS ? [`only ${kills} of ${KILLS} kills before the moves ended`] : [] },
        { name: 'each move answered, each booking where its last move put it', violations: movesAsAnswered(snapshot.bookings, firstStarts, answers) },
        { name: 'each booking holds exactly its own time', violations: holdsMatchTimes(snapshot.bookings, snapshot.locks) },
        ...checks,
      ],
    };
  },
};
