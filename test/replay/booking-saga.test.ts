/**
 * Replays committed histories of a confirmed and a compensated saga against today's
 * workflow code: a change that would break running sagas (non-determinism) fails here.
 * After an intended, versioned change, re-record with test/replay/record-histories.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const dir = path.join(__dirname, 'histories');
const histories = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') });
});

test('the committed histories cover a confirmed and a compensated saga', () => {
  expect(histories.sort()).toEqual(['booking-saga-compensated.json', 'booking-saga-confirmed.json']);
});

test.each(histories)('%s replays without non-determinism', async (file) => {
  const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, `booking:${file}`)).resolves.toBeUndefined();
});
