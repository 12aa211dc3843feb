/**
 * Isolated stacks beside the development one (`npm start`): each profile has its own
 * ports and state directory, so `npm test`, `npm run bench` and `npm run chaos` can run
 * while the product is up, and do not disturb each other. Override any value of a
 * profile with <PROFILE>_<NAME>, e.g. BENCH_KAFKA_BROKERS.
 */
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

const profile = (name: string, base: number, env: Record<string, string> = {}): Record<string, string> => ({
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  INSTUDIO_STATE_DIR: path.join(root, '.instudio', `${name}-state`),
  TEMPORAL_ADDRESS: `127.0.0.1:${base + 7233}`,
  TEMPORAL_UI_PORT: String(base + 8233),
  TEMPORAL_METRICS_PORT: String(base + 9233),
  KAFKA_BROKERS: `127.0.0.1:${base + 9092}`,
  KAFKA_CONTROLLER_PORT: String(base + 9095),
  AWS_ENDPOINT_URL: `http://127.0.0.1:${base + 4566}`,
  MONGODB_URI: `mongodb://127.0.0.1:${base + 7017}/instudio_${name}`,
  STRIPE_API_URL: `http://127.0.0.1:${base + 8420}`,
  SMTP_URL: `smtp://127.0.0.1:${base + 1025}`,
  MAILPIT_URL: `http://127.0.0.1:${base + 8025}`,
  ...env,
});

// Every port stays below 32768, where Linux starts handing out ephemeral ports: a
// server's port inside that range can be held by any outgoing connection (seen: a
// TIME-WAIT socket kept the bench's moto from binding for a minute). The bases are
// chosen so that no two profiles, nor the development stack, share a port.
export const PROFILES = {
  // Tests turn intake reconciliation on where they test it: elsewhere it would start
  // sagas for bookings other tests left pending on purpose.
  // A webhook delivery's first retry comes within half a second, so tests see it at once.
  test: profile('test', 10_000, { RECONCILE_INTERVAL_MS: '3600000', WEBHOOK_RETRY_INITIAL_MS: '500' }),
  bench: profile('bench', 21_000),
  chaos: profile('chaos', 23_000),
} as const;

export type ProfileName = keyof typeof PROFILES;

/** Points this process's configuration at a profile's stack. */
export function applyProfile(name: ProfileName, env: NodeJS.ProcessEnv = process.env): void {
  const prefix = name.toUpperCase();
  for (const [key, value] of Object.entries(PROFILES[name])) env[key] = env[`${prefix}_${key}`] ?? value;
}
