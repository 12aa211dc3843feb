/**
 * `npm start`: installs what is missing, brings the local stack up, seeds demo data,
 * runs the product's processes in the foreground and prints where to find them.
 * Ctrl-C stops the processes; `npm run stack -- down` stops the servers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig, repoRoot } from '../src/config';
import { openModels } from '../src/infra/models';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from './seed-demo';
import { httpOk, log, waitFor } from './stack/proc';
import { up } from './stack/stack';

/** The product's processes, each its own entrypoint. */
export const PROCESSES: { name: string; entry: string }[] = [
  { name: 'gateway', entry: 'src/gateway/main.ts' },
  // Runs the booking workers (AUTOSCALER_MIN_WORKERS to AUTOSCALER_MAX_WORKERS) as its children.
  { name: 'autoscaler', entry: 'workers/autoscaler.ts' },
  { name: 'dispatcher', entry: 'workers/dispatcher.ts' },
  { name: 'notifications', entry: 'workers/notifications.ts' },
  { name: 'read-model', entry: 'workers/read-model.ts' },
];

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

async function main(): Promise<void> {
  const cfg = loadConfig();
  await up(cfg);
  await seed(cfg);

  const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  let stopping = false;
  const children: ChildProcess[] = [];
  const stop = (code: number): void => {
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    process.exitCode = code;
  };
  for (const { name, entry } of PROCESSES) {
    const child = spawn(tsx, [path.join(repoRoot, entry)], { stdio: 'inherit', env: process.env });
    child.once('exit', (code, signal) => {
      log(`${name} exited (${signal ?? code})`);
      if (!stopping) stop(1);
    });
    children.push(child);
  }
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));

  const api = `http://127.0.0.1:${cfg.port}`;
  if (!(await waitFor(() => stopping || httpOk(`${api}/readyz`), 60_000, 500)) || stopping) {
    log('the gateway did not become ready; see its log above');
    stop(1);
    return;
  }
  log(`API:          ${api}  (OpenAPI: ${api}/openapi.json)`);
  log(`Temporal UI:  http://127.0.0.1:${cfg.temporal.uiPort}`);
  log('stack status: npm run stack -- status; stop the servers: npm run stack -- down; Ctrl-C stops the processes');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
