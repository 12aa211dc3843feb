/** A salon's bookings and revenue per day, from the stats read model (workers/read-model.ts). */
import type { Express } from 'express';
import { isValidObjectId } from 'mongoose';
import { notFound } from '../../domain/errors';
import { foldStats } from '../../domain/stats';
import type { Models } from '../../infra/models';
import { requireSalonManager } from '../middleware/auth';
import { parse } from '../middleware/validate';
import { StatsQuery } from '../schemas';

export function statsRoutes(app: Express, models: Models): void {
  app.get('/v1/salons/:salonId/stats', async (req, res) => {
    const salonId = String(req.params.salonId);
    requireSalonManager(req, salonId);
    const { from, to } = parse(StatsQuery, req.query, 'query');
    if (!isValidObjectId(salonId) || !(await models.Salon.exists({ _id: salonId }))) throw notFound('salon', salonId);
    const facts = await models.BookingFact.find({ salonId, day: { $gte: from, $lte: to } }).lean();
    res.json({ salonId, from, to, ...foldStats(facts, from, to) });
  });
}
