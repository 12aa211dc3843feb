/**
 * Records the histories the replay test runs, one per branch of the booking saga and of
 * the waitlist's offer chain (test/support/chain-harness.ts) and of the salon-webhook
 * delivery (test/support/webhook-harness.ts), on
 * Temporal's time-skipping test server with stub activities (so the reminder's 24 h
 * timer and the hold's expiry fire at once). Writes only the histories that are
 * missing, so the committed ones stay as recorded from the workflow code they came from:
 *   npx tsx test/replay/record-histories.ts            # record the missing branches
 *   npx tsx test/replay/record-histories.ts --force    # re-record every branch
 * Record a new branch whenever the workflow gains one; a change to an old branch must
 * be versioned (patched) so that its committed history still replays.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
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
import { CHAIN_BRANCHES, chainStubs, freedTime, startChain, withChainWorker } from '../support/chain-harness';
import { runDelivery, WEBHOOK_BRANCHES } from '../support/webhook-harness';
import { business, createSagaEnv, DAY, gate, type Harness, RESERVATION, type SagaEnv, stubs } from '../support/saga-harness';
import { eventually } from '../support/wait';

/** The two histories recorded first (on the dev server), kept as they are. */
const ORIGINAL = ['confirmed', 'compensated'];
/**
 * Recorded from the workflow before the `lifecycle-v2` patch (which booking-saga-v1.ts
 * keeps): the sagas running when it shipped. Their recipes left with that code; the
 * histories stay, never replaced.
 */
const BEFORE_LIFECYCLE_V2 = [
  'confirmed-with-reminder',
  'cancelled-before-confirmation',
  'cancelled-by-signal',
  'cancelled-after-confirmation',
  'declined',
  'hold-expired',
  'needs-attention-retried',
];

type Run = (saga: SagaEnv, handle: WorkflowHandle) => Promise<unknown>;

interface Branch {
  harness: () => Harness;
  leadMs?: number;
  holdTtlMs?: number;
  compensationAttempts?: number;
  /** Drives the saga to its end (the start is done). */
  drive: Run;
}

const until = (handle: WorkflowHandle, what: string, ok: (s: SagaStatus) => boolean) =>
  eventually(async () => (ok(await handle.query(statusQuery)) ? true : undefined), { what, timeoutMs: 30_000 });

const outcome: Run = (_saga, handle) => handle.result().catch((err: unknown) => err);

/** A payment that waits until cancelled, and a cancellation sent while it waits. */
function cancelDuringPayment(cancel: (handle: WorkflowHandle) => Promise<unknown>): Branch {
  const payment = gate();
  return {
    harness: () => stubs({ confirmPayment: () => payment.wait({ paymentIntentId: 'pi_1' }) }),
    drive: async (saga, handle) => {
      await until(handle, 'the payment step', (s) => s.step === 'confirmPayment');
      await cancel(handle);
      return outcome(saga, handle);
    },
  };
}

const HOUR = 3_600_000;

/** Stubs whose reservation carries a policy with two reminders (48 h and 2 h ahead). */
const withReminders = (overrides: Parameters<typeof stubs>[0] = {}): Harness =>
  stubs({
    createReservation: async (i: { start: string }) => {
      const end = new Date(Date.parse(i.start) + 30 * 60_000).toISOString();
      return {
        ...RESERVATION,
        end,
        holdEnd: end,
        appointment: { checkInGraceMinutes: 15, autoCompleteHours: 24, rescheduleWindowHours: 24, reminderOffsetsHours: [48, 2] },
      };
    },
    ...overrides,
  });

/** A client's move of the booking `days` later than the test server's now. */
const moveRequest = async (saga: SagaEnv, days: number, key = 'move-1'): Promise<RescheduleRequest> => {
  const now = await saga.env.currentTimeMs();
  return { start: new Date(now + days * DAY).toISOString(), by: 'client', at: new Date(now).toISOString(), key };
};

