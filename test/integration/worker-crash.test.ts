/**
 * The booking worker killed with SIGKILL in the middle of a saga: a new worker picks
 * the saga up and completes it with exactly one charge.
 */
import type { ProductProcess } from '../../src/shared/child-process';
import fs from 'node:fs';
import path from 'node:path';
import { temporal as temporalProto } from '@temporalio/proto';
import { DateTime } from 'luxon';
import { loadConfig } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { createStripe } from '../../src/infra/stripe';
import { createTemporalClient, type TemporalClient } from '../../src/infra/temporal';
import { workflowIdFor } from '../../src/shared/booking';
import { ApiClient, newClient, newSalon, operatorOf, startTestGateway } from '../support/gateway';
import { chargesFor } from '../support/stripe';
import { eventually } from '../support/wait';
import { spawnWorker, startTestDispatcher } from '../support/worker';

const cfg = loadConfig();
const stripe = createStripe(cfg);
let gateway: Gateway;
let temporal: TemporalClient;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
const workers: ProductProcess[] = [];
const localstripePid = () => Number(fs.readFileSync(path.join(cfg.stateDir, 'pids', 'localstripe.pid'), 'utf8'));

beforeAll(async () => {
  [gateway, temporal, dispatcher] = await Promise.all([startTestGateway(), createTemporalClient(cfg), startTestDispatcher()]);
});
afterAll(async () => {
  process.kill(localstripePid(), 'SIGCONT');
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all([gateway?.stop(), temporal?.close(), dispatcher?.stop()]);
});

test('when the worker is SIGKILLed during the payment step and restarted, then the saga completes with exactly one charge', async () => {
  const first = await spawnWorker();
  workers.push(first);
  const operator = await operatorOf(new ApiClient(gateway.url));
  const salon = await newSalon(operator, { priceCents: 7700 });
  const client = await newClient(new ApiClient(gateway.url));
  const start = DateTime.now().setZone('Europe/Madrid').plus({ days: 20 }).set({ hour: 12, minute: 0, second: 0, millisecond: 0 }).toISO()!;

  // Freeze Stripe so the saga is caught inside confirmPayment.
  process.kill(localstripePid(), 'SIGSTOP');
  const res = await client.api.post('/v1/bookings', { ...salon, start, paymentMethod: 'pm_card_visa' });
  expect(res.status).toBe(202);
  const bookingId: string = res.body.bookingId;
  const handle = temporal.client.workflow.getHandle(workflowIdFor(bookingId));
  await eventually(
    async () => {
      const described = await handle.describe();
      if (described.status.name !== 'RUNNING') throw new Error(`the saga is ${described.status.name}`);
      const pending = described.raw.pendingActivities ?? [];
      if (!pending.some((a) => a.activityType?.name === 'confirmPayment' && a.state === temporalProto.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)) {
        throw new Error(`pending: ${pending.map((a) => `${a.activityType?.name} (state ${a.state}, attempt ${a.attempt}, ${a.lastFailure?.message ?? 'no failure'})`).join(', ') || 'none'}`);
      }
      return true;
    },
    { timeoutMs: 60_000, what: 'confirmPayment in flight' },
  );
  expect((await gateway.models.Booking.findById(bookingId).lean())!.status).toBe('held');

  first.kill('SIGKILL');
  await first.exited;
  process.kill(localstripePid(), 'SIGCONT');

  workers.push(await spawnWorker());
  const booking = await eventually(
    async () => {
      const res2 = await client.api.get(`/v1/bookings/${bookingId}`);
      return ['confirmed', 'failed', 'cancelled'].includes(res2.body.status) ? res2.body : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, what: 'the saga to finish on the new worker' },
  );
  expect(booking.status).toBe('confirmed');

  const charged = await chargesFor(stripe, bookingId);
  expect(charged).toHaveLength(1);
  expect(charged[0]!.amount).toBe(7700);
  expect(charged[0]!.id).toBe((await gateway.models.Booking.findById(bookingId).lean())!.paymentIntentId);
}, 180_000);
