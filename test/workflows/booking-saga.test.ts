/**
 * The saga on Temporal's time-skipping test server, with stub activities: which steps
 * run, which compensations run and in what order, the failure chain, hold expiry,
 * cancellation, the operator's retry, and the status query at each stage.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES } from '../../src/domain/booking';
import {
  cancelSignal,
  cancelUpdate,
  checkInUpdate,
  completeUpdate,
  noShowUpdate,
  paymentEventSignal,
  type RescheduleRequest,
  rescheduleSignal,
  rescheduleUpdate,
  retryCompensationSignal,
  type SagaStatus,
  statusQuery,
} from '../../src/shared/booking';
import { NeedsAttentionKey } from '../../src/shared/search-attributes';
import { PATCHES } from '../../workflows/patches';
import { business, createSagaEnv, DAY, gate, patchIdsOf, RESERVATION, type SagaEnv, stubs } from '../support/saga-harness';
import { eventually } from '../support/wait';

let saga: SagaEnv;
let env: SagaEnv['env'];
const input: SagaEnv['input'] = (o) => saga.input(o);
const withWorker: SagaEnv['withWorker'] = (h, fn) => saga.withWorker(h, fn);
const start: SagaEnv['start'] = (tq, args) => saga.start(tq, args);

beforeAll(async () => {
  saga = await createSagaEnv();
  env = saga.env;
}, 120_000);
afterAll(() => saga?.env.teardown());

test('when every step succeeds, then the four steps run in order, the reminder goes out 24 h ahead, nothing is compensated, and the appointment completes itself', async () => {
  let reminderAt: number | undefined;
  const h = stubs({
    sendReminder: async () => {
      reminderAt = await env.currentTimeMs();
      return { sent: true };
    },
  });
  const args = await input({ leadMs: 3 * DAY });
  const status = await withWorker(h, async (tq) => {
    const handle = await start(tq, args);
    return handle.result(); // time skips to the reminder, then past the appointment
  });
  expect(h.calls).toEqual(['createReservation', 'checkAvailability', 'confirmPayment', 'confirmBooking', 'sendReminder', 'recordAppointment']);
  // The durable timer fired 24 h before the start (to the second, on the test server's clock).
  expect(Math.abs(new Date(args.start).getTime() - DAY - reminderAt!)).toBeLessThan(60_000);
  expect(status).toMatchObject({ status: 'completed', step: 'done', staffId: 'staff-1', compensations: [] });
});

describe('when a step fails, then exactly the compensations of the steps begun run, in reverse order', () => {
  test.each([
    ['createReservation', FAILURE_TYPES.InvalidBooking, 'invalid_booking', ['markBooking']],
    ['checkAvailability', FAILURE_TYPES.SlotUnavailable, 'slot_unavailable', ['releaseHold', 'markBooking']],
    ['confirmPayment', FAILURE_TYPES.PaymentDeclined, 'payment_declined', ['refundPayment', 'releaseHold', 'markBooking']],
    ['confirmBooking', FAILURE_TYPES.InvalidBooking, 'invalid_booking', ['refundPayment', 'releaseHold', 'markBooking']],
  ] as const)('%s fails with %s', async (step, type, reason, compensations) => {
    const h = stubs({ [step]: business(type) });
    let failedReason: string | undefined;
    h.activities.markBookingFailed = (async (args: { reason: string }) => {
      h.calls.push('markBookingFailed');
      failedReason = args.reason;
    });
    const args = await input();
    const error = await withWorker(h, async (tq) => {
      const handle = await start(tq, args);
      const err = await handle.result().catch((e: unknown) => e);
      const status = await handle.query(statusQuery);
      expect(status).toMatchObject({ status: 'failed', step: 'done', failureReason: reason, compensations });
      return err;
    });

    // The failure chain a client sees: WorkflowFailedError → ActivityFailure → ApplicationFailure;
    // the local step (createReservation, since the local-reservation patch) fails with the ApplicationFailure itself.
    expect(error).toBeInstanceOf(WorkflowFailedError);
    let appFailure = (error as WorkflowFailedError).cause;
    if (step !== 'createReservation') {
      expect(appFailure).toBeInstanceOf(ActivityFailure);
      expect((appFailure as ActivityFailure).activityType).toBe(step);
      appFailure = (appFailure as ActivityFailure).cause;
    }
    expect(appFailure).toBeInstanceOf(ApplicationFailure);
    expect((appFailure as ApplicationFailure).type).toBe(type);
    expect((appFailure as ApplicationFailure).nonRetryable).toBe(true);

    const compensationCalls = h.calls.filter((c) => ['refundPayment', 'releaseHold', 'markBookingFailed', 'markBookingCancelled'].includes(c));
    expect(compensationCalls).toEqual(compensations.map((c) => (c === 'markBooking' ? 'markBookingFailed' : c)));
    expect(failedReason).toBe(reason);
    const steps = ['createReservation', 'checkAvailability', 'confirmPayment', 'confirmBooking'];
    expect(h.calls.filter((c) => steps.includes(c))).toEqual(steps.slice(0, steps.indexOf(step) + 1));
  });
});

test('when a compensation keeps failing, then the others still run, and it waits for the operator alone', async () => {
  // The refund fails (Stripe down) while releasing the slot and marking the booking work.
  let healthy = false;
  const h = stubs({
    confirmPayment: business(FAILURE_TYPES.PaymentDeclined),
    refundPayment: async () => {
      if (!healthy) throw new Error('Stripe is down (stub)');
      return { refundedCents: 0 };
    },
  });
  const args = await input({ compensationAttempts: 3 });
  await withWorker(h, async (tq) => {
    const handle = await start(tq, args);
    const stuck = await eventually(
      async () => {
        await env.sleep(30_000); // skips the retry backoff
        const s = await handle.query(statusQuery);
        return s.needsAttention ? s : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 10, what: 'NeedsAttention' },
    );
    // The slot is free and the booking marked before anyone looks at the refund.
    expect(stuck).toMatchObject({ step: 'compensating', compensations: ['releaseHold', 'markBooking'], failedCompensations: ['refundPayment'] });
    expect((await handle.describe()).typedSearchAttributes.get(NeedsAttentionKey)).toBe(true);
    expect(h.calls.filter((c) => c === 'refundPayment').length).toBe(3); // its whole retry budget

    healthy = true;
    await handle.signal(retryCompensationSignal);
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ status: 'failed', needsAttention: false, compensations: ['releaseHold', 'markBooking', 'refundPayment'] });
    expect(status.failedCompensations).toBeUndefined();
    expect(h.calls.filter((c) => c === 'releaseHold' || c === 'markBookingFailed')).toEqual(['releaseHold', 'markBookingFailed']); // not run again
    expect((await handle.describe()).typedSearchAttributes.get(NeedsAttentionKey)).toBe(false);
  });
});

/** A booking three days ahead on default stubs, run to its end (confirmed, reminded, completed by itself): the activities called and its history. */
async function wholeLife() {
  const h = stubs();
  const history = await withWorker(h, async (tq) => {
    const handle = await start(tq, await input({ leadMs: 3 * DAY }));
    await handle.result();
    return handle.fetchHistory();
  });
  return { calls: h.calls, events: history.events ?? [] };
}

