/**
 * The waitlist's offer chain on Temporal's time-skipping test server, with stub
 * activities: who is offered the freed time and in what order, when an offer lapses,
 * what an accept, a decline, a deletion, a declined card and a cancelled waitlist booking
 * do, which requests are refused, and that an offer's timer outlives its worker.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { acceptOfferUpdate, declineOfferUpdate, offerChainQuery } from '../../src/shared/waitlist';
import { CHAIN_BRANCHES, type ChainHarness, chainStubs, freedTime, OFFER_MINUTES, offeredTo, startChain, withChainWorker } from '../support/chain-harness';
import { unique } from '../support/ids';
import { createSagaEnv, type SagaEnv } from '../support/saga-harness';

let saga: SagaEnv;

beforeAll(async () => {
  saga = await createSagaEnv();
}, 120_000);
afterAll(() => saga?.env.teardown());

/** Runs a named branch; answers its stubs' record and the chain's final status. */
async function run(branch: keyof typeof CHAIN_BRANCHES) {
  const { line, drive } = CHAIN_BRANCHES[branch]!;
  const h = chainStubs(saga, line);
  const freed = await freedTime(saga);
  const status = await withChainWorker(saga, h, async (tq) => drive(await startChain(saga, tq, freed), saga));
  return { h, status, freed };
}

const names = (h: ChainHarness): string[] => h.calls.map((c) => c.name);
const argsOf = (h: ChainHarness, name: string) => h.calls.filter((c) => c.name === name).map((c) => c.args);

test('when the first in line accepts, then the held time becomes their booking (the id the gateway chose) and the chain ends refilled', async () => {
  const { h, status, freed } = await run('accepted');
  expect(names(h)).toEqual(['offerNext', 'bookFromOffer', 'awaitBooking', 'settleEntry']);
  expect(argsOf(h, 'bookFromOffer')).toEqual([{ freed, entryId: 'entry-a', bookingId: 'bk-a' }]);
  expect(argsOf(h, 'settleEntry')[0]).toMatchObject({ entryId: 'entry-a', bookingId: 'bk-a', outcome: { status: 'confirmed' } });
  expect(status).toEqual({ history: [{ entryId: 'entry-a', outcome: 'booked' }], result: 'refilled', bookingId: 'bk-a' });
});

test('when the first declines, then the entry ends declined, the next is offered the same time, and their accept by signal books it', async () => {
  const { h, status } = await run('declined-then-accepted');
  expect(names(h)).toEqual(['offerNext', 'declineEntry', 'offerNext', 'bookFromOffer', 'awaitBooking', 'settleEntry']);
  expect(argsOf(h, 'offerNext').map((a) => a.tried)).toEqual([[], ['entry-a']]);
  expect(h.offers.map((o) => o.entryId)).toEqual(['entry-a', 'entry-b']);
  expect(status).toMatchObject({ history: [{ entryId: 'entry-a', outcome: 'declined' }, { entryId: 'entry-b', outcome: 'booked' }], result: 'refilled', bookingId: 'bk-b' });
});

test("when nobody answers, then the offer lapses on its durable timer at its expiry, and with nobody else matching the chain ends unfilled (offerNext gives the hold back)", async () => {
  const { h, status } = await run('expired-unfilled');
  expect(names(h)).toEqual(['offerNext', 'lapseOffer', 'offerNext']);
  const lapsedAt = h.calls.find((c) => c.name === 'lapseOffer')!.at;
  const expiresAt = Date.parse(h.offers[0]!.expiresAt);
  expect(lapsedAt).toBeGreaterThanOrEqual(expiresAt);
  expect(lapsedAt - expiresAt).toBeLessThan(60_000); // on time, not at some later sweep
  expect(status).toEqual({ history: [{ entryId: 'entry-a', outcome: 'expired' }], result: 'unfilled' });
});

test('when the offered entry is deleted, then its offer is dropped without a decline and the next in line gets the time', async () => {
  const { h, status } = await run('withdrawn-then-accepted');
  expect(names(h)).toEqual(['offerNext', 'offerNext', 'bookFromOffer', 'awaitBooking', 'settleEntry']);
  expect(status).toMatchObject({ history: [{ entryId: 'entry-a', outcome: 'withdrawn' }, { entryId: 'entry-b', outcome: 'booked' }], result: 'refilled' });
});

