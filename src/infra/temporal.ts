/** Temporal client: one connection per process, created at boot and closed on shutdown. */
import { Client, Connection } from '@temporalio/client';
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