test('when a booking starts (since the local-reservation patch), then createReservation runs in its first workflow task as a local activity, with no activity task of its own', async () => {
  const { calls, events } = await wholeLife();
  const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
  const localMarkers = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
  expect(calls.slice(0, 4)).toEqual(['createReservation', 'checkAvailability', 'confirmPayment', 'confirmBooking']);
  expect(scheduled).not.toContain('createReservation');
  expect(scheduled.slice(0, 3)).toEqual(['checkAvailability', 'confirmPayment', 'confirmBooking']);
  expect(localMarkers).toHaveLength(1);
  // Its marker comes before the first activity task: it ran in the first workflow task.
  const firstTaskCompleted = events.findIndex((e) => e.workflowTaskCompletedEventAttributes);
  const secondTaskStarted = events.findIndex((e, i) => i > firstTaskCompleted && e.workflowTaskStartedEventAttributes);
  const marker = events.indexOf(localMarkers[0]!);
  expect(marker).toBeGreaterThan(firstTaskCompleted);
  expect(marker).toBeLessThan(secondTaskStarted);
});

test('when a booking lives its whole life (since the single-marker patch), then its history holds one patch marker and one TemporalChangeVersion upsert, not one per change', async () => {
  // Past every point where a folded patch was asked.
  const { calls, events } = await wholeLife();
  const versionUpserts = events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion);
  expect(calls).toEqual(expect.arrayContaining(['sendReminder', 'recordAppointment']));
  expect(patchIdsOf(events)).toEqual([PATCHES.singleMarker]);
  expect(versionUpserts).toHaveLength(1);
});

