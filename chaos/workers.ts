/**
 * Booking workers as child processes, run as the product runs them
 * (`workers/booking-worker.ts`), so a trial can SIGKILL one mid-saga. Each runs in a
 * process group of its own (`node --import tsx`, one process), its output in
 * `<state>/logs/chaos-worker-<n>.log`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../src/config';

const READY_LINE = 'booking worker polling';
/** Bundling the workflow code dominates a start; a loaded 2-core machine needs a while. */
const READY_TIMEOUT_MS = 120_000;

export interface WorkerProcess {
  n: number;
  pid: number;
  /** Resolves once it polls its task queues; rejects if it exits or times out first. */
  ready: Promise<void>;
  isReady(): boolean;
  /** ms it has been polling (0 when not ready or gone). */
  readyForMs(): number;
  exited: Promise<void>;
  isAlive(): boolean;
  kill(signal: NodeJS.Signals): void;
}

function spawnWorker(n: number, logDir: string): WorkerProcess {
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `chaos-worker-${n}.log`);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'workers', 'booking-worker.ts')], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const out = fs.createWriteStream(logFile, { flags: 'a' });
  let ready = false;
  let readyAt = 0;
  let alive = true;
  let seen = '';
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      alive = false;
      out.end();
      resolve();
    }),
  );
  const readyPromise = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${n} did not poll within ${READY_TIMEOUT_MS / 1000} s; see ${logFile}`)), READY_TIMEOUT_MS);
    const watch = (chunk: Buffer): void => {
      out.write(chunk);
      if (ready) return;
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes(READY_LINE)) {
        ready = true;
        readyAt = Date.now();
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', watch);
    child.stderr!.on('data', watch);
    void exited.then(() => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`worker ${n} exited before polling; see ${logFile}`));
    });
  });
  readyPromise.catch(() => undefined); // observed by whoever awaits it
  return {
    n,
    pid: child.pid!,
    ready: readyPromise,
    isReady: () => ready && alive,
    readyForMs: () => (ready && alive ? Date.now() - readyAt : 0),
    exited,
    isAlive: () => alive,
    kill(signal) {
      if (!alive) return;
      try {
        process.kill(-child.pid!, signal); // the whole group
      } catch {
        // already gone
      }
    },
  };
}

/** A set of booking workers that a trial grows, kills and stops. */
export class WorkerPool {
  private readonly workers: WorkerProcess[] = [];
  private spawned = 0;

  constructor(private readonly logDir: string) {}

  spawn(): WorkerProcess {
    const worker = spawnWorker(++this.spawned, this.logDir);
    this.workers.push(worker);
    return worker;
  }

  /** Starts workers until `count` are alive, and waits until they all poll. */
  async ensure(count: number): Promise<void> {
    while (this.alive().length < count) this.spawn();
    await Promise.all(this.alive().map((w) => w.ready));
  }

  alive(): WorkerProcess[] {
    return this.workers.filter((w) => w.isAlive());
  }

  ready(): WorkerProcess[] {
    return this.workers.filter((w) => w.isReady());
  }

  /** SIGKILLs one worker and waits until it is gone. */
  async kill(worker: WorkerProcess): Promise<void> {
    worker.kill('SIGKILL');
    await worker.exited;
  }

  /** SIGKILLs every worker at once, synchronously (for a process about to exit). */
  killAll(): void {
    for (const w of this.alive()) w.kill('SIGKILL');
  }

  /** SIGTERM (the product's clean shutdown), SIGKILL past the grace period. */
  async stop(graceMs = 20_000): Promise<void> {
    await Promise.all(
      this.alive().map(async (w) => {
        w.kill('SIGTERM');
        const timer = setTimeout(() => w.kill('SIGKILL'), graceMs);
        await w.exited;
        clearTimeout(timer);
      }),
    );
  }
}
