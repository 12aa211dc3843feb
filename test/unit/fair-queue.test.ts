import { FairQueue } from '../../src/domain/fair-queue';

describe('FairQueue', () => {
  test('keys take turns, each in its own arrival order', () => {
    const q = new FairQueue<string>();
    for (let i = 1; i <= 4; i++) q.push('burst', `b${i}`);
    q.push('quiet', 'q1');
    q.push('other', 'o1');
    q.push('quiet', 'q2');
    expect(q.take(5)).toEqual(['b1', 'q1', 'o1', 'b2', 'q2']);
    expect(q.size).toBe(2);
    expect(q.take(10)).toEqual(['b3', 'b4']);
    expect(q.size).toBe(0);
  });

  test('a key arriving behind a burst is served within one turn of every key', () => {
    const q = new FairQueue<string>();
    for (let i = 0; i < 500; i++) q.push('burst', `b${i}`);
    q.take(3);
    q.push('late', 'late');
    const next = q.take(2);
    expect(next).toContain('late');
  });

  test('a key served goes to the back of the ring; an emptied key that returns joins at the back', () => {
    const q = new FairQueue<string>();
    q.push('a', 'a1');
    q.push('b', 'b1');
    q.push('b', 'b2');
    expect(q.take(2)).toEqual(['a1', 'b1']);
    q.push('a', 'a2');
    q.push('c', 'c1');
    expect(q.drain()).toEqual(['b2', 'a2', 'c1']);
  });

  test('take on an empty queue returns nothing', () => {
    expect(new FairQueue<number>().take(3)).toEqual([]);
  });
});

describe('FairQueue with an admit check', () => {
  test('a refused key keeps its items and its place in the ring', () => {
    const q = new FairQueue<string>();
    for (let i = 1; i <= 3; i++) q.push('burst', `b${i}`);
    q.push('quiet', 'q1');
    q.push('quiet', 'q2');
    expect(q.take(10, (key) => key !== 'burst')).toEqual(['q1', 'q2']);
    expect(q.size).toBe(3);
    q.push('late', 'l1');
    // burst was refused, not served: it is still first in the ring.
    expect(q.take(2)).toEqual(['b1', 'l1']);
  });

  test('admit is asked once per item taken and may stop a key part-way', () => {
    const q = new FairQueue<string>();
    for (let i = 1; i <= 5; i++) q.push('a', `a${i}`);
    q.push('b', 'b1');
    let tokensOfA = 2;
    const asked: string[] = [];
    const out = q.take(10, (key) => {
      asked.push(key);
      return key !== 'a' || tokensOfA-- > 0;
    });
    expect(out).toEqual(['a1', 'b1', 'a2']);
    expect(asked).toEqual(['a', 'b', 'a', 'a']);
    expect(q.take(10)).toEqual(['a3', 'a4', 'a5']);
  });
});
