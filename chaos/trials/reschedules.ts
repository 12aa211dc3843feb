/**
 * Confirmed bookings moved again and again — often onto each other's times — while the
 * booking worker is SIGKILLed: each move is answered 200 (moved) or 409 (taken, or
 * another move of it under way), a 202 (no worker answered in time) is asked again
 * with the same Idempotency-Key until it is one of those; no staff member is ever booked
 * twice, every booking holds exactly its own time, is where its last accepted move put
 * it, is charged once, and has one reserva.reprogramada per move.
 */
import crypto from 'node:crypto';
import type { ApiClient } from '../../test/support/gateway';
import { eventually } from '../../test/support/wait';
import { slotStart, trialClients, trialSalon } from '../fixtures';
import { holdsMatchTimes, type MoveAnswer, movesAsAnswered } from '../invariants';
import { submitBooking } from '../load';
import { pause } from '../pause';
import { readBookings } from '../observe';
import { settleAndCheck, type Trial } from '../trial';

const BOOKINGS = 12;
/** Starts a move may ask for: the bookings' own and as many free ones. */
const TARGETS = 24;
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
  title: `${ROUNDS * PER_ROUND} reschedules of ${BOOKINGS} bookings with ${KILLS} SIGKILLs of the booking worker`,
  async run(ctx) {
    await ctx.workers.ensure(POOL);
    const salon = await trialSalon(ctx.operator);
    const clients = await trialClients(ctx.api, BOOKINGS);
    const submissions = await Promise.all(
      clients.map((client, i) => submitBooking({ client, body: { salonId: salon.salonId, serviceId: salon.serviceId, start: slotStart(i), paymentMethod: 'pm_card_visa' } })),
    );
    const booked = submissions.flatMap((s, i) => (s.bookingId ? [{ id: s.bookingId, client: clients[i]! }] : []));
    await eventually(async () => ((await readBookings(ctx.gateway.models, booked.map((b) => b.id))).every((b) => b.status === 'confirmed') ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 1000,
      what: 'every booking confirmed before the moves',
    });
    const firstStarts = new Map((await readBookings(ctx.gateway.models, booked.map((b) => b.id))).map((b) => [b.id, b.start]));
    ctx.log(`${booked.length} bookings confirmed; moving them while killing workers`);

    let moving = true;
    const answers: MoveAnswer[] = [];
    const moves = (async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const picked = [...booked].sort(() => Math.random() - 0.5).slice(0, PER_ROUND);
        answers.push(...(await Promise.all(picked.map((b) => move(b.client, b.id, slotStart(Math.floor(Math.random() * TARGETS)))))));
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

    const { snapshot, checks, stats } = await settleAndCheck(ctx, { submissions, salonIds: [salon.salonId] });
    const count = (status: number) => answers.filter((a) => a.status === status).length;
    return {
      stats: { ...stats, moves: answers.length, moved: count(200), refused: count(409), kills },
      checks: [
        { name: `${KILLS} workers SIGKILLed mid-moves`, violations: kills < KILLS ? [`only ${kills} of ${KILLS} kills before the moves ended`] : [] },
        { name: 'each move answered, each booking where its last move put it', violations: movesAsAnswered(snapshot.bookings, firstStarts, answers) },
        { name: 'each booking holds exactly its own time', violations: holdsMatchTimes(snapshot.bookings, snapshot.locks) },
        ...checks,
      ],
    };
  },
};
