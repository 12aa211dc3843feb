import { classifyPriority } from '../../src/domain/priority';
import { DEFAULT_WEIGHTS, PriorityScheduler } from '../../src/domain/priority-scheduler';
import { PRIORITIES, type Priority } from '../../src/domain/priority';

const at = new Date('2026-06-01T10:00:00Z');
const hours = (h: number) => new Date(at.getTime() + h * 3_600_000);

describe('classifyPriority', () => {
  test.each([
    [hours(2), false, 'high'],
    [hours(24), false, 'high'],
    [hours(24.1), false, 'normal'],
    [hours(72), true, 'high'],
    [hours(72), false, 'normal'],
  ] as const)('a booking at %s with promotion=%s is %s', (start, promotionActive, expected) => {
    expect(classifyPriority({ kind: 'booking', start, requestedAt: at, promotionActive })).toBe(expected);
  });
  test('cancellations are normal, back-office work is low', () => {
    expect(classifyPriority({ kind: 'cancellation' })).toBe('normal');
    expect(classifyPriority({ kind: 'backoffice' })).toBe('low');
  });
});

describe('PriorityScheduler', () => {
  /** Serves `turns` turns with every queue backlogged; returns the sequence. */
  function backlogged(turns: number): Priority[] {
    const s = new PriorityScheduler();
    const seq: Priority[] = [];
    for (let i = 0; i < turns; i++) {
      const p = s.order()[0]!;
      s.served(p);
      seq.push(p);
    }
    return seq;
  }

  test('with every queue backlogged, high goes first and each gets its weight per cycle', () => {
    const seq = backlogged(30);
    expect(seq.slice(0, 10)).toEqual(['high', 'high', 'high', 'high', 'high', 'high', 'high', 'normal', 'normal', 'low']);
    for (const p of PRIORITIES) expect(seq.filter((x) => x === p)).toHaveLength(DEFAULT_WEIGHTS[p] * 3);
  });

  test('no queue waits longer than its stated bound between turns', () => {
    const seq = backlogged(200);
    for (const p of PRIORITIES) {
      const turns = seq.flatMap((x, i) => (x === p ? [i] : []));
      const gaps = turns.slice(1).map((t, i) => t - turns[i]! - 1);
      expect(Math.max(...gaps, turns[0]!)).toBeLessThanOrEqual(PriorityScheduler.starvationBound(p));
    }
    expect([PriorityScheduler.starvationBound('normal'), PriorityScheduler.starvationBound('low')]).toEqual([8, 9]);
  });

  test('an empty queue passes its turn on; all empty starts a new cycle', () => {
    const s = new PriorityScheduler();
    for (let i = 0; i < 7; i++) s.served('high');
    expect(s.order()).toEqual(['normal', 'low', 'high']);
    s.idle();
    expect(s.order()[0]).toBe('high');
  });
});
