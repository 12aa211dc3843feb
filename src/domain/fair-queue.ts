/**
 * A queue that takes turns between keys: `take(n)` serves one item of each waiting key in
 * turn (keys in the order they joined the ring, each in its own arrival order), so a key
 * with one item waits for at most one item of every other key, however many they hold.
 * The dispatcher keys its read-ahead by salon: one salon's burst cannot hold back another
 * salon's booking at the same priority.
 */
export class FairQueue<T> {
  /** Map order is the ring: a key served goes to its end, an emptied key leaves it. */
  private readonly byKey = new Map<string, T[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(key: string, item: T): void {
    const items = this.byKey.get(key);
    if (items) items.push(item);
    else this.byKey.set(key, [item]);
    this.count += 1;
  }

  /**
   * Up to `n` items, one per key in turn. `admit`, asked before each item is taken, may
   * refuse its key (a rate limit): that key keeps its items and its place in the ring.
   */
  take(n: number, admit: (key: string) => boolean = () => true): T[] {
    const out: T[] = [];
    let progressed = true;
    while (out.length < n && this.count > 0 && progressed) {
      progressed = false;
      // One round over the ring as it stands: a served key moves to its end, so the next
      // round visits the keys in the same order.
      for (const [key, items] of [...this.byKey]) {
        if (out.length >= n) break;
        if (!admit(key)) continue;
        out.push(items.shift()!);
        this.count -= 1;
        this.byKey.delete(key);
        if (items.length > 0) this.byKey.set(key, items);
        progressed = true;
      }
    }
    return out;
  }

  /** Everything, emptied (handing back on stop). */
  drain(): T[] {
    return this.take(this.count);
  }
}
