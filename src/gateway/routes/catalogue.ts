/**
 * Salons and what they offer: salons, services, staff, promotions, availability.
 * Public reads are cached; every write publishes `salones.actualizaciones`.
 */
import type { Express, Request } from 'express';
import { isValidObjectId, type Types } from 'mongoose';
import { DateTime } from 'luxon';
import { computeSlots, localDayRange, workingRanges } from '../../domain/availability';
import { bookingsBetween } from '../../infra/bookings';
import { noneIfMalformedId } from '../../infra/mongo';
import { AppError, notFound } from '../../domain/errors';
import type { EventPublisher } from '../../infra/events';
import type { Models, PromotionDoc, SalonDoc, ServiceDoc, StaffDoc } from '../../infra/models';
import { toSchedule, weeklyWindow } from '../../infra/schedules';
import { policyFieldsOf, policyOf, type SalonPolicy, startOutsideBounds } from '../../domain/policy';
import { decodeCursor, page } from '../paging';
import { z } from 'zod';

/** The key of the last salon of a page: its name and id. */
const SalonCursor = z.strictObject({ name: z.string().max(200), id: z.string().regex(/^[a-f0-9]{24}$/) });
import { busyTimeByStaff } from '../../infra/slot-locks';
import { type SalonUpdate, TOPICS } from '../../shared/topics';
import { type ResponseCache, salonTags } from '../cache';
import { requireRole, requireSalonManager } from '../middleware/auth';
import { parse } from '../middleware/validate';
import {
  AvailabilityQuery,
  PROMOTION_MAX_LEAD_DAYS,
  PromotionBody,
  SalonBody,
  SalonPatch,
  SalonsQuery,
  ScheduleQuery,
  ServiceBody,
  StaffBody,
} from '../schemas';
import { requestId } from '../middleware/request-id';

type WithId<T> = T & { _id: Types.ObjectId | string };

export const toSalon = (s: WithId<SalonDoc>) => {
  const policy = policyOf(s.policy as Partial<SalonPolicy> | undefined, s.cancellationWindowHours);
  return {
    id: String(s._id),
    name: s.name,
    city: s.city,
    ...(s.address ? { address: s.address } : {}),
    timezone: s.timezone,
    cancellationWindowHours: policy.cancellationWindowHours,
    policy,
  };
};
export const toService = (s: WithId<ServiceDoc>) => ({
  id: String(s._id),
  name: s.name,
  durationMin: s.durationMin,
  bufferMin: s.bufferMin,
  priceCents: s.priceCents,
  currency: s.currency,
  active: s.active,
});
export const toStaff = (s: WithId<StaffDoc>) => ({
  id: String(s._id),
  salonId: s.salonId,
  name: s.name,
  serviceIds: s.serviceIds,
  workingHours: s.workingHours.map(weeklyWindow),
  breaks: s.breaks.map(weeklyWindow),
  timeOff: s.timeOff.map((t) => ({ from: t.from!.toISOString(), to: t.to!.toISOString() })),
});
export const toPromotion = (p: WithId<PromotionDoc>) => ({
  id: String(p._id),
  salonId: p.salonId,
  serviceIds: p.serviceIds,
  discountPercent: p.discountPercent,
  startsAt: p.startsAt.toISOString(),
  endsAt: p.endsAt.toISOString(),
});

export interface CatalogueDeps {
  models: Models;
  events: EventPublisher;
  cache: ResponseCache;
  now: () => Date;
}

