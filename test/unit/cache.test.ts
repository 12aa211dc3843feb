/** The gateway cache's values (`memo`): computed once, dropped by their tags, never stored stale or while not live. */
import { createResponseCache } from '../../src/gateway/cache';

const counter = () => {
  let calls = 0;
  return { compute: async () => ++calls, get calls() { return calls; } };
};

test('when a value is asked twice, then it is computed once; a change to its tag computes it again', async () => {
  const cache = createResponseCache();
  const c = counter();
  expect(await cache.memo('k', ['salon:1'], c.compute)).toBe(1);
  expect(await cache.memo('k', ['salon:1'], c.compute)).toBe(1);

  cache.invalidate(['salon:2']);
  expect(await cache.memo('k', ['salon:1'], c.compute)).toBe(1);
  cache.invalidate(['salon:1']);
  expect(await cache.memo('k', ['salon:1'], c.compute)).toBe(2);
});

test('when the catalogue changes while a value is being computed, then that value is returned but not kept', async () => {
  const cache = createResponseCache();
  let release!: () => void;
  const slow = cache.memo('k', ['salon:1'], () => new Promise<string>((resolve) => (release = () => resolve('before the change'))));
  cache.invalidate(['salon:1']);
  release();
  expect(await slow).toBe('before the change');
  expect(await cache.memo('k', ['salon:1'], async () => 'after the change')).toBe('after the change');
});

test('when invalidations cannot arrive, then nothing is kept; a failed computation is not kept either', async () => {
  let live = false;
  const cache = createResponseCache({ live: () => live });
  const c = counter();
  await cache.memo('k', [], c.compute);
  await cache.memo('k', [], c.compute);
  expect(c.calls).toBe(2);

  live = true;
  await expect(cache.memo('k', [], async () => Promise.reject(new Error('salon gone')))).rejects.toThrow('salon gone');
  expect(await cache.memo('k', [], c.compute)).toBe(3);
  expect(await cache.memo('k', [], c.compute)).toBe(3);
});

test('when an entry outlives its time to live, then it is computed again', async () => {
  let now = 1_000;
  const spy = jest.spyOn(Date, 'now').mockImplementation(() => now);
  try {
    const cache = createResponseCache({ ttlMs: 100 });
    const c = counter();
    await cache.memo('k', [], c.compute);
    now += 99;
    expect(await cache.memo('k', [], c.compute)).toBe(1);
    now += 2;
    expect(await cache.memo('k', [], c.compute)).toBe(2);
  } finally {
    spy.mockRestore();
  }
});
