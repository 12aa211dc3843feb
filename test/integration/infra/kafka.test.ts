import type { Admin, Consumer, Producer } from 'kafkajs';
import { loadConfig } from '../../../src/config';
import { createKafka } from '../../../src/infra/kafka';
import { unique } from '../../support/ids';

const cfg = loadConfig();
const kafka = createKafka(cfg, { clientId: 'smoke-test' });
let admin: Admin;
let producer: Producer;
let consumer: Consumer | undefined;

beforeAll(async () => {
  admin = kafka.admin();
  producer = kafka.producer({ idempotent: true });
  await Promise.all([admin.connect(), producer.connect()]);
});

afterAll(async () => {
  await consumer?.disconnect();
  await Promise.all([producer?.disconnect(), admin?.disconnect()]);
});

test('when a keyed message is produced to a new topic, then a consumer receives it with its key', async () => {
  const topic = unique('smoke.topic');
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  expect(created).toBe(true);
  expect(await admin.listTopics()).toContain(topic);

  consumer = kafka.consumer({ groupId: unique('smoke-group') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = new Promise<{ key: string; value: string; partition: number }>((resolve) => {
    void consumer!.run({
      eachMessage: async ({ message, partition }) =>
        resolve({ key: String(message.key), value: String(message.value), partition }),
    });
  });

  const [meta] = await producer.send({ topic, messages: [{ key: 'salon-42', value: JSON.stringify({ hello: 'kafka' }) }] });
  const message = await received;
  expect(message).toEqual({ key: 'salon-42', value: '{"hello":"kafka"}', partition: meta!.partition });
});
