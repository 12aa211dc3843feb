/**
 * One harness for running a product process (or a bench baseline) as a child: start it,
 * know when it is ready, keep the end of its output, stop it. `npm start`, the
 * autoscaler's worker pool, the tests, the bench and chaos all start processes with it.
 *
 * Ready means what the process itself says: `runProcess` sends `{type: 'ready'}` over
 * the IPC channel once the process is ready (connected, polling, in its consumer
 * group). A process that is not the product's may be watched for a line or probed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from '../config';

export interface ProcessSpec {
  name: string;
  /** The entrypoint: relative to the repository root or absolute; `.ts` runs under tsx's loader. */
  entry: string;
  /** Its environment (default: this process's), over MALLOC_ENV. */
  env?: NodeJS.ProcessEnv;
  /** Node flags before the entrypoint (e.g. `--cpu-prof`), after NODE_HEAP_ARGS (so a flag here wins). */
  nodeArgs?: string[];
  /** Its own process group, so a signal reaches every process it started. */
  detached?: boolean;
  /** Where its output goes: appended to a file, or echoed to this process's stdout/stderr. */
  logFile?: string;
  echo?: boolean;
  /** Ready once a line of its output matches (instead of the IPC message). */
  readyLine?: RegExp;
  /** Ready once this probe answers true (instead of the IPC message). */
  readyProbe?: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProductProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves once it is ready; rejects if it exits or times out first. */
  readonly ready: Promise<void>;
  isReady(): boolean;
  /** ms since it became ready (0 while not ready or gone). */
  readyForMs(): number;
  isAlive(): boolean;
  readonly exited: Promise<Exit>;
  /** The last lines it printed. */
  tail(lines?: number): string;
  /** Its last error: the message of its last error-level log line, else its last line. */
  lastError(): string | undefined;
  /** Sends a signal (to its whole group when detached). */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM (a clean shutdown), SIGKILL once `graceMs` has passed. */
  stop(graceMs?: number): Promise<Exit>;
}

const KEEP_LINES = 200;
const DEFAULT_READY_TIMEOUT_MS = 120_000; // a booking worker bundles its workflows first

/**
 * Memory settings for every process started here — the product's and the bench's bare
 * baselines alike — and in the image (the Dockerfile repeats them; a unit test keeps the
 * two the same). Each is measured by the saga benchmark (booking worker at its peak,
 * same CPU per booking either way):
 * - V8 sizes its heap for the machine's memory: on a large host it lets the old
 *   generation grow about 4× past the live data before a full collection, and each
 *   isolate's young generation to 3 × 16 MiB. A booking worker runs four isolates (its
 *   main thread and one workflow thread per priority). With NODE_HEAP_ARGS V8 grows the
 *   old generation by ~1.3× and keeps 2 MiB semi-spaces: 397 → 325 MiB. 384 MiB of old
 *   generation is several times any product process's live heap (≤ 60 MiB at
 *   saturation, `--trace-gc`).
 * - glibc gives each thread that allocates its own malloc arena (up to 8 per core), and
 *   freed memory stays in them; Node's thread pool and the Temporal core's threads make
 *   many. Two arenas (MALLOC_ENV): 325 → 292 MiB, the gateway 237 → 171 MiB.
 */
export const NODE_HEAP_ARGS = ['--max-semi-space-size=2', '--max-old-space-size=384'] as const;
export const MALLOC_ENV = { MALLOC_ARENA_MAX: '2' } as const;

/** The message `runProcess` sends its parent once the process is ready. */
export const READY_MESSAGE = { type: 'ready' } as const;

