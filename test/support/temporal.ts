/** Workflows a test or benchmark started, cleaned up. */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';

/** Terminates those of `workflowIds` still running, 10 at a time; one never started or already closed is fine, any other error is thrown. */
export async function terminateWorkflows(client: Client, workflowIds: readonly string[], reason: string): Promise<void> {
  for (let i = 0; i < workflowIds.length; i += 10) {
    await Promise.all(
      workflowIds.slice(i, i + 10).map((id) =>
        client.workflow
          .getHandle(id)
          .terminate(reason)
          .catch((err: unknown) => {
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }),
      ),
    );
  }
}
