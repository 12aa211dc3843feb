/**
 * The waitlist's offer chain on Temporal's time-skipping test server, with stub
 * activities over an in-memory line of entries: used by the chain's workflow tests and by
 * the recorder of its replay histories. The named scenarios (CHAIN_BRANCHES) are each one
 * branch of the chain; the tests assert on what each did, the recorder commits its history.
 */
import { type WorkflowHandle, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { BookingOutcome, WaitlistActivities } from '../../activities/waitlist';
import {
  acceptOfferSignal,
  acceptOfferUpdate,
  type ChainOffer,
  declineOfferSignal,
  declineOfferUpdate,
  entryWithdrawnSignal,
  type FreedTime,
  offerChainIdFor,
  offerChainQuery,
  type OfferChainStatus,
} from '../../src/shared/waitlist';
import { waitlistOfferChain } from '../../workflows/waitlist-offer-chain';
import { unique } from './ids';
import type { SagaEnv } from './saga-harness';
import { eventually } from './wait';

export const OFFER_MINUTES = 15;

/** One entry of the line, in the order it was created, and how its booking's saga ends. */
export interface LineEntry {
  id: string;
  autoBook?: boolean;
  outcome?: BookingOutcome;
  /** Deleted while its offer is being made: the withdrawal signal reaches the chain before the offer activity's result. */
  withdrawnWhileOffered?: boolean;
  /**
   * Answered while its offer is being made — the client read `offered` before the offer
   * activity's result reached the chain: an accept (as booking `bk-<id>`) or a decline,
   * by update (the gateway's way; the stub waits until the chain has accepted the update)
   * or by signal (the gateway's fallback).
   */
  answeredWhileOffered?: 'accept-update' | 'decline-update' | 'accept-signal' | 'decline-signal';
}

export interface ChainCall {
  name: keyof WaitlistActivities;
  args: Record<string, unknown>;
  /** The test server's clock when the activity ran. */
  at: number;
}

export interface ChainHarness {
  calls: ChainCall[];
  activities: WaitlistActivities;
  /** The offers made, in order. */
  offers: ChainOffer[];
  /** Updates sent while an offer was being made (answeredWhileOffered), by entry: their outcome, or the chain's refusal. */
  earlyUpdates: Map<string, Promise<unknown>>;
}

/**
 * Stubs of the chain's activities over `line`: offerNext offers the first entry not
 * tried (expiring OFFER_MINUTES later on the test server's clock), awaitBooking answers
 * the entry's outcome (confirmed unless told), the others record their call.
 */
export function chainStubs(saga: SagaEnv, line: LineEntry[]): ChainHarness {
  const calls: ChainCall[] = [];
  const offers: ChainOffer[] = [];
  const entryOfBooking = new Map<string, string>();
  const earlyUpdates = new Map<string, Promise<unknown>>();
  const log = async (name: keyof WaitlistActivities, args: Record<string, unknown>): Promise<number> => {
    const at = await saga.env.currentTimeMs();
    calls.push({ name, args, at });
    return at;
  };
  const activities: WaitlistActivities = {
    async offerNext(args) {
      const at = await log('offerNext', args);
      const next = line.find((e) => !args.tried.includes(e.id));
      if (!next) return null;
      const offer: ChainOffer = {
        entryId: next.id,
        customerId: `client-of-${next.id}`,
        autoBook: next.autoBook ?? false,
        start: args.freed.start,
        end: args.freed.end,
        staffId: args.freed.staffId,
        expiresAt: new Date(next.autoBook ? at : at + OFFER_MINUTES * 60_000).toISOString(),
      };
      offers.push(offer);
      // As the gateway does once the entry reads `offered`, before this activity has answered.
      const chain = saga.env.client.workflow.getHandle(args.freed.chainId); // the chain's workflow id
      if (next.withdrawnWhileOffered) await chain.signal(entryWithdrawnSignal, { entryId: next.id });
      const acceptance = { entryId: next.id, bookingId: `bk-${next.id.replace('entry-', '')}` };
      switch (next.answeredWhileOffered) {
        case 'accept-signal':
          await chain.signal(acceptOfferSignal, acceptance);
          break;
        case 'decline-signal':
          await chain.signal(declineOfferSignal, { entryId: next.id });
          break;
        case 'accept-update':
        case 'decline-update': {
          const started: Promise<{ result: () => Promise<unknown> }> =
            next.answeredWhileOffered === 'accept-update'
              ? chain.startUpdate(acceptOfferUpdate, { args: [acceptance], waitForStage: WorkflowUpdateStage.ACCEPTED })
              : chain.startUpdate(declineOfferUpdate, { args: [{ entryId: next.id }], waitForStage: WorkflowUpdateStage.ACCEPTED });
          const refused = (err: unknown) => ({ refused: err instanceof WorkflowUpdateFailedError ? (err.cause?.message ?? err.message) : String(err) });
          earlyUpdates.set(next.id, started.then((update) => update.result(), refused));
          await started.catch(() => undefined); // accepted (or refused) before this activity answers
          break;
        }
      }
      return offer;
    },
    async lapseOffer(args) {
      await log('lapseOffer', args);
    },
    async declineEntry(args) {
      await log('declineEntry', args);
    },
    async bookFromOffer(args) {
      await log('bookFromOffer', args);
      entryOfBooking.set(args.bookingId, args.entryId);
    },
    async awaitBooking(args) {
      await log('awaitBooking', args);
      const entry = line.find((e) => e.id === entryOfBooking.get(args.bookingId));
      return entry?.outcome ?? { status: 'confirmed' };
    },
    async settleEntry(args) {
      await log('settleEntry', args);
    },
  };
  return { calls, activities, offers, earlyUpdates };
}

/** The time a cancellation freed, three days ahead on the test server's clock. */
export async function freedTime(saga: SagaEnv): Promise<FreedTime> {
  const now = await saga.env.currentTimeMs();
  const start = new Date(now + 3 * 86_400_000);
  return {
    chainId: offerChainIdFor(unique('evt')),
    salonId: 'salon-1',
    staffId: 'staff-1',
    start: start.toISOString(),
    end: new Date(start.getTime() + 45 * 60_000).toISOString(),
    bookingId: unique('b'),
    cause: 'cancelled',
  };
}

/** Runs `fn` with a worker for the chain on a fresh task queue. */
export async function withChainWorker<T>(saga: SagaEnv, h: ChainHarness, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = unique('chain');
  const worker = await Worker.create({ connection: saga.env.nativeConnection, taskQueue, workflowBundle: saga.bundle, activities: h.activities });
  return worker.runUntil(fn(taskQueue));
}

export const startChain = (saga: SagaEnv, taskQueue: string, freed: FreedTime): Promise<WorkflowHandle<typeof waitlistOfferChain>> =>
  saga.env.client.workflow.start(waitlistOfferChain, { taskQueue, workflowId: freed.chainId, args: [freed] });

/** Awaits the chain's open offer to `entryId`. */
export const offeredTo = (handle: WorkflowHandle, entryId: string): Promise<ChainOffer> =>
  eventually(
    async () => {
      const { offer } = await handle.query(offerChainQuery);
      return offer?.entryId === entryId ? offer : undefined;
    },
    { what: `the offer to ${entryId}`, timeoutMs: 30_000 },
  );

export interface ChainBranch {
  line: LineEntry[];
  /** Drives the started chain to its end; answers its final status. */
  drive: (handle: WorkflowHandle<typeof waitlistOfferChain>, saga: SagaEnv) => Promise<OfferChainStatus>;
}

const accept = async (handle: WorkflowHandle, entryId: string, bookingId: string): Promise<{ bookingId: string }> => {
  await offeredTo(handle, entryId);
  return handle.executeUpdate(acceptOfferUpdate, { args: [{ entryId, bookingId }] });
};

/** entry-a answers (`how`) while its offer is being made; after its decline, entry-b accepts. */
const answeredWhileOffered = (how: NonNullable<LineEntry['answeredWhileOffered']>): ChainBranch =>
  how.startsWith('accept')
    ? { line: [{ id: 'entry-a', answeredWhileOffered: how }], drive: (handle) => handle.result() }
    : {
        line: [{ id: 'entry-a', answeredWhileOffered: how }, { id: 'entry-b' }],
        drive: async (handle) => {
          await accept(handle, 'entry-b', 'bk-b');
          return handle.result();
        },
      };

/** Each branch of the chain, as the tests drive it and the recorder records it. */
export const CHAIN_BRANCHES: Record<string, ChainBranch> = {
  // The first in line accepts (by update): booked, the time refilled.
  accepted: {
    line: [{ id: 'entry-a' }],
    drive: async (handle) => {
      await accept(handle, 'entry-a', 'bk-a');
      return handle.result();
    },
  },
  // The first declines, the second accepts by signal (the gateway's fallback).
  'declined-then-accepted': {
    line: [{ id: 'entry-a' }, { id: 'entry-b' }],
    drive: async (handle) => {
      await offeredTo(handle, 'entry-a');
      await handle.executeUpdate(declineOfferUpdate, { args: [{ entryId: 'entry-a' }] });
      await offeredTo(handle, 'entry-b');
      await handle.signal(acceptOfferSignal, { entryId: 'entry-b', bookingId: 'bk-b' });
      return handle.result();
    },
  },
  // Nobody answers: the offer lapses on its timer, nobody else matches, the time is given back.
  'expired-unfilled': {
    line: [{ id: 'entry-a' }],
    drive: async (handle) => {
      await offeredTo(handle, 'entry-a');
      return handle.result(); // the test server skips to the offer's expiry
    },
  },
  // The offered entry is deleted: the next in line gets the time.
  'withdrawn-then-accepted': {
    line: [{ id: 'entry-a' }, { id: 'entry-b' }],
    drive: async (handle) => {
      await offeredTo(handle, 'entry-a');
      await handle.signal(entryWithdrawnSignal, { entryId: 'entry-a' });
      await accept(handle, 'entry-b', 'bk-b');
      return handle.result();
    },
  },
  // The offered entry is deleted before the chain has seen its offer: the next in line gets the time at once.
  'withdrawn-while-offered-then-accepted': {
    line: [{ id: 'entry-a', withdrawnWhileOffered: true }, { id: 'entry-b' }],
    drive: async (handle) => {
      await accept(handle, 'entry-b', 'bk-b');
      return handle.result();
    },
  },
  // Answered while the offer was being made (the client read `offered` first): the chain applies the answer when it sees the offer.
  'answered-while-offered-accept-update': answeredWhileOffered('accept-update'),
  'answered-while-offered-decline-update-then-accepted': answeredWhileOffered('decline-update'),
  'answered-while-offered-accept-signal': answeredWhileOffered('accept-signal'),
  'answered-while-offered-decline-signal-then-accepted': answeredWhileOffered('decline-signal'),
  // The waitlist booking's card is declined: the time passes to the next, who books at once.
  'card-declined-then-auto-booked': {
    line: [{ id: 'entry-a', outcome: { status: 'failed', reason: 'payment_declined' } }, { id: 'entry-b', autoBook: true }],
    drive: async (handle) => {
      await accept(handle, 'entry-a', 'bk-a');
      return handle.result();
    },
  },
  // The waitlist booking is cancelled before its confirmation: the time is free again, offered on.
  'booking-cancelled-freed-again': {
    line: [{ id: 'entry-a', outcome: { status: 'cancelled' } }, { id: 'entry-b' }],
    drive: async (handle) => {
      await accept(handle, 'entry-a', 'bk-a');
      await accept(handle, 'entry-b', 'bk-b');
      return handle.result();
    },
  },
};