test('when the offered entry is deleted before the chain has seen its offer, then the offer is dropped at once, not at its expiry', async () => {
  const { h, status } = await run('withdrawn-while-offered-then-accepted');
  // No lapseOffer: before the fix the signal was ignored and the offer lapsed 15 minutes later.
  expect(names(h)).toEqual(['offerNext', 'offerNext', 'bookFromOffer', 'awaitBooking', 'settleEntry']);
  expect(h.calls[1]!.at - h.calls[0]!.at).toBeLessThan(60_000);
  expect(status).toMatchObject({ history: [{ entryId: 'entry-a', outcome: 'withdrawn' }, { entryId: 'entry-b', outcome: 'booked' }], result: 'refilled' });
});

test('when the client accepts by update before the chain has seen the offer (the entry already reads offered), then the update is accepted, waits for the offer and books it', async () => {
  const { h, status } = await run('answered-while-offered-accept-update');
  // Before the fix the validator refused it ("no open offer"): the gateway answered 409 to an offered entry.
  await expect(h.earlyUpdates.get('entry-a')).resolves.toEqual({ bookingId: 'bk-a' });
  expect(names(h)).toEqual(['offerNext', 'bookFromOffer', 'awaitBooking', 'settleEntry']);
  expect(argsOf(h, 'bookFromOffer')).toEqual([expect.objectContaining({ entryId: 'entry-a', bookingId: 'bk-a' })]);
  expect(status).toMatchObject({ history: [{ entryId: 'entry-a', outcome: 'booked' }], result: 'refilled', bookingId: 'bk-a' });
});

test('when the client declines by update before the chain has seen the offer, then the update waits, the entry is declined at once (not at the expiry) and the next is offered', async () => {
  const { h, status } = await run('answered-while-offered-decline-update-then-accepted');
  await expect(h.earlyUpdates.get('entry-a')).resolves.toBeUndefined();
  expect(names(h)).toEqual(['offerNext', 'declineEntry', 'offerNext', 'bookFromOffer', 'awaitBooking', 'settleEntry']);
  expect(h.calls[1]!.at - h.calls[0]!.at).toBeLessThan(60_000);
  expect(status).toMatchObject({ history: [{ entryId: 'entry-a', outcome: 'declined' }, { entryId: 'entry-b', outcome: 'booked' }], result: 'refilled', bookingId: 'bk-b' });
});

test.each([
  ['answered-while-offered-accept-signal', ['offerNext', 'bookFromOffer', 'awaitBooking', 'settleEntry'], [{ entryId: 'entry-a', outcome: 'booked' }]],
  [
    'answered-while-offered-decline-signal-then-accepted',
    ['offerNext', 'declineEntry', 'offerNext', 'bookFromOffer', 'awaitBooking', 'settleEntry'],
    [{ entryId: 'entry-a', outcome: 'declined' }, { entryId: 'entry-b', outcome: 'booked' }],
  ],
])('when the client answers by signal before the chain has seen the offer (%s), then the answer is kept and applied when the offer arrives, not ignored until the expiry', async (branch, calls, history) => {
  const { h, status } = await run(branch);
  expect(names(h)).toEqual(calls); // ignored, the offer lapsed 15 minutes later: lapseOffer first
  expect(status).toMatchObject({ history, result: 'refilled' });
});

test("when the waitlist booking's card is declined, then the time passes to the next, and an autoBook entry is booked at once under a fresh booking id", async () => {
  const { h, status } = await run('card-declined-then-auto-booked');
  expect(names(h)).toEqual(['offerNext', 'bookFromOffer', 'awaitBooking', 'settleEntry', 'offerNext', 'bookFromOffer', 'awaitBooking', 'settleEntry']);
  expect(argsOf(h, 'settleEntry')[0]).toMatchObject({ entryId: 'entry-a', outcome: { status: 'failed', reason: 'payment_declined' } });
  const autoBooking = argsOf(h, 'bookFromOffer')[1]!;
  expect(autoBooking).toMatchObject({ entryId: 'entry-b' });
  expect(autoBooking.bookingId).toMatch(/^[0-9a-f]{32}$/);
  expect(status).toEqual({
    history: [{ entryId: 'entry-a', outcome: 'payment_failed' }, { entryId: 'entry-b', outcome: 'booked' }],
    result: 'refilled',
    bookingId: autoBooking.bookingId,
  });
});

