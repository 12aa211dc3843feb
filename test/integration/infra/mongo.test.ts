import { type Connection, Schema } from 'mongoose';
import { loadConfig } from '../../../src/config';
import { connectMongo, isDuplicateKeyError } from '../../../src/infra/mongo';
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
