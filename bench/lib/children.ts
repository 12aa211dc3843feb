/**
 * The product's processes (gateway, dispatcher, booking worker) and the bare baselines,
 * each run as its own Node process so load generator and server never share an event
 * loop. Output goes to <state>/logs/bench-<name>.log; BENCH_NODE_ARGS adds Node flags
 * (e.g. `--cpu-prof --cpu-prof-dir=.instudio/profiles`) to every child.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from '../../src/config';

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
  /** Ready once a stdout line matches, or once `ready()` resolves true. */
  readyLine?: RegExp;
  ready?: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));

export async function startChild(opts: ChildOptions): Promise<Child> {
  fs.mkdirSync(opts.logDir, { recursive: true });
  const logPath = path.join(opts.logDir, `bench-${opts.name}.log`);
  const log = fs.createWriteStream(logPath);
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(repoRoot, opts.entry)], {
    cwd: repoRoot,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.pipe(log, { end: false });
  let sawReadyLine = false;
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    log.write(`${line}\n`);
    if (opts.readyLine?.test(line)) sawReadyLine = true;
  });

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${opts.name} exited with ${child.exitCode} before it was ready; see ${logPath}`);
    if (sawReadyLine || (opts.ready && (await opts.ready().catch(() => false)))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${opts.name} was not ready within ${(opts.readyTimeoutMs ?? 60_000) / 1000} s; see ${logPath}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    name: opts.name,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited(child);
        clearTimeout(timer);
      }
      log.end();
    },
  };
}

/** Stops children in reverse order of their start (intake before what it feeds). */
export async function stopAll(children: readonly Child[]): Promise<void> {
  for (const c of [...children].reverse()) await c.stop();
}
