/**
 * The autoscaler's rule, pure: from the scale-out alarms' states and the backlog, how
 * many booking workers to run. One step at a time, at most one step per cooldown; the
 * bounds (min, max) apply at once and start no cooldown.
 */
export interface ScalingPolicy {
  minWorkers: number;
  maxWorkers: number;
  cooldownMs: number;
  /** Waiting bookings (high + normal) one worker is expected to absorb. */
  backlogPerWorker: number;
}

export interface ScalingSignals {
  /** Scale-out alarms currently in ALARM. */
  alarming: string[];
  /** Bookings waiting in the high and normal queues. */
  backlog: number;
}

export interface ScalingDecision {
  workers: number;
  change: 'out' | 'in' | 'none';
  reason: string;
  /** True when the change only brings the count within [min, max]. */
  bound?: boolean;
}

export function decideScale(current: number, lastChangeAt: number, now: number, signals: ScalingSignals, policy: ScalingPolicy): ScalingDecision {
  const { minWorkers: min, maxWorkers: max } = policy;
  if (current < min) return { workers: min, change: 'out', reason: `below the minimum of ${min}`, bound: true };
  if (current > max) return { workers: max, change: 'in', reason: `above the maximum of ${max}`, bound: true };

  const capacity = current * policy.backlogPerWorker;
  const pressure = [
    ...signals.alarming.map((a) => `alarm ${a} is in ALARM`),
    ...(signals.backlog > capacity ? [`backlog ${signals.backlog} > ${policy.backlogPerWorker} per worker × ${current}`] : []),
  ];
  // Scaling in needs calm: no alarm, and the backlog fits in one worker fewer.
  const calm = pressure.length === 0 && signals.backlog <= (current - 1) * policy.backlogPerWorker;
  const cooling = now - lastChangeAt < policy.cooldownMs;
  const wait = `${Math.ceil((policy.cooldownMs - (now - lastChangeAt)) / 1000)} s of cooldown left`;

  if (pressure.length > 0) {
    if (current >= max) return { workers: current, change: 'none', reason: `${pressure.join('; ')}, but already at the maximum of ${max}` };
    if (cooling) return { workers: current, change: 'none', reason: `${pressure.join('; ')}; ${wait}` };
    return { workers: current + 1, change: 'out', reason: pressure.join('; ') };
  }
  if (calm && current > min) {
    if (cooling) return { workers: current, change: 'none', reason: `calm; ${wait}` };
    return { workers: current - 1, change: 'in', reason: `no alarm and backlog ${signals.backlog} fits ${current - 1} worker(s)` };
  }
  return { workers: current, change: 'none', reason: 'steady' };
}
