/**
 * Replays the committed histories — one per branch of the booking saga — against
 * today's workflow code: a change that would break running sagas (non-determinism)
 * fails here. A new branch gets its history with test/replay/record-histories.ts; a
 * change to an old one must be versioned (patched) so that its history still replays.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { historyFile, RECORDED_BRANCHES } from './record-histories';

const dir = path.join(__dirname, 'histories');
const histories = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') });
});

test('every branch of the saga has a committed history', () => {
  expect(histories.sort()).toEqual(RECORDED_BRANCHES.map((b) => path.basename(historyFile(b))).sort());
});

test.each(histories)('%s replays without non-determinism', async (file) => {
  const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, `booking:${file}`)).resolves.toBeUndefined();
});
