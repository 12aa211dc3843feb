/**
 * An express-rate-limit store in MongoDB, so that every gateway instance counts the same
 * login attempts (three gateways must not allow three guesses for every one).
 *
 * Written here rather than taken from npm: the one MongoDB store there, rate-limit-mongo
 * 2.3.2, pins the 3.x driver and expires counters with a TTL index, which FerretDB v1
 * refuses. Each key has its own window, opened by its first hit (the semantics of
 * express-rate-limit's MemoryStore); every step is one atomic single-document write, so
 * concurrent hits from any number of instances are all counted. Lapsed windows are
 * deleted by a sweep each instance runs every window.
 */
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Model } from 'mongoose';
import { AppError } from '../domain/errors';
import type { RateLimitDoc } from '../infra/models';
import { isDuplicateKeyError } from '../infra/mongo';

export class MongoRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly model: Model<RateLimitDoc>,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.sweeper = setInterval(() => void this.sweep(), this.windowMs).unref();
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const doc = await this.guard(() => this.model.findOne({ _id: this.id(key), resetAt: { $gt: new Date() } }).lean());
    return doc ? { totalHits: doc.hits, resetTime: doc.resetAt } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const _id = this.id(key);
    return this.guard(async () => {
      // Three ways a hit lands: in the open window, in a new window over a lapsed one, or
      // as the key's first window. A race lost on one is retried on the next.
      for (let attempt = 0; attempt < 5; attempt++) {
        const now = new Date();
        const counted = await this.model
          .findOneAndUpdate({ _id, resetAt: { $gt: now } }, { $inc: { hits: 1 } }, { new: true })
          .lean();
        if (counted) return { totalHits: counted.hits, resetTime: counted.resetAt };
        const resetAt = new Date(now.getTime() + this.windowMs);
        const reopened = await this.model.updateOne({ _id, resetAt: { $lte: now } }, { $set: { hits: 1, resetAt } });
        if (reopened.modifiedCount === 1) return { totalHits: 1, resetTime: resetAt };
        try {
          await this.model.create({ _id, hits: 1, resetAt });
          return { totalHits: 1, resetTime: resetAt };
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
        }
      }
      throw new Error(`rate-limit key ${_id} is contended beyond five retries`);
    });
  }

  async decrement(key: string): Promise<void> {
    await this.guard(() => this.model.updateOne({ _id: this.id(key), resetAt: { $gt: new Date() }, hits: { $gt: 0 } }, { $inc: { hits: -1 } }));
  }

  async resetKey(key: string): Promise<void> {
    await this.guard(() => this.model.deleteOne({ _id: this.id(key) }));
  }

  shutdown(): void {
    clearInterval(this.sweeper);
  }

  /** Deletes the windows that have lapsed (what a TTL index would do). */
  async sweep(): Promise<void> {
    await this.model.deleteMany({ _id: { $regex: `^${escapeRegex(this.prefix)}` }, resetAt: { $lte: new Date() } }).catch(() => undefined);
  }

  private id(key: string): string {
    return `${this.prefix}${key}`;
  }

  /** A database that does not answer is a 503 the client may retry, never a 500 and never a pass. */
  private async guard<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new AppError('unavailable', 'the login limit cannot be checked right now; retry in a few seconds', { retryAfterSec: 5, cause: err });
    }
  }
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
