import { groupCommit } from '../../src/infra/group-commit';

/** A write whose calls are recorded and settled by the test, one at a time. */
function heldWrites() {
  const calls: { batch: string[]; settle: (results: (string | Error)[]) => void; fail: (err: Error) => void }[] = [];
  const write = (batch: string[]) =>
    new Promise<(string | Error)[]>((resolve, reject) => {
      calls.push({ batch, settle: resolve, fail: reject });
    });
  return { calls, write };
}

const settled = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);
/** Lets the promise callbacks queued so far run (the next write starts once the last one's callbacks have). */
const callbacksRun = () => new Promise((resolve) => setImmediate(resolve));

test('when items arrive while the writes in flight are the most allowed, then they leave together in the next write, as many as take allows', async () => {
  const { calls, write } = heldWrites();
  const commit = groupCommit<string, string>({ maxInFlight: 1, take: (waiting) => Math.min(waiting.length, 3), write });

  const results = ['a', 'b', 'c', 'd', 'e'].map((item) => commit(item));
  expect(calls.map((c) => c.batch)).toEqual([['a']]); // alone, at once

  calls[0]!.settle(['A']);
  await expect(results[0]).resolves.toBe('A');
  await callbacksRun();
  expect(calls.map((c) => c.batch)).toEqual([['a'], ['b', 'c', 'd']]);

  calls[1]!.settle(['B', 'C', 'D']);
  await expect(Promise.all(results.slice(1, 4))).resolves.toEqual(['B', 'C', 'D']);
  await callbacksRun();
  expect(calls.map((c) => c.batch)).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
  calls[2]!.settle(['E']);
  await expect(results[4]).resolves.toBe('E');
});

test('when a write names an error for one item, then only that caller is refused; when a write throws, then every caller of its batch is', async () => {
  const { calls, write } = heldWrites();
  const commit = groupCommit<string, string>({ maxInFlight: 1, take: (waiting) => waiting.length, write });

  const first = commit('first');
  const batch = ['ok', 'refused', 'also ok'].map((item) => commit(item));
  calls[0]!.settle(['FIRST']);
  await first;
  await callbacksRun();
  calls[1]!.settle(['OK', new Error('refused: taken'), 'ALSO OK']);
  expect((await settled(batch)).map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['OK', 'refused: taken', 'ALSO OK']);

  const held = commit('held');
  const failing = ['x', 'y'].map((item) => commit(item));
  calls[2]!.settle(['HELD']);
  await held;
  await callbacksRun();
  expect(calls[3]!.batch).toEqual(['x', 'y']);
  calls[3]!.fail(new Error('connection lost'));
  expect((await settled(failing)).map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['connection lost', 'connection lost']);
});

test('when two writes may be in flight, then the first two items go at once, each alone, and the waiting ones leave with whichever ends first', async () => {
  const { calls, write } = heldWrites();
  const commit = groupCommit<string, string>({ maxInFlight: 2, take: (waiting) => waiting.length, write });

  const results = ['a', 'b', 'c', 'd'].map((item) => commit(item));
  expect(calls.map((c) => c.batch)).toEqual([['a'], ['b']]);
  calls[1]!.settle(['B']);
  await results[1];
  await callbacksRun();
  expect(calls.map((c) => c.batch)).toEqual([['a'], ['b'], ['c', 'd']]);
  calls[0]!.settle(['A']);
  calls[2]!.settle(['C', 'D']);
  await expect(Promise.all(results)).resolves.toEqual(['A', 'B', 'C', 'D']);
});
