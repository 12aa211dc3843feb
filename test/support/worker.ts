/** The booking worker, in this process or as a child process that a test may kill. */
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { type ProductProcess, startProcess } from '../../src/shared/child-process';
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

/** Starts workers/booking-worker.ts as a child process and resolves once it polls its task queues. */
export async function spawnWorker(env: Record<string, string> = {}): Promise<ProductProcess> {
  const worker = startProcess({ name: 'booking-worker', entry: 'workers/booking-worker.ts', env: { ...process.env, LOG_LEVEL: 'info', ...env } });
  await worker.ready;
  return worker;
}
