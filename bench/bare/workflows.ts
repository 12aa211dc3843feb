/**
 * The saga benchmark's baseline workflow: four no-op activities in sequence, as the
 * booking saga runs four steps. Deterministic workflow code only (bundled by
 * bench/bare/worker.ts; imports limited as in workflows/).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { NoopActivities } from './activities';

const step = proxyActivities<NoopActivities>({ startToCloseTimeout: '15 seconds' });

export async function bareWorkflow(): Promise<void> {
  await step.noopCreate();
  await step.noopCheck();
  await step.noopPay();
  await step.noopConfirm();
}
