/**
 * A process that consumes events and runs a Temporal worker (the waitlist, the salon
 * webhooks): ready while its consumer is in its group and its worker runs; stopped once,
 * in order — the consumer (its offsets committed), the worker (the tasks in hand
 * finished), its connection, then the process's other clients.
 */
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';

export function consumingWorker(opts: {
  name: string;
  worker: Worker;
  /** The worker's run, started by the caller before its consumer. */
  done: Promise<void>;
  connection: NativeConnection;
  consumer: { readonly ready: boolean; stop(): Promise<void> };
  logger: Logger;
  /** Run in order once the worker has stopped. */
  closers: (() => unknown)[];
}) {
  const { worker, done, consumer, logger } = opts;
  let stopped: Promise<void> | undefined;
  return {
    done,
    get ready() {
      return consumer.ready && worker.getState() === 'RUNNING';
    },
    stop(): Promise<void> {
      stopped ??= (async () => {
        await consumer.stop();
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await done.catch((err: unknown) => logger.error({ err }, `${opts.name} worker stopped with an error`));
        await opts.connection.close();
        for (const close of opts.closers) await close();
      })();
      return stopped;
    },
  };
}
