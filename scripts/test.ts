/**
 * `npm test`: brings up an isolated stack (own ports, own state directory, so it runs
 * beside `npm start`), runs jest against it, and stops what it started — also when the
 * tests fail or the run is interrupted. Extra arguments go to jest.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, repoRoot } from '../src/config';
import { log } from './stack/proc';
import { down, up } from './stack/stack';

/** The test stack's environment; each value can still be overridden from outside. */
const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  INSTUDIO_STATE_DIR: path.join(repoRoot, '.instudio', 'test-state'),
  TEMPORAL_ADDRESS: '127.0.0.1:17233',
  TEMPORAL_UI_PORT: '18233',
  KAFKA_BROKERS: '127.0.0.1:19092',
  KAFKA_CONTROLLER_PORT: '19095',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:14566',
  MONGODB_URI: 'mongodb://127.0.0.1:17017/instudio_test',
  STRIPE_API_URL: 'http://127.0.0.1:18420',
};

async function main(): Promise<number> {
  for (const [key, value] of Object.entries(TEST_ENV)) {
    process.env[key] = process.env[`TEST_${key}`] ?? value;
  }
  const cfg = loadConfig();
  // A fresh state directory: no test depends on what an earlier run left behind.
  await down(cfg);
  fs.rmSync(cfg.stateDir, { recursive: true, force: true });

  let jest: ReturnType<typeof spawn> | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = true;
    log(`${signal}: stopping tests and the test stack`);
    jest?.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await up(cfg);
    if (interrupted) return 130;
    const jestBin = path.join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js');
    const code = await new Promise<number>((resolve) => {
      jest = spawn(process.execPath, [jestBin, '--ci', ...process.argv.slice(2)], {
        stdio: 'inherit',
        env: process.env,
        cwd: repoRoot,
      });
      jest.once('close', (c, signal) => resolve(c ?? (signal ? 130 : 1)));
    });
    return interrupted ? 130 : code;
  } finally {
    await down(cfg);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
