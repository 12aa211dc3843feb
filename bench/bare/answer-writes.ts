/** The patches of gateway-without-writes.ts, applied before the gateway's modules load. */
import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Collection } from 'mongodb';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

// eslint-disable-next-line @typescript-eslint/unbound-method -- called with its `this` below
const insertMany = Collection.prototype.insertMany;
Collection.prototype.insertMany = async function (this: Collection, docs, options) {
  if (this.collectionName !== 'bookings') return insertMany.call(this, docs, options);
  await nextTurn();
  return { acknowledged: true, insertedCount: docs.length, insertedIds: Object.fromEntries(docs.map((d, i) => [i, d._id])) };
} as typeof insertMany;

// eslint-disable-next-line @typescript-eslint/unbound-method -- called with its `this` below
const send = SQSClient.prototype.send;
SQSClient.prototype.send = async function (this: SQSClient, command: unknown, ...rest: unknown[]) {
  if (!(command instanceof SendMessageBatchCommand)) return (send as (...a: unknown[]) => Promise<unknown>).call(this, command, ...rest);
  await nextTurn();
  return { Successful: (command.input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: '' })), Failed: [] };
} as typeof send;
