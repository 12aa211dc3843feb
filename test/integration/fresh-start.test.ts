/**
 * `npm start`'s composition on a brand-new Kafka (its own data directory, no topics
 * yet) and a new database: every process becomes ready the first time — every consumer
 * in its group — and none exits (the supervisor is told to allow no restart, so any
 * exit fails the test with the process's name and last error).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createKafka } from '../../src/infra/kafka';
import { stopComponent, startComponent } from '../../scripts/stack/stack';
import { PROCESSES, type Supervised, supervise } from '../../scripts/supervise';
import { unique } from '../support/ids';
import { freePort } from '../support/ports';
import { eventually } from '../support/wait';

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'instudio-fresh-kafka-'));
let kafkaEnv: Record<string, string>;
let product: Supervised | undefined;
const log: string[] = [];
/** From the first launch to every process ready, on a busy machine (each worker bundles its workflows first). */
const READY_WITHIN_MS = 180_000;

beforeAll(async () => {
  const [broker, controller] = [await freePort(), await freePort()];
  kafkaEnv = { INSTUDIO_STATE_DIR: stateDir, KAFKA_BROKERS: `127.0.0.1:${broker}`, KAFKA_CONTROLLER_PORT: String(controller) };
  // As it comes up on a new machine: no topics, no consumer groups.
  await startComponent(loadConfig({ ...process.env, ...kafkaEnv }), 'kafka', { prepare: false });
}, 120_000);

afterAll(async () => {
  await product?.stop();
  await stopComponent(loadConfig({ ...process.env, ...kafkaEnv }), 'kafka');
  fs.rmSync(stateDir, { recursive: true, force: true });
});

test('given a brand-new Kafka and database, when npm start runs the product, then every process is ready the first time and none exits', async () => {
  const admin = createKafka(loadConfig({ ...process.env, ...kafkaEnv })).admin();
  await admin.connect();
  try {
    expect((await admin.listTopics()).filter((t) => !t.startsWith('__'))).toEqual([]);

    product = supervise({
      env: {
        ...process.env,
        KAFKA_BROKERS: kafkaEnv.KAFKA_BROKERS,
        MONGODB_URI: loadConfig().mongo.uri.replace(/\/[^/?]*(\?|$)/, `/${unique('fresh').replace(/-/g, '_')}$1`),
        PORT: String(await freePort()),
        ALARM_PREFIX: unique('Fresh'),
        AUTOSCALER_MIN_WORKERS: '1',
        AUTOSCALER_BACKLOG_PER_WORKER: '1000000',
        LOG_LEVEL: 'info',
      },
      log: (m) => log.push(m),
      echo: false,
      restarts: { maxRestarts: 0, windowMs: 600_000, firstBackoffMs: 1000 },
    });
    // A process alive but never ready would leave `ready` pending: the deadline names it.
    let deadline: NodeJS.Timeout | undefined;
    const notReadyInTime = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => {
        const waiting = product!.notReady().map((p) => `${p.name}:\n${p.tail}`);
        reject(new Error(`not ready after ${READY_WITHIN_MS / 1000} s: ${waiting.join('\n') || 'none'}`));
      }, READY_WITHIN_MS);
    });
    await Promise.race([product.ready, product.failed, notReadyInTime])
      .catch((err: Error) => {
        throw new Error(`${err.message}\n${log.join('\n')}`);
      })
      .finally(() => clearTimeout(deadline));
    expect(product.notReady()).toEqual([]);

    // Every consumer of a durable group is in it, on the topics the processes created.
    for (const group of ['instudio-read-model', 'instudio-notifications', 'instudio-waitlist', 'instudio-webhooks']) {
      await eventually(
        async () => {
          const { groups } = await admin.describeGroups([group]);
          return groups[0]?.state === 'Stable' && groups[0].members.length === 1;
        },
        { timeoutMs: 30_000, what: `${group} to be stable with its member` },
      );
    }
    const topics = await admin.fetchTopicMetadata({ topics: ['reserva.confirmada', 'salones.actualizaciones'] });
    for (const t of topics.topics) expect({ topic: t.name, partitions: t.partitions.length }).toEqual({ topic: t.name, partitions: loadConfig().kafka.topicPartitions });
    expect(Object.keys(product.current()).sort()).toEqual(PROCESSES.map((p) => p.name).sort());
    expect(log.filter((l) => l.includes('exited'))).toEqual([]);
  } finally {
    await admin.disconnect();
  }
}, 330_000);
