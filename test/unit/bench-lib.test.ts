/**
 * The benchmarks' own instruments: the paced load generator, the /proc reader and the
 * in-process SQS of the fairness and priority benchmarks. A figure in README is only as
 * good as these.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { runPaced } from '../../bench/lib/load';
import { MemorySqs } from '../../bench/lib/memory-sqs';
import { loadConfig } from '../../src/config';
import { queueDepths } from '../../src/infra/intake';
import { cpuBoundRate, measureUsage } from '../../bench/lib/resources';
import { frontendRequests, requestsPer } from '../../bench/lib/temporal-requests';

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

describe('MemorySqs (through the AWS SDK, as the dispatcher calls it)', () => {
  let memory: MemorySqs;
  let sqs: SQSClient;
  let url: string;
  beforeEach(() => {
    memory = new MemorySqs(30);
    sqs = memory.client(loadConfig());
    url = memory.intakeQueues().normal.url;
  });
  afterEach(() => sqs.destroy());
  const sendBodies = (...bodies: string[]) =>
    sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })) }));
  const receive = (max = 10, wait = 0) =>
    sqs
      .send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, WaitTimeSeconds: wait, MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'] }))
      .then((r) => r.Messages ?? []);

  test('hands messages out in the order sent, each once until handed back, and counts what waits', async () => {
    await sendBodies('a', 'b', 'c');
    expect((await queueDepths(sqs, memory.intakeQueues())).waiting).toEqual({ high: 0, normal: 3, low: 0 });
    const first = await receive(2);
    expect(first.map((m) => m.Body)).toEqual(['a', 'b']);
    expect(first[0]!.Attributes).toEqual({ SentTimestamp: expect.stringMatching(/^\d{13}$/), ApproximateReceiveCount: '1' });
    expect((await receive()).map((m) => m.Body)).toEqual(['c']);
    expect(await receive()).toEqual([]);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first[1]!.ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await receive();
    expect(again.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([['b', '2']]);
    expect((await queueDepths(sqs, memory.intakeQueues())).waiting.normal).toBe(0);
  });

  test('a deleted message is gone for good, by its latest receipt', async () => {
    await sendBodies('a');
    const [m] = await receive();
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: '0', ReceiptHandle: m!.ReceiptHandle }] }));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m!.ReceiptHandle, VisibilityTimeout: 0 }));
    expect(await receive()).toEqual([]);
  });

  test('a long poll is answered by the first message sent while it waits', async () => {
    const polling = receive(10, 20); // 20 s: the test's own timeout (5 s) fails it if the send does not wake it
    await sendBodies('late');
    expect((await polling).map((m) => m.Body)).toEqual(['late']);
  });
});

describe('Temporal request counts', () => {
  const exposition = (heartbeats: number, completions: number) =>
    [
      '# HELP service_requests service_requests counter',
      '# TYPE service_requests counter',
      `service_requests{namespace="default",operation="RecordActivityTaskHeartbeat",service_name="frontend"} ${heartbeats}`,
      `service_requests{namespace="default",operation="RecordActivityTaskHeartbeat",service_name="history"} ${heartbeats * 10}`,
      `service_requests{namespace="default",operation="RespondWorkflowTaskCompleted",service_name="frontend"} ${completions}`,
      `service_requests{namespace="other",operation="RespondWorkflowTaskCompleted",service_name="frontend"} 5`,
      'service_requests_total_latency{operation="RespondWorkflowTaskCompleted",service_name="frontend"} 99',
      `service_requests{namespace="_unknown_",operation="GetSystemInfo",service_name="frontend"} 9`,
    ].join('\n');

  test('the frontend’s requests are summed by operation over namespaces; other services and metrics are left out', () => {
    expect(frontendRequests(exposition(266, 1197))).toEqual(
      new Map([
        ['RecordActivityTaskHeartbeat', 266],
        ['RespondWorkflowTaskCompleted', 1202],
        ['GetSystemInfo', 9],
      ]),
    );
  });

  test('requests per unit count only what moved between the readings, most first', () => {
    expect(requestsPer(frontendRequests(exposition(10, 100)), frontendRequests(exposition(250, 580)), 120)).toEqual({
      RespondWorkflowTaskCompleted: 4,
      RecordActivityTaskHeartbeat: 2,
    });
    expect(Object.keys(requestsPer(frontendRequests(exposition(10, 100)), frontendRequests(exposition(250, 580)), 120))).toEqual([
      'RespondWorkflowTaskCompleted',
      'RecordActivityTaskHeartbeat',
    ]);
  });
});
