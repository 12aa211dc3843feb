import { type Connection, Schema } from 'mongoose';
import { loadConfig } from '../../../src/config';
import { connectMongo, insertPlain, isDuplicateKeyError } from '../../../src/infra/mongo';
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
