/**
 * The benchmarks' own instruments: the paced load generator and the /proc reader. A
 * figure in README is only as good as these.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runPaced } from '../../bench/lib/load';
import { cpuBoundRate, measureUsage } from '../../bench/lib/resources';

describe('runPaced', () => {
  let server: http.Server;
  let url: string;
  const arrivals: { i: number; at: number }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const i = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('i'));
      arrivals.push({ i, at: performance.now() });
      if (i % 10 === 3) return void req.socket.destroy(); // no answer at all
      res.writeHead(i % 10 === 7 ? 503 : 202).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  test('sends rate × seconds requests, each not before its moment, and counts every answer and failure', async () => {
    arrivals.length = 0;
    const rate = 100;
    const before = performance.now();
    const result = await runPaced({ url, seconds: 0.5, connections: 5, rate, request: (i) => ({ method: 'POST', path: `/?i=${i}`, headers: {} }) });
    expect(result.requests + result.errors).toBe(50);
    expect(result.statusCounts).toEqual({ 202: 40, 503: 5 });
    expect(result.non2xx).toBe(5);
    expect(result.errors).toBe(5);
    expect(result.latency.count).toBe(40);
    // Open loop, spread over the half second: request i leaves at t0 + i × 10 ms at the
    // earliest (a few ms early at most: waits under 1 ms are not slept, and a timer rounds
    // its delay down to whole ms), so none arrives before that, however busy the machine
    // (a burst would send them all at t0).
    const byIndex = new Map(arrivals.map((a) => [a.i, a.at]));
    expect(byIndex.size).toBe(50);
    for (let i = 0; i < 50; i++) expect(byIndex.get(i)! - before).toBeGreaterThanOrEqual(i * 10 - 3);
  });
});

describe('measureUsage', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  /** A node process that holds `mib` MiB resident, optionally starts a child that does too, and says when. */
  const holder = (mib: number, withChild: number): Promise<{ pid: number; childPid: number | undefined }> => {
    const code = `
      const hold = Buffer.alloc(${mib} * 2 ** 20, 1);
      const { spawn } = require('node:child_process');
      let childPid;
      const ready = () => { process.stdout.write(JSON.stringify({ pid: process.pid, childPid }) + '\\n'); };
      if (${withChild} > 0) {
        const c = spawn(process.execPath, ['-e', "const b = Buffer.alloc(${withChild} * 2 ** 20, 1); process.stdout.write('up\\\\n'); setInterval(() => b[0]++, 1000)"], { stdio: ['ignore', 'pipe', 'inherit'] });
        childPid = c.pid;
        c.stdout.once('data', ready);
      } else ready();
      setInterval(() => hold[0]++, 1000);
    `;
    const p = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(p);
    return new Promise((resolve, reject) => {
      p.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as { pid: number; childPid: number | undefined }));
      p.once('exit', (code) => reject(new Error(`holder exited ${code}`)));
    });
  };

  test('a process counts with its descendants; a descendant watched itself counts only under its own name', async () => {
    const { pid, childPid } = await holder(64, 96);
    children.push({ kill: () => childPid && process.kill(childPid, 'SIGKILL') } as unknown as ChildProcess);
    const together = measureUsage([{ name: 'parent', pid, kind: 'server' }]).get('parent')!;
    expect(together.rssMiB).toBeGreaterThanOrEqual(64 + 96);
    expect(together.cpuMs).toBeGreaterThan(0);

    const apart = measureUsage([
      { name: 'parent', pid, kind: 'server' },
      { name: 'child', pid: childPid!, kind: 'server' },
    ]);
    expect(apart.get('child')!.rssMiB).toBeGreaterThanOrEqual(96);
    expect(apart.get('parent')!.rssMiB).toBeGreaterThanOrEqual(64);
    expect(apart.get('parent')!.rssMiB).toBeLessThan(together.rssMiB - 90);
  });

  test('a process that is gone reads as nothing used', () => {
    expect(measureUsage([{ name: 'gone', pid: 2 ** 22 + 1, kind: 'server' }]).get('gone')).toEqual({ cpuMs: 0, rssMiB: 0 });
  });
});

describe('cpuBoundRate', () => {
  const phase = [
    { name: 'worker', kind: 'product' as const, cpuMs: 3000, rssPeakMiB: 0 },
    { name: 'db', kind: 'server' as const, cpuMs: 5000, rssPeakMiB: 0 },
    { name: 'temporal', kind: 'server' as const, cpuMs: 2000, rssPeakMiB: 0 },
  ];

  test('units per second are the cores over the CPU per unit of every process', () => {
    // 100 units at 100 ms of CPU each on 2 cores: 20 a second.
    expect(cpuBoundRate(phase, 100, 2)).toBeCloseTo(20);
  });

  test('a process left out costs nothing: the rate rises by its share', () => {
    expect(cpuBoundRate(phase, 100, 2, (p) => p.name === 'db')).toBeCloseTo(40);
    expect(cpuBoundRate(phase, 100, 2, (p) => p.kind === 'server')).toBeCloseTo(2000 / 30);
  });
});
