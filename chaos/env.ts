/**
 * The chaos run's configuration: the isolated `chaos` stack profile (ports 3xxxx, state
 * in .instudio/chaos-state) plus the settings the trials need. Written into this
 * process's environment so the child processes (booking workers) inherit it.
 */
import { applyProfile } from '../scripts/stack/profiles';
import { type Config, loadConfig } from '../src/config';
import { OPERATOR } from '../test/support/gateway';

export const CHAOS_SETTINGS: Record<string, string> = {
  // Long enough that a payment survives a worker restart; short enough to end a run.
  HOLD_TTL_MS: '120000',
  // The load generator is one address with a few users; the limits are not under test.
  RATE_LIMIT_PER_MINUTE: '1000000',
  LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
  INSTUDIO_OPERATOR_EMAIL: OPERATOR.email,
  INSTUDIO_OPERATOR_PASSWORD: OPERATOR.password,
  METRICS_FLUSH_INTERVAL_MS: '5000',
};

/** Points this process (and its children) at the chaos stack and returns the configuration. */
export function chaosConfig(env: NodeJS.ProcessEnv = process.env): Config {
  applyProfile('chaos', env);
  for (const [key, value] of Object.entries(CHAOS_SETTINGS)) env[key] ??= value;
  return loadConfig(env);
}
