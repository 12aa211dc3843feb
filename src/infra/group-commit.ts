/**
 * Group commit: items to be written that arrive while `maxInFlight` writes are under way
 * wait, and leave together in the next write, as many as `take` lets one write carry.
 * A lone item waits for nothing, so an idle process is as fast as with one call per
 * item; a busy one makes fewer, larger calls, and shares each call's fixed cost (the
 * round trip, the server's handling of a request, its transaction) among them.
 *
 * `write` settles each item of its batch: it resolves with one result per item, in
 * order, where an `Error` fails that item alone; a `write` that throws fails them all.
 * Each caller's promise settles with its own item's result.
 */
export interface GroupCommit<T, R> {
  /** Writes under way at once; further items wait for one to end. */
  maxInFlight: number;
  /** How many items from the head of the waiting ones the next write takes (at least one). */
  take: (waiting: readonly T[]) => number;
  write: (batch: T[]) => Promise<(R | Error)[]>;
}

export function groupCommit<T, R>({ maxInFlight, take, write }: GroupCommit<T, R>): (item: T) => Promise<R> {
  interface Waiting {
    item: T;
    resolve: (value: R) => void;
    reject: (err: Error) => void;
  }
  const waiting: Waiting[] = [];
  let inFlight = 0;

  const commit = async (batch: Waiting[]): Promise<void> => {
    try {
      const results = await write(batch.map((w) => w.item));
      batch.forEach((w, i) => {
        const result = results[i] as R | Error;
        if (result instanceof Error) w.reject(result);
        else w.resolve(result);
      });
    } catch (err) {
      for (const w of batch) w.reject(err as Error);
    }
  };

  const pump = (): void => {
    while (waiting.length > 0 && inFlight < maxInFlight) {
      inFlight++;
      const n = Math.max(1, take(waiting.map((w) => w.item)));
      void commit(waiting.splice(0, n)).finally(() => {
        inFlight--;
        pump();
      });
    }
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      pump();
    });
}
