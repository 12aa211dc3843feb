/**
 * The waitlist's offer chain (`waitlist:<event id>`): one execution per freeing of staff
 * time — a cancellation, a booking that failed after holding it, a reschedule away.
 *
 * It holds the freed time in its own name and offers it to the earliest-created matching
 * entry (offerNext), waiting on a durable timer until the offer's `expiresAt`: accepted,
 * the hold becomes the new booking's hold (bookFromOffer) and the chain follows the
 * booking until it is confirmed; declined, lapsed, withdrawn (the entry deleted) or a
 * waitlist booking whose card was declined, the time goes to the next matching entry.
 * With `autoBook` the entry is booked at once. The chain ends when the time is booked
 * again, or when nobody (else) matches — then the hold is given back.
 *
 * Only the chain's main loop runs activities; the handlers record the client's decision
 * and the accept update waits until the booking exists. The offer activity writes the
 * entry `offered` before its result reaches the chain, so a client can answer first: such
 * an answer is kept and applied when the chain sees the offer. Deterministic code only.
 */
import { allHandlersFinished, condition, patched, proxyActivities, setHandler, uuid4 } from '@temporalio/workflow';
import type { WaitlistActivities } from '../activities/waitlist';
import { PATCHES } from './patches';
import {
  type AcceptRequest,
  acceptOfferSignal,
  acceptOfferUpdate,
  type ChainOffer,
  declineOfferSignal,
  declineOfferUpdate,
  entryWithdrawnSignal,
  type FreedTime,
  offerChainQuery,
  type OfferChainStatus,
} from '../src/shared/waitlist';

const step = proxyActivities<WaitlistActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** Following a waitlist booking through its saga: a heartbeating wait, within the booking's hold and payment. */
const follow = proxyActivities<WaitlistActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

type Decision = { kind: 'accept'; bookingId: string } | { kind: 'decline' } | { kind: 'withdrawn' };