describe('cancellation races', () => {
  test('when the API accepted a cancellation before the saga started, then the saga cancels at once and charges nothing', async () => {
    const h = stubs({ createReservation: async () => ({ ...RESERVATION, cancelRequestedAt: new Date().toISOString() }) });
    const status = await withWorker(h, async (tq) => (await start(tq, await input())).result());
    expect(status).toMatchObject({ status: 'cancelled', compensations: ['markBooking'] });
    expect(h.calls).toEqual(['createReservation', 'markBookingCancelled']);
  });

  test('when a cancellation is accepted while the booking is being confirmed, then it is undone in full, as accepted', async () => {
    const confirming = gate();
    let refundAsked: number | undefined = -1;
    const h = stubs({
      confirmBooking: () => confirming.wait(undefined),
      refundPayment: async (args: { amountCents?: number }) => {
        refundAsked = args.amountCents;
        return { refundedCents: RESERVATION.priceCents };
      },
    });
    // Two hours ahead: had the window rule applied, nothing would be refunded.
    const status = await withWorker(h, async (tq) => {
      const handle = await start(tq, await input({ leadMs: 2 * 3_600_000 }));
      await eventually(async () => ((await handle.query(statusQuery)).step === 'confirmBooking' ? true : undefined), { what: 'step 4' });
      expect(await handle.executeUpdate(cancelUpdate, { args: [{}] })).toEqual({ accepted: true, status: 'held' });
      confirming.open();
      return handle.result();
    });
    expect(refundAsked).toBeUndefined(); // the whole payment
    expect(status).toMatchObject({ status: 'cancelled', refundedCents: RESERVATION.priceCents });
    expect(h.calls).toEqual(['createReservation', 'checkAvailability', 'confirmPayment', 'confirmBooking', 'refundPayment', 'releaseHold', 'markBookingCancelled']);
  });

  test('when the cancellation was accepted after the booking became confirmed (as its client read it), then the window rule applies', async () => {
    const confirming = gate();
    let refundAsked: number | undefined = -1;
    let confirmedAt = '';
    const h = stubs({
      confirmBooking: async () => {
        confirmedAt = new Date(await env.currentTimeMs()).toISOString(); // the write, as the client sees it
        return confirming.wait({ confirmedAt });
      },
      refundPayment: async (args: { amountCents?: number }) => {
        refundAsked = args.amountCents;
        return { refundedCents: args.amountCents ?? RESERVATION.priceCents };
      },
    });
    const status = await withWorker(h, async (tq) => {
      const handle = await start(tq, await input({ leadMs: 2 * 3_600_000 }));
      await eventually(async () => (confirmedAt !== '' ? true : undefined), { what: 'the confirmation written' });
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'client', at: new Date(Date.parse(confirmedAt) + 1000).toISOString() }] });
      confirming.open();
      return handle.result();
    });
    expect(refundAsked).toBe(0); // two hours ahead: inside the 24 h window, nothing back
    expect(status).toMatchObject({ status: 'cancelled' });
  });

  test('when a cancel signal arrives while a failed saga compensates, then it is refused like the update: the booking ends failed', async () => {
    const releasing = gate();
    const h = stubs({ confirmPayment: business(FAILURE_TYPES.PaymentDeclined), releaseHold: () => releasing.wait(undefined) });
    const err = await withWorker(h, async (tq) => {
      const handle = await start(tq, await input());
      await eventually(async () => ((await handle.query(statusQuery)).step === 'compensating' ? true : undefined), { what: 'compensation' });
      await handle.signal(cancelSignal);
      await expect(handle.executeUpdate(cancelUpdate, { args: [{}] })).rejects.toThrow();
      releasing.open();
      return handle.result().catch((e: unknown) => e);
    });
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(h.calls).toContain('markBookingFailed');
    expect(h.calls).not.toContain('markBookingCancelled');
  });
});

test('when payment does not complete within the hold window, then the saga compensates with hold_expired', async () => {
  // Stripe keeps failing transiently: the payment step retries with backoff until the hold expires.
  const h = stubs({
    confirmPayment: async () => {
      throw new Error('Stripe is unreachable (stub)');
    },
  });
  const err = await withWorker(h, async (tq) => {
    const handle = await start(tq, await input({ holdTtlMs: 10 * 60_000 }));
    return handle.result().catch((e: unknown) => e); // the test server skips the 10 minutes
  });
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause.type).toBe(FAILURE_TYPES.HoldExpired);
  const payments = h.calls.filter((c) => c === 'confirmPayment').length;
  expect(payments).toBeGreaterThan(5); // retried all along the window
  expect(h.calls.filter((c) => c !== 'confirmPayment')).toEqual(['createReservation', 'checkAvailability', 'refundPayment', 'releaseHold', 'markBookingFailed']);
});

test('when cancelled before confirmation, then the payment is stopped and every step begun is undone', async () => {
  const payment = gate();
  const h = stubs({ confirmPayment: () => payment.wait({ paymentIntentId: 'pi_1' }) });
  const status = await withWorker(h, async (tq) => {
    const handle = await start(tq, await input());
    await eventually(async () => ((await handle.query(statusQuery)).step === 'confirmPayment' ? true : undefined), { what: 'the payment step' });
    const res = await handle.executeUpdate(cancelUpdate, { args: [{}] });
    expect(res).toEqual({ accepted: true, status: 'held' });
    return handle.result();
  });
  expect(status).toMatchObject({ status: 'cancelled', compensations: ['refundPayment', 'releaseHold', 'markBooking'] });
  expect(h.calls).toEqual(['createReservation', 'checkAvailability', 'confirmPayment', 'refundPayment', 'releaseHold', 'markBookingCancelled']);
});

