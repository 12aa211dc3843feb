/** Operators make an existing account the admin of a salon. */
import type { Express } from 'express';
import { isValidObjectId } from 'mongoose';
import { AppError, notFound } from '../../domain/errors';
import type { Models } from '../../infra/models';
import { requireRole } from '../middleware/auth';
import { parse } from '../middleware/validate';
import { type Privileges, REVOKE_TOKENS } from '../privileges';
import { SalonAdminBody } from '../schemas';

export function adminRoutes(app: Express, deps: { models: Models; privileges: Privileges }): void {
  const { models } = deps;
  app.post('/v1/salons/:salonId/admins', requireRole('operator'), async (req, res) => {
    const salonId = String(req.params.salonId);
    const body = parse(SalonAdminBody, req.body);
    if (!isValidObjectId(salonId) || !(await models.Salon.exists({ _id: salonId }))) throw notFound('salon', salonId);
    const user = await models.User.findOne({ email: body.email }).lean();
    if (!user) throw notFound('user with email', body.email);
    if (user.role === 'operator') throw new AppError('conflict', `${body.email} is an operator; operators manage every salon already`);
    // The tokens it holds name its old role or salon: revoked, so the change holds at once.
    const changed = user.role !== 'salon_admin' || user.salonId !== salonId;
    await models.User.updateOne({ _id: user._id }, { $set: { role: 'salon_admin', salonId }, ...(changed ? REVOKE_TOKENS : {}) });
    deps.privileges.forget(String(user._id));
    res.json({ id: String(user._id), email: user.email, name: user.name, role: 'salon_admin', salonId });
  });
}
