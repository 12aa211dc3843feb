/** The chaos run's report: a table of trials and checks on stdout, and the same as JSON. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrialResult } from './trial';

/** Violations kept per check in the JSON (the count is always complete). */
const KEEP = 20;

export interface Report {
  startedAt: string;
  durationSeconds: number;
  machine: { cpus: number; cpuModel: string; memoryGb: number; platform: string; node: string };
  passed: boolean;
  trials: (Omit<TrialResult, 'checks'> & { passed: boolean; checks: { name: string; passed: boolean; violationCount: number; violations: string[] }[] })[];
}

export const trialPassed = (t: TrialResult): boolean => !t.error && t.checks.every((c) => c.violations.length === 0);

export function buildReport(startedAt: Date, trials: TrialResult[]): Report {
  return {
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
    },
    passed: trials.length > 0 && trials.every(trialPassed),
    trials: trials.map((t) => ({
      ...t,
      passed: trialPassed(t),
      checks: t.checks.map((c) => ({ name: c.name, passed: c.violations.length === 0, violationCount: c.violations.length, violations: c.violations.slice(0, KEEP) })),
    })),
  };
}

const row = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;

/** A Markdown table (it reads in a terminal and pastes into the README). */
export function formatReport(report: Report): string {
  const lines = [row(['trial', 'what happened', 'check', 'result']), row(['---', '---', '---', '---'])];
  for (const t of report.trials) {
    const stats = Object.entries(t.stats).map(([k, v]) => `${k} ${v}`).join(', ');
    const happened = `${t.title} (${Math.round(t.durationMs / 1000)} s): ${stats}`;
    const checks = t.error ? [{ name: 'trial ran to the end', passed: false, violationCount: 1, violations: [t.error] }, ...t.checks] : t.checks;
    checks.forEach((c, i) => {
      const result = c.passed ? 'pass' : `**FAIL** (${c.violationCount}): ${c.violations[0] ?? ''}`;
      lines.push(row([i === 0 ? t.name : '', i === 0 ? happened : '', c.name, result]));
    });
  }
  const m = report.machine;
  lines.push(
    '',
    `${report.passed ? 'PASSED' : 'FAILED'}: ${report.trials.filter((t) => t.passed).length}/${report.trials.length} trials in ${report.durationSeconds} s ` +
      `on ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, ${m.platform}, Node ${m.node} (${report.startedAt})`,
  );
  return lines.join('\n');
}

export function writeReport(report: Report, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
