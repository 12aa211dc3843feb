/**
 * `npm start`: installs what is missing, brings the local stack up, seeds demo data,
 * runs the product's processes in the foreground and prints where to find them.
 * Ctrl-C stops the processes; `npm run stack -- down` stops the servers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig, repoRoot } from '../src/config';
import { log } from './stack/proc';
import { up } from './stack/stack';

/** The product's processes, each its own entrypoint. */
export const PROCESSES: { name: string; entry: string }[] = [];

async function main(): Promise<void> {
  const cfg = loadConfig();
  await up(cfg);
  const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  const children: ChildProcess[] = PROCESSES.map(({ name, entry }) => {
    const child = spawn(tsx, [path.join(repoRoot, entry)], { stdio: 'inherit', env: process.env });
    child.once('exit', (code, signal) => {
      log(`${name} exited (${signal ?? code})`);
      if (!stopping) stop(1);
    });
    return child;
  });
  let stopping = false;
  const stop = (code: number): void => {
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    process.exitCode = code;
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));

  log(`Temporal UI:  http://127.0.0.1:${cfg.temporal.uiPort}`);
  log(`API:          http://127.0.0.1:${cfg.port}  (OpenAPI: http://127.0.0.1:${cfg.port}/openapi.json)`);
  log('stack status: npm run stack -- status; stop servers: npm run stack -- down');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