describe('when cancelled after confirmation, then the refund follows the cancellation window', () => {
  test.each([
    ['three days ahead (inside the 24 h window’s notice)', 3 * DAY, RESERVATION.priceCents],
    ['two hours ahead (too late for a refund)', 2 * 3_600_000, 0],
  ])('appointment %s', async (_name, leadMs, refund) => {
    let refundAsked: number | undefined;
    const h = stubs({
      refundPayment: async (args: { amountCents?: number }) => {
        refundAsked = args.amountCents;
        return { refundedCents: args.amountCents ?? -1 };
      },
    });
    const status = await withWorker(h, async (tq) => {
      const handle = await start(tq, await input({ leadMs }));
      await eventually(async () => ((await handle.query(statusQuery)).status === 'confirmed' ? true : undefined), { what: 'confirmation' });
      expect(await handle.executeUpdate(cancelUpdate, { args: [{}] })).toEqual({ accepted: true, status: 'confirmed' });
      return handle.result();
    });
    expect(refundAsked).toBe(refund);
    expect(status).toMatchObject({ status: 'cancelled', refundedCents: refund, compensations: ['refundPayment', 'releaseHold', 'markBooking'] });
    expect(h.calls.at(-1)).toBe('markBookingCancelled');
  });

  test.each([
    ['the salon', 'salon'],
    ['an operator', 'operator'],
  ] as const)('cancelled by %s two hours ahead: refunded in full, and the booking says who', async (_name, by) => {
    let refundAsked: number | undefined;
    let cancelledBy: string | undefined;
    const h = stubs({
      refundPayment: async (args: { amountCents?: number }) => {
        refundAsked = args.amountCents;
        return { refundedCents: args.amountCents ?? -1 };
      },
      markBookingCancelled: async (args: { cancelledBy?: string }) => {
        cancelledBy = args.cancelledBy;
      },
    });
    await withWorker(h, async (tq) => {
      const handle = await start(tq, await input({ leadMs: 2 * 3_600_000 }));
      await eventually(async () => ((await handle.query(statusQuery)).status === 'confirmed' ? true : undefined), { what: 'confirmation' });
      await handle.executeUpdate(cancelUpdate, { args: [{ by }] });
      return handle.result();
    });
    expect(refundAsked).toBe(RESERVATION.priceCents);
    expect(cancelledBy).toBe(by);
  });

  test('the moment that counts is when the API accepted the cancellation, not when the saga got to it', async () => {
    let refundAsked: number | undefined;
    const h = stubs({
      refundPayment: async (args: { amountCents?: number }) => {
        refundAsked = args.amountCents;
        return { refundedCents: args.amountCents ?? -1 };
      },
    });
    await withWorker(h, async (tq) => {
      // 23 h ahead (inside the 24 h window now), but the API accepted the cancel 2 h ago, 25 h ahead.
      const args = await input({ leadMs: 23 * 3_600_000 });
      const handle = await start(tq, args);
      await eventually(async () => ((await handle.query(statusQuery)).status === 'confirmed' ? true : undefined), { what: 'confirmation' });
      const acceptedAt = new Date((await env.currentTimeMs()) - 2 * 3_600_000).toISOString();
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'client', at: acceptedAt }] });
      return handle.result();
    });
    expect(refundAsked).toBe(RESERVATION.priceCents);
  });

  test('a cancelled booking cannot be cancelled again', async () => {
    const payment = gate();
    const h = stubs({ confirmPayment: () => payment.wait({ paymentIntentId: 'pi_1' }) });
    await withWorker(h, async (tq) => {
      const handle = await start(tq, await input());
      await eventually(async () => ((await handle.query(statusQuery)).step === 'confirmPayment' ? true : undefined), { what: 'payment' });
      await handle.executeUpdate(cancelUpdate, { args: [{}] });
      await handle.result();
      await expect(handle.executeUpdate(cancelUpdate, { args: [{}] })).rejects.toThrow();
    });
  });
});

test('the status query tells the step and status at each stage', async () => {
  // createReservation runs inside the first workflow task (a local activity): no query is answered until it ends.
  const gates = { hold: gate(), pay: gate(), confirm: gate() };
  const h = stubs({
    checkAvailability: () => gates.hold.wait({ staffId: 'staff-9' }),
    confirmPayment: () => gates.pay.wait({ paymentIntentId: 'pi_1' }),
    confirmBooking: () => gates.confirm.wait(undefined),
  });
  const seen: Partial<SagaStatus>[] = [];
  await withWorker(h, async (tq) => {
    const handle = await start(tq, await input());
    const at = async (step: string) => {
      const s = await eventually(async () => {
        const q = await handle.query(statusQuery);
        return q.step === step ? q : undefined;
      }, { what: `step ${step}` });
      seen.push({ step: s.step, status: s.status, staffId: s.staffId });
    };
    await at('checkAvailability');
    gates.hold.open();
    await at('confirmPayment');
    gates.pay.open();
    await at('confirmBooking');
    gates.confirm.open();
    await at('confirmed');
    await handle.result();
  });
  expect(seen).toEqual([
    { step: 'checkAvailability', status: 'pending', staffId: undefined },
    { step: 'confirmPayment', status: 'held', staffId: 'staff-9' },
    { step: 'confirmBooking', status: 'held', staffId: 'staff-9' },
    { step: 'confirmed', status: 'confirmed', staffId: 'staff-9' },
  ]);
});