/** Stubs of a card_hold booking, authorized at booking when `authorizedAtBooking` (else by the workflow's timer). */
const cardHold = (authorizedAtBooking: boolean, overrides: Parameters<typeof stubs>[0] = {}): Harness =>
  stubs({
    createReservation: async (i: { start: string }) => {
      const end = new Date(Date.parse(i.start) + 30 * 60_000).toISOString();
      return {
        ...RESERVATION,
        end,
        holdEnd: end,
        payment: 'card_hold',
        appointment: { checkInGraceMinutes: 15, autoCompleteHours: 24, rescheduleWindowHours: 24, reminderOffsetsHours: [24] },
      };
    },
    confirmPayment: async () => ({ paymentIntentId: authorizedAtBooking ? 'pi_1' : null, authorized: authorizedAtBooking }),
    ...overrides,
  });

/** Two hours ahead: confirmed, and nobody came by the end of the grace — a no-show. */
const noShowAfterGrace: Run = async (saga, handle) => {
  await until(handle, 'confirmation', (s) => s.status === 'confirmed');
  await saga.env.sleep(2 * HOUR + 16 * 60_000);
  await handle.executeUpdate(noShowUpdate);
  return outcome(saga, handle);
};

/** Thirty minutes ahead: confirmed, checked in before the start, completed by the salon after it. */
const checkedInThenCompleted: Run = async (saga, handle) => {
  await until(handle, 'confirmation', (s) => s.status === 'confirmed');
  await handle.executeUpdate(checkInUpdate);
  await saga.env.sleep(31 * 60_000);
  await handle.executeUpdate(completeUpdate);
  return outcome(saga, handle);
};

/** 3-D Secure: the webhook never comes; the saga reads the intent again after 20 s and confirms; then the salon cancels. */
function threeDsRechecked(): Branch {
  let calls = 0;
  return {
    harness: () => withReminders({ confirmPayment: async () => (++calls === 1 ? { paymentIntentId: 'pi_1', requiresAction: true } : { paymentIntentId: 'pi_1' }) }),
    leadMs: 3 * DAY,
    drive: async (saga, handle) => {
      await eventually(
        async () => {
          await saga.env.sleep(10_000); // skips to the re-read
          return (await handle.query(statusQuery)).status === 'confirmed' ? true : undefined;
        },
        { what: 'confirmation', timeoutMs: 30_000, intervalMs: 10 },
      );
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'salon' }] });
      return outcome(saga, handle);
    },
  };
}

/**
 * The branches of today's workflow (`v2-…`: since the lifecycle-v2 patch; `v3-…`: since
 * the appointment patch too; `v4-…`: and the reschedule patch; `v5-card-hold-…`: card_hold
 * bookings, with the card-hold patch too; `v6-3ds-…`: 3-D Secure waits since the
 * payment-recheck patch; `v7-local-reservation-…`: createReservation a local activity
 * since the local-reservation patch; `v8-single-marker-…`: the single-marker patch, which
 * applies all of those under one marker — today's new executions).
 */
