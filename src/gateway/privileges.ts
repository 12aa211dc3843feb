/**
 * What an account may do now, as opposed to when its token was issued. A token carries
 * its account's token version; changing the account's role or salon, or logging out,
 * raises the version in MongoDB, and a token of an older version is refused. Each
 * gateway instance keeps the versions it read for `ttlMs` (a few seconds), so a change
 * reaches every instance within that time and the instance that made it at once, while
 * a client's burst of requests reads the database once.
 */
import type { Models } from '../infra/models';
import { noneIfMalformedId } from '../infra/mongo';

export interface AccountState {
  tokenVersion: number;
}

export interface Privileges {
  /** The account's current state, or undefined if it no longer exists. */
  current(userId: string): Promise<AccountState | undefined>;
  /** Drops what this instance holds for the account (after changing it here). */
  forget(userId: string): void;
}

interface Held {
  expiresAt: number;
  state: Promise<AccountState | undefined>;
}

export function createPrivileges(models: Models, opts: { ttlMs: number; maxEntries?: number }): Privileges {
  const maxEntries = opts.maxEntries ?? 50_000;
  const held = new Map<string, Held>();

  const read = async (userId: string): Promise<AccountState | undefined> => {
    const user = await models.User.findById(userId, { tokenVersion: 1 }).lean().catch(noneIfMalformedId);
    return user ? { tokenVersion: user.tokenVersion ?? 0 } : undefined;
  };

  return {
    current(userId) {
      const now = Date.now();
      const cached = held.get(userId);
      if (cached && cached.expiresAt > now) return cached.state;
      if (held.size >= maxEntries) held.delete(held.keys().next().value!);
      // The promise is held, so concurrent requests of one account share one read.
      const state = read(userId);
      held.set(userId, { expiresAt: now + opts.ttlMs, state });
      state.catch(() => {
        if (held.get(userId)?.state === state) held.delete(userId);
      });
      return state;
    },
    forget(userId) {
      held.delete(userId);
    },
  };
}

/** The update that revokes every token an account holds. */
export const REVOKE_TOKENS = { $inc: { tokenVersion: 1 } } as const;
