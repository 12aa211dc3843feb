/**
 * The booking saga on Temporal's time-skipping test server with stub activities: used
 * by the workflow tests and by the recorder of the replay histories.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import path from 'node:path';
import type { BookingActivities } from '../../activities/booking';
import { temporalTestServer } from '../../scripts/stack/components';
import { loadConfig } from '../../src/config';
import { type BookingInput, taskQueueFor, workflowIdFor } from '../../src/shared/booking';
import { BookingIdKey, NeedsAttentionKey, SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { bookingSaga } from '../../workflows/booking-saga';
import { unique } from './ids';

export const DAY = 86_400_000;

export const RESERVATION = { end: '', holdEnd: '', priceCents: 5000, currency: 'EUR', cancellationWindowHours: 24 };

type Stub = (...args: any[]) => Promise<any>;

export interface Harness {
  calls: string[];
  activities: BookingActivities;
}

export interface SagaEnv {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundleWithSourceMap;
  /** A booking input; times are the test server's, which moves on as tests skip time. */
  input(overrides?: Partial<BookingInput> & { leadMs?: number }): Promise<BookingInput>;
  /** A worker on a fresh task queue, and one on bookings-low for the reminder step. */
  withWorker<T>(h: Harness, fn: (taskQueue: string) => Promise<T>): Promise<T>;
  start(taskQueue: string, args: BookingInput): ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>;
}

/** Starts the time-skipping test server with the saga's search attributes, and bundles the workflows. */
export async function createSagaEnv(): Promise<SagaEnv> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServer.bin(loadConfig()) } },
  });
  // The test server knows no custom search attributes until told, as a real cluster.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [
        name,
        type === 'Bool' ? temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL : temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      ]),
    ),
  });
  const bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '../../workflows/index.ts'), logger: new DefaultLogger('WARN') });
  return {
    env,
    bundle,
    async input(overrides = {}) {
      const bookingId = unique('b');
      const now = await env.currentTimeMs();
      const { leadMs = 3 * DAY, ...rest } = overrides;
      return {
        bookingId,
        customerId: 'c1',
        salonId: 's1',
        serviceId: 'svc1',
        start: new Date(now + leadMs).toISOString(),
        paymentMethod: 'pm_card_visa',
        priority: 'normal',
        correlationId: bookingId,
        requestedAt: new Date(now).toISOString(),
        ...rest,
      };
    },
    async withWorker(h, fn) {
      const taskQueue = unique('saga');
      const [worker, lowWorker] = await Promise.all(
        [taskQueue, taskQueueFor('low')].map((tq) =>
          Worker.create({ connection: env.nativeConnection, taskQueue: tq, workflowBundle: bundle, activities: h.activities }),
        ),
      );
      return lowWorker!.runUntil(worker!.runUntil(fn(taskQueue)));
    },
    start: (taskQueue, args) =>
      env.client.workflow.start(bookingSaga, {
        taskQueue,
        workflowId: workflowIdFor(args.bookingId),
        args: [args],
        typedSearchAttributes: [
          { key: BookingIdKey, value: args.bookingId },
          { key: NeedsAttentionKey, value: false },
        ],
      }),
  };
}

/** Stub activities that log each call; `overrides` replace single steps. */
export function stubs(overrides: Partial<Record<keyof BookingActivities, Stub>> = {}): Harness {
  const calls: string[] = [];
  const defaults: Record<keyof BookingActivities, Stub> = {
    createReservation: async (input: BookingInput) => {
      const end = new Date(Date.parse(input.start) + 30 * 60_000).toISOString();
      return { ...RESERVATION, end, holdEnd: end };
    },
    checkAvailability: async () => ({ staffId: 'staff-1' }),
    confirmPayment: async () => ({ paymentIntentId: 'pi_1' }),
    authorizePayment: async () => ({ paymentIntentId: 'pi_1' }),
    settlePayment: async () => ({ capturedCents: 0 }),
    releaseAuthorization: async () => undefined,
    confirmBooking: async () => undefined,
    releaseHold: async () => undefined,
    refundPayment: async (args: { amountCents?: number }) => ({ refundedCents: args.amountCents ?? RESERVATION.priceCents }),
    markBookingFailed: async () => undefined,
    markBookingCancelled: async () => undefined,
    sendReminder: async () => ({ sent: true }),
    moveBooking: async (args: { start: string; staffId?: string; from: string }) => ({
      start: args.start,
      end: new Date(Date.parse(args.start) + 30 * 60_000).toISOString(),
      staffId: args.staffId ?? 'staff-1',
      rescheduledFrom: [args.from],
    }),
    recordAppointment: async () => undefined,
  };
  const activities = Object.fromEntries(
    Object.entries({ ...defaults, ...overrides }).map(([name, fn]) => [
      name,
      async (...args: any[]) => {
        calls.push(name);
        return fn(...args);
      },
    ]),
  ) as unknown as BookingActivities;
  return { calls, activities };
}

/** A history event as far as its patch markers go: fetched from the server (bytes) or read from a committed JSON file (base64). */
interface MarkerEvent {
  markerRecordedEventAttributes?: { markerName?: string | null; details?: Record<string, { payloads?: { data?: Uint8Array | string | null }[] | null }> | null } | null;
}

/** The patch ids a history recorded, in order (its `core_patch` markers). */
export function patchIdsOf(events: readonly MarkerEvent[]): string[] {
  return events
    .map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_patch')
    .map((m) => {
      const data = m!.details!['patch-data']!.payloads![0]!.data!;
      return (JSON.parse((typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data)).toString()) as { id: string }).id;
    });
}

/** A stub step that fails with a business (non-retryable) failure of `type`. */
export const business = (type: string) => async () => {
  throw ApplicationFailure.create({ type, message: `${type} in a stub`, nonRetryable: true });
};

/** A stub that blocks until the test opens it (or the activity is cancelled). */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return {
    open,
    wait: async <T>(value: T): Promise<T> => {
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), 200);
      try {
        await Promise.race([opened, ctx.cancelled]);
        return value;
      } finally {
        clearInterval(beat);
      }
    },
  };
}
