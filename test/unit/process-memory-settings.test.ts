/**
 * Every process the harness starts runs with NODE_HEAP_ARGS — in its worker threads too
 * (a booking worker's workflows run there) — and MALLOC_ENV; the image sets the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../src/config';
import { MALLOC_ENV, NODE_HEAP_ARGS, startProcess } from '../../src/shared/child-process';

const MiB = 1024 * 1024;
const oldSpaceMiB = Number(NODE_HEAP_ARGS.find((a) => a.startsWith('--max-old-space-size='))!.split('=')[1]);

const settingsOf = async (env?: NodeJS.ProcessEnv) => {
  const p = startProcess({ name: 'memory-settings', entry: 'test/unit/fixtures/memory-settings-process.ts', env, readyLine: /"main"/ });
  await p.ready;
  expect(await p.exited).toEqual({ code: 0, signal: null });
  return JSON.parse(p.tail(1)) as { main: number; thread: number; mallocArenaMax?: string };
};

test('a process started by the harness, and its worker threads, have the old generation NODE_HEAP_ARGS sets, and MALLOC_ENV', async () => {
  const settings = await settingsOf();
  // The limit is the old generation plus the young one (3 semi-spaces of 2 MiB) and a little.
  for (const limit of [settings.main, settings.thread]) {
    expect(limit).toBeGreaterThanOrEqual(oldSpaceMiB * MiB);
    expect(limit).toBeLessThan((oldSpaceMiB + 16) * MiB); // the machine's default here is GiBs
  }
  expect(settings.mallocArenaMax).toBe(MALLOC_ENV.MALLOC_ARENA_MAX);
}, 30_000);

test('an environment given to the harness keeps MALLOC_ENV unless it sets its own', async () => {
  expect((await settingsOf({ ...process.env, LOG_LEVEL: 'warn' })).mallocArenaMax).toBe(MALLOC_ENV.MALLOC_ARENA_MAX);
  expect((await settingsOf({ ...process.env, MALLOC_ARENA_MAX: '4' })).mallocArenaMax).toBe('4');
}, 30_000);

test('a heap flag in NODE_OPTIONS wins over NODE_HEAP_ARGS', async () => {
  const settings = await settingsOf({ ...process.env, NODE_OPTIONS: '--max-old-space-size=1024' });
  expect(settings.main).toBeGreaterThanOrEqual(1024 * MiB);
  expect(settings.main).toBeLessThan((1024 + 64) * MiB);
}, 30_000);

test('the image sets the same in NODE_OPTIONS and MALLOC_ARENA_MAX', () => {
  const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  expect(dockerfile).toContain(`ENV NODE_OPTIONS="${NODE_HEAP_ARGS.join(' ')}" MALLOC_ARENA_MAX=${MALLOC_ENV.MALLOC_ARENA_MAX}`);
});
