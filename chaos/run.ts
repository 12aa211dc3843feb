/**
 * `npm run chaos [-- --only=slot-contention,worker-kills] [--keep-stack]`
 *
 * Brings up a fresh isolated `chaos` stack (ports 3xxxx, .instudio/chaos-state, wiped
 * first), runs the product's processes against it — the gateway, the dispatcher and the
 * waitlist (its consumer, offer chains and sweep) in this process, booking workers as child processes — then the trials one after the
 * other, each ending with the invariant checks. Prints the table, writes it to
 * chaos/results/latest.json, stops everything, and exits 1 on any violation.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { down, up } from '../scripts/stack/stack';
import type { Config } from '../src/config';
import { startGateway } from '../src/gateway/server';
import { createStripe } from '../src/infra/stripe';
import { ApiClient, operatorOf } from '../test/support/gateway';
import { startDispatcher } from '../workers/dispatcher';
import { startWaitlist } from '../workers/waitlist';
import { chaosConfig } from './env';
import { pause } from './pause';
import { buildReport, formatReport, trialPassed, writeReport } from './report';
import type { ChaosContext, Trial, TrialResult } from './trial';
import { kafkaOutage } from './trials/kafka-outage';
import { motoRestart } from './trials/moto-restart';
import { reschedules } from './trials/reschedules';
import { slotContention } from './trials/slot-contention';
import { waitlistTrial } from './trials/waitlist';
import { workerKills } from './trials/worker-kills';
import { WorkerPool } from './workers';

const TRIALS: Trial[] = [slotContention, workerKills, reschedules, waitlistTrial, kafkaOutage, motoRestart];
/** The whole run, stack included, is cut off here (a hung trial must not hang CI). */
const RUN_LIMIT_MS = 25 * 60_000;
const RESULTS = path.join(__dirname, 'results', 'latest.json');

const log = (message: string): void => void process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function runTrial(ctx: ChaosContext, trial: Trial): Promise<TrialResult> {
  log(`trial ${trial.name}: ${trial.title}`);
  const t0 = Date.now();
  try {
    const outcome = await trial.run(ctx);
    return { name: trial.name, title: trial.title, durationMs: Date.now() - t0, ...outcome };
  } catch (err) {
    log(`trial ${trial.name} did not finish: ${(err as Error).stack ?? String(err)}`);
    return { name: trial.name, title: trial.title, durationMs: Date.now() - t0, stats: {}, checks: [], error: (err as Error).message };
  }
}

/**
 * Starts a product process as its supervisor would: one that fails to start (a server
 * of the fresh stack not quite ready yet) is started again, at most `attempts` times.
 */
async function supervised<T>(name: string, start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts) throw err;
      log(`${name} failed to start (${(err as Error).message}); starting it again in 2 s`);
      await pause(2000); // a supervisor's restart backoff
    }
  }
}

/** Runs the product's processes and the trials; stops the processes whatever happens. */
async function runTrials(cfg: Config, trials: Trial[]): Promise<TrialResult[]> {
  const logFile = path.join(cfg.stateDir, 'logs', 'chaos-product.log');
  const logger = pino({ level: 'warn' }, pino.destination({ dest: logFile, sync: false, mkdir: true }));
  const workers = new WorkerPool(path.join(cfg.stateDir, 'logs'));
  // The workers run in process groups of their own: never leave one behind.
  process.once('exit', () => workers.killAll());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  const gateway = await supervised('gateway', () => startGateway(cfg, logger.child({ role: 'gateway' }), { port: 0 }));
  const results: TrialResult[] = [];
  try {
    const dispatcher = await supervised('dispatcher', () => startDispatcher(cfg, logger.child({ role: 'dispatcher' })));
    const waitlist = await supervised('waitlist', () => startWaitlist(cfg, logger.child({ role: 'waitlist' })));
    try {
      const api = new ApiClient(gateway.url);
      const ctx: ChaosContext = { cfg, gateway, api, operator: await operatorOf(api), workers, stripe: createStripe(cfg), log };
      log(`gateway on ${gateway.url}; product logs in ${logFile}`);
      for (const trial of trials) {
        const result = await runTrial(ctx, trial);
        results.push(result);
        log(`trial ${trial.name}: ${trialPassed(result) ? 'passed' : 'FAILED'}`);
      }
    } finally {
      await workers.stop();
      await waitlist.stop();
      await dispatcher.stop();
    }
  } finally {
    await gateway.stop();
  }
  return results;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const trials = only ? TRIALS.filter((t) => only.includes(t.name)) : TRIALS;
  if (trials.length === 0) throw new Error(`no such trial; use --only= with ${TRIALS.map((t) => t.name).join(', ')}`);
  const startedAt = new Date();
  const cfg = chaosConfig();
  const limit = setTimeout(() => {
    log(`the run passed its limit of ${RUN_LIMIT_MS / 60_000} min: stopping the stack`);
    void down(cfg).finally(() => process.exit(2));
  }, RUN_LIMIT_MS);
  limit.unref();
  if (!cfg.stateDir.endsWith('chaos-state')) throw new Error(`refusing to wipe ${cfg.stateDir}: not the chaos stack's state`);

  log(`fresh chaos stack in ${cfg.stateDir}`);
  await down(cfg);
  fs.rmSync(cfg.stateDir, { recursive: true, force: true });
  const results: TrialResult[] = [];
  try {
    await up(cfg);
    results.push(...(await runTrials(cfg, trials)));
  } finally {
    if (!args.includes('--keep-stack')) await down(cfg);
  }

  const report = buildReport(startedAt, results);
  writeReport(report, RESULTS);
  process.stdout.write(`\n${formatReport(report)}\n(written to ${path.relative(process.cwd(), RESULTS)})\n`);
  return report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
