/**
 * MongoDB through mongoose: one connection per process. FerretDB serves it locally, so
 * queries stay within what FerretDB v1 and MongoDB both support (see STACK.md).
 */
import mongoose, { type Collection, type Connection, type Schema } from 'mongoose';
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

/**
 * Inserts documents as they are, through the driver: no mongoose document is built,
 * cast, validated or hydrated (about a millisecond of CPU per document, on the booking
 * path's hottest writes). The caller builds every field with its stored type; the
 * schema's timestamps and version key are set here as `Model.create` would set them.
 * Returns the documents as stored. Rejects with the driver's error (E11000 on a taken id).
 */
export async function insertPlain<T extends object>(model: { schema: Schema; collection: Collection }, docs: T[], opts: { ordered?: boolean } = {}): Promise<T[]> {
  const now = new Date();
  const { timestamps, versionKey } = model.schema.options as { timestamps?: boolean | { createdAt?: boolean | string; updatedAt?: boolean | string }; versionKey?: string | false };
  // As mongoose reads the option: `true` stamps both; in the object form a field is on unless `false`, and a string renames it.
  const stamp = (flag: boolean | string | undefined, name: string): Record<string, Date> =>
    !timestamps || flag === false ? {} : { [typeof flag === 'string' ? flag : name]: now };
  const ts = typeof timestamps === 'object' ? timestamps : {};
  const stored = docs.map((d) => ({
    ...d,
    ...stamp(ts.createdAt, 'createdAt'),
    ...stamp(ts.updatedAt, 'updatedAt'),
    ...(versionKey === false ? {} : { [versionKey ?? '__v']: 0 }),
  }));
  await model.collection.insertMany(stored, { ordered: opts.ordered ?? true });
  return stored;
}
