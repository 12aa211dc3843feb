/**
 * Runs one of the product's processes: reads the configuration, starts the process with
 * its logger, and on SIGTERM or SIGINT stops it once (stop intake, finish or hand back
 * work, flush metrics) before exiting. A bad configuration exits 1 with its message.
 */
import type { Logger } from 'pino';
import { type Config, loadConfig } from '../config';
import { createLogger } from './logger';

export interface RunningProcess {
  stop(): Promise<void>;
  /** Resolves if the process ends by itself. */
  done?: Promise<void>;
}

export function runProcess(role: string, start: (cfg: Config, logger: Logger) => Promise<RunningProcess>, stopping = 'shutting down'): void {
  const main = async (): Promise<void> => {
    const cfg = loadConfig();
    const logger = createLogger(cfg, role);
    const running = await start(cfg, logger);
    let stopped = false;
    const shutdown = (signal: string): void => {
      if (stopped) return;
      stopped = true;
      logger.info({ signal }, stopping);
      running.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'unclean shutdown');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    await running.done;
  };
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
