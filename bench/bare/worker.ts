/**
 * The baseline's worker, a process of its own like the booking worker: polls the
 * `bench-bare` task queue with the booking worker's normal-priority slots.
 */
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { createNoopActivities } from './activities';

export const BARE_TASK_QUEUE = 'bench-bare';

async function main(): Promise<void> {
  const cfg = loadConfig();
  const connection = await NativeConnection.connect({ address: cfg.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: cfg.temporal.namespace,
    taskQueue: BARE_TASK_QUEUE,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows') }),
    activities: createNoopActivities(),
    maxConcurrentActivityTaskExecutions: cfg.workerSlots.normal,
    maxConcurrentWorkflowTaskExecutions: cfg.workerSlots.normal,
  });
  process.on('SIGTERM', () => worker.shutdown());
  console.log(`bare worker polling ${BARE_TASK_QUEUE}`);
  await worker.run();
  await connection.close();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
