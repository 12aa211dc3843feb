import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configVariables, repoRoot } from '../../src/config';

interface Service {
  build?: unknown;
  image?: string;
  command?: string[] | string;
  environment?: Record<string, unknown>;
}

const compose = parse(fs.readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const appServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

test('the production-like stack has Temporal with PostgreSQL and its UI, Kafka, LocalStack, MongoDB and localstripe', () => {
  const images = Object.values(compose.services).map((s) => s.image ?? '');
  for (const image of ['postgres', 'temporalio/auto-setup', 'temporalio/ui', 'apache/kafka', 'localstack/localstack', 'mongo', 'python']) {
    expect(images.some((i) => i.startsWith(`${image}:`))).toBe(true);
  }
});

test('every product process is built from the one Dockerfile with its own command', () => {
  expect(appServices.length).toBeGreaterThan(0);
  const commands = appServices.map(([, s]) => JSON.stringify(s.command));
  expect(new Set(commands).size).toBe(commands.length);
  for (const [name, service] of appServices) {
    const entry = [service.command].flat().find((arg) => typeof arg === 'string' && arg.endsWith('.js'));
    expect({ name, entry }).toEqual({ name, entry: expect.stringMatching(/^dist\//) });
    // The compiled entrypoint comes from a TypeScript source that exists.
    const source = entry!.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    expect({ name, exists: fs.existsSync(path.join(repoRoot, source)) }).toEqual({ name, exists: true });
  }
});

test('the product processes use only the environment variables the configuration module reads', () => {
  for (const [name, service] of appServices) {
    const unknown = Object.keys(service.environment ?? {}).filter((v) => !configVariables.includes(v));
    expect({ name, unknown }).toEqual({ name, unknown: [] });
    // Every address of a dependency is set, so nothing falls back to a loopback default.
    for (const v of ['TEMPORAL_ADDRESS', 'KAFKA_BROKERS', 'AWS_ENDPOINT_URL', 'MONGODB_URI', 'STRIPE_API_URL']) {
      expect({ name, v, set: typeof service.environment?.[v] === 'string' }).toEqual({ name, v, set: true });
    }
  }
});
