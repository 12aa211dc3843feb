import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { schemathesis } from '../../scripts/stack/components';
import { emptyIntakeQueues } from '../support/sqs';
import { ApiClient, newClient, newSalon, operatorOf, startTestGateway } from '../support/gateway';

// Property-based requests generated from /openapi.json: no input may produce a 5xx, and
// every response must match what the document promises (status, content type, schema).
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance'];

let gateway: Gateway;
let operator: ApiClient;
let client: ApiClient;
let salon: Awaited<ReturnType<typeof newSalon>>;
let configDir: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  operator = await operatorOf(new ApiClient(gateway.url));
  salon = await newSalon(operator);
  client = (await newClient(operator)).api;
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'instudio-st-'));
});
afterAll(async () => {
  await emptyIntakeQueues(); // nothing here dispatches what it enqueued
  fs.rmSync(configDir, { recursive: true, force: true });
  await gateway?.stop();
});

/** Runs schemathesis with the test's settings; `parameters` pins some parameters to real values. */
async function schemathesisRun(parameters: Record<string, string>, seed: number, token: string) {
  const configFile = path.join(configDir, `schemathesis-${seed}.toml`);
  fs.writeFileSync(
    configFile,
    ['[parameters]', ...Object.entries(parameters).map(([k, v]) => `"${k}" = "${v}"`), ''].join('\n'),
  );
  return run([
    '--config-file',
    configFile,
    'run',
    `${gateway.url}/openapi.json`,
    '--checks',
    CHECKS.join(','),
    '--max-examples',
    '25',
    '--seed',
    String(seed),
    '--header',
    `Authorization: Bearer ${token}`,
    '--phases',
    'examples,coverage,fuzzing',
    // Logging out revokes the token every other request is sent with (tested in security.test.ts).
    '--exclude-path',
    '/v1/auth/logout',
  ]);
}

function run(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(schemathesis.bin(loadConfig()), args, { env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const realIds = () => ({ 'path.salonId': salon.salonId, 'query.serviceId': salon.serviceId, 'query.staffId': salon.staffId });

test.each([
  ['an operator', 'random ids', () => ({}), () => operator.token!],
  ['an operator', 'a real salon, service and staff member', realIds, () => operator.token!],
  ['a client', 'a real salon, service and staff member', realIds, () => client.token!],
])('when schemathesis sends generated requests as %s with %s, then no 5xx and no response breaks the schema', async (_who, _ids, parameters, token) => {
  const { code, output } = await schemathesisRun(parameters(), 20261128, token());
  if (code !== 0) console.log(output);
  const selected = /Selected: (\d+)\/\d+/.exec(output)?.[1];
  expect(selected).toBeDefined();
  expect(output).toContain(`Tested: ${selected}`); // every operation was exercised
  expect(output).toMatch(/\d+ generated, \d+ passed/);
  expect(code).toBe(0);
}, 600_000);
