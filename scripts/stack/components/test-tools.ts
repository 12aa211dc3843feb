/** Tools only the tests use: schemathesis, Temporal's time-skipping test server and a headless browser. */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../../src/config';
import { run } from '../proc';
import { exists, marker, mavenInstall, pipInstall, type Tool, toolDir } from './install';

const SCHEMATHESIS_VERSION = '4.32.5';
const TEST_SERVER_VERSION = '1.38.0';

const schemathesisDir = (cfg: Config): string => toolDir(cfg, 'schemathesis', SCHEMATHESIS_VERSION);

/** Property-based API testing against /openapi.json (run by test/api/schemathesis.test.ts). */
export const schemathesis: Tool & { bin(cfg: Config): string } = {
  name: 'schemathesis',
  version: SCHEMATHESIS_VERSION,
  installed: (cfg) => exists(marker(schemathesisDir(cfg))),
  install: (cfg) => pipInstall(schemathesisDir(cfg), [`schemathesis==${SCHEMATHESIS_VERSION}`]),
  bin: (cfg) => path.join(schemathesisDir(cfg), 'bin', 'st'),
};

const testServerDir = (cfg: Config): string => toolDir(cfg, 'temporal-test-server', TEST_SERVER_VERSION);

/**
 * Temporal's time-skipping test server (Java, from Maven Central) for workflow tests,
 * behind an executable wrapper as @temporalio/testing expects one. The CLI's dev server
 * does not skip time, so the workflow tests keep this one.
 */
export const temporalTestServer: Tool & { bin(cfg: Config): string } = {
  name: 'temporal-test-server',
  version: TEST_SERVER_VERSION,
  installed: (cfg) => exists(marker(testServerDir(cfg))),
  async install(cfg) {
    const dir = testServerDir(cfg);
    await mavenInstall(dir, [['io.temporal', 'temporal-test-server', TEST_SERVER_VERSION]]);
    fs.writeFileSync(
      path.join(dir, 'temporal-test-server'),
      `#!/bin/sh\nexec java -Xmx512m -XX:TieredStopAtLevel=1 -cp '${path.join(dir, 'lib')}/*' io.temporal.testserver.TestServer "$@"\n`,
      { mode: 0o755 },
    );
  },
  bin: (cfg) => path.join(testServerDir(cfg), 'temporal-test-server'),
};

const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** The first Chromium on PATH (or PUPPETEER_EXECUTABLE_PATH, when set), if any. */
function chromiumOnPath(): string | undefined {
  const candidates = [
    ...(process.env.PUPPETEER_EXECUTABLE_PATH ? [process.env.PUPPETEER_EXECUTABLE_PATH] : []),
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).flatMap((dir) => BROWSERS.map((b) => path.join(dir, b))),
  ];
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * Chromium from Debian's packages, headless, for the docs page's browser test
 * (test/api/docs.test.ts, driven by puppeteer-core: no browser download of its own).
 * A system package, not a folder of the tools directory: installed with apt-get when no
 * Chromium is on PATH (as root, or through `sudo -n`).
 */
export const chromium: Tool & { bin(): string } = {
  name: 'chromium',
  version: "(Debian's package)",
  installed: () => chromiumOnPath() !== undefined,
  async install() {
    const root = process.getuid?.() === 0;
    const apt = (args: string[]) =>
      root ? run('apt-get', args, { env: { DEBIAN_FRONTEND: 'noninteractive' } }) : run('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]);
    await apt(['update', '-qq']);
    await apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
    if (!chromiumOnPath()) throw new Error('apt-get installed chromium, but no chromium is on PATH');
  },
  bin() {
    const bin = chromiumOnPath();
    if (!bin) throw new Error('no Chromium on PATH: run `npm run stack -- install` (installs Debian\'s chromium)');
    return bin;
  },
};