test('when an operator sends the cancel signal instead of the update, then the booking is cancelled the same way', async () => {
  const payment = gate();
  const h = stubs({ confirmPayment: () => payment.wait({ paymentIntentId: 'pi_1' }) });
  const status = await withWorker(h, async (tq) => {
    const handle = await start(tq, await input());
    await eventually(async () => ((await handle.query(statusQuery)).step === 'confirmPayment' ? true : undefined), { what: 'payment' });
    await handle.signal(cancelSignal);
    return handle.result();
  });
  expect(status).toMatchObject({ status: 'cancelled', compensations: ['refundPayment', 'releaseHold', 'markBooking'] });
});

describe('the appointment, after confirmation', () => {
  const HOUR = 3_600_000;
  /** A saga confirmed `leadMs` ahead, driven by `drive` once confirmed. */
  async function confirmed<T>(leadMs: number, drive: (handle: Awaited<ReturnType<SagaEnv['start']>>) => Promise<T>, h = stubs()) {
    return withWorker(h, async (tq) => {
      const handle = await start(tq, await input({ leadMs }));
      await eventually(async () => ((await handle.query(statusQuery)).status === 'confirmed' ? true : undefined), { what: 'confirmation' });
      return drive(handle);
    });
  }
  const recorded = (h: ReturnType<typeof stubs>) => h.calls.filter((c) => c === 'recordAppointment').length;
  /** An update the workflow's validator refused, with its reason. */
  const refused = (update: Promise<unknown>, reason: RegExp) => expect(update).rejects.toMatchObject({ cause: { message: expect.stringMatching(reason) } });

  test('when nobody records it, then it completes itself autoCompleteHours after its end', async () => {
    const h = stubs();
    const status = await confirmed(2 * HOUR, (handle) => handle.result(), h);
    expect(status).toMatchObject({ status: 'completed', step: 'done' });
    expect(recorded(h)).toBe(1);
  });

  test('when the client is checked in and then the salon completes it, then checked_in, then completed', async () => {
    const h = stubs();
    const status = await confirmed(30 * 60_000, async (handle) => {
      // 30 minutes ahead: inside the check-in window (60 minutes before the start).
      expect(await handle.executeUpdate(checkInUpdate)).toMatchObject({ status: 'checked_in' });
      await refused(handle.executeUpdate(cancelUpdate, { args: [{}] }), /checked in/);
      await refused(handle.executeUpdate(completeUpdate), /can be completed from its start/);
      await env.sleep(31 * 60_000);
      expect(await handle.executeUpdate(completeUpdate)).toMatchObject({ status: 'completed' });
      return handle.result();
    }, h);
    expect(status).toMatchObject({ status: 'completed', step: 'done' });
    expect(recorded(h)).toBe(2); // no automatic completion after the salon's
  });

  test('when nobody came, then a no-show is refused before the grace and recorded after it', async () => {
    const h = stubs();
    const status = await confirmed(2 * HOUR, async (handle) => {
      await refused(handle.executeUpdate(checkInUpdate), /check-in opens at/);
      await env.sleep(2 * HOUR + 5 * 60_000); // 5 minutes after the start
      await refused(handle.executeUpdate(noShowUpdate), /15-minute grace/);
      await env.sleep(11 * 60_000);
      expect(await handle.executeUpdate(noShowUpdate)).toMatchObject({ status: 'no_show' });
      await expect(handle.executeUpdate(completeUpdate)).rejects.toThrow(); // the workflow ended
      return handle.result();
    }, h);
    expect(status).toMatchObject({ status: 'no_show', step: 'done' });
  });
});

