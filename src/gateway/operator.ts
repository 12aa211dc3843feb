/** The start-up operator account (INSTUDIO_OPERATOR_EMAIL / INSTUDIO_OPERATOR_PASSWORD). */
import type { Models } from '../infra/models';
import { isDuplicateKeyError } from '../infra/mongo';
import { checkPassword, hashPassword } from './auth';
import { REVOKE_TOKENS } from './privileges';

/** Makes sure the account exists, is an operator, and has this password. Idempotent. */
export async function ensureOperator(models: Models, op: { email: string; password: string }): Promise<void> {
  const email = op.email.toLowerCase();
  const existing = await models.User.findOne({ email }).lean();
  const check = existing ? await checkPassword(op.password, existing.passwordHash) : undefined;
  if (existing?.role === 'operator' && check?.ok && !check.rehash) return;
  const passwordHash = await hashPassword(op.password);
  // A new role or password revokes the tokens the account held; a mere rehash does not.
  const revoke = existing?.role === 'operator' && check?.ok ? {} : REVOKE_TOKENS;
  try {
    await models.User.updateOne(
      { email },
      { $set: { role: 'operator', passwordHash }, $unset: { salonId: 1 }, $setOnInsert: { name: 'Operator' }, ...revoke },
      { upsert: true },
    );
  } catch (err) {
    // Two gateways starting at once: the other one created it; set it again.
    if (!isDuplicateKeyError(err)) throw err;
    await models.User.updateOne({ email }, { $set: { role: 'operator', passwordHash }, $unset: { salonId: 1 }, ...revoke });
  }
}
