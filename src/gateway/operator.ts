/** The start-up operator account (INSTUDIO_OPERATOR_EMAIL / INSTUDIO_OPERATOR_PASSWORD). */
import type { Models } from '../infra/models';
import { isDuplicateKeyError } from '../infra/mongo';
import { hashPassword, verifyPassword } from './auth';

/** Makes sure the account exists, is an operator, and has this password. Idempotent. */
export async function ensureOperator(models: Models, op: { email: string; password: string }): Promise<void> {
  const email = op.email.toLowerCase();
  const existing = await models.User.findOne({ email }).lean();
  if (existing && existing.role === 'operator' && (await verifyPassword(op.password, existing.passwordHash))) return;
  const passwordHash = await hashPassword(op.password);
  try {
    await models.User.updateOne(
      { email },
      { $set: { role: 'operator', passwordHash }, $unset: { salonId: 1 }, $setOnInsert: { name: 'Operator' } },
      { upsert: true },
    );
  } catch (err) {
    // Two gateways starting at once: the other one created it; set it again.
    if (!isDuplicateKeyError(err)) throw err;
    await models.User.updateOne({ email }, { $set: { role: 'operator', passwordHash }, $unset: { salonId: 1 } });
  }
}
