/**
 * The one configuration of every InStudio process: read from environment variables
 * once at boot, validated by a schema, with defaults that point at the local stack
 * (`npm run stack -- up`). A bad value stops the process with a message naming the
 * variable and what it expects.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const hostPort = z
  .string()
  .regex(/^[^:/\s]+:\d{1,5}$/, 'expected host:port, for example 127.0.0.1:7233');
const url = z.string().url();

/**
 * TRUST_PROXY: whose X-Forwarded-For the gateway believes. Off by default (the peer's
 * address is the client's); a hop count (`1`: one load balancer in front); or a list of
 * addresses and CIDRs of the proxies (`10.0.0.0/8, 172.16.0.0/12`), Express's names
 * `loopback`, `linklocal`, `uniquelocal` among them.
 */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isAddressOrCidr = (entry: string): boolean => {
  if (PROXY_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
};
const trustProxy = z.string().transform((raw, ctx): false | number | string[] => {
  const value = raw.trim();
  if (['off', 'false', '0'].includes(value)) return false;
  if (/^[1-9]\d?$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length > 0 && entries.every(isAddressOrCidr)) return entries;
  ctx.addIssue({
    code: 'custom',
    message: 'use off, a hop count (1–99) or a comma-separated list of proxy addresses or CIDRs, for example 10.0.0.0/8',
  });
  return z.NEVER;
});

export const repoRoot = path.resolve(__dirname, '..');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),

  INSTUDIO_STATE_DIR: z.string().min(1).default(path.join(repoRoot, '.instudio', 'state')),
  INSTUDIO_TOOLS_DIR: z.string().min(1).default(path.join(os.homedir(), '.cache', 'instudio', 'tools')),

  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_METRICS_PORT: port.default(9233),

  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
    .pipe(z.array(hostPort).min(1)),
  KAFKA_CONTROLLER_PORT: port.default(19093),
  KAFKA_CLIENT_ID: z.string().min(1).default('instudio'),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),

  AWS_ENDPOINT_URL: url.optional().default('http://127.0.0.1:4566'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ACCESS_KEY_ID: z.string().min(1).default('test'),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).default('test'),

  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// URI')
    .default('mongodb://127.0.0.1:27017/instudio'),

  STRIPE_API_URL: url.optional().default('http://127.0.0.1:8420'),
  STRIPE_SECRET_KEY: z.string().min(1).default('sk_test_instudio_local'),
  /** Verifies Stripe-Signature on POST /v1/webhooks/stripe (Stripe's endpoint secret; locally, what the gateway registers with localstripe). */
  STRIPE_WEBHOOK_SECRET: z.string().min(16, 'use the endpoint secret Stripe shows (whsec_…)').default('whsec_instudio_local_webhooks'),
  /** Where Stripe reaches this gateway's webhook (unset: http://127.0.0.1:<port>/v1/webhooks/stripe); registered with localstripe when STRIPE_API_URL is http. */
  STRIPE_WEBHOOK_URL: url.optional(),

  /** Where email goes (locally Mailpit's SMTP server); `smtp://user:pass@host:port`, or `smtps://` for TLS. */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'expected smtp://host:port or smtps://host:port').default('smtp://127.0.0.1:1025'),
  /** The sender of every email. */
  MAIL_FROM: z.string().min(3).default('InStudio <reservas@instudio.example>'),
  /** Mailpit's HTTP API and web UI (local stacks only: what the tests read emails back from). */
  MAILPIT_URL: url.optional().default('http://127.0.0.1:8025'),
  JWT_SECRET: z.string().min(32, 'use at least 32 characters').optional(),
  /** Encrypts the salons' webhook secrets at rest (AES-256-GCM under a key derived from it); production refuses to start without it. */
  WEBHOOK_SECRET_KEY: z.string().min(32, 'use at least 32 random characters, for example `openssl rand -base64 32`').optional(),
  /** Webhook hosts allowed in production whatever they resolve to (comma-separated), e.g. a partner on a private network. */
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)),
  /** The first retry of a failed webhook delivery waits this long; later ones double it (up to 1 h), for 72 h. */
  WEBHOOK_RETRY_INITIAL_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
  JWT_ISSUER: z.string().min(1).default('instudio'),
  JWT_AUDIENCE: z.string().min(1).default('instudio-api'),
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(3600),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  TRUST_PROXY: trustProxy.default(false),
  TOKEN_CHECK_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
  INSTANCE_ID: z.string().min(1).max(255).optional(),
  HEALTH_PORT: port.optional(),
  METRICS_FLUSH_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  HOLD_TTL_MS: z.coerce.number().int().min(1000).default(10 * 60_000),
  COMPENSATION_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  INTAKE_MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000).default(5),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  RECONCILE_AFTER_MS: z.coerce.number().int().min(0).default(5 * 60_000),
  INTAKE_RELAY_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  LOCK_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  INTAKE_VISIBILITY_TIMEOUT_SEC: z.coerce.number().int().min(1).max(43_200).default(30),
  DISPATCH_SALON_STARTS_PER_SEC: z.coerce.number().min(0).default(5),
  ADMISSION_HIGH_BACKLOG_LIMIT: z.coerce.number().int().min(1).default(1000),
  ALARM_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, _ . - only').default('InStudio'),
  SAGA_FAILURE_RATE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.2),
  AUTOSCALER_MIN_WORKERS: z.coerce.number().int().min(0).default(1),
  AUTOSCALER_MAX_WORKERS: z.coerce.number().int().min(1).default(4),
  AUTOSCALER_COOLDOWN_MS: z.coerce.number().int().min(0).default(60_000),
  AUTOSCALER_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
  AUTOSCALER_BACKLOG_PER_WORKER: z.coerce.number().int().min(1).default(200),
  WORKER_SLOTS_HIGH: z.coerce.number().int().min(1).default(40),
  WORKER_SLOTS_NORMAL: z.coerce.number().int().min(1).default(20),
  WORKER_SLOTS_LOW: z.coerce.number().int().min(1).default(10),
  WORKER_CACHED_WORKFLOWS: z.coerce.number().int().min(2).default(300),
  INSTUDIO_OPERATOR_EMAIL: z.string().email().optional(),
  INSTUDIO_OPERATOR_PASSWORD: z.string().min(8, 'use at least 8 characters').optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  port: number;
  /** Address the gateway binds: loopback locally, 0.0.0.0 in a container. */
  host: string;
  stateDir: string;
  toolsDir: string;
  temporal: { address: string; namespace: string; uiPort: number; metricsPort: number };
  kafka: { brokers: string[]; controllerPort: number; clientId: string; topicPartitions: number; replicationFactor: number };
  aws: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  mongo: { uri: string };
  stripe: { apiUrl: string; secretKey: string; webhookSecret: string; webhookUrl: string | undefined };
  mail: { smtpUrl: string; from: string; mailpitUrl: string };
  /** `secretKey` undefined when unset: development and test use a fixed key, production refuses to start. */
  webhooks: { secretKey: string | undefined; allowedHosts: string[]; retryInitialMs: number };
  /** `secret` is undefined when unset: development generates one, production refuses to start. */
  jwt: { secret: string | undefined; issuer: string; audience: string; ttlSeconds: number };
  operator: { email: string; password: string } | undefined;
  gateway: {
    rateLimitPerMinute: number;
    loginRateLimitPerMinute: number;
    cacheTtlMs: number;
    /** Express's `trust proxy`: false, a hop count, or proxy addresses and CIDRs. */
    trustProxy: false | number | string[];
    /** How long an instance trusts its reading of an account's token version (a role change takes at most this long to reach it). */
    tokenCheckTtlMs: number;
  };
  metricsFlushIntervalMs: number;
  /** This process in metrics, logs and Temporal: INSTANCE_ID, or host name and pid. */
  instanceId: string;
  /** Where a worker or consumer process serves /healthz and /readyz (unset: not served). */
  healthPort: number | undefined;
  booking: { holdTtlMs: number; compensationAttempts: number };
  /** `reconcile…`: how often the dispatcher looks for pending bookings older than `reconcileAfterMs` that have no saga. */
  intake: {
    maxReceiveCount: number;
    visibilityTimeoutSec: number;
    highBacklogLimit: number;
    reconcileIntervalMs: number;
    reconcileAfterMs: number;
    /** How often the dispatcher relays the commands whose send the gateway reported failed. */
    relayIntervalMs: number;
    /** How often the dispatcher deletes slot locks of ended bookings. */
    lockSweepIntervalMs: number;
    /** Sagas the dispatcher starts per salon and second (0: no limit): one salon's burst cannot take the machine. */
    startsPerSalonPerSec: number;
  };
  /** Names of the CloudWatch alarms and dashboard (`<ALARM_PREFIX>-…`), and the saga failure-rate threshold. */
  ops: {
    alarms: { apiLatency: string; sagaFailureRate: string; deadLetters: string; highBacklog: string; needsAttention: string };
    dashboard: string;
    sagaFailureRateThreshold: number;
  };
  autoscaler: { minWorkers: number; maxWorkers: number; cooldownMs: number; intervalMs: number; backlogPerWorker: number };
  /** Concurrent activity and workflow-task slots per priority task queue. */
  workerSlots: { high: number; normal: number; low: number };
  /** Workflows each task queue's worker keeps in memory between their tasks (sticky execution). */
  workerCachedWorkflows: number;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Variables whose value is a credential: an error names them, never their value. */
