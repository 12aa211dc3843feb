import path from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../../src/config';
import { createTemporalClient, executeUpdateOnceHandled, type TemporalClient } from '../../../src/infra/temporal';
import { BookingIdKey } from '../../../src/shared/search-attributes';
import { unique } from '../../support/ids';
import { eventually } from '../../support/wait';
import { lateHandlerWorkflow, lateUpdate, readySignal } from './fixtures/late-handler-workflow';
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

/** A worker on `taskQueue` running the workflows of one file in fixtures/. */
const fixtureWorker = (file: string, taskQueue: string) =>
  Worker.create({ connection: workerConnection, namespace: cfg.temporal.namespace, taskQueue, workflowsPath: path.join(__dirname, 'fixtures', file) });

test('when a workflow with a custom search attribute completes, then a visibility query finds it', async () => {
  const taskQueue = unique('smoke');
  const bookingId = unique('booking');
  const worker = await fixtureWorker('smoke-workflow.ts', taskQueue);

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

test('when an update arrives before the workflow set its handler, then the SDK refuses it with nothing recorded, and the same update id asked again once the handler is set is handled', async () => {
  const taskQueue = unique('late-handler');
  const worker = await fixtureWorker('late-handler-workflow.ts', taskQueue);
  const refusals: string[] = [];

  const answer = await worker.runUntil(async () => {
    const handle = await temporal.client.workflow.start(lateHandlerWorkflow, { taskQueue, workflowId: unique('late-handler') });
    const answered = await executeUpdateOnceHandled(async () => {
      if (refusals.length === 1) await handle.signal(readySignal); // the handler is set once the first ask was refused
      return handle.executeUpdate(lateUpdate, { updateId: 'the-same-update' }).catch((err: Error & { cause?: Error }) => {
        refusals.push(err.cause?.message ?? err.message);
        throw err;
      });
    }, Date.now() + 10_000);
    await handle.result();
    return answered;
  });

  expect(refusals).toEqual(['No registered handler for update: late']);
  expect(answer).toBe('handled');
});
