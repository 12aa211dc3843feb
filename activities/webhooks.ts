/**
 * The salon-webhook delivery's activities: one signed attempt (logged on the delivery,
 * thrown on anything but a 2xx so Temporal retries it), and the end after 72 h.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { UrlRules } from '../src/domain/webhooks';
import type { Metrics } from '../src/infra/metrics';
import type { Models } from '../src/infra/models';
import { postSigned, recordAttempt, type SecretBox } from '../src/infra/webhooks';

export interface WebhookDeps {
  models: Models;
  box: SecretBox;
  rules: UrlRules;
  metrics: Metrics;
  now?: () => Date;
}

export function createWebhookActivities(deps: WebhookDeps) {
  const { models, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    /** One attempt: delivered on a 2xx within 10 s; otherwise thrown, to be retried. */
    async attemptDelivery({ deliveryId }: { deliveryId: string }): Promise<void> {
      const delivery = await models.WebhookDelivery.findById(deliveryId).lean();
      if (!delivery) throw ApplicationFailure.nonRetryable(`delivery ${deliveryId} does not exist`, 'WebhookGone');
      if (delivery.status === 'delivered') return; // a retried activity whose first run delivered it
      const webhook = await models.Webhook.findById(delivery.webhookId).lean();
      if (!webhook || webhook.deletedAt) throw ApplicationFailure.nonRetryable(`webhook ${delivery.webhookId} was deleted`, 'WebhookGone');
      const at = now();
      const result = await postSigned(
        { url: webhook.url, secret: deps.box.open(webhook.secretEncrypted), eventId: delivery.eventId, eventType: delivery.eventType, body: delivery.body },
        deps.rules,
        at,
      );
      await recordAttempt(models, deliveryId, at, result);
      metrics.record('WebhookAttempts', 1, 'Count', { Outcome: result.delivered ? 'delivered' : 'failed' });
      if (!result.delivered) {
        throw ApplicationFailure.retryable(
          result.statusCode != null ? `the webhook answered ${result.statusCode}` : `the webhook could not be reached: ${result.error ?? 'no answer'}`,
          'WebhookAttemptFailed',
        );
      }
    },

    /** Retried for its whole window (or its webhook deleted): the delivery is `failed`. */
    async markDeliveryFailed({ deliveryId }: { deliveryId: string }): Promise<void> {
      const res = await models.WebhookDelivery.updateOne({ _id: deliveryId, status: 'pending' }, { $set: { status: 'failed' } });
      if (res.modifiedCount > 0) metrics.record('WebhookDeliveriesFailed', 1, 'Count');
    },
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
