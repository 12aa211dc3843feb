/**
 * Every process the harness starts runs with NODE_HEAP_ARGS — in its worker threads too
 * (a booking worker's workflows run there) — and the image sets the same flags.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../src/config';
import { NODE_HEAP_ARGS, startProcess } from '../../src/shared/child-process';

const MiB = 1024 * 1024;
const oldSpaceMiB = Number(NODE_HEAP_ARGS.find((a) => a.startsWith('--max-old-space-size='))!.split('=')[1]);

test('a process started by the harness, and its worker threads, have the old generation NODE_HEAP_ARGS sets', async () => {
  const p = startProcess({ name: 'heap-limits', entry: 'test/unit/fixtures/heap-limits-process.ts', readyLine: /"main"/ });
  await p.ready;
  expect(await p.exited).toEqual({ code: 0, signal: null });
  const limits = JSON.parse(p.tail(1)) as { main: number; thread: number };
  // The limit is the old generation plus the young one (3 semi-spaces of 2 MiB) and a little.
  for (const limit of [limits.main, limits.thread]) {
    expect(limit).toBeGreaterThanOrEqual(oldSpaceMiB * MiB);
    expect(limit).toBeLessThan((oldSpaceMiB + 16) * MiB); // the machine's default here is GiBs
  }
}, 30_000);

test('the image sets the same flags in NODE_OPTIONS', () => {
  const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  expect(dockerfile).toContain(`ENV NODE_OPTIONS="${NODE_HEAP_ARGS.join(' ')}"`);
});
