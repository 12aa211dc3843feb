/**
 * MongoDB through mongoose: one connection per process. FerretDB serves it locally, so
 * queries stay within what FerretDB v1 and MongoDB both support (see STACK.md).
 */
import mongoose, { type Connection } from 'mongoose';
import type { Config } from '../config';

export async function connectMongo(cfg: Config): Promise<Connection> {
  const conn = mongoose.createConnection(cfg.mongo.uri, {
    serverSelectionTimeoutMS: 5000,
    maxPoolSize: 20,
    autoIndex: false, // indexes are built once, by syncIndexes at start
  });
  await conn.asPromise();
  return conn;
}

/** True for a unique-index violation (E11000), however the driver wrapped it. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/** For a read by id: an id that cannot be cast to the field's type (not an ObjectId) finds nothing. */
export function noneIfMalformedId(err: unknown): null {
  if (err instanceof mongoose.Error.CastError) return null;
  throw err;
}