describe('reminders and reschedules, before the start', () => {
  const HOUR = 3_600_000;
  const policy = (o: { reminderOffsetsHours?: number[]; rescheduleWindowHours?: number } = {}) => ({
    checkInGraceMinutes: 15,
    autoCompleteHours: 24,
    rescheduleWindowHours: o.rescheduleWindowHours ?? 24,
    reminderOffsetsHours: o.reminderOffsetsHours ?? [24],
  });
  /** Stubs whose reservation carries `appointment` and whose reminders are logged with the test server's time. */
  function withPolicy(appointment: ReturnType<typeof policy>, overrides: Parameters<typeof stubs>[0] = {}) {
    const reminders: { at: number; offsetHours?: number; start?: string }[] = [];
    const h = stubs({
      createReservation: async (i: { start: string }) => {
        const end = new Date(Date.parse(i.start) + 30 * 60_000).toISOString();
        return { ...RESERVATION, end, holdEnd: end, appointment };
      },
      sendReminder: async (args: { offsetHours?: number; start?: string }) => {
        reminders.push({ at: await env.currentTimeMs(), ...args });
        return { sent: true };
      },
      ...overrides,
    });
    return { h, reminders };
  }
  const untilConfirmed = (handle: Awaited<ReturnType<SagaEnv['start']>>) =>
    eventually(async () => ((await handle.query(statusQuery)).status === 'confirmed' ? true : undefined), { what: 'confirmation' });
  const request = async (o: Partial<RescheduleRequest> & { start: string }): Promise<RescheduleRequest> => ({
    by: 'client',
    at: new Date(await env.currentTimeMs()).toISOString(),
    key: 'key-1',
    ...o,
  });
  const refusedWith = (update: Promise<unknown>, reason: RegExp) => expect(update).rejects.toMatchObject({ cause: { message: expect.stringMatching(reason) } });

  test('each reminder of the policy fires at its offset before the start', async () => {
    const { h, reminders } = withPolicy(policy({ reminderOffsetsHours: [2, 48] }));
    const args = await input({ leadMs: 3 * DAY });
    await withWorker(h, async (tq) => (await start(tq, args)).result());
    const startMs = Date.parse(args.start);
    expect(reminders.map((r) => r.offsetHours)).toEqual([48, 2]);
    for (const r of reminders) {
      expect(Math.abs(startMs - r.offsetHours! * HOUR - r.at)).toBeLessThan(60_000);
      expect(r.start).toBe(args.start);
    }
  });

  test('a booking with no reminder in its policy sends none; one booked inside an offset skips that reminder', async () => {
    const none = withPolicy(policy({ reminderOffsetsHours: [] }));
    await withWorker(none.h, async (tq) => (await start(tq, await input({ leadMs: 3 * DAY }))).result());
    expect(none.reminders).toEqual([]);
    const late = withPolicy(policy({ reminderOffsetsHours: [1, 24] }));
    await withWorker(late.h, async (tq) => (await start(tq, await input({ leadMs: 5 * HOUR }))).result());
    expect(late.reminders.map((r) => r.offsetHours)).toEqual([1]);
  });

  test('when the booking is moved, then it answers the new time, the reminders are re-armed for it, and the same request answers the same', async () => {
    const { h, reminders } = withPolicy(policy({ reminderOffsetsHours: [24] }));
    const args = await input({ leadMs: 3 * DAY });
    const newStart = new Date(Date.parse(args.start) + 2 * DAY).toISOString();
    const status = await withWorker(h, async (tq) => {
      const handle = await start(tq, args);
      await untilConfirmed(handle);
      const req = await request({ start: newStart });
      const moved = await handle.executeUpdate(rescheduleUpdate, { args: [req] });
      expect(moved).toMatchObject({ status: 'confirmed', start: newStart, rescheduledFrom: [args.start] });
      // A retry of the same request (same key) answers the same without moving it again.
      expect(await handle.executeUpdate(rescheduleUpdate, { args: [req] })).toEqual(moved);
      return handle.result();
    });
    expect(h.calls.filter((c) => c === 'moveBooking')).toHaveLength(1);
    // One reminder, 24 h before the new start (none for the old one).
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.start).toBe(newStart);
    expect(Math.abs(Date.parse(newStart) - DAY - reminders[0]!.at)).toBeLessThan(60_000);
    expect(status).toMatchObject({ status: 'completed', start: newStart });
  });

  test('a client may move it until rescheduleWindowHours before the start, the salon until the start', async () => {
    const { h } = withPolicy(policy({ rescheduleWindowHours: 24 }));
    await withWorker(h, async (tq) => {
      const handle = await start(tq, await input({ leadMs: 12 * HOUR }));
      await untilConfirmed(handle);
      const later = new Date((await env.currentTimeMs()) + 2 * DAY).toISOString();
      await refusedWith(handle.executeUpdate(rescheduleUpdate, { args: [await request({ start: later })] }), /could move it until .*24 h before the start/);
      const moved = await handle.executeUpdate(rescheduleUpdate, { args: [await request({ start: later, by: 'salon', key: 'key-salon' })] });
      expect(moved.start).toBe(later);
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'salon' }] });
      return handle.result();
    });
  });

  test('when the new time is taken, then the update fails SlotUnavailable, the booking stays, and a retry of it fails the same', async () => {
    const { h } = withPolicy(policy(), { moveBooking: business(FAILURE_TYPES.SlotUnavailable) });
    await withWorker(h, async (tq) => {
      const args = await input({ leadMs: 3 * DAY });
      const handle = await start(tq, args);
      await untilConfirmed(handle);
      const req = await request({ start: new Date(Date.parse(args.start) + DAY).toISOString() });
      await expect(handle.executeUpdate(rescheduleUpdate, { args: [req] })).rejects.toMatchObject({ cause: { type: FAILURE_TYPES.SlotUnavailable } });
      await expect(handle.executeUpdate(rescheduleUpdate, { args: [req] })).rejects.toMatchObject({ cause: { type: FAILURE_TYPES.SlotUnavailable } });
      const status = await handle.query(statusQuery);
      expect(status).toMatchObject({ status: 'confirmed', step: 'confirmed' });
      expect(status.start).toBeUndefined();
      await handle.executeUpdate(cancelUpdate, { args: [{}] });
      return handle.result();
    });
    expect(h.calls.filter((c) => c === 'moveBooking')).toHaveLength(1);
  });

  test('the durable signal (the gateway’s fallback) moves it the same way', async () => {
    const { h } = withPolicy(policy());
    await withWorker(h, async (tq) => {
      const args = await input({ leadMs: 3 * DAY });
      const handle = await start(tq, args);
      await untilConfirmed(handle);
      const newStart = new Date(Date.parse(args.start) + DAY).toISOString();
      await handle.signal(rescheduleSignal, await request({ start: newStart }));
      await eventually(async () => ((await handle.query(statusQuery)).start === newStart ? true : undefined), { what: 'the move by signal' });
      await handle.executeUpdate(cancelUpdate, { args: [{}] });
      return handle.result();
    });
  });

  test('a cancellation accepted during a move waits for the move, then cancels; a second move is refused meanwhile', async () => {
    const moving = gate();
    const { h } = withPolicy(policy(), {
      moveBooking: (a: { start: string; from: string }) =>
        moving.wait({ start: a.start, end: new Date(Date.parse(a.start) + 30 * 60_000).toISOString(), staffId: 'staff-1', rescheduledFrom: [a.from] }),
    });
    const status = await withWorker(h, async (tq) => {
      const args = await input({ leadMs: 3 * DAY });
      const handle = await start(tq, args);
      await untilConfirmed(handle);
      const newStart = new Date(Date.parse(args.start) + DAY).toISOString();
      const first = handle.executeUpdate(rescheduleUpdate, { args: [await request({ start: newStart })] });
      await eventually(async () => (h.calls.includes('moveBooking') ? true : undefined), { what: 'the move under way' });
      await refusedWith(handle.executeUpdate(rescheduleUpdate, { args: [await request({ start: newStart, key: 'key-2' })] }), /another reschedule/);
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'salon' }] });
      moving.open();
      expect((await first).start).toBe(newStart);
      return handle.result();
    });
    expect(status).toMatchObject({ status: 'cancelled' });
    expect(h.calls.indexOf('moveBooking')).toBeLessThan(h.calls.indexOf('releaseHold'));
  });

  test('a checked-in booking cannot be moved', async () => {
    const { h } = withPolicy(policy());
    await withWorker(h, async (tq) => {
      const handle = await start(tq, await input({ leadMs: 30 * 60_000 }));
      await untilConfirmed(handle);
      await handle.executeUpdate(checkInUpdate);
      await refusedWith(
        handle.executeUpdate(rescheduleUpdate, { args: [await request({ start: new Date((await env.currentTimeMs()) + DAY).toISOString(), by: 'salon' })] }),
        /it is checked_in/,
      );
      await env.sleep(31 * 60_000);
      await handle.executeUpdate(completeUpdate);
      return handle.result();
    });
  });
});