test('when the waitlist booking is cancelled before its confirmation, then the time is freed again and offered to the next', async () => {
  const { h, status } = await run('booking-cancelled-freed-again');
  expect(argsOf(h, 'offerNext').map((a) => a.tried)).toEqual([[], ['entry-a']]);
  expect(status).toMatchObject({ history: [{ entryId: 'entry-a', outcome: 'cancelled' }, { entryId: 'entry-b', outcome: 'booked' }], result: 'refilled', bookingId: 'bk-b' });
});

test('an accept or decline for another entry, or after the offer lapsed, is refused; the same accept twice books once', async () => {
  const h = chainStubs(saga, [{ id: 'entry-a' }, { id: 'entry-b' }]);
  const freed = await freedTime(saga);
  await withChainWorker(saga, h, async (tq) => {
    const handle = await startChain(saga, tq, freed);
    await offeredTo(handle, 'entry-a');
    // entry-b is in line but holds no offer: nobody but the offered entry may take the time.
    await expect(handle.executeUpdate(acceptOfferUpdate, { args: [{ entryId: 'entry-b', bookingId: 'bk-x' }] })).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(handle.executeUpdate(declineOfferUpdate, { args: [{ entryId: 'entry-b' }] })).rejects.toMatchObject({
      cause: { message: 'cannot decline: the entry holds no open offer of this time' },
    });

    // The offer lapses (the test server skips its 15 minutes); a late accept is refused.
    await saga.env.sleep(`${OFFER_MINUTES + 1} minutes`);
    await offeredTo(handle, 'entry-b');
    await expect(handle.executeUpdate(acceptOfferUpdate, { args: [{ entryId: 'entry-a', bookingId: 'bk-late' }] })).rejects.toThrow(WorkflowUpdateFailedError);

    // A retried accept (the gateway's update, then its signal fallback) books once.
    const first = await handle.executeUpdate(acceptOfferUpdate, { args: [{ entryId: 'entry-b', bookingId: 'bk-b' }] });
    const again = await handle.executeUpdate(acceptOfferUpdate, { args: [{ entryId: 'entry-b', bookingId: 'bk-b' }] });
    expect([first, again]).toEqual([{ bookingId: 'bk-b' }, { bookingId: 'bk-b' }]);
    const status = await handle.result();
    expect(status.history).toEqual([{ entryId: 'entry-a', outcome: 'expired' }, { entryId: 'entry-b', outcome: 'booked' }]);
  });
  expect(argsOf(h, 'bookFromOffer')).toEqual([{ freed, entryId: 'entry-b', bookingId: 'bk-b' }]);
  expect(argsOf(h, 'lapseOffer')).toEqual([{ freed, entryId: 'entry-a' }]);
});

test('an open offer outlives its worker: with no worker running the offer stands, and a new worker lapses it at its expiry', async () => {
  const h = chainStubs(saga, [{ id: 'entry-a' }]);
  const freed = await freedTime(saga);
  const taskQueue = unique('chain');
  // No workflow cache, so no sticky queue: the next task goes to whichever worker polls.
  const worker = () => Worker.create({ connection: saga.env.nativeConnection, taskQueue, workflowBundle: saga.bundle, activities: h.activities, maxCachedWorkflows: 0 });
  const first = await worker();
  const handle = await first.runUntil(async () => {
    const started = await startChain(saga, taskQueue, freed);
    await offeredTo(started, 'entry-a');
    return started;
  });
  // The worker is gone (as if SIGKILLed): the offer is still the chain's, on the server.
  expect((await handle.describe()).status.name).toBe('RUNNING');
  const second = await worker();
  const status = await second.runUntil(async () => {
    expect((await handle.query(offerChainQuery)).offer?.entryId).toBe('entry-a');
    return handle.result();
  });
  expect(names(h)).toEqual(['offerNext', 'lapseOffer', 'offerNext']);
  expect(h.calls[1]!.at).toBeGreaterThanOrEqual(Date.parse(h.offers[0]!.expiresAt));
  expect(status.result).toBe('unfilled');
});
