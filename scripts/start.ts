/**
 * `npm start`: installs what is missing, brings the local stack up, seeds demo data,
 * runs the product's processes in the foreground under a supervisor (scripts/supervise.ts)
 * and prints where to find them once every process is ready.
 * Ctrl-C stops the processes; `npm run stack -- down` stops the servers.
 */
import { loadConfig } from '../src/config';
import { openModels } from '../src/infra/models';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from './seed-demo';
import { log } from './stack/proc';
import { up } from './stack/stack';
import { supervise } from './supervise';

/** A first start bundles the workflows and joins consumer groups on a new broker. */
const READY_WITHIN_MS = 180_000;

async function seed(cfg: ReturnType<typeof loadConfig>): Promise<void> {
  const { mongo, models } = await openModels(cfg);
  try {
    const seeded = await seedDemo(models);
    log(seeded ? 'seeded the demo network' : 'demo network already present');
    log(`demo accounts (password "${DEMO_PASSWORD}"): ${DEMO_ACCOUNTS.client} (client), ${DEMO_ACCOUNTS.salonAdmin} (salon admin)`);
  } finally {
    await mongo.close();
  }
}

async function main(): Promise<number> {
  const cfg = loadConfig();
  await up(cfg);
  await seed(cfg);

  const product = supervise({ env: process.env, log: (m) => log(m) });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    log('stopping the product processes (the servers keep running: npm run stack -- down)');
    await product.stop();
  };
  const interrupted = new Promise<number>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop().then(() => resolve(0)));
  });
  const failed = product.failed.then(
    () => 1,
    (err: Error) => {
      log(`npm start failed: ${err.message}`);
      return 1;
    },
  );

  const timeout = setTimeout(() => {
    const waiting = product.notReady();
    log(`not ready after ${READY_WITHIN_MS / 1000} s: ${waiting.map((w) => w.name).join(', ')}`);
    for (const w of waiting) log(`${w.name}, its last lines:\n${w.tail}`);
  }, READY_WITHIN_MS);
  void product.ready.then(
    () => {
      clearTimeout(timeout);
      const api = `http://127.0.0.1:${cfg.port}`;
      log(`ready: ${Object.keys(product.current()).join(', ')}`);
      log(`API:          ${api}  (docs: ${api}/docs, OpenAPI: ${api}/openapi.json)`);
      log(`Temporal UI:  http://127.0.0.1:${cfg.temporal.uiPort}`);
      log(`Email (Mailpit): ${cfg.mail.mailpitUrl}`);
      log('stack status: npm run stack -- status; stop the servers: npm run stack -- down; Ctrl-C stops the processes');
    },
    () => clearTimeout(timeout),
  );
  return Promise.race([interrupted, failed]);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
