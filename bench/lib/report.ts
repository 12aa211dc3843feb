/**
 * What every benchmark prints and writes: aligned tables on stdout, and one JSON file
 * per benchmark under bench/results/ with the machine it ran on.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../src/config';

export type Cell = string | number;

/** Prints rows as an aligned table (numbers right-aligned), headed by `title`. */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  const text = rows.map((r) => r.map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], numeric: readonly boolean[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(`\n${title}`);
  console.log(line(header, header.map(() => false)));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((r, i) => console.log(line(text[i]!, r.map((c) => typeof c === 'number'))));
}

export const ms = (n: number): string => {
  if (!Number.isFinite(n)) return '-';
  if (n >= 10_000) return `${(n / 1000).toFixed(1)} s`;
  return `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n)} ms`;
};
export const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`;
export const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

export interface Machine {
  cpu: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  /** 1-minute load average when the benchmark started: other work on the machine skews figures. */
  loadAverage1m: number;
}

const lscpuModel = (): string | undefined => {
  try {
    return /^Model name:\s*(.+)$/m.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim();
  } catch {
    return undefined;
  }
};

export function machine(): Machine {
  return {
    cpu: lscpuModel() ?? os.cpus()[0]?.model ?? 'unknown',
    cpus: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverage1m: Number(os.loadavg()[0]!.toFixed(2)),
  };
}

export const resultsDir = path.join(repoRoot, 'bench', 'results');

/** Writes bench/results/<name>.json: the figures, when, and on what machine. */
export function writeResult(name: string, figures: object): string {
  const file = path.join(resultsDir, `${name}.json`);
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ benchmark: name, at: new Date().toISOString(), machine: machine(), ...figures }, null, 2)}\n`);
  return file;
}
