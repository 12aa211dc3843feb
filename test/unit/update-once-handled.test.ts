import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { executeUpdateOnceHandled } from '../../src/infra/temporal';

/** What the workflow SDK answers an update that came before its handler (@temporalio/workflow's rejectBufferedUpdates). */
const unhandled = () => new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable('No registered handler for update: reschedule'));

/** An update call that answers `outcomes` in turn, counting its calls. */
function scripted<R>(outcomes: (R | Error)[]) {
  const calls = { count: 0 };
  const update = async (): Promise<R> => {
    const next = outcomes[Math.min(calls.count++, outcomes.length - 1)]!;
    if (next instanceof Error) throw next;
    return next;
  };
  return { calls, update };
}

test('when the workflow has no handler for the update yet, then it is asked again until it answers', async () => {
  const { calls, update } = scripted<string>([unhandled(), unhandled(), 'moved']);

  await expect(executeUpdateOnceHandled(update, Date.now() + 5_000)).resolves.toBe('moved');
  expect(calls.count).toBe(3);
});

test('when the update is refused for another reason, then that refusal is the answer, at once', async () => {
  const refused = new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable('booking b cannot be moved: its appointment has started'));
  const { calls, update } = scripted<string>([refused, 'moved']);

  await expect(executeUpdateOnceHandled(update, Date.now() + 5_000)).rejects.toBe(refused);
  expect(calls.count).toBe(1);
});

test('when the workflow still has no handler at the deadline, then the last rejection is the answer', async () => {
  const { calls, update } = scripted<string>([unhandled()]);

  await expect(executeUpdateOnceHandled(update, Date.now() + 100)).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  expect(calls.count).toBeGreaterThan(1);
  expect(calls.count).toBeLessThan(6); // 25, 50 ms waits fit in 100 ms; 100 more would not
});
