import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../../src/config';
import { createTemporalClient, type TemporalClient } from '../../../src/infra/temporal';
import { BookingIdKey } from '../../../src/shared/search-attributes';
import { unique } from '../../support/ids';
import { eventually } from '../../support/wait';
import { smokeWorkflow } from './fixtures/smoke-workflow';

const cfg = loadConfig();
let temporal: TemporalClient;
let workerConnection: NativeConnection;

beforeAll(async () => {
  temporal = await createTemporalClient(cfg);
  workerConnection = await NativeConnection.connect({ address: cfg.temporal.address });
});

afterAll(async () => {
  await workerConnection?.close();
  await temporal?.close();
});

test('when a workflow with a custom search attribute completes, then a visibility query finds it', async () => {
  const taskQueue = unique('smoke');
  const bookingId = unique('booking');
  const worker = await Worker.create({
    connection: workerConnection,
    namespace: cfg.temporal.namespace,
    taskQueue,
    workflowsPath: path.join(__dirname, 'fixtures', 'smoke-workflow.ts'),
  });

  const result = await worker.runUntil(
    temporal.client.workflow.execute(smokeWorkflow, {
      taskQueue,
      workflowId: `smoke:${bookingId}`,
      args: ['salon'],
      typedSearchAttributes: [{ key: BookingIdKey, value: bookingId }],
    }),
  );
  expect(result).toBe('hello salon');

  const found = await eventually(
    async () => {
      const matches = [];
      for await (const wf of temporal.client.workflow.list({
        query: `BookingId = "${bookingId}" AND BookingStatus = "confirmed"`,
      })) {
        matches.push(wf);
      }
      return matches.length > 0 ? matches : undefined;
    },
    { what: 'the workflow in visibility' },
  );
  expect(found).toHaveLength(1);
  expect(found[0]!.workflowId).toBe(`smoke:${bookingId}`);
  expect(found[0]!.status.name).toBe('COMPLETED');
  expect(found[0]!.typedSearchAttributes.get(BookingIdKey)).toBe(bookingId);
});
