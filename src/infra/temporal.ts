/** Temporal client: one connection per process, created at boot and closed on shutdown. */
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Config } from '../config';

export interface TemporalClient {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

export async function createTemporalClient(cfg: Config): Promise<TemporalClient> {
  const connection = await Connection.connect({ address: cfg.temporal.address });
  const client = new Client({ connection, namespace: cfg.temporal.namespace });
  return { client, connection, close: () => connection.close() };
}

/** The workflow SDK's rejection of an update that arrived before the workflow set a handler for it. */
const isUnhandledUpdate = (err: unknown): boolean =>
  err instanceof WorkflowUpdateFailedError && err.cause instanceof Error && err.cause.message.startsWith('No registered handler for update');

/**
 * Runs `update` (an `executeUpdate` call), asking again while the workflow has no handler
 * for it yet, until `deadline` (epoch ms). A booking's database row says `confirmed` as
 * soon as the confirming activity wrote it; the workflow sets the handlers of a confirmed
 * booking (reschedule, check-in, completion, no-show) once it has that activity's
 * result, a workflow task later. An update that arrives in between is rejected by the SDK
 * ("No registered handler"), and nothing of it is recorded, so it is safe to ask again
 * with the same update id. Any other outcome is the caller's.
 */
export async function executeUpdateOnceHandled<R>(update: () => Promise<R>, deadline: number): Promise<R> {
  for (let waitMs = 25; ; waitMs *= 2) {
    try {
      return await update();
    } catch (err) {
      if (!isUnhandledUpdate(err) || Date.now() + waitMs > deadline) throw err;
      await delay(waitMs);
    }
  }
}