describe('card_hold', () => {
  const HOUR = 3_600_000;
  /** Stubs of a card_hold booking; confirmPayment authorizes at booking when the latest capture is within 6 days, as the activity does. */
  function cardHold(overrides: Parameters<typeof stubs>[0] = {}) {
    const log: { name: string; at: number; args: unknown }[] = [];
    const logged = (name: string, result: unknown) => async (args: unknown) => {
      log.push({ name, at: await env.currentTimeMs(), args });
      return result;
    };
    let endMs = 0;
    const h = stubs({
      createReservation: async (i: { start: string }) => {
        endMs = Date.parse(i.start) + 30 * 60_000;
        const end = new Date(endMs).toISOString();
        return {
          ...RESERVATION,
          end,
          holdEnd: end,
          payment: 'card_hold',
          appointment: { checkInGraceMinutes: 15, autoCompleteHours: 24, rescheduleWindowHours: 24, reminderOffsetsHours: [] },
        };
      },
      confirmPayment: async () => ({ paymentIntentId: null, authorized: endMs + 24 * HOUR - 6 * DAY <= (await env.currentTimeMs()) }),
      authorizePayment: logged('authorizePayment', { paymentIntentId: 'pi_1' }),
      settlePayment: logged('settlePayment', { capturedCents: 0 }),
      releaseAuthorization: logged('releaseAuthorization', undefined),
      ...overrides,
    });
    return { h, log };
  }
  const untilConfirmed = (handle: Awaited<ReturnType<SagaEnv['start']>>) =>
    eventually(async () => ((await handle.query(statusQuery)).status === 'confirmed' ? true : undefined), { what: 'confirmation' });

  test('ten days ahead: no authorization at booking; the timer places it 6 days before the latest capture; completing by itself captures the price', async () => {
    const { h, log } = cardHold();
    const args = await input({ leadMs: 10 * DAY });
    const status = await withWorker(h, async (tq) => (await start(tq, args)).result());
    const latestCapture = Date.parse(args.start) + 30 * 60_000 + 24 * HOUR;
    const authorize = log.find((l) => l.name === 'authorizePayment')!;
    expect(Math.abs(latestCapture - 6 * DAY - authorize.at)).toBeLessThan(60_000);
    expect(log.filter((l) => l.name === 'settlePayment').map((l) => l.args)).toEqual([expect.objectContaining({ outcome: { kind: 'completed' } })]);
    expect(status).toMatchObject({ status: 'completed' });
  });

  test('when the authorization placed later is declined, then the confirmed booking fails (payment_declined) and its slot is released', async () => {
    const { h } = cardHold({ authorizePayment: business(FAILURE_TYPES.PaymentDeclined) });
    const err = await withWorker(h, async (tq) => (await start(tq, await input({ leadMs: 10 * DAY }))).result().catch((e: unknown) => e));
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(h.calls).toEqual(expect.arrayContaining(['confirmBooking', 'authorizePayment', 'releaseHold', 'markBookingFailed']));
    expect(h.calls.indexOf('authorizePayment')).toBeLessThan(h.calls.indexOf('markBookingFailed'));
  });

  test('authorized at booking (3 days ahead): a no-show settles as a no-show', async () => {
    const { h, log } = cardHold();
    const status = await withWorker(h, async (tq) => {
      const handle = await start(tq, await input({ leadMs: 3 * DAY }));
      await untilConfirmed(handle);
      await env.sleep(3 * DAY + 16 * 60_000);
      return handle.executeUpdate(noShowUpdate);
    });
    expect(status.status).toBe('no_show');
    expect(log.map((l) => l.name)).toEqual(['settlePayment']); // no later authorization: one was placed at booking
    expect(log[0]!.args).toMatchObject({ outcome: { kind: 'no_show' } });
  });

  test('a late cancellation by the client settles with its notice; by the salon, as the salon’s', async () => {
    for (const by of ['client', 'salon'] as const) {
      const { h, log } = cardHold();
      await withWorker(h, async (tq) => {
        const handle = await start(tq, await input({ leadMs: 2 * HOUR }));
        await untilConfirmed(handle);
        await handle.executeUpdate(cancelUpdate, { args: [{ by, at: new Date(await env.currentTimeMs()).toISOString() }] });
        return handle.result();
      });
      const settled = log.find((l) => l.name === 'settlePayment')!.args as { outcome: { kind: string; by: string; noticeMs: number } };
      expect(settled.outcome).toMatchObject({ kind: 'cancelled', by });
      expect(settled.outcome.noticeMs).toBeGreaterThan(HOUR);
      expect(settled.outcome.noticeMs).toBeLessThanOrEqual(2 * HOUR);
      expect(h.calls).not.toContain('refundPayment');
    }
  });

  test('moved beyond the authorization’s lifetime, then the authorization is released and placed again 6 days before the new latest capture', async () => {
    const { h, log } = cardHold();
    const args = await input({ leadMs: 3 * DAY });
    const newStart = new Date(Date.parse(args.start) + 10 * DAY).toISOString();
    await withWorker(h, async (tq) => {
      const handle = await start(tq, args);
      await untilConfirmed(handle);
      await handle.executeUpdate(rescheduleUpdate, { args: [{ start: newStart, by: 'client', at: new Date(await env.currentTimeMs()).toISOString(), key: 'far' }] });
      return handle.result();
    });
    expect(log.map((l) => l.name)).toEqual(['releaseAuthorization', 'authorizePayment', 'settlePayment']);
    const latestCapture = Date.parse(newStart) + 30 * 60_000 + 24 * HOUR;
    expect(Math.abs(latestCapture - 6 * DAY - log[1]!.at)).toBeLessThan(60_000);
  });
});

