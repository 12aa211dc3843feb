/**
 * The salon-webhook delivery workflow on Temporal's time-skipping test server, with stub
 * activities: the branches (WEBHOOK_BRANCHES) the workflow tests assert on and the
 * recorder of replay histories commits.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { WebhookActivities } from '../../activities/webhooks';
import { RETRY } from '../../src/domain/webhooks';
import { deliveryWorkflowIdFor } from '../../src/shared/webhooks';
import { webhookDelivery } from '../../workflows/webhook-delivery';
import { unique } from './ids';
import type { SagaEnv } from './saga-harness';

export interface WebhookHarness {
  /** The test server's clock at each attempt, and at the failure's recording. */
  attempts: number[];
  failedAt: number[];
  activities: WebhookActivities;
}

/** `answers`: how each attempt ends, in order ('ok', 'fail' or 'gone'); past the list, 'fail'. */
export function webhookStubs(saga: SagaEnv, answers: readonly ('ok' | 'fail' | 'gone')[]): WebhookHarness {
  const attempts: number[] = [];
  const failedAt: number[] = [];
  return {
    attempts,
    failedAt,
    activities: {
      async attemptDelivery() {
        attempts.push(await saga.env.currentTimeMs());
        const answer = answers[attempts.length - 1] ?? 'fail';
        if (answer === 'gone') throw ApplicationFailure.nonRetryable('webhook w1 was deleted (stub)', 'WebhookGone');
        if (answer === 'fail') throw ApplicationFailure.retryable('the webhook answered 500 (stub)', 'WebhookAttemptFailed');
      },
      async markDeliveryFailed() {
        failedAt.push(await saga.env.currentTimeMs());
      },
    },
  };
}

/** Runs one delivery (the product's retry schedule) to its end; answers its result and the stubs' record. */
export async function runDelivery(saga: SagaEnv, answers: readonly ('ok' | 'fail' | 'gone')[]) {
  const h = webhookStubs(saga, answers);
  const taskQueue = unique('webhooks');
  const worker = await Worker.create({ connection: saga.env.nativeConnection, taskQueue, workflowBundle: saga.bundle, activities: h.activities });
  const started = await saga.env.currentTimeMs();
  const { result, history } = await worker.runUntil(async () => {
    const handle = await saga.env.client.workflow.start(webhookDelivery, {
      taskQueue,
      workflowId: deliveryWorkflowIdFor(unique('w1:e1'), 0),
      args: [{ deliveryId: 'w1:e1', retry: RETRY }],
    });
    return { result: await handle.result(), history: await handle.fetchHistory() };
  });
  return { ...h, result, history, started };
}

/** Each branch of the delivery workflow, as its attempts answer. */
export const WEBHOOK_BRANCHES = {
  'delivered-after-retries': ['fail', 'fail', 'ok'],
  'failed-after-72h': [],
  'webhook-deleted': ['fail', 'gone'],
} as const satisfies Record<string, readonly ('ok' | 'fail' | 'gone')[]>;
