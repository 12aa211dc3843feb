/**
 * Records the histories the replay test runs: a confirmed saga and a compensated one
 * (card declined), with stub activities.
 * Run after a deliberate, versioned change to the workflow:
 *   npx tsx test/replay/record-histories.ts
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { BookingActivities } from '../../activities/booking';
import { loadConfig } from '../../src/config';
import { FAILURE_TYPES } from '../../src/domain/booking';
import type { BookingInput } from '../../src/shared/booking';
import { bookingSaga } from '../../workflows/booking-saga';
import { applyTestEnv } from '../support/env';

const activities = (declined: boolean): BookingActivities =>
  ({
    createReservation: async () => ({ end: '', holdEnd: '', priceCents: 2500, currency: 'EUR', cancellationWindowHours: 24 }),
    checkAvailability: async () => ({ staffId: 'staff-1' }),
    confirmPayment: async () => {
      if (declined) throw ApplicationFailure.create({ type: FAILURE_TYPES.PaymentDeclined, message: 'declined', nonRetryable: true });
      return { paymentIntentId: 'pi_1' };
    },
    confirmBooking: async () => undefined,
    releaseHold: async () => undefined,
    refundPayment: async () => ({ refundedCents: 0 }),
    markBookingFailed: async () => undefined,
    markBookingCancelled: async () => undefined,
    sendReminder: async () => ({ sent: true }),
  });

/**
 * Runs both sagas on the test stack's Temporal dev server (`npm run stack -- up --test`)
 * and exports their histories with the Temporal CLI, in the standard JSON form.
 */
async function main(): Promise<void> {
  applyTestEnv();
  const cfg = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const client = new Client({ connection: await Connection.connect({ address: cfg.temporal.address }) });
  const connection = await NativeConnection.connect({ address: cfg.temporal.address });
  for (const [name, declined] of [['confirmed', false], ['compensated', true]] as const) {
    const now = Date.now();
    const workflowId = `booking:replay-${name}-${now}`;
    const input: BookingInput = {
      bookingId: `replay-${name}`,
      customerId: 'c1',
      salonId: 's1',
      serviceId: 'svc1',
      start: new Date(now + 5_000).toISOString(), // the confirmed saga waits until the start
      paymentMethod: 'pm_card_visa',
      priority: 'normal',
      correlationId: `replay-${name}`,
      requestedAt: new Date(now).toISOString(),
    };
    const taskQueue = `replay-${name}-${now}`;
    const worker = await Worker.create({ connection, taskQueue, workflowsPath: require.resolve('../../workflows'), activities: activities(declined) });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start(bookingSaga, { taskQueue, workflowId, args: [input] });
      await handle.result().catch(() => undefined);
    });
    const temporalCli = path.join(cfg.toolsDir, 'temporal-1.5.1', 'bin', 'temporal');
    const json = execFileSync(temporalCli, ['workflow', 'show', '--workflow-id', workflowId, '--address', cfg.temporal.address, '--output', 'json']);
    const file = path.join(__dirname, 'histories', `booking-saga-${name}.json`);
    fs.writeFileSync(file, json);
    console.log(`wrote ${file}`);
  }
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
