/**
 * The gateway wired to the real servers: connects every dependency once, serves, and
 * shuts down in order (stop intake, then close connections, then flush metrics).
 */
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createCloudWatchClient, ensureApiLatencyAlarm } from '../infra/cloudwatch';
import { enqueue, ensureIntakeQueues } from '../infra/intake';
import { createSqsClient } from '../infra/sqs';
import { createEventPublisher, ensureTopics } from '../infra/events';
import { createKafka } from '../infra/kafka';
import { createMetrics, type Metrics } from '../infra/metrics';
import { createModels, ensureIndexes, type Models } from '../infra/models';
import { connectMongo } from '../infra/mongo';
import { createTemporalClient } from '../infra/temporal';
import { createApp } from './app';
import { type AdmissionControl, createAdmissionControl } from './admission';
import { createTokenService, resolveJwtSecret, type TokenService } from './auth';
import { createResponseCache, type ResponseCache } from './cache';
import { createCacheInvalidator } from './cache-invalidation';
import { ensureOperator } from './operator';

export interface Gateway {
  url: string;
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

  const mongo = await connectMongo(cfg);
  const models = createModels(mongo);
  await ensureIndexes(models);
  if (cfg.operator) await ensureOperator(models, cfg.operator);

  const kafkaLog = logger.child({ component: 'kafka' });
  const kafka = createKafka(cfg, { clientId: 'instudio-gateway', sink: (level, msg, extra) => kafkaLog[level](extra, msg) });
  await ensureTopics(kafka);
  const events = await createEventPublisher(kafka);
  const admin = kafka.admin();
  await admin.connect();

  const cloudwatch = createCloudWatchClient(cfg);
  const metrics = createMetrics(cloudwatch, {
    flushIntervalMs: cfg.metricsFlushIntervalMs,
    onError: (err) => logger.warn({ err }, 'could not publish metrics; will retry with the next batch'),
  });

  const temporal = await createTemporalClient(cfg);

  const sqs = createSqsClient(cfg);
  const queues = await ensureIntakeQueues(sqs, cfg);
  await ensureApiLatencyAlarm(cloudwatch, cfg.intake.latencyAlarmName);
  const admission = createAdmissionControl({
    cloudwatch,
    sqs,
    alarmName: cfg.intake.latencyAlarmName,
    highQueueUrl: queues.high.url,
    highBacklogLimit: cfg.intake.highBacklogLimit,
    logger,
  });
  await admission.refresh();

  const cache = createResponseCache({ ttlMs: cfg.gateway.cacheTtlMs });
  const invalidator = createCacheInvalidator(kafka, cache, logger);
  await invalidator.start();

  const app = createApp({
    logger,
    models,
    tokens,
    events,
    metrics,
    cache,
    limits: { perMinute: cfg.gateway.rateLimitPerMinute, loginPerMinute: cfg.gateway.loginRateLimitPerMinute },
    temporal: temporal.client,
    enqueue: (priority, command) => enqueue(sqs, queues, priority, command),
    admission,
    holdTtlMs: cfg.booking.holdTtlMs,
    readiness: {
      mongodb: async () => {
        await mongo.db!.admin().ping();
      },
      kafka: async () => {
        await admin.describeCluster();
        if (!invalidator.ready) throw new Error('cache invalidation consumer is not in its group');
      },
      temporal: async () => {
        await temporal.connection.workflowService.getSystemInfo({});
      },
    },
  });

  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? cfg.port, cfg.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, 'gateway listening');

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    models,
    tokens,
    metrics,
    cache,
    admission,
    async stop() {
      admission.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await invalidator.stop();
      await Promise.allSettled([events.close(), admin.disconnect(), temporal.close()]);
      await metrics.close();
      cloudwatch.destroy();
      sqs.destroy();
      await mongo.close();
    },
  };
}
