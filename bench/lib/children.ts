/**
 * The product's processes (gateway, dispatcher, booking worker) and the bare baselines,
 * each run as its own Node process so load generator and server never share an event
 * loop. Output goes to <state>/logs/bench-<name>.log; BENCH_NODE_ARGS adds Node flags
 * (e.g. `--cpu-prof --cpu-prof-dir=.instudio/profiles`) to every child.
 */
import path from 'node:path';
import { startProcess } from '../../src/shared/child-process';

export interface Child {
  name: string;
  pid: number;
  stop(): Promise<void>;
}

export interface ChildOptions {
  name: string;
  /** A TypeScript entry point, relative to the repository root. */
  entry: string;
  env: NodeJS.ProcessEnv;
  logDir: string;
  /**
   * Ready once a stdout line matches, or once `ready()` resolves true; otherwise once
   * the process says so itself (the product's processes do, through runProcess).
   */
  readyLine?: RegExp;
  ready?: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export async function startChild(opts: ChildOptions): Promise<Child> {
  const child = startProcess({
    name: opts.name,
    entry: opts.entry,
    env: opts.env,
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
    logFile: path.join(opts.logDir, `bench-${opts.name}.log`),
    ...(opts.readyLine ? { readyLine: opts.readyLine } : {}),
    ...(opts.ready ? { readyProbe: opts.ready } : {}),
    readyTimeoutMs: opts.readyTimeoutMs ?? 60_000,
  });
  try {
    await child.ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    name: opts.name,
    pid: child.pid,
    async stop() {
      await child.stop(15_000);
    },
  };
}

/** Stops children in reverse order of their start (intake before what it feeds). */
export async function stopAll(started: readonly Child[]): Promise<void> {
  for (const c of [...started].reverse()) await c.stop();
}