export const BRANCHES: Record<string, Branch> = {
  // Since the single-marker patch (one marker for every change before it), the main branches again.
  'v8-single-marker-auto-completed': { harness: () => withReminders(), leadMs: 3 * DAY, drive: outcome },
  'v8-single-marker-invalid': { harness: () => stubs({ createReservation: business(FAILURE_TYPES.InvalidBooking) }), drive: outcome },
  'v8-single-marker-cancel-requested': {
    harness: () => stubs({ createReservation: async () => ({ ...RESERVATION, cancelRequestedAt: new Date().toISOString() }) }),
    drive: outcome,
  },
  'v8-single-marker-declined': { harness: () => stubs({ confirmPayment: business(FAILURE_TYPES.PaymentDeclined) }), drive: outcome },
  'v8-single-marker-cancelled-before-confirmation': cancelDuringPayment((handle) => handle.executeUpdate(cancelUpdate, { args: [{}] })),
  'v8-single-marker-3ds-rechecked': threeDsRechecked(),
  'v8-single-marker-3ds-abandoned': {
    harness: () => stubs({ confirmPayment: async () => ({ paymentIntentId: 'pi_1', requiresAction: true }) }),
    holdTtlMs: 60_000,
    drive: outcome,
  },
  'v8-single-marker-card-hold-authorized-later-completed': { harness: () => cardHold(false), leadMs: 10 * DAY, drive: outcome },
  'v8-single-marker-card-hold-no-show': {
    harness: () => cardHold(true),
    leadMs: 2 * HOUR,
    drive: noShowAfterGrace,
  },
  'v8-single-marker-rescheduled-then-cancelled': {
    harness: () => withReminders(),
    leadMs: 3 * DAY,
    drive: async (saga, handle) => {
      await until(handle, 'confirmation', (s) => s.status === 'confirmed');
      await handle.executeUpdate(rescheduleUpdate, { args: [await moveRequest(saga, 5)] });
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'client' }] });
      return outcome(saga, handle);
    },
  },
  'v8-single-marker-checked-in-completed': {
    harness: () => withReminders(),
    leadMs: 30 * 60_000,
    drive: checkedInThenCompleted,
  },
  // Since the local-reservation patch: the reservation in the first workflow task, then the whole life to auto-completion.
  'v7-local-reservation-auto-completed': { harness: () => withReminders(), leadMs: 3 * DAY, drive: outcome },
  // The local step fails (the booking is not valid): its compensation alone runs.
  'v7-local-reservation-invalid': { harness: () => stubs({ createReservation: business(FAILURE_TYPES.InvalidBooking) }), drive: outcome },
  // A cancellation the API accepted before the saga started, read by the local step: cancelled at once.
  'v7-local-reservation-cancel-requested': {
    harness: () => stubs({ createReservation: async () => ({ ...RESERVATION, cancelRequestedAt: new Date().toISOString() }) }),
    drive: outcome,
  },
  // 3-D Secure since the payment-recheck patch: the webhook never comes; the saga reads the intent again after 20 s and confirms.
  'v6-3ds-rechecked': threeDsRechecked(),
  // 3-D Secure abandoned since the payment-recheck patch: re-read every 20 s, never authenticated, the hold expires.
  'v6-3ds-abandoned': {
    harness: () => stubs({ confirmPayment: async () => ({ paymentIntentId: 'pi_1', requiresAction: true }) }),
    holdTtlMs: 60_000,
    drive: outcome,
  },
  // 3-D Secure: Stripe asks for the customer's authentication; the webhook's signal comes, the payment is read again: confirmed.
  'v4-3ds-authenticated': (() => {
    let calls = 0;
    return {
      harness: () => withReminders({ confirmPayment: async () => (++calls === 1 ? { paymentIntentId: 'pi_1', requiresAction: true } : { paymentIntentId: 'pi_1' }) }),
      leadMs: 3 * DAY,
      drive: async (saga: SagaEnv, handle: WorkflowHandle) => {
        await until(handle, 'requires_action', (s) => s.paymentRequiresAction === true);
        await handle.signal(paymentEventSignal, { id: 'evt_1', type: 'payment_intent.succeeded' });
        await until(handle, 'confirmation', (s) => s.status === 'confirmed');
        await handle.executeUpdate(cancelUpdate, { args: [{ by: 'salon' }] });
        return outcome(saga, handle);
      },
    };
  })(),
  // 3-D Secure abandoned: nobody authenticates before the hold expires (fails before confirmation: lifecycle-v2's marker only).
  'v2-3ds-abandoned': {
    harness: () => stubs({ confirmPayment: async () => ({ paymentIntentId: 'pi_1', requiresAction: true }) }),
    holdTtlMs: 10 * 60_000,
    drive: outcome,
  },
  // Ten days ahead: authorized by the timer, completed by itself and captured.
  'v5-card-hold-authorized-later-completed': { harness: () => cardHold(false), leadMs: 10 * DAY, drive: outcome },
  // The authorization placed by the timer is declined: the confirmed booking fails.
  'v5-card-hold-authorization-declined': { harness: () => cardHold(false, { authorizePayment: business(FAILURE_TYPES.PaymentDeclined) }), leadMs: 10 * DAY, drive: outcome },
  // Authorized at booking, nobody came: the no-show fee.
  'v5-card-hold-no-show': {
    harness: () => cardHold(true),
    leadMs: 2 * HOUR,
    drive: noShowAfterGrace,
  },
  // Cancelled late by its client: the late fee.
  'v5-card-hold-cancelled-late': {
    harness: () => cardHold(true),
    leadMs: 2 * HOUR,
    drive: async (saga, handle) => {
      await until(handle, 'confirmation', (s) => s.status === 'confirmed');
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'client', at: new Date(await saga.env.currentTimeMs()).toISOString() }] });
      return outcome(saga, handle);
    },
  },
  // Moved beyond the authorization's lifetime: released, placed again later, completed by itself.
  'v5-card-hold-moved-far': {
    harness: () => cardHold(true),
    leadMs: 3 * DAY,
    drive: async (saga, handle) => {
      await until(handle, 'confirmation', (s) => s.status === 'confirmed');
      await handle.executeUpdate(rescheduleUpdate, { args: [await moveRequest(saga, 13)] });
      return outcome(saga, handle);
    },
  },
  // Confirmed three days ahead with reminders 48 h and 2 h ahead; completed by itself.
  'v4-reminders-per-offsets': { harness: () => withReminders(), leadMs: 3 * DAY, drive: outcome },
  // Moved two days later once confirmed: the reminders re-armed for the new start; completed by itself.
  'v4-rescheduled': {
    harness: () => withReminders(),
    leadMs: 3 * DAY,
    drive: async (saga, handle) => {
      await until(handle, 'confirmation', (s) => s.status === 'confirmed');
      await handle.executeUpdate(rescheduleUpdate, { args: [await moveRequest(saga, 5)] });
      return outcome(saga, handle);
    },
  },
  // Moved by the durable signal (the gateway's fallback), then cancelled by the salon.
  'v4-rescheduled-by-signal-then-cancelled': {
    harness: () => withReminders(),
    leadMs: 3 * DAY,
    drive: async (saga, handle) => {
      await until(handle, 'confirmation', (s) => s.status === 'confirmed');
      const request = await moveRequest(saga, 5);
      await handle.signal(rescheduleSignal, request);
      await until(handle, 'the move', (s) => s.start === request.start);
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'salon' }] });
      return outcome(saga, handle);
    },
  },
  // The new time is taken: the move fails and the booking stays; then it is cancelled.
  'v4-reschedule-slot-taken': {
    harness: () => withReminders({ moveBooking: business(FAILURE_TYPES.SlotUnavailable) }),
    leadMs: 3 * DAY,
    drive: async (saga, handle) => {
      await until(handle, 'confirmation', (s) => s.status === 'confirmed');
      await handle.executeUpdate(rescheduleUpdate, { args: [await moveRequest(saga, 5)] }).catch(() => undefined);
      await handle.executeUpdate(cancelUpdate, { args: [{}] });
      return outcome(saga, handle);
    },
  },
  // A cancellation accepted while a move runs: the move finishes, then the booking is cancelled.
  'v4-cancelled-during-move': (() => {
    const moving = gate();
    return {
      harness: () =>
        withReminders({
          moveBooking: (a: { start: string; from: string }) =>
            moving.wait({ start: a.start, end: new Date(Date.parse(a.start) + 30 * 60_000).toISOString(), staffId: 'staff-1', rescheduledFrom: [a.from] }),
        }),
      leadMs: 3 * DAY,
      drive: async (saga: SagaEnv, handle: WorkflowHandle) => {
        await until(handle, 'confirmation', (s) => s.status === 'confirmed');
        const move = handle.executeUpdate(rescheduleUpdate, { args: [await moveRequest(saga, 5)] });
        await eventually(async () => ((await handle.fetchHistory()).events?.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'moveBooking') ? true : undefined), {
          what: 'the move under way',
        });
        await handle.executeUpdate(cancelUpdate, { args: [{}] });
        moving.open();
        await move;
        return outcome(saga, handle);
      },
    };
  })(),
  // Checked in 30 minutes ahead (before the start), completed by the salon.
  'v4-checked-in-completed': {
    harness: () => withReminders(),
    leadMs: 30 * 60_000,
    drive: checkedInThenCompleted,
  },
  // Confirmed, reminded, and completed by itself autoCompleteHours after its end.
  'v3-auto-completed': { harness: () => stubs(), leadMs: 3 * DAY, drive: outcome },
  // Checked in 30 minutes ahead, completed by the salon after the start.
  'v3-checked-in-completed': {
    harness: () => stubs(),
    leadMs: 30 * 60_000,
    drive: checkedInThenCompleted,
  },
  // Nobody came: a no-show recorded after the grace.
  'v3-no-show': {
    harness: () => stubs(),
    leadMs: 2 * HOUR,
    drive: noShowAfterGrace,
  },
  // Cancelled while step 4 ran but after its write: judged as a cancellation of the confirmed booking.
  'v3-cancelled-as-confirmed': (() => {
    const confirming = gate();
    let confirmedAt = '';
    return {
      harness: () =>
        stubs({
          confirmBooking: async () => {
            confirmedAt = '2026-12-01T10:00:00.000Z';
            return confirming.wait({ confirmedAt });
          },
        }),
      leadMs: 3 * DAY,
      drive: async (saga, handle) => {
        await eventually(async () => (confirmedAt !== '' ? true : undefined), { what: 'the confirmation written' });
        await handle.executeUpdate(cancelUpdate, { args: [{ by: 'client', at: '2026-12-01T10:00:01.000Z' }] });
        confirming.open();
        return outcome(saga, handle);
      },
    };
  })(),
  // Cancelled once confirmed (the appointment patch is in place by then).
  'v3-cancelled-after-confirmation': {
    harness: () => stubs(),
    leadMs: 3 * DAY,
    drive: async (saga, handle) => {
      await until(handle, 'confirmation', (s) => s.status === 'confirmed');
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'client' }] });
      return outcome(saga, handle);
    },
  },
  // Confirmed three days ahead: the reminder's durable timer fires, then the saga waits until the start.
  'v2-confirmed-with-reminder': { harness: () => stubs(), leadMs: 3 * DAY, drive: outcome },
  // Cancelled (update) while the payment runs: the payment is cancelled, every step undone.
  'v2-cancelled-before-confirmation': cancelDuringPayment((handle) => handle.executeUpdate(cancelUpdate, { args: [{}] })),
  // The same by the durable signal (what the gateway falls back to when no answer comes).
  'v2-cancelled-by-signal': cancelDuringPayment((handle) => handle.signal(cancelSignal)),
  // Cancelled once confirmed, outside the window: refunded in full.
  'v2-cancelled-after-confirmation': {
    harness: () => stubs(),
    leadMs: 3 * DAY,
    drive: async (saga, handle) => {
      await until(handle, 'confirmation', (s) => s.status === 'confirmed');
      await handle.executeUpdate(cancelUpdate, { args: [{}] });
      return outcome(saga, handle);
    },
  },
  // Cancelled once confirmed by the salon's admin, inside the window: refunded in full all the same.
  'v2-cancelled-by-salon': {
    harness: () => stubs(),
    leadMs: 2 * 3_600_000,
    drive: async (saga, handle) => {
      await until(handle, 'confirmation', (s) => s.status === 'confirmed');
      await handle.executeUpdate(cancelUpdate, { args: [{ by: 'salon', at: new Date(await saga.env.currentTimeMs()).toISOString() }] });
      return outcome(saga, handle);
    },
  },
  // Cancelled through the booking document before the saga started: cancelled at once.
  'v2-cancelled-before-start': {
    harness: () => stubs({ createReservation: async () => ({ ...RESERVATION, cancelRequestedAt: '2026-12-01T10:00:00.000Z' }) }),
    drive: outcome,
  },
  // Cancelled while step 4 runs: undone in full, as accepted before confirmation.
  'v2-cancelled-while-confirming': (() => {
    const confirming = gate();
    return {
      harness: () => stubs({ confirmBooking: () => confirming.wait(undefined) }),
      drive: async (saga, handle) => {
        await until(handle, 'step 4', (s) => s.step === 'confirmBooking');
        await handle.executeUpdate(cancelUpdate, { args: [{}] });
        confirming.open();
        return outcome(saga, handle);
      },
    };
  })(),
  // The card is declined at payment: refund (nothing), release, mark failed.
  'v2-declined': { harness: () => stubs({ confirmPayment: business(FAILURE_TYPES.PaymentDeclined) }), drive: outcome },
  // A cancel signal while the failed saga compensates: refused, the saga ends failed.
  'v2-cancel-signal-while-compensating': (() => {
    const releasing = gate();
    return {
      harness: () => stubs({ confirmPayment: business(FAILURE_TYPES.PaymentDeclined), releaseHold: () => releasing.wait(undefined) }),
      drive: async (saga, handle) => {
        await until(handle, 'compensation', (s) => s.step === 'compensating');
        await handle.signal(cancelSignal);
        releasing.open();
        return outcome(saga, handle);
      },
    };
  })(),
  // Stripe keeps failing transiently until the hold's expiry.
  'v2-hold-expired': {
    harness: () =>
      stubs({
        confirmPayment: async () => {
          throw new Error('Stripe is unreachable (stub)');
        },
      }),
    holdTtlMs: 10 * 60_000,
    drive: outcome,
  },
  // The refund exhausts its retries while the other compensations finish: NeedsAttention, then an operator's retry.
  'v2-needs-attention-retried': (() => {
    let healthy = false;
    return {
      harness: () =>
        stubs({
          confirmPayment: business(FAILURE_TYPES.PaymentDeclined),
          refundPayment: async () => {
            if (!healthy) throw new Error('Stripe is down (stub)');
            return { refundedCents: 0 };
          },
        }),
      compensationAttempts: 2,
      drive: async (saga, handle) => {
        await eventually(
          async () => {
            await saga.env.sleep(30_000); // skips the retry backoff
            return (await handle.query(statusQuery)).needsAttention ? true : undefined;
          },
          { what: 'NeedsAttention', timeoutMs: 60_000, intervalMs: 10 },
        );
        healthy = true;
        await handle.signal(retryCompensationSignal);
        return outcome(saga, handle);
      },
    };
  })(),
};

