/**
 * CPU time and resident memory of what a benchmark measures: the product's processes,
 * the bench process itself (load generator, event watcher) and every server of the
 * stack, each counted with the processes it started (Kafka's script and its JVM, the
 * Python under moto). Read from /proc, so the measured processes run unchanged.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Config } from '../../src/config';
import { status } from '../../scripts/stack/stack';
import { pct, printTable } from './report';
import { round } from './stats';

export interface Watched {
  name: string;
  pid: number;
  /** The stack's servers, the product's processes, a bench baseline (bare Express, bare worker), this process. */
  kind: 'server' | 'product' | 'baseline' | 'bench';
}

interface Stat {
  ppid: number;
  cpuTicks: number;
  rssPages: number;
}

const conf = (name: string, fallback: number): number => {
  try {
    return Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim()) || fallback;
  } catch {
    return fallback;
  }
};
const TICK_MS = 1000 / conf('CLK_TCK', 100);
const PAGE_MIB = conf('PAGESIZE', 4096) / 2 ** 20;

/** Every live process: its parent, CPU ticks (user + system) and resident pages. */
function readAll(): Map<number, Stat> {
  const all = new Map<number, Stat>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp … utime stime … rss: fields after the command, which may hold spaces.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    all.set(Number(entry), { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), rssPages: Number(f[21]) });
  }
  return all;
}

export interface Usage {
  cpuMs: number;
  rssMiB: number;
}

/**
 * Each watched process with its descendants, summed; a descendant that is watched itself
 * (a server this bench process started) counts only under its own name.
 */
export function measureUsage(watched: readonly Watched[]): Map<string, Usage> {
  const all = readAll();
  const roots = new Set(watched.map((w) => w.pid));
  const children = new Map<number, number[]>();
  for (const [pid, s] of all) {
    const siblings = children.get(s.ppid);
    if (siblings) siblings.push(pid);
    else children.set(s.ppid, [pid]);
  }
  const result = new Map<string, Usage>();
  for (const w of watched) {
    let cpuTicks = 0;
    let rssPages = 0;
    const seen = new Set<number>();
    const stack = [w.pid];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      const s = all.get(pid);
      if (!s || seen.has(pid) || (pid !== w.pid && roots.has(pid))) continue;
      seen.add(pid);
      cpuTicks += s.cpuTicks;
      rssPages += s.rssPages;
      stack.push(...(children.get(pid) ?? []));
    }
    result.set(w.name, { cpuMs: cpuTicks * TICK_MS, rssMiB: rssPages * PAGE_MIB });
  }
  return result;
}

export interface PhaseUsage {
  name: string;
  kind: Watched['kind'];
  /** CPU time spent during the phase. */
  cpuMs: number;
  /** Resident memory: its highest sample during the phase. */
  rssPeakMiB: number;
}

/**
 * Measures a phase: CPU time from `start()` to `stop()` and resident memory sampled every
 * `intervalMs` (its peak is the figure "at saturation").
 */
export function meterPhase(watched: readonly Watched[], intervalMs = 500): { stop(): PhaseUsage[] } {
  const start = measureUsage(watched);
  const peak = new Map([...start].map(([name, u]) => [name, u.rssMiB]));
  const sample = (): Map<string, Usage> => {
    const now = measureUsage(watched);
    for (const [name, u] of now) peak.set(name, Math.max(peak.get(name) ?? 0, u.rssMiB));
    return now;
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const end = sample();
      return watched.map((w) => ({
        name: w.name,
        kind: w.kind,
        cpuMs: (end.get(w.name)?.cpuMs ?? 0) - (start.get(w.name)?.cpuMs ?? 0),
        rssPeakMiB: peak.get(w.name) ?? 0,
      }));
    },
  };
}

/** The stack's running servers, by their pid files. */
export async function stackServers(cfg: Config): Promise<Watched[]> {
  return (await status(cfg)).flatMap((s) => (s.pid === undefined ? [] : [{ name: s.name, pid: s.pid, kind: 'server' as const }]));
}

export const benchProcess: Watched = { name: 'bench (load, event watcher)', pid: process.pid, kind: 'bench' };

/** Per process: CPU ms per unit of work, its share of all CPU in the phase, RSS (MiB) idle and at peak. */
export function usageFigures(units: number, idle: Map<string, Usage>, phase: readonly PhaseUsage[]) {
  const totalCpuMs = phase.reduce((a, p) => a + p.cpuMs, 0);
  return phase.map((p) => ({
    process: p.name,
    kind: p.kind,
    cpuMsPerUnit: round(p.cpuMs / units, 2),
    cpuShare: round(p.cpuMs / totalCpuMs, 3),
    rssIdleMiB: round(idle.get(p.name)?.rssMiB ?? NaN),
    rssPeakMiB: round(p.rssPeakMiB),
  }));
}

/** Prints a phase's usage per process (the rows of `usageFigures`). */
export function printUsage(title: string, unit: string, units: number, idle: Map<string, Usage>, phase: readonly PhaseUsage[]): void {
  printTable(
    title,
    ['process', 'kind', `CPU ms per ${unit}`, 'CPU share', 'RSS idle', 'RSS peak'],
    usageFigures(units, idle, phase).map((f) => [f.process, f.kind, round(f.cpuMsPerUnit, 1), pct(f.cpuShare), `${f.rssIdleMiB.toFixed(0)} MiB`, `${f.rssPeakMiB.toFixed(0)} MiB`]),
  );
}

/**
 * Throughput when the machine's cores are the limit: units per second ≈ cores × 1000 / the
 * CPU ms every watched process spends per unit. `without` leaves processes out — the same
 * run with their work taken out, as if it cost nothing (what a figure would be without a
 * local server's share). The saga benchmark prints it beside the measured rate: where the
 * two agree, the path is CPU-bound and the figure without a server is worth stating.
 */
export function cpuBoundRate(phase: readonly PhaseUsage[], units: number, cores: number, without: (p: PhaseUsage) => boolean = () => false): number {
  const cpuMsPerUnit = phase.filter((p) => !without(p)).reduce((a, p) => a + p.cpuMs, 0) / units;
  return (cores * 1000) / cpuMsPerUnit;
}
