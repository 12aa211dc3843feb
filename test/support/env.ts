/**
 * The isolated test stack's environment: its own ports and state directory, so tests run
 * beside `npm start`. Applied by `npm test` (scripts/test.ts) and by jest itself, so
 * `npx jest` talks to a test stack started with `npm run stack -- up --test`.
 * Override any value with TEST_<NAME>.
 */
import { applyProfile, PROFILES } from '../../scripts/stack/profiles';

export const TEST_ENV: Record<string, string> = PROFILES.test;

export function applyTestEnv(env: NodeJS.ProcessEnv = process.env): void {
  applyProfile('test', env);
}
