/** Admission control: under the API-latency alarm, low-priority intake is shed and high still flows. */
import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DateTime } from 'luxon';
import { loadConfig } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { createCloudWatchClient } from '../../src/infra/cloudwatch';
import { emptyIntakeQueues } from '../support/sqs';
import { ApiClient, newClient, newSalon, operatorOf, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';

const cfg = loadConfig();
const cloudwatch = createCloudWatchClient(cfg);
let gateway: Gateway;

const setAlarm = async (state: 'ALARM' | 'OK') => {
  await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: cfg.ops.alarms.apiLatency, StateValue: state, StateReason: `test sets ${state}` }));
  await gateway.admission.refresh();
};

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await emptyIntakeQueues(); // nothing here dispatches what it enqueued
  await setAlarm('OK').catch(() => undefined); // leave the alarm as other tests expect it
  await gateway?.stop();
  cloudwatch.destroy();
});

const importBody = () => ({
  importId: unique('imp').replace(/[^A-Za-z0-9_-]/g, ''),
  salons: [{ name: unique('Imported'), city: 'Bilbao', timezone: 'Europe/Madrid', services: [{ name: 'Corte', durationMin: 30, priceCents: 2000, currency: 'EUR' }] }],
});

test('when the API latency alarm is in ALARM, then low-priority intake gets 503 with Retry-After and high still gets 202; OK restores low', async () => {
  const anon = new ApiClient(gateway.url);
  const operator = await operatorOf(anon);
  const salon = await newSalon(operator);
  const client = await newClient(anon);
  const soon = DateTime.now().plus({ hours: 2 }).startOf('hour').plus({ hours: 1 }).toISO(); // within 24 h → high

  await setAlarm('ALARM');
  const low = await operator.post('/v1/imports', importBody());
  expect(low.status).toBe(503);
  expect(low.headers.get('content-type')).toMatch(/problem\+json/);
  expect(Number(low.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(low.body.detail).toContain(cfg.ops.alarms.apiLatency);

  const high = await client.api.post('/v1/bookings', { ...salon, start: soon, paymentMethod: 'pm_card_visa' });
  expect(high.status).toBe(202);
  expect(high.body.priority).toBe('high');

  await setAlarm('OK');
  const restored = await operator.post('/v1/imports', importBody());
  expect(restored.status).toBe(202);
  expect(restored.body).toEqual({ importId: expect.any(String), priority: 'low' });
});

test('when a client tries a bulk import, then 403', async () => {
  const client = await newClient(new ApiClient(gateway.url));
  expect((await client.api.post('/v1/imports', importBody())).status).toBe(403);
});
