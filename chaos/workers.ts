/**
 * Booking workers as child processes, run as the product runs them
 * (`workers/booking-worker.ts`), so a trial can SIGKILL one mid-saga. Each runs in a
 * process group of its own (`node --import tsx`, one process), its output in
 * `<state>/logs/chaos-worker-<n>.log`.
 */
import path from 'node:path';
import { type ProductProcess, startProcess } from '../src/shared/child-process';

/** Bundling the workflow code dominates a start; a loaded 2-core machine needs a while. */
const READY_TIMEOUT_MS = 120_000;

export type WorkerProcess = ProductProcess & { n: number };

function spawnWorker(n: number, logDir: string): WorkerProcess {
  const worker = startProcess({
    name: `worker ${n}`,
    entry: 'workers/booking-worker.ts',
    env: { ...process.env, LOG_LEVEL: 'info' },
    detached: true,
    logFile: path.join(logDir, `chaos-worker-${n}.log`),
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  return Object.assign(worker, { n });
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
