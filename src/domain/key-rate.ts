/**
 * A token bucket per key: each key may take `perSecond` items a second, and up to
 * `perSecond` (at least 1) at once after a quiet while. The dispatcher keys it by salon, so one
 * salon's burst of bookings enters the sagas at a bounded rate and cannot take the whole
 * machine from the other salons (their bookings go straight through: a key that sends
 * less than its rate never waits). `perSecond` 0 turns it off.
 */
export class KeyRate {
  /** Keys with a bucket not full; a full bucket is the same as none, so it is dropped. */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Tokens a bucket holds when full: a rate under 1/s still lets one item through. */
  private readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    /** A monotonic clock: a wall clock stepped back (NTP on a busy VM) would stall every bucket, stepped forward grant bursts. */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = Math.max(1, perSecond);
  }

  get limited(): boolean {
    return this.perSecond > 0;
  }

  /** Takes one token for `key` if it has one. */
  tryTake(key: string): boolean {
    if (!this.limited) return true;
    const now = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.level(bucket, now) : this.capacity;
    if (tokens < 1) {
      if (bucket) Object.assign(bucket, { tokens, at: now });
      return false;
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > 10_000) this.dropFull(now);
    return true;
  }

  /** ms until any key refused now has a token again. */
  get refillMs(): number {
    return this.limited ? Math.ceil(1000 / this.perSecond) : 0;
  }

  /** A bucket's tokens now: what it held, refilled since, up to its capacity. */
  private level(bucket: { tokens: number; at: number }, now: number): number {
    return Math.min(this.capacity, bucket.tokens + ((now - bucket.at) * this.perSecond) / 1000);
  }

  private dropFull(now: number): void {
    for (const [key, b] of this.buckets) if (this.level(b, now) >= this.capacity) this.buckets.delete(key);
  }
}
