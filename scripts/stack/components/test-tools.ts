/** Tools only the tests use: schemathesis and Temporal's time-skipping test server. */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../../src/config';
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
