/**
 * Runs one of the product's processes: reads the configuration, starts the process with
 * its logger, and on SIGTERM or SIGINT stops it once (stop intake, finish or hand back
 * work, flush metrics) before exiting. A bad configuration exits 1 with its message.
 *
 * Once ready it logs `ready` and, when a parent started it over an IPC channel (the
 * process harness, src/shared/child-process.ts), sends it `{type: 'ready'}`.
 *
 * With HEALTH_PORT set, a process without an HTTP API of its own (workers, consumers)
 * serves `/healthz` (alive) and `/readyz` (what its `ready()` says; 503 from the moment
 * it starts shutting down), for an orchestrator's probes.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { Logger } from 'pino';
import { type Config, loadConfig } from '../config';
import { READY_MESSAGE } from './child-process';
import { createLogger } from './logger';

export interface RunningProcess {
  stop(): Promise<void>;
  /** Resolves if the process ends by itself. */
  done?: Promise<void>;
  /** Ready to do its work (connected, polling, in its consumer group). */
  readonly ready?: boolean;
}

function serveHealth(port: number, host: string, ready: () => boolean): http.Server {
  return http
    .createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (status: number, body: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (path === '/healthz') return send(200, { status: 'ok' });
      if (path === '/readyz') return ready() ? send(200, { status: 'ready' }) : send(503, { status: 'not ready' });
      send(404, { status: 'not found' });
    })
    .listen(port, host);
}

/** Waits until the process is ready (polled), then says so once: in the log and to its parent. */
async function announceReady(logger: Logger, stopped: () => boolean, ready: () => boolean): Promise<void> {
  process.channel?.unref(); // the channel never keeps the process alive
  while (!ready()) {
    if (stopped()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  logger.info('ready');
  if (process.connected) process.send?.(READY_MESSAGE, undefined, {}, () => undefined); // a parent gone is no error
}

export function runProcess(role: string, start: (cfg: Config, logger: Logger) => Promise<RunningProcess>, stopping = 'shutting down'): void {
  const main = async (): Promise<void> => {
    const cfg = loadConfig();
    const logger = createLogger(cfg, role).child({ instance: cfg.instanceId });
    let stopped = false;
    let health: http.Server | undefined;
    // Signals are handled from the first moment: one that arrives during start stops the
    // process as soon as it has started.
    const starting = start(cfg, logger);
    const shutdown = (signal: string): void => {
      if (stopped) return;
      stopped = true;
      logger.info({ signal }, stopping);
      starting
        .then((running) => running.stop())
        .then(
          () => {
            health?.close();
            process.exit(0);
          },
          (err: unknown) => {
            logger.error({ err }, 'unclean shutdown');
            process.exit(1);
          },
        );
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    const running = await starting;
    if (cfg.healthPort !== undefined) {
      health = serveHealth(cfg.healthPort, cfg.host, () => !stopped && running.ready !== false);
      await once(health, 'listening'); // ready is said only once its probe answers too
    }
    void announceReady(logger, () => stopped, () => running.ready !== false);
    await running.done;
  };
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
