/**
 * Replays the committed histories — one per branch of the booking saga and of the
 * waitlist's offer chain — against today's workflow code: a change that would break
 * running executions (non-determinism) fails here. A new branch gets its history with test/replay/record-histories.ts; a
 * change to an old one must be versioned (patched) so that its history still replays.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { PATCHES } from '../../workflows/patches';
import { patchIdsOf } from '../support/saga-harness';
import { RECORDED_FILES } from './record-histories';

/** The patch ids a committed history recorded. */
const patchesOf = (file: string): string[] => patchIdsOf((JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { events: Parameters<typeof patchIdsOf>[0] }).events);

const dir = path.join(__dirname, 'histories');
const histories = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') });
});

test('every branch of the saga and of the waitlist offer chain has a committed history', () => {
  expect(histories.sort()).toEqual([...RECORDED_FILES].sort());
});

test.each(histories)('%s replays without non-determinism', async (file) => {
  const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, `replay:${file}`)).resolves.toBeUndefined();
});

test('a committed history is never changed, only added (git history of the folder)', () => {
  const changed = execFileSync('git', ['log', '--diff-filter=MDR', '--format=', '--name-only', '--', 'test/replay/histories'], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
  }).trim();
  expect(changed).toBe('');
});

test('each history carries exactly the patch markers of the code it was recorded from (v8-single-marker-: single-marker alone; v2-: lifecycle-v2; v3-: and appointment; v4-: and reschedule; v5-card-hold-: and card-hold; v6-3ds-: with payment-recheck; v7-local-reservation-: with local-reservation; the offer chain withdrawn-while-offered: early-withdrawal; answered-while-offered: early-decision; others: none)', () => {
  const byPrefix: [string, string[]][] = [
    ['booking-saga-v8-single-marker-', [PATCHES.singleMarker]],
    ['booking-saga-v7-local-reservation-auto-', [PATCHES.lifecycleV2, PATCHES.localReservation, PATCHES.appointment, PATCHES.reschedule]],
    ['booking-saga-v7-local-reservation-', [PATCHES.lifecycleV2, PATCHES.localReservation]],
    ['booking-saga-v6-3ds-abandoned', [PATCHES.lifecycleV2, PATCHES.paymentRecheck]],
    ['booking-saga-v6-3ds-', [PATCHES.lifecycleV2, PATCHES.paymentRecheck, PATCHES.appointment, PATCHES.reschedule]],
    ['booking-saga-v5-card-hold-', [PATCHES.lifecycleV2, PATCHES.cardHold, PATCHES.appointment, PATCHES.reschedule]],
    ['booking-saga-v4-', [PATCHES.lifecycleV2, PATCHES.appointment, PATCHES.reschedule]],
    ['booking-saga-v3-', [PATCHES.lifecycleV2, PATCHES.appointment]],
    ['booking-saga-v2-', [PATCHES.lifecycleV2]],
    ['waitlist-offer-chain-withdrawn-while-offered-', [PATCHES.earlyWithdrawal]],
    ['waitlist-offer-chain-answered-while-offered-', [PATCHES.earlyDecision]],
  ];
  const expected = (file: string): string[] => byPrefix.find(([prefix]) => file.startsWith(prefix))?.[1] ?? [];
  for (const file of histories) expect([file, patchesOf(file)]).toEqual([file, expected(file)]);
});
