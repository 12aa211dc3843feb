/**
 * Kafka stopped for 30 s while bookings arrive: no booking fails or hangs because of it,
 * and every event its status implies (created, then confirmed or failed) reaches Kafka.
 */
import { startComponent, stopComponent } from '../../scripts/stack/stack';
import { trialClients, trialSalon } from '../fixtures';
import { slotLoad } from '../load';
import { settleAndCheck, type Trial } from '../trial';
import { pause } from '../pause';

const OUTAGE_MS = 30_000;
/** Load before the outage and after Kafka is back. */
const AROUND_MS = 8_000;
/** What FerretDB on SQLite sustains on a busy 2-core machine, sagas and trial reads included. */
const PER_SECOND = 1;
const DECLINE_EVERY = 10;

export const kafkaOutage: Trial = {
  name: 'kafka-outage',
  title: `Kafka stopped for ${OUTAGE_MS / 1000} s during load`,
  async run(ctx) {
    await ctx.workers.ensure(1);
    const salon = await trialSalon(ctx.operator);
    const clients = await trialClients(ctx.api, 10); // registering publishes: before the outage
    let stopped = false;
    const load = slotLoad({ salon, clients, perSecond: PER_SECOND, declineEvery: DECLINE_EVERY, stopped: () => stopped });
    let outageMs = 0;
    try {
      // The durations below shape the outage; no correctness depends on them.
      await pause(AROUND_MS);
      ctx.log('stopping Kafka');
      await stopComponent(ctx.cfg, 'kafka');
      const down = Date.now();
      await pause(OUTAGE_MS);
      ctx.log('starting Kafka again');
      await startComponent(ctx.cfg, 'kafka');
      outageMs = Date.now() - down;
      await pause(AROUND_MS);
    } finally {
      stopped = true;
    }
    const submissions = await load.submissions();
    const { checks, stats } = await settleAndCheck(ctx, { submissions, salonIds: [salon.salonId], intended: load.intended });
    return { stats: { ...stats, kafkaDownSeconds: Math.round(outageMs / 1000) }, checks };
  },
};
