/** Gateway process entrypoint. */
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../shared/logger';
import { startGateway } from './server';

async function main(): Promise<void> {
  const cfg = loadConfig();
  const logger = createLogger(cfg, 'gateway');
  const gateway = await startGateway(cfg, logger);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gateway.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
  process.exit(1);
});
