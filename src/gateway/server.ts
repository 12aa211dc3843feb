/**
 * The gateway wired to the real servers: connects every dependency once, serves, and
 * shuts down in order (stop intake, then close connections, then flush metrics).
 */
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { provisionOps } from '../infra/alarms';
import { startEventPublisher, topicSettings } from '../infra/events';
import { createIntakeSender, ensureIntakeQueues } from '../infra/intake';
import { createProcessKafka } from '../infra/kafka';
import { createProcessMetrics, type Metrics } from '../infra/metrics';
import { type Models, openModels } from '../infra/models';
import { createSqsClient } from '../infra/sqs';
import { registerLocalWebhook } from '../infra/stripe';
import { createTemporalClient } from '../infra/temporal';
import { createSecretBox, urlRulesOf } from '../infra/webhooks';
import { createApp } from './app';
import { expressMessageClasses } from './http-messages';
import { type AdmissionControl, createAdmissionControl } from './admission';
import { createTokenService, resolveJwtSecret, type TokenService } from './auth';
import { createResponseCache, type ResponseCache } from './cache';
import { startCacheInvalidator } from './cache-invalidation';
import { ensureOperator } from './operator';
import { createPrivileges } from './privileges';
import { STRIPE_WEBHOOK_EVENTS, STRIPE_WEBHOOK_PATH } from './routes/stripe-webhooks';

export interface Gateway {
  url: string;
  app: Express;
  port: number;
  models: Models;
  tokens: TokenService;
  metrics: Metrics;
  cache: ResponseCache;
  admission: AdmissionControl;
  stop(): Promise<void>;
}

export async function startGateway(cfg: Config, logger: Logger, opts: { port?: number } = {}): Promise<Gateway> {
  const secret = resolveJwtSecret(cfg);
  const tokens = createTokenService({ ...cfg.jwt, secret });

  const { mongo, models } = await openModels(cfg);
  if (cfg.operator) await ensureOperator(models, cfg.operator);

  const kafka = createProcessKafka(cfg, logger, 'instudio-gateway');
  const events = await startEventPublisher(cfg, kafka, models.Outbox, logger);
  const { cloudwatch, metrics, close: closeMetrics } = createProcessMetrics(cfg, logger, 'gateway');
  const temporal = await createTemporalClient(cfg);

  const sqs = createSqsClient(cfg);
  const queues = await ensureIntakeQueues(sqs, cfg);
  await provisionOps(cloudwatch, cfg);
  const admission = createAdmissionControl({
    cloudwatch,
    sqs,
    alarmName: cfg.ops.alarms.apiLatency,
    highQueueUrl: queues.high.url,
    highBacklogLimit: cfg.intake.highBacklogLimit,
    logger,
  });
  await admission.refresh();

  let invalidations: { ready: boolean } = { ready: false };
  const cache = createResponseCache({ ttlMs: cfg.gateway.cacheTtlMs, live: () => invalidations.ready });
  const invalidator = await startCacheInvalidator(kafka, topicSettings(cfg), cache, logger);
  invalidations = invalidator;
  let draining = false;

  const { app, listener } = createApp({
    logger,
    models,
    tokens,
    privileges: createPrivileges(models, { ttlMs: cfg.gateway.tokenCheckTtlMs }),
    events,
    metrics,
    cache,
    limits: { perMinute: cfg.gateway.rateLimitPerMinute, loginPerMinute: cfg.gateway.loginRateLimitPerMinute },
    trustProxy: cfg.gateway.trustProxy,
    temporal: temporal.client,
    enqueue: createIntakeSender(sqs, queues),
    admission,
    booking: cfg.booking,
    stripeWebhookSecret: cfg.stripe.webhookSecret,
    webhooks: { box: createSecretBox(cfg), rules: urlRulesOf(cfg), retryInitialMs: cfg.webhooks.retryInitialMs },
    readiness: {
      // Kafka is not here: bookings do not need it (events wait in the outbox), and the
      // cache empties itself while its invalidation consumer is out of its group.
      accepting: async () => {
        if (draining) throw new Error('shutting down');
      },
      mongodb: async () => {
        await mongo.db!.admin().ping();
      },
      temporal: async () => {
        await temporal.connection.workflowService.getSystemInfo({});
      },
    },
  });

  const server = http.createServer(expressMessageClasses(app), listener);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? cfg.port, cfg.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, 'gateway listening');

  // Locally, each gateway asks localstripe for Stripe's webhooks itself (several may run,
  // each on its own port; every event is handled once, whichever gets it first), and asks
  // again now and then: localstripe forgets them when it restarts.
  const webhook = { id: `instudio-gateway-${port}`, url: cfg.stripe.webhookUrl ?? `http://127.0.0.1:${port}${STRIPE_WEBHOOK_PATH}` };
  const registerWebhook = () =>
    registerLocalWebhook(cfg, { ...webhook, events: STRIPE_WEBHOOK_EVENTS }).catch((err: unknown) =>
      logger.warn({ err }, 'could not register the Stripe webhook with localstripe; will try again'),
    );
  if (await registerWebhook()) logger.info({ url: webhook.url }, 'Stripe webhooks registered with localstripe');
  const webhookTimer = setInterval(() => void registerWebhook(), 60_000);
  webhookTimer.unref();

  return {
    url: `http://127.0.0.1:${port}`,
    app,
    port,
    models,
    tokens,
    metrics,
    cache,
    admission,
    async stop() {
      draining = true; // readiness fails first, so a load balancer stops sending
      admission.stop();
      clearInterval(webhookTimer);
      await registerLocalWebhook(cfg, { ...webhook, events: [] }).catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await invalidator.stop();
      await Promise.allSettled([events.close(), temporal.close()]);
      await closeMetrics();
      sqs.destroy();
      await mongo.close();
    },
  };
}