export function catalogueRoutes(app: Express, deps: CatalogueDeps): void {
  const { models, events, cache } = deps;

  const findSalon = async (salonId: string) => {
    const salon = isValidObjectId(salonId) ? await models.Salon.findById(salonId).lean() : null;
    if (!salon) throw notFound('salon', salonId);
    return salon;
  };

  /** Checks that every id names an active service of this salon. */
  const checkServicesOf = async (salonId: string, serviceIds: string[]) => {
    const found = await models.Service.find({ _id: { $in: serviceIds }, salonId }, { _id: 1 }).lean();
    const known = new Set(found.map((s) => String(s._id)));
    const unknown = serviceIds.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new AppError('validation', `services ${unknown.join(', ')} are not services of salon ${salonId}`, {
        errors: [{ field: 'serviceIds', message: `unknown in this salon: ${unknown.join(', ')}` }],
      });
    }
  };

  const changed = async (req: Request, update: SalonUpdate) => {
    cache.invalidate(salonTags(update.salonId)); // this instance at once; the others through Kafka
    try {
      await events.publish(TOPICS.salonUpdates, update.salonId, update, { correlationId: requestId(req) });
    } catch (err) {
      req.log.error({ err, update }, 'could not publish salones.actualizaciones');
    }
  };

  app.get('/v1/salons', async (req, res) => {
    const { city, limit, cursor } = parse(SalonsQuery, req.query, 'query');
    const after = decodeCursor(SalonCursor, cursor);
    await cache.serve(req, res, ['salons'], async () => {
      const filter: Record<string, unknown> = city ? { cityKey: city.toLowerCase() } : {};
      if (after) filter.$or = [{ name: { $gt: after.name } }, { name: after.name, _id: { $gt: after.id } }];
      const found = await models.Salon.find(filter).sort({ name: 1, _id: 1 }).limit(limit + 1).lean();
      return page(found.slice(0, limit).map(toSalon), found.length > limit, (last) => ({ name: last.name, id: last.id }));
    });
  });

  app.post('/v1/salons', requireRole('operator'), async (req, res) => {
    const body = parse(SalonBody, req.body);
    const policy = policyFieldsOf(body);
    const salon = await models.Salon.create({
      ...body,
      cityKey: body.city.toLowerCase(),
      policy,
      cancellationWindowHours: policyOf(policy).cancellationWindowHours,
    });
    await changed(req, { salonId: String(salon._id), entity: 'salon', entityId: String(salon._id), change: 'created' });
    res.status(201).location(`/v1/salons/${String(salon._id)}`).json(toSalon(salon.toObject()));
  });

  app.get('/v1/salons/:salonId', async (req, res) => {
    const { salonId } = req.params;
    await cache.serve(req, res, [`salon:${salonId}`], async () => toSalon(await findSalon(salonId)));
  });

  app.patch('/v1/salons/:salonId', async (req, res) => {
    const { salonId } = req.params;
    requireSalonManager(req, salonId);
    const patch = parse(SalonPatch, req.body);
    const policy = policyFieldsOf(patch);
    const fields: Omit<typeof patch, 'policy' | 'cancellationWindowHours'> & Partial<typeof patch> = { ...patch };
    delete fields.policy;
    delete fields.cancellationWindowHours;
    await findSalon(salonId);
    // Policy fields merge into the stored policy, one path each; the top-level alias follows.
    const salon = await models.Salon.findByIdAndUpdate(
      salonId,
      {
        $set: {
          ...fields,
          ...(fields.city ? { cityKey: fields.city.toLowerCase() } : {}),
          ...Object.fromEntries(Object.entries(policy).map(([k, v]) => [`policy.${k}`, v])),
          ...(policy.cancellationWindowHours !== undefined ? { cancellationWindowHours: policy.cancellationWindowHours } : {}),
        },
      },
      { new: true },
    ).lean();
    if (!salon) throw notFound('salon', salonId);
    await changed(req, { salonId, entity: 'salon', entityId: salonId, change: 'updated' });
    res.json(toSalon(salon));
  });

  app.get('/v1/salons/:salonId/services', async (req, res) => {
    const { salonId } = req.params;
    await cache.serve(req, res, [`salon:${salonId}`], async () => {
      await findSalon(salonId);
      const services = await models.Service.find({ salonId, active: true }).sort({ name: 1 }).lean();
      return { items: services.map(toService) };
    });
  });

  app.post('/v1/salons/:salonId/services', async (req, res) => {
    const { salonId } = req.params;
    requireSalonManager(req, salonId);
    const body = parse(ServiceBody, req.body);
    await findSalon(salonId);
    const service = await models.Service.create({ ...body, salonId });
    await changed(req, { salonId, entity: 'service', entityId: String(service._id), change: 'created' });
    res.status(201).location(`/v1/salons/${salonId}/services`).json(toService(service.toObject()));
  });

  app.get('/v1/salons/:salonId/staff', async (req, res) => {
    const { salonId } = req.params;
    await cache.serve(req, res, [`salon:${salonId}`], async () => {
      await findSalon(salonId);
      const staff = await models.Staff.find({ salonId }).sort({ name: 1 }).lean();
      return { items: staff.map(toStaff) };
    });
  });

  app.post('/v1/salons/:salonId/staff', async (req, res) => {
    const { salonId } = req.params;
    requireSalonManager(req, salonId);
    const body = parse(StaffBody, req.body);
    await findSalon(salonId);
    await checkServicesOf(salonId, body.serviceIds);
    const staff = await models.Staff.create({
      ...body,
      salonId,
      timeOff: (body.timeOff ?? []).map((t) => ({ from: new Date(t.from), to: new Date(t.to) })),
    });
    await changed(req, { salonId, entity: 'staff', entityId: String(staff._id), change: 'created' });
    res.status(201).location(`/v1/salons/${salonId}/staff`).json(toStaff(staff.toObject()));
  });

  app.get('/v1/salons/:salonId/promotions', async (req, res) => {
    const { salonId } = req.params;
    await cache.serve(req, res, [`salon:${salonId}`], async () => {
      await findSalon(salonId);
      const promotions = await models.Promotion.find({ salonId, endsAt: { $gt: deps.now() } })
        .sort({ endsAt: 1 })
        .lean();
      return { items: promotions.map(toPromotion) };
    });
  });

  app.post('/v1/salons/:salonId/promotions', async (req, res) => {
    const { salonId } = req.params;
    requireSalonManager(req, salonId);
    const body = parse(PromotionBody, req.body);
    const now = deps.now().getTime();
    const dateErrors = [
      ...(Date.parse(body.endsAt) <= now ? [{ field: 'endsAt', message: 'must be in the future' }] : []),
      ...(Date.parse(body.startsAt) > now + PROMOTION_MAX_LEAD_DAYS * 86_400_000
        ? [{ field: 'startsAt', message: `must be at most ${PROMOTION_MAX_LEAD_DAYS} days ahead` }]
        : []),
    ];
    if (dateErrors.length > 0) {
      throw new AppError('validation', dateErrors.map((e) => `${e.field} ${e.message}`).join('; '), { errors: dateErrors });
    }
    await findSalon(salonId);
    await checkServicesOf(salonId, body.serviceIds);
    const promotion = await models.Promotion.create({
      ...body,
      salonId,
      startsAt: new Date(body.startsAt),
      endsAt: new Date(body.endsAt),
    });
    await changed(req, { salonId, entity: 'promotion', entityId: String(promotion._id), change: 'created' });
    res.status(201).location(`/v1/salons/${salonId}/promotions`).json(toPromotion(promotion.toObject()));
  });

  app.get('/v1/salons/:salonId/schedule', async (req, res) => {
    const { salonId } = req.params;
    requireSalonManager(req, salonId);
    const query = parse(ScheduleQuery, req.query, 'query');
    const salon = await findSalon(salonId);
    const staff = await models.Staff.find({ salonId, ...(query.staffId ? { _id: query.staffId } : {}) }).sort({ name: 1 }).lean();
    if (query.staffId && staff.length === 0) throw notFound('staff member', query.staffId);
    const day = localDayRange(query.date, salon.timezone);
    const booked = await bookingsBetween(models, salonId, day, query.staffId);
    const [services, customers] = await Promise.all([
      models.Service.find({ salonId }, { name: 1 }).lean(),
      Promise.all([...new Set(booked.map((b) => b.customerId))].map((id) => models.User.findById(id, { name: 1 }).lean().catch(noneIfMalformedId))),
    ]);
    const serviceName = new Map(services.map((s) => [String(s._id), s.name]));
    const customerName = new Map(customers.filter((u) => u !== null).map((u) => [String(u._id), u.name]));
    const local = (d: Date) => DateTime.fromJSDate(d, { zone: salon.timezone }).toISO({ suppressMilliseconds: true })!;
    res.json({
      date: query.date,
      timezone: salon.timezone,
      staff: staff.map((member) => ({
        id: String(member._id),
        name: member.name,
        working: workingRanges(query.date, salon.timezone, toSchedule(member)).map((r) => ({ start: local(r.start), end: local(r.end) })),
        bookings: booked
          .filter((b) => b.staffId === String(member._id))
          .map((b) => ({
            id: b._id,
            start: local(b.start),
            end: local(b.end),
            status: b.status,
            serviceId: b.serviceId,
            serviceName: serviceName.get(b.serviceId) ?? '',
            customerName: customerName.get(b.customerId) ?? '',
          })),
      })),
    });
  });

  app.get('/v1/salons/:salonId/availability', async (req, res) => {
    const { salonId } = req.params;
    const query = parse(AvailabilityQuery, req.query, 'query');
    const salon = await findSalon(salonId);
    const service = await models.Service.findOne({ _id: query.serviceId, salonId, active: true }).lean();
    if (!service) throw notFound('service', query.serviceId);
    const staff = await models.Staff.find({
      salonId,
      serviceIds: query.serviceId,
      ...(query.staffId ? { _id: query.staffId } : {}),
    }).lean();
    if (query.staffId && staff.length === 0) {
      const exists = await models.Staff.exists({ _id: query.staffId, salonId });
      if (!exists) throw notFound('staff member', query.staffId);
      throw new AppError('validation', `staff member ${query.staffId} does not perform service ${query.serviceId}`, {
        errors: [{ field: 'staffId', message: 'does not perform this service' }],
      });
    }
    const busy = await busyTimeByStaff(models, staff.map((s) => String(s._id)), query.date, salon.timezone);
    const now = deps.now();
    const policy = policyOf(salon.policy as Partial<SalonPolicy> | undefined, salon.cancellationWindowHours);
    const slots = computeSlots({
      date: query.date,
      timezone: salon.timezone,
      durationMin: service.durationMin,
      bufferMin: service.bufferMin,
      staff: staff.map(toSchedule),
      busy,
      now,
    }).filter((slot) => startOutsideBounds(policy, new Date(slot.start), now) === undefined); // what POST /v1/bookings accepts
    res.json({ slots });
  });

}
