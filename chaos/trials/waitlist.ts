/**
 * Cancellations feed waitlists while the booking worker is SIGKILLed. Each of SLOTS
 * confirmed bookings has two clients waiting for exactly its time, who answer the offer
 * as planned — the first accepts; or declines and the second accepts; or books at once
 * with a card declined at charge time and the second books at once; or lets the offer
 * lapse and the second accepts — and every booking is cancelled by its client. Checked:
 * no time offered to two entries at once (sampled throughout), every offer resolved and
 * every chain ended, each entry ended as its plan says, every freed time booked again
 * exactly once (by the entry it was meant for), no hold left in a chain's name, and the
 * common invariants over the cancelled and the waitlist bookings.
 */
import { Client, Connection } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { WaitlistEntryDoc } from '../../src/infra/models';
import { OFFER_CHAIN_WORKFLOW } from '../../src/shared/waitlist';
import type { ApiClient } from '../../test/support/gateway';
import { eventually } from '../../test/support/wait';
import { CARDS, slotStart, TIMEZONE, trialClients, trialSalon } from '../fixtures';
import type { Outcome, Submission, Violations } from '../invariants';
import { submitBooking } from '../load';
import { pause } from '../pause';
import { settleAndCheck, type Trial } from '../trial';

/** Four plans, each on SLOTS / 4 of the times. */
const PLANS = ['accept', 'decline-then-accept', 'declined-card-then-auto', 'lapse-then-accept'] as const;
type Plan = (typeof PLANS)[number];
const SLOTS = 8;
const SLOT_MIN = 30;
const KILLS = 6;
const POOL = 3;
const MIN_LIFE_MS = 5000;
/** The salon's offer window: the shortest the policy allows, so a lapse comes within the trial. */
const OFFER_MINUTES = 1;
const SAMPLE_MS = 250;
const SETTLE_MS = 5 * 60_000;

interface Waiter {
  client: ApiClient;
  entryId: string;
  /** What this client does with an offer. */
  answer: 'accept' | 'decline' | 'ignore' | 'auto';
  /** How the entry should end. */
  ends: WaitlistEntryDoc['status'];
}

interface Slot {
  plan: Plan;
  start: string;
  owner: ApiClient;
  bookingId: string;
  waiters: [Waiter, Waiter];
}

const WAITERS: Record<Plan, [Pick<Waiter, 'answer' | 'ends'> & { card?: string }, Pick<Waiter, 'answer' | 'ends'>]> = {
  accept: [{ answer: 'accept', ends: 'booked' }, { answer: 'accept', ends: 'waiting' }],
  'decline-then-accept': [{ answer: 'decline', ends: 'declined' }, { answer: 'accept', ends: 'booked' }],
  // Its waitlist booking fails on the card: the entry waits again, the time goes to the second.
  'declined-card-then-auto': [{ answer: 'auto', ends: 'waiting', card: CARDS.declined }, { answer: 'auto', ends: 'booked' }],
  // Its offer lapses: the entry waits again, the time goes to the second.
  'lapse-then-accept': [{ answer: 'ignore', ends: 'waiting' }, { answer: 'accept', ends: 'booked' }],
};