export async function waitlistOfferChain(freed: FreedTime): Promise<OfferChainStatus> {
  const state: OfferChainStatus = { history: [] };
  /** Entries this chain is done with: never offered this time again. */
  const tried: string[] = [];
  let decision: Decision | undefined;
  /** The bookings made of this chain's offers, once each exists. */
  const made = new Set<string>();

  const open = (entryId: string): boolean => state.offer?.entryId === entryId && decision === undefined;
  const refusal = (entryId: string): string | undefined => {
    if (!open(entryId)) return 'the entry holds no open offer of this time';
    if (Date.now() >= Date.parse(state.offer!.expiresAt)) return 'the offer has expired';
    return undefined;
  };
  /**
   * Not yet seen: the offer activity has written the entry `offered` (the client reads
   * it, and answers) but its result has not reached the chain. Only the entry being
   * offered can be in this state: the gateway sends only for entries offered by this chain.
   */
  const unseen = (entryId: string): boolean => state.offer === undefined && state.result === undefined && !tried.includes(entryId);
  /** Decisions that came before the chain saw their entry's offer, applied when it does. */
  const early = new Map<string, Decision>();
  setHandler(offerChainQuery, () => state);
  const accept = (request: AcceptRequest): void => {
    if (refusal(request.entryId) === undefined) decision = { kind: 'accept', bookingId: request.bookingId };
    else if (unseen(request.entryId) && patched(PATCHES.earlyDecision)) early.set(request.entryId, { kind: 'accept', bookingId: request.bookingId });
  };
  setHandler(
    acceptOfferUpdate,
    async (request) => {
      if (unseen(request.entryId)) {
        accept(request);
        await condition(() => made.has(request.bookingId) || tried.includes(request.entryId) || state.result !== undefined);
        if (!made.has(request.bookingId)) throw new Error('cannot accept: the entry holds no open offer of this time');
        return { bookingId: request.bookingId };
      }
      // The same request again (a retry, or the signal after its update): the same booking.
      if (decision?.kind !== 'accept' || decision.bookingId !== request.bookingId) accept(request);
      await condition(() => made.has(request.bookingId));
      return { bookingId: request.bookingId };
    },
    {
      validator: (request) => {
        if (decision?.kind === 'accept' && decision.bookingId === request.bookingId) return;
        if (unseen(request.entryId)) return;
        const why = refusal(request.entryId);
        if (why !== undefined) throw new Error(`cannot accept: ${why}`);
      },
    },
  );
  setHandler(acceptOfferSignal, accept);
  const decline = ({ entryId }: { entryId: string }): void => {
    if (refusal(entryId) === undefined) decision = { kind: 'decline' };
    else if (unseen(entryId) && patched(PATCHES.earlyDecision)) early.set(entryId, { kind: 'decline' });
  };
  setHandler(
    declineOfferUpdate,
    async ({ entryId }) => {
      if (unseen(entryId)) {
        decline({ entryId });
        await condition(() => tried.includes(entryId) || state.result !== undefined);
        if (!state.history.some((h) => h.entryId === entryId && h.outcome === 'declined')) throw new Error('cannot decline: the entry holds no open offer of this time');
        return;
      }
      decline({ entryId });
      await condition(() => state.offer?.entryId !== entryId);
    },
    {
      validator: ({ entryId }) => {
        if (unseen(entryId)) return;
        const why = refusal(entryId);
        if (why !== undefined) throw new Error(`cannot decline: ${why}`);
      },
    },
  );
  setHandler(declineOfferSignal, decline);
  setHandler(entryWithdrawnSignal, ({ entryId }) => {
    if (open(entryId)) decision = { kind: 'withdrawn' };
    // Deleted before this chain saw its offer (the signal came before the offer's result).
    else if (!tried.includes(entryId) && patched(PATCHES.earlyWithdrawal)) early.set(entryId, { kind: 'withdrawn' });
  });

  const done = (offer: ChainOffer, outcome: OfferChainStatus['history'][number]['outcome']): void => {
    state.history.push({ entryId: offer.entryId, outcome });
    tried.push(offer.entryId);
    state.offer = undefined;
    decision = undefined;
  };

  for (;;) {
    const offer = await step.offerNext({ freed, tried: [...tried] });
    if (offer === null) {
      state.result = 'unfilled';
      await condition(allHandlersFinished);
      return state;
    }
    state.offer = offer;
    decision = early.get(offer.entryId) ?? (offer.autoBook ? { kind: 'accept', bookingId: uuid4().replace(/-/g, '') } : undefined);
    if (decision === undefined) {
      const wait = Date.parse(offer.expiresAt) - Date.now();
      if (wait > 0) await condition(() => decision !== undefined, wait);
      if (decision === undefined) {
        await step.lapseOffer({ freed, entryId: offer.entryId });
        done(offer, 'expired');
        continue;
      }
    }
    const chosen: Decision = decision;
    if (chosen.kind === 'decline') {
      await step.declineEntry({ freed, entryId: offer.entryId });
      done(offer, 'declined');
      continue;
    }
    if (chosen.kind === 'withdrawn') {
      done(offer, 'withdrawn');
      continue;
    }
    // Accepted (or autoBook): the hold becomes the booking's, then the booking's saga decides.
    const { bookingId } = chosen;
    await step.bookFromOffer({ freed, entryId: offer.entryId, bookingId });
    made.add(bookingId);
    const outcome = await follow.awaitBooking({ bookingId });
    await step.settleEntry({ freed, entryId: offer.entryId, bookingId, outcome });
    if (outcome.status === 'confirmed') {
      state.history.push({ entryId: offer.entryId, outcome: 'booked' });
      state.offer = undefined;
      state.result = 'refilled';
      state.bookingId = bookingId;
      await condition(allHandlersFinished); // an accept's update answers before the chain ends
      return state;
    }
    done(offer, outcome.status === 'failed' ? 'payment_failed' : 'cancelled');
  }
}
