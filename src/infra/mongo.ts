/**
 * MongoDB through mongoose: one connection per process. FerretDB serves it locally, so
 * queries stay within what FerretDB v1 and MongoDB both support (see STACK.md).
 */
import mongoose, { type Collection, type Connection, mongo, type Schema } from 'mongoose';
import type { Config } from '../config';
import { groupCommit } from './group-commit';

export async function connectMongo(cfg: Config): Promise<Connection> {
  // Mongoose captures a stack trace for every query it runs, only to word a "Query was
  // already executed" error: ~1 % of the booking worker's main thread in the saga
  // benchmark's profile (2026-12-07), for an error no code path of ours can raise.
  mongoose.set('skipOriginalStackTraces', true);
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

type PlainModel = { schema: Schema; collection: Collection };

/** The documents as `Model.create` would store them: with the schema's timestamps and version key. */
function stamped<T extends object>(model: PlainModel, docs: T[]): T[] {
  const now = new Date();
  const { timestamps, versionKey } = model.schema.options as { timestamps?: boolean | { createdAt?: boolean | string; updatedAt?: boolean | string }; versionKey?: string | false };
  // As mongoose reads the option: `true` stamps both; in the object form a field is on unless `false`, and a string renames it.
  const stamp = (flag: boolean | string | undefined, name: string): Record<string, Date> =>
    !timestamps || flag === false ? {} : { [typeof flag === 'string' ? flag : name]: now };
  const ts = typeof timestamps === 'object' ? timestamps : {};
  return docs.map((d) => ({
    ...d,
    ...stamp(ts.createdAt, 'createdAt'),
    ...stamp(ts.updatedAt, 'updatedAt'),
    ...(versionKey === false ? {} : { [versionKey ?? '__v']: 0 }),
  }));
}

/**
 * Inserts documents as they are, through the driver: no mongoose document is built,
 * cast, validated or hydrated (about a millisecond of CPU per document, on the booking
 * path's hottest writes). The caller builds every field with its stored type; the
 * schema's timestamps and version key are set here as `Model.create` would set them.
 * Returns the documents as stored. Rejects with the driver's error (E11000 on a taken id).
 */
export async function insertPlain<T extends object>(model: PlainModel, docs: T[], opts: { ordered?: boolean } = {}): Promise<T[]> {
  const stored = stamped(model, docs);
  await model.collection.insertMany(stored, { ordered: opts.ordered ?? true });
  return stored;
}

/** At most this many documents in one grouped insert. */
const MAX_GROUPED_INSERT = 100;
const inserters = new WeakMap<PlainModel, (doc: object) => Promise<object>>();

/**
 * Inserts one document as `insertPlain` does, together with the other documents of its
 * model that arrive while an insert of them is under way: one unordered `insertMany`
 * for them all (group commit, src/infra/group-commit.ts). Alone, it is inserted at once.
 * On FerretDB an insert of 7 documents costs the server 0.33 ms of CPU a document,
 * against 0.79 ms for 7 inserts of one (the driver's work shrinks alike). One insert at
 * a time per model and process: SQLite takes one write at a time anyway, and on
 * MongoDB one stream of batches of up to 100 carries thousands a second. Rejects with
 * this document's own error (E11000 on a taken id); the others of its batch are not
 * affected by it.
 */
export function insertOnePlain<T extends object>(model: PlainModel, doc: T): Promise<T> {
  let insert = inserters.get(model);
  if (!insert) {
    insert = groupCommit<object, object>({
      maxInFlight: 1,
      take: (waiting) => Math.min(waiting.length, MAX_GROUPED_INSERT),
      write: async (docs) => {
        const stored = stamped(model, docs);
        const failed = new Map<number, Error>();
        try {
          await model.collection.insertMany(stored, { ordered: false });
        } catch (err) {
          // Refused documents are named by their index; any other failure is every document's.
          if (!(err instanceof mongo.MongoBulkWriteError) || err.result.getWriteConcernError()) throw err;
          for (const e of err.result.getWriteErrors()) failed.set(e.index, new mongo.MongoServerError(e.toJSON()));
        }
        return stored.map((d, i) => failed.get(i) ?? d);
      },
    });
    inserters.set(model, insert);
  }
  return insert(doc) as Promise<T>;
}
