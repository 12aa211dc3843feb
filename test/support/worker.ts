/** The booking worker, in this process or as a child process that a test may kill. */
import { type ChildProcess, type ChildProcessByStdio, spawn, type SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, repoRoot } from '../../src/config';
import { type BookingWorker, startBookingWorker } from '../../workers/booking-worker';
import { startDispatcher } from '../../workers/dispatcher';

/** A booking worker in this process; `env` overrides configuration (e.g. STRIPE_API_URL). */
export function startTestWorker(env: Record<string, string> = {}): Promise<BookingWorker> {
  return startBookingWorker(loadConfig({ ...process.env, ...env }), pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
}

/** A dispatcher in this process; `env` overrides configuration (e.g. RECONCILE_AFTER_MS). */
export function startTestDispatcher(opts: Parameters<typeof startDispatcher>[2] = {}, env: Record<string, string> = {}) {
  return startDispatcher(loadConfig({ ...process.env, ...env }), pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), { idleWaitSec: 1, ...opts });
}

/**
 * The command that runs one of the product's TypeScript entrypoints as a single process
 * (node with tsx's loader), so a signal sent to it reaches the process itself — the tsx
 * CLI would put a parent in between that a SIGKILL leaves the real process behind.
 */
export const entrypoint = (file: string): string[] => [process.execPath, '--import', 'tsx', path.join(repoRoot, file)];

export function spawnEntrypoint(file: string, options: SpawnOptions & { stdio: ['ignore', 'pipe' | 'ignore', 'pipe'] }): ChildProcessByStdio<null, Readable, Readable> {
  const [cmd, ...args] = entrypoint(file);
  return spawn(cmd!, args, options) as ChildProcessByStdio<null, Readable, Readable>;
}

/** Spawns workers/booking-worker.ts and resolves once it polls its task queues. */
export function spawnWorker(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawnEntrypoint('workers/booking-worker.ts', {
      env: { ...process.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start within 60 s:\n${output}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('booking worker polling')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before polling:\n${output}`));
    });
  });
}