describe('3-D Secure', () => {
  test('when Stripe’s webhook lands while the first read of the intent is still on its way, then the saga still reads it again and confirms', async () => {
    const reading = gate();
    let calls = 0;
    const h = stubs({
      confirmPayment: async () => {
        calls += 1;
        return calls === 1 ? reading.wait({ paymentIntentId: 'pi_1', requiresAction: true }) : { paymentIntentId: 'pi_1' };
      },
    });
    const status = await withWorker(h, async (tq) => {
      const handle = await start(tq, await input({ leadMs: 3 * DAY }));
      await eventually(async () => (calls === 1 ? true : undefined), { what: 'the first read under way' });
      // The customer authenticated at once: the webhook's signal comes before the read's answer.
      await handle.signal(paymentEventSignal, { id: 'evt_quick', type: 'payment_intent.succeeded' });
      reading.open();
      await eventually(async () => ((await handle.query(statusQuery)).status === 'confirmed' ? true : undefined), { what: 'confirmation' });
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'salon' }] });
      return handle.result();
    });
    expect(calls).toBe(2);
    expect(status).toMatchObject({ status: 'cancelled' });
  });
});

test('when Stripe’s webhook is lost, then the saga reads the intent again on its own and confirms the paid booking within the hold', async () => {
  let calls = 0;
  const h = stubs({
    confirmPayment: async () => {
      calls += 1;
      return calls < 3 ? { paymentIntentId: 'pi_1', requiresAction: true } : { paymentIntentId: 'pi_1' };
    },
  });
  const status = await withWorker(h, async (tq) => {
    const handle = await start(tq, await input({ leadMs: 3 * DAY }));
    await eventually(
      async () => {
        await env.sleep(10_000); // skips to the next re-read
        return (await handle.query(statusQuery)).status === 'confirmed' ? true : undefined;
      },
      { what: 'confirmation without any webhook', timeoutMs: 30_000, intervalMs: 10 },
    );
    await handle.executeUpdate(cancelUpdate, { args: [{ by: 'salon' }] });
    return handle.result();
  });
  expect(calls).toBe(3);
  expect(h.calls).not.toContain('markBookingFailed');
  expect(status).toMatchObject({ status: 'cancelled' });
});
