/**
 * The salon-webhooks process: a consumer of the salon events (its own group,
 * at-least-once) that records a delivery for each of the salon's webhooks naming the
 * event — once per webhook and event id, however often Kafka redelivers it — and starts
 * its delivery workflow (workflows/webhook-delivery.ts), and the Temporal worker of the
 * `webhooks` task queue that makes the signed attempts and retries them for 72 h.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createWebhookActivities } from '../activities/webhooks';
import type { Config } from '../src/config';
import { WEBHOOK_EVENTS, wants } from '../src/domain/webhooks';
import { startEventConsumer } from '../src/infra/consumer';
import { topicSettings } from '../src/infra/events';
import { createProcessKafka } from '../src/infra/kafka';
import { createProcessMetrics } from '../src/infra/metrics';
import { openModels } from '../src/infra/models';
import { isDuplicateKeyError } from '../src/infra/mongo';
import { createTemporalClient } from '../src/infra/temporal';
import { installTemporalRuntime } from '../src/infra/temporal-runtime';
import { createSecretBox, salonWebhooks, startDelivery, urlRulesOf } from '../src/infra/webhooks';
import { runProcess } from '../src/shared/process';
import { deliveryIdFor, WEBHOOK_TASK_QUEUE } from '../src/shared/webhooks';
import { consumingWorker } from './consuming-worker';
import { loadWorkflowBundle } from './workflow-bundle';

export async function startWebhooks(cfg: Config, logger: Logger, opts: { groupId?: string } = {}) {
  installTemporalRuntime(logger);
  const { mongo, models } = await openModels(cfg);
  const { metrics, close: closeMetrics } = createProcessMetrics(cfg, logger, 'webhooks');
  const temporal = await createTemporalClient(cfg);
  const connection = await NativeConnection.connect({ address: cfg.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: cfg.temporal.namespace,
    taskQueue: WEBHOOK_TASK_QUEUE,
    identity: cfg.instanceId,
    workflowBundle: await loadWorkflowBundle(),
    activities: createWebhookActivities({ models, box: createSecretBox(cfg), rules: urlRulesOf(cfg), metrics }),
  });
  const done = worker.run();

  const consumer = await startEventConsumer<{ salonId?: string }>({
    kafka: createProcessKafka(cfg, logger, 'instudio-webhooks'),
    groupId: opts.groupId ?? 'instudio-webhooks',
    topics: WEBHOOK_EVENTS,
    topicSettings: topicSettings(cfg),
    logger,
    // A failed write or start throws: the offset is not committed and the event comes again.
    handle: async (event, topic) => {
      const salonId = event.data.salonId;
      if (!salonId) return;
      const hooks = (await salonWebhooks(models, salonId)).filter((w) => wants(w.events, topic));
      for (const hook of hooks) {
        const deliveryId = deliveryIdFor(hook._id, event.id);
        try {
          await models.WebhookDelivery.create({ _id: deliveryId, webhookId: hook._id, salonId, eventId: event.id, eventType: topic, body: JSON.stringify(event), status: 'pending' });
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err; // recorded before: its first round is started (or starts now) once
        }
        await startDelivery(temporal.client, cfg.webhooks.retryInitialMs, deliveryId, 0);
      }
    },
  });
  logger.info({ taskQueue: WEBHOOK_TASK_QUEUE }, 'webhooks consuming and polling');

  return consumingWorker({
    name: 'webhooks',
    worker,
    done,
    connection,
    consumer: consumer,
    logger,
    closers: [() => temporal.close(), closeMetrics, () => mongo.close()],
  });
}

if (require.main === module) {
  runProcess('webhooks', (cfg, logger) => startWebhooks(cfg, logger), 'shutting down: committing offsets, finishing attempts in hand');
}
