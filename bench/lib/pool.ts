/** Runs task(0 … n-1) with at most `concurrency` in flight; resolves when all are done. */
export async function inPool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, lane));
}
