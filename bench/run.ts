/**
 * `npm run bench [-- gateway saga priority fairness reschedule waitlist] [--keep-stack]`: brings the isolated bench
 * stack up (its own ports, below the ephemeral range; state in .instudio/bench-state), runs the benchmarks named (all
 * by default) one after another, prints their tables and a summary of the targets, and
 * writes bench/results/<name>.json and bench/results/summary.json. The stack is brought
 * down at the end only if this run started it (and --keep-stack was not given).
 */
import { loadConfig } from '../src/config';
import { applyProfile } from '../scripts/stack/profiles';
import { down, status, up } from '../scripts/stack/stack';
import { runFairnessBench } from './fairness';
import { runGatewayBench } from './gateway';
import { clearBenchData } from './lib/data';
import type { Target } from './lib/outcome';
import { printTable, verdict, writeResult } from './lib/report';
import { runPriorityBench } from './priority';
import { runRescheduleBench } from './reschedule';
import { runSagaBench } from './saga';
import { runWaitlistBench } from './waitlist';
import type { Config } from '../src/config';

const BENCHMARKS: Record<string, (cfg: Config) => Promise<Target[]>> = {
  gateway: runGatewayBench,
  saga: runSagaBench,
  priority: runPriorityBench,
  fairness: runFairnessBench,
  reschedule: runRescheduleBench,
  waitlist: runWaitlistBench,
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const chosen = args.filter((a) => !a.startsWith('--'));
  const unknown = chosen.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}`);
  const names = chosen.length > 0 ? chosen : Object.keys(BENCHMARKS);

  applyProfile('bench');
  const cfg = loadConfig();
  const wasUp = (await status(cfg)).every((c) => c.healthy);
  await up(cfg);
  const t0 = Date.now();
  const targets: Target[] = [];
  try {
    for (const name of names) {
      const started = Date.now();
      console.log(`\n== ${name}`);
      const cleared = await clearBenchData(cfg);
      if (cleared > 0) console.log(`(removed ${cleared} bookings of earlier benchmarks)`);
      targets.push(...(await BENCHMARKS[name]!(cfg)));
      console.log(`(${name}: ${Math.round((Date.now() - started) / 1000)} s)`);
    }
  } finally {
    if (!wasUp && !args.includes('--keep-stack')) await down(cfg);
  }
  printTable('Targets', ['benchmark', 'what', 'figure', 'target', ''], targets.map((t) => [t.benchmark, t.what, t.figure, t.target, verdict(t.met)]));
  console.log(`\nbench took ${Math.round((Date.now() - t0) / 1000)} s; results in bench/results/`);
  if (names.length === Object.keys(BENCHMARKS).length) writeResult('summary', { targets });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
