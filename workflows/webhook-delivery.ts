/**
 * One salon-webhook delivery (`webhook:<webhookId>:<eventId>:<round>`): the signed POST,
 * retried by Temporal with exponential backoff — the first retry `retry.initialMs` after
 * the first attempt, doubling up to `retry.maximumMs` — for `retry.forMs` (72 h); then the
 * delivery is `failed`. Every attempt is logged on the delivery by the activity itself.
 * A redelivery is a new round: a new execution of this workflow. Deterministic code only.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';
import type { DeliveryInput } from '../src/shared/webhooks';

const settle = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function webhookDelivery(input: DeliveryInput): Promise<'delivered' | 'failed'> {
  const attempt = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '30 seconds', // the POST's 10 s and the bookkeeping around it
    scheduleToCloseTimeout: input.retry.forMs,
    retry: {
      initialInterval: input.retry.initialMs,
      backoffCoefficient: input.retry.coefficient,
      maximumInterval: input.retry.maximumMs,
      nonRetryableErrorTypes: ['WebhookGone'],
    },
  });
  try {
    await attempt.attemptDelivery({ deliveryId: input.deliveryId });
    return 'delivered';
  } catch {
    await settle.markDeliveryFailed({ deliveryId: input.deliveryId });
    return 'failed';
  }
}
