/**
 * The product's processes as `npm start` runs them, under a small supervisor: each is
 * started with the process harness; one that exits is named with its last error and
 * restarted with backoff, a bounded number of times; past that bound every process is
 * stopped and the supervisor fails with that process's name and error — never some
 * processes left running alone.
 */
import { type ProductProcess, startProcess } from '../src/shared/child-process';

/** The product's processes, each its own entrypoint. */
export const PROCESSES: { name: string; entry: string }[] = [
  { name: 'gateway', entry: 'src/gateway/main.ts' },
  // Runs the booking workers (AUTOSCALER_MIN_WORKERS to AUTOSCALER_MAX_WORKERS) as its children.
  { name: 'autoscaler', entry: 'workers/autoscaler.ts' },
  { name: 'dispatcher', entry: 'workers/dispatcher.ts' },
  { name: 'notifications', entry: 'workers/notifications.ts' },
  { name: 'read-model', entry: 'workers/read-model.ts' },
  // Starts the waitlist's offer chains and runs them (their own task queue).
  { name: 'waitlist', entry: 'workers/waitlist.ts' },
  // Delivers the salons' webhooks (their own task queue, retried for 72 h).
  { name: 'webhooks', entry: 'workers/webhooks.ts' },
];

export interface RestartPolicy {
  /** Restarts allowed within `windowMs` before the supervisor gives up. */
  maxRestarts: number;
  windowMs: number;
  /** Backoff before the first restart, doubled for each further one. */
  firstBackoffMs: number;
}

export const DEFAULT_RESTARTS: RestartPolicy = { maxRestarts: 5, windowMs: 120_000, firstBackoffMs: 1000 };

export interface Supervised {
  /** Resolves once every process has been ready at least once; rejects once the supervisor gives up. */
  ready: Promise<void>;
  /** Rejects with the reason once the supervisor gives up (a process past its restarts). */
  failed: Promise<never>;
  /** The processes that are running now, by name. */
  current(): Record<string, ProductProcess>;
  /** Processes not yet ready, with the end of their output. */
  notReady(): { name: string; tail: string }[];
  stop(): Promise<void>;
}

export function supervise(opts: {
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
  processes?: { name: string; entry: string }[];
  restarts?: RestartPolicy;
  /** Echo their output to this process's stdout/stderr (npm start) or keep it (tests). */
  echo?: boolean;
}): Supervised {
  const policy = opts.restarts ?? DEFAULT_RESTARTS;
  const specs = opts.processes ?? PROCESSES;
  const running: Record<string, ProductProcess> = {};
  const beenReady = new Set<string>();
  const restarts: Record<string, number[]> = {};
  let stopping = false;
  let giveUp!: (err: Error) => void;
  const failed = new Promise<never>((_, reject) => (giveUp = reject));
  failed.catch(() => undefined);
  let allReady!: () => void;
  const ready = new Promise<void>((resolve, reject) => {
    allReady = resolve;
    failed.catch(reject);
  });
  ready.catch(() => undefined);

  const launch = (spec: { name: string; entry: string }): void => {
    const p = startProcess({ name: spec.name, entry: spec.entry, env: opts.env, echo: opts.echo ?? true });
    running[spec.name] = p;
    p.ready.then(
      () => {
        beenReady.add(spec.name);
        if (beenReady.size === specs.length) allReady();
      },
      () => undefined, // its exit is handled below
    );
    void p.exited.then((exit) => {
      if (stopping) return;
      const how = exit.signal ?? `code ${exit.code}`;
      const lastError = p.lastError();
      opts.log(`${spec.name} exited (${how})${lastError ? `; its last error: ${lastError}` : ''}`);
      const now = Date.now();
      const recent = (restarts[spec.name] ?? []).filter((t) => now - t < policy.windowMs);
      if (recent.length >= policy.maxRestarts) {
        const reason = `${spec.name} exited ${recent.length + 1} times within ${policy.windowMs / 1000} s (last: ${how}${lastError ? `, ${lastError}` : ''})`;
        opts.log(`${reason}; stopping every process`);
        void stopAllNow().then(() => giveUp(new Error(reason)));
        return;
      }
      restarts[spec.name] = [...recent, now];
      const backoff = policy.firstBackoffMs * 2 ** recent.length;
      opts.log(`restarting ${spec.name} in ${backoff / 1000} s (restart ${recent.length + 1} of at most ${policy.maxRestarts} within ${policy.windowMs / 1000} s)`);
      setTimeout(() => {
        if (!stopping) launch(spec);
      }, backoff);
    });
  };

  const stopAllNow = async (): Promise<void> => {
    stopping = true;
    // In the order of the list: the gateway (intake) first.
    for (const p of Object.values(running)) await p.stop();
  };

  for (const spec of specs) launch(spec);

  return {
    ready,
    failed,
    current: () => ({ ...running }),
    notReady: () => specs.filter((s) => !running[s.name]?.isReady()).map((s) => ({ name: s.name, tail: running[s.name]?.tail(10) ?? '' })),
    stop: stopAllNow,
  };
}
