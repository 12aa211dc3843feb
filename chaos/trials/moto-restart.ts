/**
 * The AWS endpoint (moto: SQS and CloudWatch) restarted while bookings arrive. moto keeps
 * no state, so the intake queues vanish: the gateway and the dispatcher must re-create
 * them, clients retrying with their Idempotency-Key must be accepted, and every accepted
 * booking must still end.
 */
import { startComponent, stopComponent } from '../../scripts/stack/stack';
import { trialClients, trialSalon } from '../fixtures';
import { slotLoad } from '../load';
import { settleAndCheck, type Trial } from '../trial';
import { pause } from '../pause';

/** Load before the restart, and after moto answers again. */
const BEFORE_MS = 10_000;
const AFTER_MS = 20_000;
/** What FerretDB on SQLite sustains on a busy 2-core machine, sagas and trial reads included. */
const PER_SECOND = 1;

export const motoRestart: Trial = {
  name: 'moto-restart',
  title: 'AWS endpoint (moto) restarted during load',
  async run(ctx) {
    await ctx.workers.ensure(1);
    const salon = await trialSalon(ctx.operator);
    const clients = await trialClients(ctx.api, 10);
    let stopped = false;
    const load = slotLoad({ salon, clients, perSecond: PER_SECOND, stopped: () => stopped });
    let restartMs = 0;
    try {
      await pause(BEFORE_MS); // shapes the load; no correctness depends on it
      ctx.log('restarting moto');
      const t0 = Date.now();
      await stopComponent(ctx.cfg, 'moto');
      await startComponent(ctx.cfg, 'moto');
      restartMs = Date.now() - t0;
      await pause(AFTER_MS);
    } finally {
      stopped = true;
    }
    const submissions = await load.submissions();
    const { checks, stats } = await settleAndCheck(ctx, { submissions, salonIds: [salon.salonId], intended: load.intended });
    return { stats: { ...stats, motoRestartSeconds: Math.round(restartMs / 1000) }, checks };
  },
};
