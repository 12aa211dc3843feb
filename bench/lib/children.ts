/**
 * The product's processes (gateway, dispatcher, booking worker) and the bare baselines,
 * each run as its own Node process so load generator and server never share an event
 * loop. They run compiled, as the image runs them (`tsc -p bench/tsconfig.compiled.json`
 * once per bench run into <state>/build: tsx's loader and source maps would add some
 * 40–60 MiB to each and CPU to every stack trace); BENCH_TSX=1 runs the sources under
 * tsx instead. Output goes to <state>/logs/bench-<name>.log; BENCH_NODE_ARGS adds Node
 * flags (e.g. `--cpu-prof --cpu-prof-dir=.instudio/profiles`) to every child.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../src/config';
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

let built: Promise<string> | undefined;
/** The compiled entry point of a TypeScript one (compiled once per run, beside the logs' state directory). */
async function compiled(entry: string, logDir: string): Promise<string> {
  if (process.env.BENCH_TSX === '1') return entry;
  const outDir = path.join(path.dirname(logDir), 'build');
  built ??= promisify(execFile)(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(repoRoot, 'bench/tsconfig.compiled.json'), '--outDir', outDir], { cwd: repoRoot }).then(
    () => outDir,
  );
  return path.join(await built, entry.replace(/\.ts$/, '.js'));
}

export async function startChild(opts: ChildOptions): Promise<Child> {
  const child = startProcess({
    name: opts.name,
    entry: await compiled(opts.entry, opts.logDir),
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
