/**
 * Heartbeats an activity sends only once it has run a while.
 *
 * The SDK sends an activity's first heartbeat to Temporal at once and throttles the later
 * ones (to 80 % of the heartbeat timeout), and every heartbeat that reaches the server is
 * a write of the workflow's state there. The saga's steps take tens of milliseconds, far
 * inside their 10 s heartbeat timeout: a heartbeat at their start told the server nothing
 * it needed, yet cost it two writes per booking (measured: 2 RecordActivityTaskHeartbeat
 * per confirmed booking; the bench's saga figures count them). An activity that does run
 * long still heartbeats every `everyMs`, so a dead worker's attempt is timed out and
 * retried as before; it learns of its cancellation from those heartbeats' answers.
 */
import type { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';

/** How long an activity runs before its first heartbeat, and the least time between two. */
export const HEARTBEAT_EVERY_MS = 2000;

export interface Heartbeat {
  /** Heartbeats when `everyMs` have passed since the activity began or since the last heartbeat. */
  (): void;
  /** The same, then throws CancelledFailure(`why`) once the workflow no longer waits for the activity. */
  orStop(why: string): void;
}

/**
 * A heartbeat for the activity of `ctx`, sent at most every `everyMs` and never in its
 * first `everyMs`, timed by `now` (ms): a monotonic clock, since a wall clock stepped back
 * would hold the heartbeats past the heartbeat timeout.
 */
export function lazyHeartbeat(
  ctx: Pick<Context, 'heartbeat' | 'cancellationSignal'>,
  { everyMs = HEARTBEAT_EVERY_MS, now = () => performance.now() }: { everyMs?: number; now?: () => number } = {},
): Heartbeat {
  let last = now();
  const beat = (): void => {
    const t = now();
    if (t - last < everyMs) return;
    last = t;
    ctx.heartbeat();
  };
  return Object.assign(beat, {
    orStop(why: string): void {
      beat();
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure(why);
    },
  });
}

/** Runs `call`, beating every second while it is in flight (`beat` decides what reaches the server). */
export async function beatingWhile<T>(beat: () => void, call: () => Promise<T>): Promise<T> {
  const timer = setInterval(beat, HEARTBEAT_EVERY_MS / 2);
  try {
    return await call();
  } finally {
    clearInterval(timer);
  }
}
