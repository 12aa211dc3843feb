/**
 * `npm test`: brings up an isolated stack (own ports, own state directory, so it runs
 * beside `npm start`), runs jest against it, and stops what it started — also when the
 * tests fail or the run is interrupted. Extra arguments go to jest.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, repoRoot } from '../src/config';
import { applyTestEnv } from '../test/support/env';
import { log } from './stack/proc';
import { down, up } from './stack/stack';

async function main(): Promise<number> {
  applyTestEnv(); // the isolated test stack's ports and state directory
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
    const resultsFile = path.join(cfg.stateDir, 'jest-results.json');
    const code = await new Promise<number>((resolve) => {
      jest = spawn(process.execPath, [jestBin, '--ci', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)], {
        stdio: 'inherit',
        env: process.env,
        cwd: repoRoot,
      });
      jest.once('close', (c, signal) => resolve(c ?? (signal ? 130 : 1)));
    });
    printSummary(resultsFile);
    return interrupted ? 130 : code;
  } finally {
    await down(cfg);
  }
}

/** One plain closing line, whatever the reporter printed above it. */
function printSummary(resultsFile: string): void {
  try {
    const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
    };
    console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  } catch {
    console.log('jest: no results were written');
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
