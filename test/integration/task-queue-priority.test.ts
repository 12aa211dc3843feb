/**
 * Task-queue priority and fairness on the local Temporal server (its dynamic config, see
 * src/shared/temporal-dynamic-config.ts): a backlog on one queue is served by priority
 * key first, and within one key the fairness keys take turns.
 */
import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { createTemporalClient, type TemporalClient } from '../../src/infra/temporal';
import { unique } from '../support/ids';
import { recordWorkflow } from './infra/fixtures/record-workflow';

const cfg = loadConfig();
let temporal: TemporalClient;
let connection: NativeConnection;

beforeAll(async () => {
  temporal = await createTemporalClient(cfg);
  connection = await NativeConnection.connect({ address: cfg.temporal.address });
});
afterAll(async () => {
  await connection?.close();
  await temporal?.close();
});

/** Starts every run on a queue no worker polls yet, then serves the backlog one activity at a time. */
async function serveBacklog(runs: { label: string; priorityKey: number; fairnessKey?: string }[]): Promise<string[]> {
  const taskQueue = unique('priority');
  const handles = [];
  for (const run of runs) {
    handles.push(
      await temporal.client.workflow.start(recordWorkflow, {
        taskQueue,
        workflowId: unique(`priority-${run.label}`),
        args: [run.label],
        priority: { priorityKey: run.priorityKey, ...(run.fairnessKey ? { fairnessKey: run.fairnessKey } : {}) },
      }),
    );
  }
  const order: string[] = [];
  const worker = await Worker.create({
    connection,
    namespace: cfg.temporal.namespace,
    taskQueue,
    workflowsPath: path.join(__dirname, 'infra', 'fixtures', 'record-workflow.ts'),
    activities: { record: async (label: string) => void order.push(label) },
    maxConcurrentActivityTaskExecutions: 1,
    maxConcurrentWorkflowTaskExecutions: 2,
  });
  await worker.runUntil(Promise.all(handles.map((h) => h.result())));
  return order;
}

test('given a backlog of low- and high-priority runs on one queue, when a worker comes, then the high ones are served first', async () => {
  // The low ones are queued first: arrival order favours them.
  const runs = [
    ...Array.from({ length: 15 }, (_, i) => ({ label: `low-${i}`, priorityKey: 5 })),
    ...Array.from({ length: 15 }, (_, i) => ({ label: `high-${i}`, priorityKey: 1 })),
  ];
  const order = await serveBacklog(runs);
  expect(order).toHaveLength(30);
  // The high runs' activities (each inherits its workflow's priority) come first: FIFO
  // would serve the 15 low ones first. A task or two already in flight when the backlog
  // is read may slip through, so the first 15 hold at least 13 high ones.
  const highFirst = order.slice(0, 15).filter((l) => l.startsWith('high')).length;
  expect({ highFirst: highFirst >= 13, order: order.join(' ') }).toEqual({ highFirst: true, order: expect.any(String) });
}, 120_000);

test('given one salon’s burst queued before another salon’s few runs at the same priority, then the few are served among the first, not after the burst', async () => {
  const runs = [
    ...Array.from({ length: 24 }, (_, i) => ({ label: `busy-${i}`, priorityKey: 3, fairnessKey: 'salon-busy' })),
    ...Array.from({ length: 3 }, (_, i) => ({ label: `quiet-${i}`, priorityKey: 3, fairnessKey: 'salon-quiet' })),
  ];
  const order = await serveBacklog(runs);
  const quietPositions = order.flatMap((l, i) => (l.startsWith('quiet') ? [i] : []));
  // FIFO would serve them at 24, 25, 26; with fairness the two keys take turns.
  expect(quietPositions).toHaveLength(3);
  expect(Math.max(...quietPositions)).toBeLessThan(10);
}, 120_000);
