/**
 * The product's processes as the benchmarks run them: the gateway, the dispatcher and
 * the booking worker, each a child process on the bench stack, with the bench's
 * environment (rate limits raised so they do not dominate, a known operator account).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import path from 'node:path';
import type { Config } from '../../src/config';
import { PRIORITIES } from '../../src/domain/priority';
import { ensureIntakeQueues } from '../../src/infra/intake';
import { createSqsClient } from '../../src/infra/sqs';
import { type Child, startChild } from './children';

export const OPERATOR = { email: 'operator@instudio.bench', password: 'bench-operator-password' };
/** Ports of the bench profile's range (4xxxx). */
export const GATEWAY_PORT = 43000;
export const BARE_EXPRESS_PORT = 43001;

/** The environment of every product process the benchmarks start. */
export function productEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    INSTUDIO_OPERATOR_EMAIL: OPERATOR.email,
    INSTUDIO_OPERATOR_PASSWORD: OPERATOR.password,
    ...extra,
  };
}

const logDir = (cfg: Config): string => path.join(cfg.stateDir, 'logs');

export const gatewayUrl = `http://127.0.0.1:${GATEWAY_PORT}`;

export const startGatewayProcess = (cfg: Config): Promise<Child> =>
  startChild({
    name: 'gateway',
    entry: 'src/gateway/main.ts',
    env: productEnv({ PORT: String(GATEWAY_PORT) }),
    logDir: logDir(cfg),
    ready: async () => (await fetch(`${gatewayUrl}/readyz`)).ok,
  });

export const startDispatcherProcess = (cfg: Config): Promise<Child> =>
  startChild({
    name: 'dispatcher',
    entry: 'workers/dispatcher.ts',
    env: productEnv({ LOG_LEVEL: 'info' }),
    logDir: logDir(cfg),
    readyLine: /dispatcher receiving/,
  });

export const startBookingWorkerProcess = (cfg: Config): Promise<Child> =>
  startChild({
    name: 'booking-worker',
    entry: 'workers/booking-worker.ts',
    env: productEnv({ LOG_LEVEL: 'info' }),
    logDir: logDir(cfg),
    readyLine: /booking worker polling/,
    readyTimeoutMs: 120_000, // bundles the workflows first
  });

/** Receives and deletes until the queue is empty (PurgeQueue is allowed once a minute). */
async function drain(sqs: SQSClient, QueueUrl: string): Promise<number> {
  let drained = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) return drained;
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    drained += Messages.length;
  }
}

/** Empties the intake queues, so one benchmark's leftovers never feed the next. */
export async function drainIntakeQueues(cfg: Config): Promise<number> {
  const sqs = createSqsClient(cfg);
  try {
    const queues = await ensureIntakeQueues(sqs, cfg);
    return (await Promise.all(PRIORITIES.map((p) => drain(sqs, queues[p].url)))).reduce((a, b) => a + b, 0);
  } finally {
    sqs.destroy();
  }
}
