/**
 * Names and shapes the waitlist's offer chain shares: the consumer that starts it, the
 * workflow, its activities and the gateway's accept, decline and delete routes.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const OFFER_CHAIN_WORKFLOW = 'waitlistOfferChain';
export const WAITLIST_TASK_QUEUE = 'waitlist';
/** One chain per freeing of time, named by the event that freed it (a redelivery starts nothing twice). */
export const offerChainIdFor = (freedBy: string): string => `waitlist:${freedBy}`;
/** The booking id a chain's holds carry while they are no booking's. */
export const offerHolderOf = (chainId: string): string => `offer:${chainId}`;

/** Staff time a booking let go: a cancellation, a failure after holding it, a reschedule away. */
export interface FreedTime {
  chainId: string;
  salonId: string;
  staffId: string;
  /** ISO 8601 instants: [start, end) of the time freed (the booking's end plus its buffer). */
  start: string;
  end: string;
  /** What freed it, for the Temporal UI: the booking and how. */
  bookingId: string;
  cause: 'cancelled' | 'failed' | 'rescheduled';
}

/** The offer the chain made (or the slot it books at once, for autoBook). */
export interface ChainOffer {
  entryId: string;
  customerId: string;
  autoBook: boolean;
  start: string;
  end: string;
  staffId: string;
  /** ISO 8601; for autoBook, when it was claimed. */
  expiresAt: string;
}

export interface OfferChainStatus {
  offer?: ChainOffer;
  /** Entries this chain offered the time to (or booked), in order, with how each ended. */
  history: { entryId: string; outcome: 'booked' | 'declined' | 'expired' | 'withdrawn' | 'payment_failed' | 'cancelled' }[];
  /** How the chain ended: the time refilled, or nobody (else) matched. */
  result?: 'refilled' | 'unfilled';
  bookingId?: string;
}

export interface AcceptRequest {
  entryId: string;
  /** Chosen by the gateway, so the 202 names it even when the answer comes by signal. */
  bookingId: string;
}

export const offerChainQuery = defineQuery<OfferChainStatus>('offerChain');
/** The entry's client takes the offer: booked on the held slot. Answers once the booking exists. */
export const acceptOfferUpdate = defineUpdate<{ bookingId: string }, [AcceptRequest]>('acceptOffer');
export const acceptOfferSignal = defineSignal<[AcceptRequest]>('acceptOffer');
/** The entry's client turns the offer down: the entry ends `declined`, the slot goes to the next. */
export const declineOfferUpdate = defineUpdate<void, [{ entryId: string }]>('declineOffer');
export const declineOfferSignal = defineSignal<[{ entryId: string }]>('declineOffer');
/** The offered entry was deleted: the slot goes to the next. */
export const entryWithdrawnSignal = defineSignal<[{ entryId: string }]>('entryWithdrawn');
