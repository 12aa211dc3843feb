/**
 * The product's processes as the benchmarks run them: the gateway, the dispatcher and
 * the booking worker, each a child process on the bench stack, with the bench's
 * environment (rate limits raised so they do not dominate, a known operator account).
 */
import path from 'node:path';
import type { Config } from '../../src/config';
import { writeWorkflowBundle } from '../../workers/workflow-bundle';
import { type Child, startChild } from './children';

export const OPERATOR = { email: 'operator@instudio.bench', password: 'bench-operator-password' };
/** Ports of the bench profile's range (4xxxx). */
export const GATEWAY_PORT = 24000;
export const BARE_EXPRESS_PORT = 24001;

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

/** The gateway (or a bench variant of its entry point) on the bench's gateway port. */
export const startGatewayProcess = (cfg: Config, variant: { name: string; entry: string } = { name: 'gateway', entry: 'src/gateway/main.ts' }): Promise<Child> =>
  startChild({
    ...variant,
    env: productEnv({ PORT: String(GATEWAY_PORT) }),
    logDir: logDir(cfg),
  });

export const startDispatcherProcess = (cfg: Config): Promise<Child> =>
  startChild({
    name: 'dispatcher',
    entry: 'workers/dispatcher.ts',
    env: productEnv(),
    logDir: logDir(cfg),
  });

let bundled: Promise<string> | undefined;
/** The workflows bundled once per bench run, as an image pre-builds them: workers load it, as in production. */
const workflowBundle = (cfg: Config): Promise<string> => {
  const file = path.join(cfg.stateDir, 'workflow-bundle.js');
  return (bundled ??= writeWorkflowBundle(file).then(() => file));
};

export const startBookingWorkerProcess = async (cfg: Config): Promise<Child> =>
  startChild({
    name: 'booking-worker',
    entry: 'workers/booking-worker.ts',
    env: productEnv({ WORKFLOW_BUNDLE: await workflowBundle(cfg) }),
    logDir: logDir(cfg),
  });

