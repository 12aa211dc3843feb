/**
 * The Dockerfile's build stage without Docker: a temporary directory holding only what
 * that stage copies, its build steps (the TypeScript compile and the workflow bundle),
 * then the compiled gateway and booking worker started against the test stack until
 * each is ready — the worker on the pre-built bundle. npm ci and npm prune are left out:
 * the directory borrows this checkout's node_modules (pruning it would remove the
 * tests' own dev dependencies).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../src/config';
import { type ProductProcess, startProcess } from '../../src/shared/child-process';
import { freePort } from '../support/ports';
import { eventually } from '../support/wait';

const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
/** The build stage: from the first FROM to the next. */
const buildStage = dockerfile.split(/^FROM /m)[1]!;
/** `COPY a b ./` and `COPY src src` lines of the build stage (not `--from`). */
const copied = [...buildStage.matchAll(/^COPY (?!--)(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
/** The build steps of its RUN lines, joined by `&&` and backslash-continued. */
const steps = [...buildStage.matchAll(/^RUN ((?:.*\\\n)*.*)$/gm)]
  .flatMap((m) => m[1]!.replace(/\\\n/g, ' ').split('&&'))
  .map((s) => s.trim())
  .filter((s) => !/^npm (ci|prune)\b/.test(s));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'instudio-image-'));
const running: ProductProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the build stage copies what its build needs and runs the compile and the bundle', () => {
  expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'workflows', 'activities', 'workers']));
  expect(steps).toEqual(['npx tsc -p tsconfig.build.json', 'node dist/workers/workflow-bundle.js']);
});

test('given only what the Dockerfile copies, when its build steps run, then the built gateway and booking worker start and become ready', async () => {
  for (const entry of copied) fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const step of steps) {
    const [cmd, ...args] = step.split(/\s+/);
    const bin = cmd === 'npx' ? path.join(dir, 'node_modules', '.bin', args.shift()!) : cmd === 'node' ? process.execPath : cmd!;
    execFileSync(bin, args, { cwd: dir, stdio: 'pipe' });
  }
  expect(fs.existsSync(path.join(dir, 'dist', 'workflow-bundle.js'))).toBe(true);

  const env = { ...process.env, PORT: String(await freePort()), LOG_LEVEL: 'info', INSTANCE_ID: 'image-build-test' };
  const gateway = startProcess({ name: 'built gateway', entry: path.join(dir, 'dist', 'src', 'gateway', 'main.js'), env });
  const worker = startProcess({ name: 'built booking worker', entry: path.join(dir, 'dist', 'workers', 'booking-worker.js'), env });
  running.push(gateway, worker);
  await Promise.all([gateway.ready, worker.ready]);
  // No tsx anywhere: the compiled JavaScript ran, and the worker loaded the pre-built
  // bundle (its log line may arrive on stdout after the ready message on IPC).
  await eventually(() => /"workflowBundle":"prebuilt"/.test(worker.tail(200)), { what: 'the worker to say it loaded the pre-built bundle' });
  await eventually(() => /gateway listening/.test(gateway.tail(200)), { what: 'the gateway to say it listens' });
  expect(worker.tail(200)).not.toMatch(/"workflowBundle":"bundled at start"/);
}, 240_000);
