import { KeyRate } from '../../src/domain/key-rate';

describe('KeyRate', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  };

  test('a key takes up to its rate at once, then one more per 1/rate second', () => {
    const c = clock();
    const rate = new KeyRate(5, c.now);
    expect(Array.from({ length: 7 }, () => rate.tryTake('burst'))).toEqual([true, true, true, true, true, false, false]);
    c.advance(199);
    expect(rate.tryTake('burst')).toBe(false);
    c.advance(1);
    expect(rate.tryTake('burst')).toBe(true);
    expect(rate.tryTake('burst')).toBe(false);
    expect(rate.refillMs).toBe(200);
  });

  test('keys do not share a bucket: another key is not held back by a key over its rate', () => {
    const c = clock();
    const rate = new KeyRate(2, c.now);
    rate.tryTake('burst');
    rate.tryTake('burst');
    expect(rate.tryTake('burst')).toBe(false);
    expect(rate.tryTake('quiet')).toBe(true);
  });

  test('a quiet key refills to its rate and no further', () => {
    const c = clock();
    const rate = new KeyRate(3, c.now);
    for (let i = 0; i < 3; i++) rate.tryTake('k');
    c.advance(60_000);
    expect(Array.from({ length: 4 }, () => rate.tryTake('k'))).toEqual([true, true, true, false]);
  });

  test('a rate under one a second still lets one through, then one per 1/rate second', () => {
    const c = clock();
    const rate = new KeyRate(0.5, c.now);
    expect(rate.tryTake('k')).toBe(true);
    expect(rate.tryTake('k')).toBe(false);
    c.advance(1999);
    expect(rate.tryTake('k')).toBe(false);
    c.advance(1);
    expect(rate.tryTake('k')).toBe(true);
    expect(rate.refillMs).toBe(2000);
  });

  test('rate 0 is no limit', () => {
    const rate = new KeyRate(0);
    expect(rate.limited).toBe(false);
    expect(Array.from({ length: 1000 }, () => rate.tryTake('k')).every(Boolean)).toBe(true);
  });

  test('full buckets are dropped once many keys were seen, and those keys still start full', () => {
    const c = clock();
    const rate = new KeyRate(1, c.now);
    for (let i = 0; i <= 10_000; i++) rate.tryTake(`k${i}`);
    c.advance(1000);
    rate.tryTake('one-more');
    expect((rate as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThan(10);
    expect(rate.tryTake('k1')).toBe(true);
  });
});

test('when the wall clock is stepped back (NTP on a busy machine), then a bucket still refills at its rate', () => {
  jest.useFakeTimers({ now: new Date('2026-12-08T05:00:00Z') });
  try {
    const rate = new KeyRate(5); // its own clock: monotonic, not the wall clock
    expect(Array.from({ length: 6 }, () => rate.tryTake('burst'))).toEqual([true, true, true, true, true, false]);
    jest.setSystemTime(new Date('2026-12-08T04:59:50Z')); // the wall clock 10 s back
    jest.advanceTimersByTime(200); // 200 ms pass
    expect(rate.tryTake('burst')).toBe(true);
    expect(rate.tryTake('burst')).toBe(false);
  } finally {
    jest.useRealTimers();
  }
});
