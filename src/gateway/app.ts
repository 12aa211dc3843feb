/**
 * The gateway's composition: middleware order, routes, errors. Dependencies come in
 * already connected, so tests build the same app on the real servers.
 */
import crypto from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { AppError } from '../domain/errors';
import type { EventPublisher } from '../infra/events';
import type { Metrics } from '../infra/metrics';
import type { Models } from '../infra/models';
import type { AdmissionControl } from './admission';
import type { TokenService } from './auth';
import type { ResponseCache } from './cache';
import { authenticate } from './middleware/auth';
import { cacheHitListener } from './middleware/cache-hit';
import { errorHandler, notFoundHandler } from './middleware/errors';
import { latencyObserver, recordLatency } from './middleware/latency';
import { generalRateLimit } from './middleware/rate-limit';
import { buildOpenApi, ROUTES } from './openapi';
import { docsPage } from './docs';
import { refuseUnknownQuery } from './middleware/query-keys';
import type { Privileges } from './privileges';
import { redactingSerializers } from '../shared/logger';
import { adminRoutes } from './routes/admins';
import { authRoutes } from './routes/auth';
import { bookingRoutes } from './routes/bookings';
import { stripeWebhookRoutes } from './routes/stripe-webhooks';
import { waitlistRoutes } from './routes/waitlist';
import { webhookRoutes } from './routes/webhooks';
import type { UrlRules } from '../domain/webhooks';
import type { SecretBox } from '../infra/webhooks';
import { importRoutes } from './routes/imports';
import { opsRoutes } from './routes/ops';
import { statsRoutes } from './routes/stats';
import { catalogueRoutes } from './routes/catalogue';
import { healthRoutes, type ReadinessCheck } from './routes/health';
import type { Enqueue } from '../infra/intake';

export interface GatewayDeps {
  logger: Logger;
  models: Models;
  tokens: TokenService;
  /** Current token versions, so a token issued before a role change or logout is refused. */
  privileges: Privileges;
  events: EventPublisher;
  metrics: Metrics;
  cache: ResponseCache;
  readiness: Record<string, ReadinessCheck>;
  limits: { perMinute: number; loginPerMinute: number };
  /** Express's `trust proxy` (TRUST_PROXY): whose X-Forwarded-For names the client. */
  trustProxy: false | number | string[];
  temporal: Client;
  enqueue: Enqueue;
  admission: AdmissionControl;
  booking: { holdTtlMs: number; compensationAttempts: number };
  /** STRIPE_WEBHOOK_SECRET: verifies the Stripe-Signature of Stripe's webhooks. */
  stripeWebhookSecret: string;
  /** Salon webhooks: their secrets' key, the URL rules, the first retry's wait. */
  webhooks: { box: SecretBox; rules: UrlRules; retryInitialMs: number };
  now?: () => Date;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface GatewayApp {
  app: Express;
  /** What the HTTP server serves: cache hits before Express, everything else through `app`. */
  listener: RequestListener;
}

export function createApp(deps: GatewayDeps): GatewayApp {
  const app = express();
  const now = deps.now ?? (() => new Date());
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.set('query parser', 'simple');

  const assignRequestId = (req: IncomingMessage, res: ServerResponse): string => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    res.setHeader('X-Request-Id', id);
    return id;
  };
  const observeLatency = latencyObserver(deps.metrics);
  const securityHeaders = helmet();
  const rateLimit = generalRateLimit(deps.limits.perMinute);

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: assignRequestId,
      serializers: redactingSerializers,
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    }),
  );
  app.use(recordLatency(observeLatency));
  app.use(securityHeaders);
  app.use((_req, res, next) => {
    // Nothing is kept by a browser or proxy unless the response cache says it may be.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(refuseUnknownQuery(ROUTES));
  app.use((req, _res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) {
      throw new AppError('unsupported-media-type', 'send the body as JSON with Content-Type: application/json');
    }
    next();
  });
  // Stripe's webhooks: signed raw bytes, so before the JSON parser (and not behind a client's rate limit).
  stripeWebhookRoutes(app, {
    models: deps.models,
    temporal: deps.temporal,
    events: deps.events,
    metrics: deps.metrics,
    logger: deps.logger,
    webhookSecret: deps.stripeWebhookSecret,
  });
  app.use(express.json({ limit: '32kb', strict: true }));
  app.use(authenticate(deps.tokens, deps.privileges));
  // Ids are hex: one spelling of each, so cache tags and lookups agree whatever the case.
  for (const id of ['salonId', 'bookingId', 'entryId', 'webhookId']) {
    app.param(id, (req, _res, next, value: string) => {
      req.params[id] = value.toLowerCase();
      next();
    });
  }
  app.use(rateLimit.middleware);

  healthRoutes(app, deps.readiness);
  const openapi = JSON.stringify(buildOpenApi());
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openapi);
  });
  // The API docs page (Swagger UI on /openapi.json, its own assets and CSP).
  app.use('/docs', docsPage());
  authRoutes(app, {
    models: deps.models,
    tokens: deps.tokens,
    privileges: deps.privileges,
    events: deps.events,
    loginLimitPerMinute: deps.limits.loginPerMinute,
  });
  catalogueRoutes(app, { models: deps.models, events: deps.events, cache: deps.cache, now });
  adminRoutes(app, { models: deps.models, privileges: deps.privileges });
  bookingRoutes(app, {
    models: deps.models,
    temporal: deps.temporal,
    enqueue: deps.enqueue,
    booking: deps.booking,
    cache: deps.cache,
    now,
  });
  waitlistRoutes(app, { models: deps.models, temporal: deps.temporal, now });
  webhookRoutes(app, { models: deps.models, temporal: deps.temporal, ...deps.webhooks });
  importRoutes(app, { admission: deps.admission, enqueue: deps.enqueue });
  statsRoutes(app, deps.models);
  opsRoutes(app, { temporal: deps.temporal });

  app.use(notFoundHandler);
  app.use(errorHandler);
  const listener = cacheHitListener(app, {
    cache: deps.cache,
    assignId: assignRequestId,
    observeLatency,
    securityHeaders,
    rateLimit,
    trustProxy: app.get('trust proxy fn') as (addr: string, hop: number) => boolean,
  });
  return { app, listener };
}