/** Joins the waitlist for exactly `start` (its local date, a window of its 30 minutes). */
async function join(client: ApiClient, salon: { salonId: string; serviceId: string }, start: string, autoBook: boolean, card: string): Promise<string> {
  const local = DateTime.fromISO(start, { zone: TIMEZONE });
  const res = await client.post('/v1/waitlist', {
    salonId: salon.salonId,
    serviceId: salon.serviceId,
    date: local.toISODate(),
    from: local.toFormat('HH:mm'),
    to: local.plus({ minutes: SLOT_MIN }).toFormat('HH:mm'),
    paymentMethod: card,
    autoBook,
  });
  if (res.status !== 201) throw new Error(`join the waitlist: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Overlapping offers of one staff member's time among the entries offered at one instant. */
function overlappingOffers(entries: readonly WaitlistEntryDoc[]): Violations {
  const offered = entries.flatMap((e) => {
    const o = e.offer;
    return e.status === 'offered' && o?.start && o.end && o.staffId ? [{ id: e._id, staffId: o.staffId, start: o.start.getTime(), end: o.end.getTime() }] : [];
  });
  const out: Violations = [];
  for (const [i, a] of offered.entries())
    for (const b of offered.slice(i + 1))
      if (a.staffId === b.staffId && a.start < b.end && b.start < a.end) out.push(`entries ${a.id} and ${b.id} were offered overlapping time at once (${new Date(a.start).toISOString()})`);
  return out;
}

export const waitlistTrial: Trial = {
  name: 'waitlist',
  title: `${SLOTS} cancellations feeding waitlists (accept, decline, declined card, lapse) with ${KILLS} SIGKILLs of the booking worker`,
  async run(ctx) {
    const { models } = ctx.gateway;
    await ctx.workers.ensure(POOL);
    const salon = await trialSalon(ctx.operator);
    const policy = await ctx.operator.patch(`/v1/salons/${salon.salonId}`, { policy: { waitlistOfferMinutes: OFFER_MINUTES } });
    if (policy.status !== 200) throw new Error(`policy: ${policy.status} ${JSON.stringify(policy.body)}`);
    const clients = await trialClients(ctx.api, SLOTS * 3);
    const plans = Array.from({ length: SLOTS }, (_, i) => PLANS[i % PLANS.length]!);

    const submissions: Submission[] = await Promise.all(
      plans.map((_, i) => submitBooking({ client: clients[i]!, body: { salonId: salon.salonId, serviceId: salon.serviceId, start: slotStart(i), paymentMethod: CARDS.good } })),
    );
    const slots: Slot[] = [];
    for (const [i, plan] of plans.entries()) {
      const bookingId = submissions[i]!.bookingId;
      if (!bookingId) throw new Error(`booking ${i}: ${submissions[i]!.status}`);
      const start = slotStart(i);
      const waiters = [] as unknown as [Waiter, Waiter];
      for (const [k, w] of WAITERS[plan].entries()) {
        const client = clients[SLOTS + 2 * i + k]!;
        const card = 'card' in w && w.card ? w.card : CARDS.good;
        waiters.push({ client, answer: w.answer, ends: w.ends, entryId: await join(client, salon, start, w.answer === 'auto', card) });
      }
      slots.push({ plan, start, owner: clients[i]!, bookingId, waiters });
    }
    await eventually(
      async () => ((await models.Booking.countDocuments({ _id: { $in: slots.map((s) => s.bookingId) }, status: 'confirmed' })) === SLOTS ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 1000, what: 'every booking confirmed before the cancellations' },
    );
    ctx.log(`${SLOTS} bookings confirmed, ${SLOTS * 2} clients waiting for their times; cancelling them while killing workers`);

    // The waiting clients answer their offers; every sample of the entries is checked for a time offered twice.
    const waiters = new Map(slots.flatMap((s) => s.waiters.map((w) => [w.entryId, w] as const)));
    const answered = new Set<string>();
    const overlaps: Violations = [];
    const answers: string[] = [];
    let watching = true;
    const responder = (async () => {
      while (watching) {
        const entries = await models.WaitlistEntry.find({ salonId: salon.salonId }).lean();
        overlaps.push(...overlappingOffers(entries));
        for (const e of entries) {
          const w = waiters.get(e._id);
          if (e.status !== 'offered' || !w || answered.has(e._id) || w.answer === 'ignore' || w.answer === 'auto') continue;
          answered.add(e._id);
          const res = await w.client.post(`/v1/waitlist/${e._id}/${w.answer}`);
          answers.push(`${e._id} ${w.answer}: ${res.status}`);
          if (res.status >= 300) answered.delete(e._id); // asked again at the next sample
        }
        await pause(SAMPLE_MS);
      }
    })();

    const cancels = (async () => {
      for (const s of slots) {
        const res = await s.owner.post(`/v1/bookings/${s.bookingId}/cancel`);
        if (res.status !== 202) throw new Error(`cancel ${s.bookingId}: ${res.status} ${JSON.stringify(res.body)}`);
        await pause(1000 + Math.random() * 2000);
      }
    })();
    let kills = 0;
    let cancelling = true;
    void cancels.finally(() => (cancelling = false));
    const killUntil = Date.now() + 3 * 60_000;
    while (kills < KILLS && Date.now() < killUntil) {
      await pause(2000 + Math.random() * 3000);
      const victims = ctx.workers.ready().filter((w) => w.readyForMs() >= MIN_LIFE_MS);
      if (ctx.workers.ready().length < 2 || victims.length === 0) continue;
      const victim = victims[Math.floor(Math.random() * victims.length)]!;
      await ctx.workers.kill(victim);
      kills++;
      ctx.log(`kill ${kills}/${KILLS}: worker ${victim.n} (pid ${victim.pid}) ${cancelling ? 'mid-cancellations' : 'mid-waitlist bookings'}`);
      ctx.workers.spawn();
    }
    await cancels;
    await ctx.workers.ensure(POOL);

    // Settled: every entry where its plan ends it, and no chain still running.
    const expected = new Map([...waiters].map(([id, w]) => [id, w.ends]));
    const unsettled = async (): Promise<string[]> => {
      const entries = await models.WaitlistEntry.find({ salonId: salon.salonId }).lean();
      return entries.filter((e) => e.status !== expected.get(e._id)).map((e) => `entry ${e._id} is ${e.status}, planned ${expected.get(e._id)}`);
    };
    const connection = await Connection.connect({ address: ctx.cfg.temporal.address });
    const temporal = new Client({ connection, namespace: ctx.cfg.temporal.namespace });
    const runningChains = async () => (await temporal.workflow.count(`WorkflowType = '${OFFER_CHAIN_WORKFLOW}' AND ExecutionStatus = 'Running'`)).count;
    const t0 = Date.now();
    const entriesSettled = await eventually(async () => ((await unsettled()).length === 0 && (await runningChains()) === 0 ? true : undefined), {
      timeoutMs: SETTLE_MS,
      intervalMs: 1000,
      what: 'every entry as planned and every chain ended',
    }).catch(() => false);
    const settleViolations = entriesSettled ? [] : [...(await unsettled()), `${await runningChains()} chains still running`];
    watching = false;
    await responder;
    ctx.log(`waitlist ${entriesSettled ? 'settled' : 'NOT settled'} ${Math.round((Date.now() - t0) / 1000)} s after the last cancellation (${answers.length} answers sent)`);

    // The waitlist bookings: each freed time should be booked again once, by the entry its plan names.
    const made = await models.Booking.find({ salonId: salon.salonId, waitlistEntryId: { $exists: true } }).lean();
    const intended = new Map<string, Outcome>(slots.map((s) => [s.bookingId, { status: 'cancelled' }]));
    const refills: Violations = [];
    for (const s of slots) {
      const winner = s.waiters.find((w) => w.ends === 'booked')!;
      const confirmedHere = made.filter((b) => b.start.toISOString() === s.start && b.status === 'confirmed');
      if (confirmedHere.length !== 1 || confirmedHere[0]!.waitlistEntryId !== winner.entryId)
        refills.push(`time ${s.start} (${s.plan}): ${confirmedHere.length} confirmed waitlist bookings (${confirmedHere.map((b) => b.waitlistEntryId).join(', ')}), expected one of entry ${winner.entryId}`);
    }
    for (const b of made) {
      const w = waiters.get(b.waitlistEntryId!);
      intended.set(b._id, w?.ends === 'booked' ? { status: 'confirmed' } : { status: 'failed', failureReason: 'payment_declined' });
    }
    const chainHolds = await models.SlotLock.countDocuments({ salonId: salon.salonId, bookingId: /^offer:/ });
    await connection.close();

    const all: Submission[] = [...submissions, ...made.map((b) => ({ key: `waitlist:${b._id}`, bookingId: b._id, status: 202, attempts: 1 }))];
    const { checks, stats } = await settleAndCheck(ctx, { submissions: all, salonIds: [salon.salonId], intended });
    return {
      stats: { ...stats, slots: SLOTS, waitlistBookings: made.length, answers: answers.length, kills },
      checks: [
        { name: `${KILLS} workers SIGKILLed mid-waitlist`, violations: kills < KILLS ? [`only ${kills} of ${KILLS} kills`] : [] },
        { name: 'no time offered to two entries at once', violations: [...new Set(overlaps)] },
        { name: 'every offer resolved, every chain ended, each entry as planned', violations: settleViolations },
        { name: 'every freed time booked again exactly once, by its entry', violations: refills },
        { name: 'no hold left in a chain’s name', violations: chainHolds > 0 ? [`${chainHolds} slot locks held by offer chains`] : [] },
        ...checks,
      ],
    };
  },
};
