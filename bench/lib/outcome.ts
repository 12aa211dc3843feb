/** What each benchmark hands back to bench/run.ts: its targets, met or missed. */
export interface Target {
  benchmark: string;
  what: string;
  figure: string;
  target: string;
  met: boolean;
}