export const historyFile = (branch: string): string => path.join(__dirname, 'histories', `booking-saga-${branch}.json`);
export const chainHistoryFile = (branch: string): string => path.join(__dirname, 'histories', `waitlist-offer-chain-${branch}.json`);
export const webhookHistoryFile = (branch: string): string => path.join(__dirname, 'histories', `webhook-delivery-${branch}.json`);
export const RECORDED_BRANCHES = [...ORIGINAL, ...BEFORE_LIFECYCLE_V2, ...Object.keys(BRANCHES)];
/** Every committed history: the booking saga's branches, the waitlist offer chain's and the webhook delivery's. */
export const RECORDED_FILES = [
  ...RECORDED_BRANCHES.map(historyFile),
  ...Object.keys(CHAIN_BRANCHES).map(chainHistoryFile),
  ...Object.keys(WEBHOOK_BRANCHES).map(webhookHistoryFile),
].map((f) => path.basename(f));

const write = (file: string, history: Parameters<typeof historyToJSON>[0], calls: string[]): void => {
  // Stack traces in failures name this checkout's path: kept relative, so no machine's path is committed.
  const json = historyToJSON(history).split(`${path.resolve(__dirname, '..', '..')}/`).join('');
  fs.writeFileSync(file, `${JSON.stringify(JSON.parse(json), null, 2)}\n`);
  console.log(`wrote ${file} (${history.events?.length} events; activities: ${calls.join(', ')})`);
};

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  const todo = Object.entries(BRANCHES).filter(([name]) => force || !fs.existsSync(historyFile(name)));
  const chainTodo = Object.entries(CHAIN_BRANCHES).filter(([name]) => force || !fs.existsSync(chainHistoryFile(name)));
  const webhookTodo = Object.entries(WEBHOOK_BRANCHES).filter(([name]) => force || !fs.existsSync(webhookHistoryFile(name)));
  if (todo.length === 0 && chainTodo.length === 0 && webhookTodo.length === 0) {
    console.log('every branch has its history; --force re-records them');
    return;
  }
  const saga = await createSagaEnv();
  try {
    for (const [name, branch] of todo) {
      const h = branch.harness();
      const args = await saga.input({
        leadMs: branch.leadMs ?? 3 * DAY,
        ...(branch.holdTtlMs ? { holdTtlMs: branch.holdTtlMs } : {}),
        ...(branch.compensationAttempts ? { compensationAttempts: branch.compensationAttempts } : {}),
      });
      const history = await saga.withWorker(h, async (tq) => {
        const handle = await saga.start(tq, args);
        await branch.drive(saga, handle);
        return handle.fetchHistory();
      });
      write(historyFile(name), history, h.calls);
    }
    for (const [name, branch] of chainTodo) {
      const h = chainStubs(saga, branch.line);
      const freed = await freedTime(saga);
      const history = await withChainWorker(saga, h, async (tq) => {
        const handle = await startChain(saga, tq, freed);
        await branch.drive(handle, saga);
        return handle.fetchHistory();
      });
      write(chainHistoryFile(name), history, h.calls.map((c) => c.name));
    }
    for (const [name, answers] of webhookTodo) {
      const run = await runDelivery(saga, answers);
      write(webhookHistoryFile(name), run.history, [`${run.attempts.length} attempts`, run.result]);
    }
  } finally {
    await saga.env.teardown();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
