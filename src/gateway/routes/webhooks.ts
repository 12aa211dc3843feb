/**
 * Salon webhooks (LIFECYCLE.md, "Salon webhooks"): a salon's admin or an operator
 * registers where the salon's events go (the secret shown once), lists and deletes
 * them, reads each webhook's deliveries and asks for one again. Deliveries themselves
 * are made by the webhooks process (workers/webhooks.ts) as Temporal workflows.
 */
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Express, Request } from 'express';
import { AppError, notFound } from '../../domain/errors';
import { ALL_EVENTS, newSecret, type UrlRules } from '../../domain/webhooks';
import type { Models } from '../../infra/models';
import { checkWebhookUrl, findWebhook, salonWebhooks, type SecretBox, startDelivery, type StoredDelivery, toDeliveryView, toWebhookView } from '../../infra/webhooks';
import { requireSalonManager } from '../middleware/auth';
import { parse } from '../middleware/validate';
import { WebhookBody } from '../schemas';

export interface WebhookRoutesDeps {
  models: Models;
  temporal: Client;
  box: SecretBox;
  rules: UrlRules;
  /** WEBHOOK_RETRY_INITIAL_MS: the first retry's wait. */
  retryInitialMs: number;
}

const DELIVERIES_SHOWN = 100;

export function webhookRoutes(app: Express, deps: WebhookRoutesDeps): void {
  const { models, temporal, box, rules } = deps;

  /** The salon, managed by the caller, and existing. */
  const managedSalon = async (req: Request): Promise<string> => {
    const salonId = String(req.params.salonId);
    requireSalonManager(req, salonId);
    if (!(await models.Salon.exists({ _id: salonId }).catch(() => null))) throw notFound('salon', salonId);
    return salonId;
  };
  const webhookOf = async (req: Request) => {
    const salonId = await managedSalon(req);
    const webhook = await findWebhook(models, salonId, String(req.params.webhookId));
    if (!webhook) throw notFound('webhook', String(req.params.webhookId));
    return webhook;
  };

  app.post('/v1/salons/:salonId/webhooks', async (req, res) => {
    const salonId = await managedSalon(req);
    const body = parse(WebhookBody, req.body);
    const problem = await checkWebhookUrl(body.url, rules);
    if (problem) throw new AppError('validation', `url ${problem}`, { errors: [{ field: 'url', message: problem }] });
    const events = body.events.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(body.events)];
    const secret = newSecret();
    const id = crypto.randomUUID().replace(/-/g, '');
    await models.Webhook.create({ _id: id, salonId, url: body.url, events, secretEncrypted: box.seal(secret) });
    res.status(201).location(`/v1/salons/${salonId}/webhooks/${id}`).json({ id, url: body.url, events, secret });
  });

  app.get('/v1/salons/:salonId/webhooks', async (req, res) => {
    const salonId = await managedSalon(req);
    res.json({ items: (await salonWebhooks(models, salonId)).map(toWebhookView) });
  });

  app.delete('/v1/salons/:salonId/webhooks/:webhookId', async (req, res) => {
    const webhook = await webhookOf(req);
    await models.Webhook.updateOne({ _id: webhook._id }, { $set: { deletedAt: new Date() } });
    res.status(204).end();
  });

  app.get('/v1/salons/:salonId/webhooks/:webhookId/deliveries', async (req, res) => {
    const webhook = await webhookOf(req);
    const deliveries = (await models.WebhookDelivery.find({ webhookId: webhook._id }, { body: 0, log: 0 })
      .sort({ createdAt: -1, _id: 1 })
      .limit(DELIVERIES_SHOWN)
      .lean()) as StoredDelivery[];
    res.json({ items: deliveries.map(toDeliveryView) });
  });

  app.post('/v1/salons/:salonId/webhooks/:webhookId/deliveries/:deliveryId/redeliver', async (req, res) => {
    const webhook = await webhookOf(req);
    const deliveryId = String(req.params.deliveryId);
    const delivery = await models.WebhookDelivery.findOneAndUpdate(
      { _id: deliveryId, webhookId: webhook._id },
      { $inc: { rounds: 1 }, $set: { status: 'pending' } },
      { new: true }, // (FerretDB refuses a projection here)
    ).lean();
    if (!delivery) throw notFound('delivery', deliveryId);
    await startDelivery(temporal, deps.retryInitialMs, deliveryId, delivery.rounds);
    res.status(202).location(`/v1/salons/${webhook.salonId}/webhooks/${webhook._id}/deliveries`).json(toDeliveryView(delivery));
  });
}
