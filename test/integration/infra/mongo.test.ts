import { type Connection, Schema } from 'mongoose';
import { loadConfig } from '../../../src/config';
import { connectMongo, insertOnePlain, insertPlain, isDuplicateKeyError } from '../../../src/infra/mongo';
import { unique } from '../../support/ids';

const cfg = loadConfig();
let conn: Connection;

beforeAll(async () => {
  conn = await connectMongo(cfg);
});

afterAll(() => conn?.close());

test('when documents are inserted, then they are found; a unique-index violation is a recognisable duplicate-key error', async () => {
  const collection = unique('smoke_users');
  const User = conn.model(collection, new Schema({ email: { type: String, required: true, unique: true }, name: String }), collection);
  try {
    await User.syncIndexes();
    await User.create({ email: 'ana@example.com', name: 'Ana' });

    const found = await User.findOne({ email: 'ana@example.com' }).lean();
    expect(found?.name).toBe('Ana');

    const duplicate = await User.create({ email: 'ana@example.com', name: 'Other' }).catch((err: unknown) => err);
    expect(isDuplicateKeyError(duplicate)).toBe(true);
    expect(isDuplicateKeyError(new Error('E11000 lookalike'))).toBe(false);
    expect(await User.countDocuments()).toBe(1);
  } finally {
    await User.collection.drop();
  }
});

test('when a query runs, then mongoose keeps no stack trace of where (connectMongo turns that off: a stack per query)', async () => {
  const collection = unique('stackless_queries');
  const Thing = conn.model(collection, new Schema({ name: String }), collection);
  try {
    const query = Thing.findOne({ name: 'x' });
    expect(await query.lean()).toBeNull();
    // mongoose's own field: the stack as a string, or `true` when it was not taken
    expect((query as unknown as { _executionStack: unknown })._executionStack).toBe(true);
  } finally {
    await Thing.collection.drop().catch(() => undefined);
  }
});

test('when a filter names the _id and other conditions, then FerretDB finds the document through the _id index and still applies every condition', async () => {
  const collection = unique('id_pushdown');
  const docs = conn.db!.collection<{ _id: string; status: string }>(collection);
  try {
    await docs.insertMany([
      { _id: 'a', status: 'pending' },
      { _id: 'b', status: 'held' },
    ]);
    const guarded = { _id: 'a', status: 'pending' };
    // The stack builds FerretDB so that SQLite uses the `_id` index, also beside other conditions
    // (scripts/stack/components/ferretdb.ts); upstream's plans are a SCAN of the whole table, and for the
    // guarded filter no pushdown at all. (Updates and deletes find their documents through the same
    // query; FerretDB explains find only.)
    for (const filter of [{ _id: 'a' }, guarded]) {
      const plan = await conn.db!.command({ explain: { find: collection, filter } });
      expect(plan).toMatchObject({ filterPushdown: true });
      expect(JSON.stringify(plan.queryPlanner)).toMatch(/SEARCH \S+ USING INDEX/);
    }

    expect((await docs.updateOne({ _id: 'a', status: 'held' }, { $set: { status: 'confirmed' } })).matchedCount).toBe(0);
    expect((await docs.updateOne(guarded, { $set: { status: 'held' } })).modifiedCount).toBe(1);
    expect(await docs.findOne({ _id: 'b', status: 'pending' })).toBeNull();
    expect(await docs.find({ _id: 'a', status: { $in: ['held', 'confirmed'] } }).toArray()).toEqual([{ _id: 'a', status: 'held' }]);
  } finally {
    await docs.drop().catch(() => undefined);
  }
});

test.each([
  ['timestamps and a version key', { timestamps: true }],
  ['createdAt only', { timestamps: { createdAt: true, updatedAt: false } }],
  ['renamed timestamps, no version key', { timestamps: { createdAt: 'madeAt', updatedAt: false }, versionKey: false as const }],
])('when a document is inserted plainly (schema with %s), then it is stored with the fields Model.create stores; a taken id is a duplicate-key error', async (_, options) => {
  const collection = unique('plain_inserts');
  const Thing = conn.model(collection, new Schema({ _id: String, name: String, at: Date }, options), collection);
  try {
    const at = new Date('2026-12-06T10:00:00Z');
    await Thing.create({ _id: 'made', name: 'by create', at });
    const [stored] = await insertPlain(Thing, [{ _id: 'plain', name: 'by insertPlain', at }]);

    const [made, plain] = await Promise.all(['made', 'plain'].map((id) => Thing.collection.findOne({ _id: id as never })));
    expect(Object.keys(plain!).sort()).toEqual(Object.keys(made!).sort());
    expect(plain).toEqual(stored);
    expect(plain!.at).toEqual(at);

    const again = await insertPlain(Thing, [{ _id: 'plain', name: 'again' }]).catch((err: unknown) => err);
    expect(isDuplicateKeyError(again)).toBe(true);
  } finally {
    await Thing.collection.drop();
  }
});

test('when one-document inserts arrive together, then they share insertMany calls; a taken id, or an id twice among them, refuses only its own insert', async () => {
  const collection = unique('grouped_inserts');
  const Thing = conn.model(collection, new Schema({ _id: String, n: Number }, { timestamps: true }), collection);
  const insertMany = jest.spyOn(Thing.collection, 'insertMany');
  try {
    await insertOnePlain(Thing, { _id: 'taken', n: -1 });
    const ids = [...Array.from({ length: 18 }, (_, i) => `t${i}`), 'taken', 't3'];

    const results = await Promise.allSettled(ids.map((id, n) => insertOnePlain(Thing, { _id: id, n })));

    const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [[i, isDuplicateKeyError(r.reason)]] : []));
    expect(refused).toEqual([[18, true], [19, true]]); // 'taken', and the second 't3'
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { _id: 't0', n: 0, __v: 0 } });
    const stored = await Thing.collection.find({}, { sort: { n: 1 } }).toArray();
    expect(stored.map((d) => d._id)).toEqual(['taken', ...ids.slice(0, 18)]);
    expect(stored.every((d) => d.createdAt instanceof Date && d.updatedAt instanceof Date)).toBe(true);
    // 'taken', then the 20 in one or two calls (the first alone if the one before had
    // ended by then, the rest together); with one insertMany each, 21.
    expect(insertMany.mock.calls.length).toBeLessThanOrEqual(3);
  } finally {
    insertMany.mockRestore();
    await Thing.collection.drop();
  }
});