const SECRET = /SECRET|PASSWORD|_KEY(_|$)|TOKEN$/;

/** What a configuration error shows of a value: secrets by length only, a URI without its password. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (SECRET.test(name)) return `a value of ${value.length} characters, not shown`;
  return JSON.stringify(value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@'));
}

/** Parses a configuration from an environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as a shell user expects.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${shown(String(i.path[0]), present[String(i.path[0])])})`),
    );
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    host: e.HOST,
    stateDir: path.resolve(e.INSTUDIO_STATE_DIR),
    toolsDir: path.resolve(e.INSTUDIO_TOOLS_DIR),
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, uiPort: e.TEMPORAL_UI_PORT, metricsPort: e.TEMPORAL_METRICS_PORT },
    kafka: {
      brokers: e.KAFKA_BROKERS,
      controllerPort: e.KAFKA_CONTROLLER_PORT,
      clientId: e.KAFKA_CLIENT_ID,
      topicPartitions: e.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: e.KAFKA_REPLICATION_FACTOR,
    },
    aws: {
      endpoint: e.AWS_ENDPOINT_URL,
      region: e.AWS_REGION,
      credentials: { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY },
    },
    mongo: { uri: e.MONGODB_URI },
    stripe: { apiUrl: e.STRIPE_API_URL, secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, webhookUrl: e.STRIPE_WEBHOOK_URL },
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, mailpitUrl: e.MAILPIT_URL },
    webhooks: { secretKey: e.WEBHOOK_SECRET_KEY, allowedHosts: e.WEBHOOK_ALLOWED_HOSTS, retryInitialMs: e.WEBHOOK_RETRY_INITIAL_MS },
    jwt: { secret: e.JWT_SECRET, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, ttlSeconds: e.JWT_TTL_SECONDS },
    operator:
      e.INSTUDIO_OPERATOR_EMAIL && e.INSTUDIO_OPERATOR_PASSWORD
        ? { email: e.INSTUDIO_OPERATOR_EMAIL, password: e.INSTUDIO_OPERATOR_PASSWORD }
        : undefined,
    gateway: {
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
      cacheTtlMs: e.CACHE_TTL_MS,
      trustProxy: e.TRUST_PROXY,
      tokenCheckTtlMs: e.TOKEN_CHECK_TTL_MS,
    },
    metricsFlushIntervalMs: e.METRICS_FLUSH_INTERVAL_MS,
    instanceId: e.INSTANCE_ID ?? `${os.hostname()}-${process.pid}`,
    healthPort: e.HEALTH_PORT,
    booking: { holdTtlMs: e.HOLD_TTL_MS, compensationAttempts: e.COMPENSATION_ATTEMPTS },
    intake: {
      maxReceiveCount: e.INTAKE_MAX_RECEIVE_COUNT,
      visibilityTimeoutSec: e.INTAKE_VISIBILITY_TIMEOUT_SEC,
      startsPerSalonPerSec: e.DISPATCH_SALON_STARTS_PER_SEC,
      highBacklogLimit: e.ADMISSION_HIGH_BACKLOG_LIMIT,
      reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
      reconcileAfterMs: e.RECONCILE_AFTER_MS,
      relayIntervalMs: e.INTAKE_RELAY_INTERVAL_MS,
      lockSweepIntervalMs: e.LOCK_SWEEP_INTERVAL_MS,
    },
    ops: {
      alarms: {
        apiLatency: `${e.ALARM_PREFIX}-ApiLatencyP99`,
        sagaFailureRate: `${e.ALARM_PREFIX}-SagaFailureRate`,
        deadLetters: `${e.ALARM_PREFIX}-DeadLettersNotEmpty`,
        highBacklog: `${e.ALARM_PREFIX}-HighPriorityBacklog`,
        needsAttention: `${e.ALARM_PREFIX}-SagasNeedAttention`,
      },
      dashboard: e.ALARM_PREFIX,
      sagaFailureRateThreshold: e.SAGA_FAILURE_RATE_THRESHOLD,
    },
    autoscaler: {
      minWorkers: e.AUTOSCALER_MIN_WORKERS,
      maxWorkers: Math.max(e.AUTOSCALER_MAX_WORKERS, e.AUTOSCALER_MIN_WORKERS),
      cooldownMs: e.AUTOSCALER_COOLDOWN_MS,
      intervalMs: e.AUTOSCALER_INTERVAL_MS,
      backlogPerWorker: e.AUTOSCALER_BACKLOG_PER_WORKER,
    },
    workerSlots: { high: e.WORKER_SLOTS_HIGH, normal: e.WORKER_SLOTS_NORMAL, low: e.WORKER_SLOTS_LOW },
    workerCachedWorkflows: e.WORKER_CACHED_WORKFLOWS,
  };
}

/** The environment variables the configuration reads (docker-compose.yml is checked against these). */
export const configVariables: readonly string[] = Object.keys(envSchema.shape);

/** The port of a `host:port` or URL string. */
export function portOf(address: string): number {
  const m = /:(\d+)(?:\/|$)/.exec(address.replace(/^[a-z+]+:\/\//, ''));
  if (!m) throw new ConfigError([`no port in ${address}`]);
  return Number(m[1]);
}
