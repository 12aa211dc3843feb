/**
 * Operator tooling against the real stack: the alarms and dashboard provisioned at start
 * (and by npm run ops:provision), sagas found by visibility query, and a saga whose
 * compensation could not run (Stripe failing its voids) completed by retry-compensation.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { loadConfig, repoRoot } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { alarmSpecs } from '../../src/infra/alarms';
import { createCloudWatchClient } from '../../src/infra/cloudwatch';
import { createStripe } from '../../src/infra/stripe';
import type { BookingWorker } from '../../workers/booking-worker';
import { at, settled } from '../support/bookings';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { ApiClient, newClient, newSalon, operatorOf, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';
import { eventually } from '../support/wait';
import { startTestDispatcher, startTestWorker } from '../support/worker';

const cfg = loadConfig();
const cloudwatch = createCloudWatchClient(cfg);
const stripe = createStripe(cfg);
let gateway: Gateway;
let worker: BookingWorker;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let stripeProxy: FaultProxy;
let anon: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  stripeProxy = await startFaultProxy(cfg.stripe.apiUrl);
  [gateway, worker, dispatcher] = await Promise.all([
    startTestGateway({ COMPENSATION_ATTEMPTS: '2' }),
    startTestWorker({ STRIPE_API_URL: stripeProxy.url }),
    startTestDispatcher(),
  ]);
  anon = new ApiClient(gateway.url);
  operator = await operatorOf(anon);
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), worker?.stop(), dispatcher?.stop()]);
  await stripeProxy?.close();
  cloudwatch.destroy();
});

const alarmsNamed = async (names: string[]) => (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }))).MetricAlarms ?? [];

test('after the gateway starts, the five alarms and the dashboard exist', async () => {
  const specs = alarmSpecs(cfg);
  const alarms = await alarmsNamed(specs.map((a) => a.name));
  expect(alarms.map((a) => [a.AlarmName, a.MetricName]).sort()).toEqual(specs.map((a) => [a.name, a.metric]).sort());
  const latency = alarms.find((a) => a.AlarmName === cfg.ops.alarms.apiLatency)!;
  expect(latency).toMatchObject({ ExtendedStatistic: 'p99', Threshold: 200, ComparisonOperator: 'GreaterThanThreshold', Namespace: 'InStudio' });

  const dashboard = await cloudwatch.send(new GetDashboardCommand({ DashboardName: cfg.ops.dashboard }));
  const body = JSON.parse(dashboard.DashboardBody!) as { widgets: { properties: { title: string } }[] };
  expect(body.widgets.map((w) => w.properties.title)).toEqual(expect.arrayContaining(['Alarms', 'Process CPU (%)', 'Saga outcomes']));
});

test('npm run ops:provision creates the alarms and the dashboard, and running it again changes nothing', async () => {
  const prefix = unique('Provision').replace(/[^A-Za-z0-9-]/g, '-');
  const env = { ...process.env, ALARM_PREFIX: prefix };
  const run = () => promisify(execFile)(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), [path.join(repoRoot, 'scripts', 'ops-provision.ts')], { env });
  const first = await run();
  const second = await run();
  const names = alarmSpecs(loadConfig(env)).map((a) => a.name);
  for (const name of names) expect(first.stdout).toContain(name);
  expect(second.stdout).toBe(first.stdout);
  expect(await alarmsNamed(names)).toHaveLength(5);
  const dashboard = await cloudwatch.send(new GetDashboardCommand({ DashboardName: prefix }));
  expect(dashboard.DashboardName).toBe(prefix);
});

const sagas = async (query: string) => {
  const res = await operator.get(`/v1/ops/sagas?${query}`);
  expect(res.status).toBe(200);
  return res.body.items as { bookingId: string; bookingStatus: string; workflowStatus: string; needsAttention: boolean }[];
};

test('the ops API lists sagas by status and salon; only operators may use it, and bad filters are a 400', async () => {
  const salon = await newSalon(operator);
  const client = await newClient(anon);
  const ok = await client.api.post('/v1/bookings', { salonId: salon.salonId, serviceId: salon.serviceId, start: at(4, '10:00'), paymentMethod: 'pm_card_visa' });
  const declined = await client.api.post('/v1/bookings', {
    salonId: salon.salonId,
    serviceId: salon.serviceId,
    start: at(4, '11:00'),
    paymentMethod: 'pm_card_chargeCustomerFail',
  });
  expect((await settled(client.api, ok.body.bookingId)).status).toBe('confirmed');
  expect((await settled(client.api, declined.body.bookingId)).status).toBe('failed');

  const failed = await eventually(
    async () => {
      const items = await sagas(`salonId=${salon.salonId}&status=failed`);
      return items.length > 0 ? items : undefined;
    },
    { timeoutMs: 15_000, what: 'the failed saga in visibility' },
  );
  expect(failed.map((s) => s.bookingId)).toEqual([declined.body.bookingId]);
  expect(failed[0]).toMatchObject({ bookingStatus: 'failed', workflowStatus: 'FAILED', needsAttention: false });
  const all = await eventually(
    async () => {
      // Visibility catches up after the booking's document: wait for the status asserted.
      const items = await sagas(`salonId=${salon.salonId}`);
      const confirmed = items.find((s) => s.bookingId === ok.body.bookingId)?.bookingStatus === 'confirmed';
      return items.length === 2 && confirmed ? items : undefined;
    },
    { timeoutMs: 15_000, what: 'both sagas in visibility, the first one confirmed' },
  );
  expect(all.find((s) => s.bookingId === ok.body.bookingId)).toMatchObject({ bookingStatus: 'confirmed' });

  expect((await client.api.get('/v1/ops/sagas')).status).toBe(403);
  expect((await anon.get('/v1/ops/sagas')).status).toBe(401);
  const bad = await operator.get('/v1/ops/sagas?status=lost&limit=0');
  expect(bad.status).toBe(400);
  expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'status']);
  expect((await operator.post('/v1/ops/sagas/not-a-booking/retry-compensation', {})).status).toBe(400);
  expect((await operator.post(`/v1/ops/sagas/${'0'.repeat(32)}/retry-compensation`, {})).status).toBe(404);
});

test('given Stripe refuses the void, when the compensation runs out of tries, then the slot is released and the booking failed anyway, the void waits for an operator, and retry-compensation completes it', async () => {
  const salon = await newSalon(operator);
  const client = await newClient(anon);
  stripeProxy.failWhen((method, p) => method === 'POST' && /^\/v1\/payment_intents\/[^/]+\/cancel/.test(p));
  const res = await client.api.post('/v1/bookings', {
    salonId: salon.salonId,
    serviceId: salon.serviceId,
    start: at(5, '10:00'),
    paymentMethod: 'pm_card_chargeCustomerFail',
  });
  const bookingId: string = res.body.bookingId;

  const waiting = await eventually(
    async () => {
      const items = await sagas(`salonId=${salon.salonId}&needsAttention=true`);
      return items.length > 0 ? items : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: 'the saga to need attention' },
  );
  expect(waiting).toEqual([expect.objectContaining({ bookingId, workflowStatus: 'RUNNING', needsAttention: true })]);
  expect(stripeProxy.failed).toBeGreaterThan(0);
  // The other compensations did not wait for the void: the slot is free, the booking failed.
  expect((await client.api.get(`/v1/bookings/${bookingId}`)).body).toMatchObject({ status: 'failed', failureReason: 'payment_declined' });
  expect(await gateway.models.SlotLock.countDocuments({ bookingId })).toBe(0);
  const doc = await gateway.models.Booking.findById(bookingId).lean();
  expect((await stripe.paymentIntents.retrieve(doc!.paymentIntentId!)).status).not.toBe('canceled');

  // Only operators retry; then Stripe is back and the retry completes the compensation.
  expect((await client.api.post(`/v1/ops/sagas/${bookingId}/retry-compensation`, {})).status).toBe(403);
  stripeProxy.failWhen(undefined);
  const retry = await operator.post(`/v1/ops/sagas/${bookingId}/retry-compensation`, {});
  expect(retry.status).toBe(202);
  expect(retry.body).toEqual({ bookingId, retrying: true });

  await eventually(async () => (await stripe.paymentIntents.retrieve(doc!.paymentIntentId!)).status === 'canceled', {
    timeoutMs: 30_000,
    what: 'the retried void',
  });
  expect(await settled(client.api, bookingId)).toMatchObject({ status: 'failed', failureReason: 'payment_declined' });

  // Nothing waits any more: a second retry is a conflict.
  await eventually(async () => (await sagas(`salonId=${salon.salonId}&needsAttention=true`)).length === 0, {
    timeoutMs: 15_000,
    what: 'the saga to leave the needs-attention list',
  });
  const again = await operator.post(`/v1/ops/sagas/${bookingId}/retry-compensation`, {});
  expect(again.status).toBe(409);
  expect(again.body.detail).toContain('not waiting for an operator');
});
