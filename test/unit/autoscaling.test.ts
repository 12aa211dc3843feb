import { decideScale, type ScalingPolicy } from '../../src/domain/autoscaling';

const policy: ScalingPolicy = { minWorkers: 1, maxWorkers: 3, cooldownMs: 60_000, backlogPerWorker: 100 };
const calm = { alarming: [], backlog: 0 };
const NOW = 1_000_000;

test('given an alarm in ALARM, when the cooldown has passed, then one worker is added, the alarm named as the reason', () => {
  const d = decideScale(1, NOW - 60_000, NOW, { alarming: ['InStudio-ApiLatencyP99'], backlog: 0 }, policy);
  expect(d).toEqual({ workers: 2, change: 'out', reason: 'alarm InStudio-ApiLatencyP99 is in ALARM' });
});

test('given an alarm in ALARM, when inside the cooldown, then nothing changes and the time left is the reason', () => {
  const d = decideScale(1, NOW - 50_000, NOW, { alarming: ['A'], backlog: 0 }, policy);
  expect(d.change).toBe('none');
  expect(d.reason).toContain('10 s of cooldown left');
});

test('given a backlog over what the workers absorb, then one worker is added', () => {
  const d = decideScale(2, 0, NOW, { alarming: [], backlog: 201 }, policy);
  expect(d).toMatchObject({ workers: 3, change: 'out' });
  expect(d.reason).toContain('backlog 201 > 100 per worker × 2');
});

test('given pressure at the maximum, then it stays at the maximum and says so', () => {
  expect(decideScale(3, 0, NOW, { alarming: ['A'], backlog: 0 }, policy)).toMatchObject({ workers: 3, change: 'none' });
});

test('given calm, then it steps back down one worker per cooldown until the minimum', () => {
  let workers = 3;
  let lastChangeAt = 0;
  const steps: number[] = [];
  for (let t = NOW; workers > policy.minWorkers && t < NOW + 10 * policy.cooldownMs; t += 1000) {
    const d = decideScale(workers, lastChangeAt, t, calm, policy);
    if (d.change !== 'none') {
      workers = d.workers;
      lastChangeAt = t;
      steps.push(t - NOW);
    }
  }
  expect(workers).toBe(1);
  expect(steps).toEqual([0, 60_000]);
  expect(decideScale(1, 0, NOW, calm, policy)).toMatchObject({ workers: 1, change: 'none', reason: 'steady' });
});

test('given a backlog that would not fit one worker fewer, then it does not scale in', () => {
  expect(decideScale(2, 0, NOW, { alarming: [], backlog: 150 }, policy)).toMatchObject({ workers: 2, change: 'none' });
});

test('bounds apply at once, whatever the cooldown', () => {
  expect(decideScale(0, NOW, NOW, calm, policy)).toMatchObject({ workers: 1, change: 'out', reason: 'below the minimum of 1', bound: true });
  expect(decideScale(5, NOW, NOW, calm, policy)).toMatchObject({ workers: 3, change: 'in', reason: 'above the maximum of 3', bound: true });
});
