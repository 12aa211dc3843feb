/**
 * The process harness and npm start's supervisor on two tiny processes: one that is
 * ready only once it says so (over IPC), one that keeps failing at start — restarted
 * with backoff up to its bound, then every process stopped and the failure named.
 */
import { lastErrorOf, startProcess } from '../../src/shared/child-process';
import { supervise } from '../../scripts/supervise';

const STEADY = 'test/unit/fixtures/steady-process.ts';
const CRASHING = 'test/unit/fixtures/crashing-process.ts';

test('a product process is ready once it says so, and exits 0 on SIGTERM', async () => {
  const p = startProcess({ name: 'steady', entry: STEADY });
  expect(p.isReady()).toBe(false);
  await p.ready;
  expect(p.isReady()).toBe(true);
  expect(await p.stop()).toEqual({ code: 0, signal: null });
  expect(p.isAlive()).toBe(false);
}, 30_000);

test('a process that exits before it is ready rejects its ready with its last lines', async () => {
  const p = startProcess({ name: 'crashing', entry: CRASHING });
  await expect(p.ready).rejects.toThrow(/crashing exited \(3\) before it was ready[\s\S]*boom/);
  expect(p.lastError()).toBe('boom: the fixture cannot reach its dependency');
}, 30_000);

test('given a process keeps failing, then it is restarted with backoff up to the bound, then everything stops and the failure is named', async () => {
  const log: string[] = [];
  const product = supervise({
    env: process.env,
    log: (m) => log.push(m),
    echo: false,
    processes: [
      { name: 'steady', entry: STEADY },
      { name: 'crashing', entry: CRASHING },
    ],
    restarts: { maxRestarts: 2, windowMs: 60_000, firstBackoffMs: 50 },
  });
  await expect(product.failed).rejects.toThrow('crashing exited 3 times within 60 s (last: code 3, boom: the fixture cannot reach its dependency)');
  await expect(product.ready).rejects.toThrow();
  expect(log.filter((l) => l.startsWith('restarting crashing'))).toEqual([
    'restarting crashing in 0.05 s (restart 1 of at most 2 within 60 s)',
    'restarting crashing in 0.1 s (restart 2 of at most 2 within 60 s)',
  ]);
  expect(log.at(-1)).toMatch(/stopping every process$/);
  // The healthy one was stopped too, not left running alone.
  expect(Object.values(product.current()).map((p) => [p.name, p.isAlive()])).toEqual([
    ['steady', false],
    ['crashing', false],
  ]);
}, 60_000);

test('the last error is the final plain line, else the last error-level log line with its error', () => {
  const json = (o: object) => JSON.stringify(o);
  expect(lastErrorOf([json({ level: 30, msg: 'ok' }), 'fatal: no config'])).toBe('fatal: no config');
  expect(lastErrorOf([json({ level: 50, msg: 'consumer crashed', err: { message: 'no leader' } }), json({ level: 30, msg: 'later' })])).toBe('consumer crashed: no leader');
  expect(lastErrorOf([json({ level: 50, msg: 'kafkajs Connection', error: 'not hosted' })])).toBe('kafkajs Connection: not hosted');
  expect(lastErrorOf([json({ level: 30, msg: 'fine' })])).toBe(json({ level: 30, msg: 'fine' }));
  expect(lastErrorOf([])).toBeUndefined();
});
