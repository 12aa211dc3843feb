import { beatingWhile, HEARTBEAT_EVERY_MS, lazyHeartbeat } from '../../activities/heartbeat';

/** An activity context that counts the heartbeats it is given, on a clock the test moves. */
function fakeActivity() {
  const clock = { t: 1_000_000 };
  const abort = new AbortController();
  const sent: number[] = [];
  const ctx = { heartbeat: () => void sent.push(clock.t), cancellationSignal: abort.signal };
  return { clock, abort, sent, ctx };
}

test('when an activity beats within its first 2 s, then no heartbeat reaches the server', () => {
  const { clock, sent, ctx } = fakeActivity();
  const beat = lazyHeartbeat(ctx, { now: () => clock.t });
  for (let i = 0; i < 20; i++) {
    beat();
    clock.t += 99; // 20 beats over 1.98 s
  }
  expect(sent).toEqual([]);
});

test('when an activity runs on, then a heartbeat goes out each time 2 s have passed since the last, and not between', () => {
  const { clock, sent, ctx } = fakeActivity();
  const start = clock.t;
  const beat = lazyHeartbeat(ctx, { now: () => clock.t });
  for (let i = 0; i < 60; i++) {
    clock.t += 100;
    beat();
  }
  expect(sent.map((t) => t - start)).toEqual([2000, 4000, 6000]);
});

test('when the workflow gave up on the activity, then orStop throws at once, with or without a heartbeat due', () => {
  const { clock, abort, ctx } = fakeActivity();
  const beat = lazyHeartbeat(ctx, { now: () => clock.t });
  expect(() => beat.orStop('gone')).not.toThrow();
  abort.abort();
  expect(() => beat.orStop('the saga no longer waits')).toThrow('the saga no longer waits');
});

test('when a call is in flight, then beatingWhile beats until it settles and not after', async () => {
  jest.useFakeTimers();
  try {
    let beats = 0;
    let settle!: (v: string) => void;
    const result = beatingWhile(() => void beats++, () => new Promise<string>((resolve) => (settle = resolve)));
    jest.advanceTimersByTime(HEARTBEAT_EVERY_MS * 2);
    expect(beats).toBe(4); // every half of HEARTBEAT_EVERY_MS; lazyHeartbeat decides which reach the server
    settle('done');
    await expect(result).resolves.toBe('done');
    jest.advanceTimersByTime(HEARTBEAT_EVERY_MS * 2);
    expect(beats).toBe(4);
  } finally {
    jest.useRealTimers();
  }
});

test('when the wall clock is stepped back, then a running activity still heartbeats every 2 s', () => {
  jest.useFakeTimers({ now: new Date('2026-12-08T05:00:00Z') });
  try {
    const { sent, ctx } = fakeActivity(); // its clock object unused: lazyHeartbeat's own, monotonic, is faked
    const beat = lazyHeartbeat(ctx);
    jest.setSystemTime(new Date('2026-12-08T04:59:50Z')); // the wall clock 10 s back
    jest.advanceTimersByTime(HEARTBEAT_EVERY_MS);
    beat();
    expect(sent).toHaveLength(1);
  } finally {
    jest.useRealTimers();
  }
});