export function startProcess(spec: ProcessSpec): ProductProcess {
  const entry = path.isAbsolute(spec.entry) ? spec.entry : path.join(repoRoot, spec.entry);
  const env: NodeJS.ProcessEnv = { ...MALLOC_ENV, ...(spec.env ?? process.env) };
  // A flag on the command line would override the same one in NODE_OPTIONS: the operator's wins.
  const heapArgs = NODE_HEAP_ARGS.filter((arg) => !(env.NODE_OPTIONS ?? '').includes(arg.split('=')[0]!));
  const args = [...heapArgs, ...(spec.nodeArgs ?? []), ...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), entry];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: spec.detached ?? false,
  });
  // The channel must not keep this process alive, nor the child's exit wait for it.
  child.channel?.unref();
  const log = spec.logFile ? (fs.mkdirSync(path.dirname(spec.logFile), { recursive: true }), fs.createWriteStream(spec.logFile, { flags: 'a' })) : undefined;
  const lines: string[] = [];
  let alive = true;
  let readyAt = 0;

  child.once('exit', () => (alive = false));
  // 'close' comes once its output is read to the end too, so `tail()` then holds all of it.
  const exited = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => {
      alive = false;
      log?.end();
      resolve({ code, signal });
    }),
  );

  let markReady!: () => void;
  let failReady!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined); // observed by whoever awaits it
  const becomeReady = (): void => {
    if (readyAt !== 0 || !alive) return;
    readyAt = Date.now();
    markReady();
  };

  const onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
    lines.push(line);
    if (lines.length > KEEP_LINES) lines.shift();
    log?.write(`${line}\n`);
    if (spec.echo) (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`);
    if (spec.readyLine?.test(line)) becomeReady();
  };
  readline.createInterface({ input: child.stdout! }).on('line', (l) => onLine(l, 'stdout'));
  readline.createInterface({ input: child.stderr! }).on('line', (l) => onLine(l, 'stderr'));
  if (!spec.readyLine && !spec.readyProbe) {
    child.on('message', (m: unknown) => {
      if ((m as { type?: string } | null)?.type === READY_MESSAGE.type) becomeReady();
    });
  }

  const timeoutMs = spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const where = spec.logFile ? `; see ${spec.logFile}` : '';
  const timer = setTimeout(() => failReady(new Error(`${spec.name} was not ready within ${timeoutMs / 1000} s${where}\n${tail(20)}`)), timeoutMs);
  timer.unref();
  void ready.then(() => clearTimeout(timer), () => clearTimeout(timer));
  void exited.then(({ code, signal }) => {
    clearTimeout(timer);
    if (readyAt === 0) failReady(new Error(`${spec.name} exited (${signal ?? code}) before it was ready${where}\n${tail(20)}`));
  });
  if (spec.readyProbe) {
    const probe = spec.readyProbe;
    void (async () => {
      while (alive && readyAt === 0) {
        if (await probe().catch(() => false)) becomeReady();
        else await new Promise((r) => setTimeout(r, 100));
      }
    })();
  }

  function tail(n = 30): string {
    return lines.slice(-n).join('\n');
  }

  const kill = (signal: NodeJS.Signals): void => {
    if (!alive) return;
    try {
      if (spec.detached) process.kill(-child.pid!, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };

  return {
    name: spec.name,
    pid: child.pid!,
    ready,
    isReady: () => readyAt !== 0 && alive,
    readyForMs: () => (readyAt !== 0 && alive ? Date.now() - readyAt : 0),
    isAlive: () => alive,
    exited,
    tail,
    lastError: () => lastErrorOf(lines),
    kill,
    async stop(graceMs = 20_000) {
      kill('SIGTERM');
      const force = setTimeout(() => kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(force);
      return exit;
    },
  };
}

/**
 * A process's last error, from its output: a plain last line (what runProcess prints of
 * an error that ended the process), else the last error-level (pino >= 50) JSON line's
 * message with its error, else the last line.
 */
export function lastErrorOf(lines: readonly string[]): string | undefined {
  const printed = lines.filter((l) => l.trim() !== '');
  const last = printed.at(-1);
  if (last !== undefined && !last.startsWith('{')) return last;
  for (let i = printed.length - 1; i >= 0; i--) {
    try {
      const entry = JSON.parse(printed[i]!) as { level?: number; msg?: string; err?: { message?: string }; error?: string };
      if ((entry.level ?? 0) >= 50) return [entry.msg, entry.err?.message ?? entry.error].filter(Boolean).join(': ');
    } catch {
      // not a log line
    }
  }
  return last;
}
