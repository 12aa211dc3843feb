/**
 * The isolated test stack's environment: its own ports and state directory, so tests run
 * beside `npm start`. Applied by `npm test` (scripts/test.ts) and by jest itself, so
 * `npx jest` talks to a test stack started with `npm run stack -- up --test`.
 * Override any value with TEST_<NAME>.
 */
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  INSTUDIO_STATE_DIR: path.join(root, '.instudio', 'test-state'),
  TEMPORAL_ADDRESS: '127.0.0.1:17233',
  TEMPORAL_UI_PORT: '18233',
  KAFKA_BROKERS: '127.0.0.1:19092',
  KAFKA_CONTROLLER_PORT: '19095',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:14566',
  MONGODB_URI: 'mongodb://127.0.0.1:17017/instudio_test',
  STRIPE_API_URL: 'http://127.0.0.1:18420',
};

export function applyTestEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const [key, value] of Object.entries(TEST_ENV)) env[key] = env[`TEST_${key}`] ?? value;
}
