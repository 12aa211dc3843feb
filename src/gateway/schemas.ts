/**
 * The REST contract as schemas: each one validates input, types the code, and feeds
 * /openapi.json. Objects are strict, so an unknown field (or an operator such as
 * `{"$gt": ""}` where a string belongs) is a 400, never a query.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { GRANULE_MIN } from '../domain/availability';
import { BOOKING_STATUSES } from '../domain/booking';
import { PAYMENT_POLICIES } from '../domain/policy';
import { WAITLIST_STATUSES } from '../domain/waitlist';
import { ALL_EVENTS, WEBHOOK_EVENTS } from '../domain/webhooks';
import { cursorParam, limitParam } from './paging';

extendZodWithOpenApi(z);

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use local time HH:MM, for example 09:30')
  .refine((t) => Number(t.slice(3)) % GRANULE_MIN === 0, `minutes must be a multiple of ${GRANULE_MIN}`);
const minutesOf = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
const DAY_MS = 86_400_000;
const PROMOTION_MAX_DAYS = 366;

/** The years any date the API takes may fall in; each route bounds its own dates further. */
const YEARS = { min: 2000, max: 2100 };
const isoDateTime = z.iso
  .datetime({ offset: true, message: 'use an ISO 8601 date-time with offset, for example 2026-06-01T10:00:00+02:00' })
  .refine((t) => {
    const year = new Date(t).getUTCFullYear();
    return year >= YEARS.min && year < YEARS.max;
  }, `use a date between ${YEARS.min} and ${YEARS.max - 1}`)
  .openapi({ example: '2026-06-01T10:00:00+02:00' });
const isoDate = z.iso
  .date('use a local date YYYY-MM-DD')
  .refine((d) => Number(d.slice(0, 4)) >= YEARS.min && Number(d.slice(0, 4)) < YEARS.max, `use a date between ${YEARS.min} and ${YEARS.max - 1}`);

/**
 * Control characters (BEL, ESC, NUL, …) and the bidirectional overrides and isolates
 * that make text display other than it reads (U+202A–U+202E, U+2066–U+2069): refused
 * in anything a person wrote, since names end up in emails, calendars and dashboards.
 */
const UNSAFE_TEXT = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !UNSAFE_TEXT.test(s), 'remove control characters and bidirectional overrides (such as U+202E)');
export const objectId = z
  .string()
  .regex(/^[a-f0-9]{24}$/, 'use an id returned by the API (24 hex characters)')
  .openapi({ example: '665f1c2e8b3e4a0012345678' });
const email = z.string().trim().toLowerCase().max(254).pipe(z.email('use a valid email address'));
const name = text(120).pipe(z.string().min(1, 'must not be empty'));

export const Locale = z.enum(['es', 'en']).openapi({ description: 'the language of the messages the account receives (es by default)' });
export const RegisterBody = z
  .strictObject({
    email,
    password: z.string().min(8, 'use at least 8 characters').max(128),
    name,
    locale: Locale.optional(),
  })
  .openapi('RegisterBody');
export const MePatch = z
  .strictObject({ name: name.optional(), locale: Locale.optional() })
  .refine((p) => Object.keys(p).length > 0, 'send name, locale or both')
  .openapi('MePatch');
export const LoginBody = z
  .strictObject({ email, password: z.string().min(1, 'must not be empty').max(128) })
  .openapi('LoginBody');

export const Role = z.enum(['client', 'salon_admin', 'operator']).openapi('Role');
export const User = z
  .object({ id: z.string(), email: z.string(), name: z.string(), role: Role, salonId: z.string().optional(), locale: Locale.optional() })
  .openapi('User');
export const RegisterResponse = z.object({ user: User, token: z.string() }).openapi('RegisterResponse');
export const LoginResponse = z
  .object({ token: z.string(), expiresIn: z.number().int().openapi({ description: 'seconds' }) })
  .openapi('LoginResponse');

const timezone = z
  .string()
  .refine((tz) => IANAZone.isValidZone(tz), 'use an IANA time zone, for example Europe/Madrid')
  .openapi({ example: 'Europe/Madrid' });

const hours = (max: number) => z.number().int().min(0).max(max);
const policyFields = {
  payment: z.enum(PAYMENT_POLICIES).openapi({ description: 'prepay (default), deposit or card_hold' }),
  depositPercent: z.number().int().min(1).max(100),
  cancellationWindowHours: hours(720),
  lateCancelFeePercent: z.number().int().min(0).max(100),
  rescheduleWindowHours: hours(720),
  minNoticeMinutes: z.number().int().min(0).max(30 * 24 * 60),
  maxAdvanceDays: z.number().int().min(1).max(730),
  checkInGraceMinutes: z.number().int().min(0).max(24 * 60),
  autoCompleteHours: z.number().int().min(0).max(168),
  reminderOffsetsHours: z.array(z.number().int().min(1).max(168)).max(3, 'at most 3 reminders'),
  waitlistOfferMinutes: z.number().int().min(1).max(24 * 60),
};
export const PolicyBody = z.strictObject(policyFields).partial().openapi('SalonPolicyBody', { description: 'the policy fields to set; the rest keep their value (defaults: see SalonPolicy)' });
export const SalonPolicy = z.object(policyFields).openapi('SalonPolicy');

const salonFields = {
  name,
  city: name,
  address: text(300).optional(),
  timezone,
  cancellationWindowHours: hours(720).optional().openapi({
    description: 'alias of policy.cancellationWindowHours: a booking cancelled at least this long before its start is refunded (default 24)',
  }),
  policy: PolicyBody.optional(),
};
/** A top-level cancellationWindowHours that contradicts policy.cancellationWindowHours in the same body. */
const windowsAgree = (b: { cancellationWindowHours?: number; policy?: { cancellationWindowHours?: number } }) =>
  b.cancellationWindowHours === undefined || b.policy?.cancellationWindowHours === undefined || b.cancellationWindowHours === b.policy.cancellationWindowHours;
const agreeMessage = { message: 'cancellationWindowHours and policy.cancellationWindowHours differ; send one, or the same value', path: ['cancellationWindowHours'] };
export const SalonBody = z.strictObject(salonFields).refine(windowsAgree, agreeMessage).openapi('SalonBody');
export const SalonPatch = z
  .strictObject(salonFields)
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'send at least one field to change')
  .refine(windowsAgree, agreeMessage)
  .openapi('SalonPatch');
export const Salon = z
  .object({
    id: z.string(),
    name: z.string(),
    city: z.string(),
    address: z.string().optional(),
    timezone: z.string(),
    cancellationWindowHours: z.number().int(),
    policy: SalonPolicy,
  })
  .openapi('Salon');
export const SalonsQuery = z.strictObject({
  city: text(120).pipe(z.string().min(1, 'must not be empty')).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

const minutes = (max: number) =>
  z.number().int().min(0).max(max).multipleOf(GRANULE_MIN, `must be a multiple of ${GRANULE_MIN} minutes`);

export const ServiceBody = z
  .strictObject({
    name,
    durationMin: minutes(480).min(GRANULE_MIN, `must be at least ${GRANULE_MIN} minutes`),
    bufferMin: minutes(120).optional(),
    priceCents: z.number().int().min(0).max(10_000_000),
    currency: z.string().regex(/^[A-Z]{3}$/, 'use an ISO 4217 code in capitals, for example EUR'),
    active: z.boolean().optional(),
  })
  .openapi('ServiceBody');
export const Service = z
  .object({
    id: z.string(),
    name: z.string(),
    durationMin: z.number().int(),
    bufferMin: z.number().int(),
    priceCents: z.number().int(),
    currency: z.string(),
    active: z.boolean(),
  })
  .openapi('Service');

const weeklyWindow = z
  .strictObject({ weekday: z.number().int().min(1).max(7).openapi({ description: '1 = Monday … 7 = Sunday' }), start: hhmm, end: hhmm })
  .refine((w) => minutesOf(w.start) < minutesOf(w.end), { message: 'start must be before end', path: ['end'] });

export const StaffBody = z
  .strictObject({
    name,
    serviceIds: z.array(objectId).min(1, 'name at least one service').max(100),
    workingHours: z.array(weeklyWindow).max(50),
    breaks: z.array(weeklyWindow).max(50).optional(),
    timeOff: z
      .array(
        z
          .strictObject({ from: isoDateTime, to: isoDateTime })
          .refine((t) => new Date(t.from) < new Date(t.to), { message: 'from must be before to', path: ['to'] }),
      )
      .max(200)
      .optional(),
  })
  .openapi('StaffBody');
export const Staff = z
  .object({
    id: z.string(),
    salonId: z.string(),
    name: z.string(),
    serviceIds: z.array(z.string()),
    workingHours: z.array(z.object({ weekday: z.number().int(), start: z.string(), end: z.string() })),
    breaks: z.array(z.object({ weekday: z.number().int(), start: z.string(), end: z.string() })),
    timeOff: z.array(z.object({ from: z.string(), to: z.string() })),
  })
  .openapi('Staff');

export const PromotionBody = z
  .strictObject({
    serviceIds: z.array(objectId).min(1, 'name at least one service').max(100),
    discountPercent: z.number().int().min(1).max(100),
    startsAt: isoDateTime,
    endsAt: isoDateTime,
  })
  .refine((p) => new Date(p.startsAt) < new Date(p.endsAt), { message: 'startsAt must be before endsAt', path: ['endsAt'] })
  .refine((p) => Date.parse(p.endsAt) - Date.parse(p.startsAt) <= PROMOTION_MAX_DAYS * DAY_MS, {
    message: `a promotion lasts at most ${PROMOTION_MAX_DAYS} days; for a lasting discount change the service's price`,
    path: ['endsAt'],
  })
  .openapi('PromotionBody');
/** How far ahead a promotion may be announced. */
export const PROMOTION_MAX_LEAD_DAYS = 730;
export const Promotion = z
  .object({
    id: z.string(),
    salonId: z.string(),
    serviceIds: z.array(z.string()),
    discountPercent: z.number().int(),
    startsAt: z.string(),
    endsAt: z.string(),
  })
  .openapi('Promotion');

export const ScheduleQuery = z.strictObject({ date: isoDate, staffId: objectId.optional() });
const Range = z.object({ start: z.string(), end: z.string() });
export const Schedule = z
  .object({
    date: z.string(),
    timezone: z.string(),
    staff: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        working: z.array(Range),
        bookings: z.array(
          Range.extend({ id: z.string(), status: z.string(), serviceId: z.string(), serviceName: z.string(), customerName: z.string() }),
        ),
      }),
    ),
  })
  .openapi('SalonSchedule');

export const AvailabilityQuery = z.strictObject({
  serviceId: objectId,
  date: isoDate,
  staffId: objectId.optional(),
});
export const Availability = z
  .object({ slots: z.array(z.object({ start: z.string(), end: z.string(), staffId: z.string() })) })
  .openapi('Availability');

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

export const items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const SalonAdminBody = z
  .strictObject({ email })
  .openapi('SalonAdminBody', { description: 'an existing account, to become this salon’s admin' });

export const BookingBody = z
  .strictObject({
    salonId: objectId,
    serviceId: objectId,
    staffId: objectId.optional(),
    start: isoDateTime,
    paymentMethod: z
      .string()
      .regex(/^pm_[A-Za-z0-9_]{1,100}$/, 'use a Stripe PaymentMethod id, for example pm_card_visa')
      .openapi({ example: 'pm_card_visa' }),
  })
  .openapi('BookingBody');
const paymentMethod = z
  .string()
  .regex(/^pm_[A-Za-z0-9_]{1,100}$/, 'use a Stripe PaymentMethod id, for example pm_card_visa')
  .openapi({ example: 'pm_card_visa' });
export const WaitlistBody = z
  .strictObject({
    salonId: objectId,
    serviceId: objectId,
    staffId: objectId.optional().openapi({ description: 'only this staff member; absent: any qualified one' }),
    date: isoDate.openapi({ description: 'the local date wanted, in the salon’s time zone', example: '2026-06-01' }),
    from: hhmm.optional().openapi({ description: 'earliest local start wanted (default 00:00)', example: '09:00' }),
    to: hhmm.optional().openapi({ description: 'starts before this local time (default 24:00)', example: '13:00' }),
    paymentMethod: paymentMethod.openapi({ description: 'what the waitlist booking is paid with, under the salon’s policy' }),
    autoBook: z.boolean().optional().openapi({ description: 'book a freed slot at once instead of offering it (default false)' }),
  })
  .refine((b) => minutesOf(b.from ?? '00:00') < minutesOf(b.to ?? '24:00'), { message: 'from must be before to', path: ['to'] })
  .openapi('WaitlistBody');
export const WaitlistStatusEnum = z.enum(WAITLIST_STATUSES);
export const WaitlistEntry = z
  .object({
    id: z.string(),
    status: WaitlistStatusEnum,
    salonId: z.string(),
    serviceId: z.string(),
    staffId: z.string().optional(),
    date: z.string(),
    from: z.string(),
    to: z.string(),
    autoBook: z.boolean(),
    offer: z
      .object({ start: z.string(), end: z.string(), staffId: z.string(), expiresAt: z.string() })
      .optional()
      .openapi({ description: 'while offered: the slot held for the entry until expiresAt' }),
    bookingId: z.string().optional().openapi({ description: 'once booked' }),
    createdAt: z.string(),
  })
  .openapi('WaitlistEntry');
export const WaitlistQuery = z.strictObject({
  salonId: objectId.optional().openapi({ description: 'required for salon admins and operators; a client may narrow its own entries' }),
});
export const WebhookEventName = z.enum([ALL_EVENTS, ...WEBHOOK_EVENTS] as [string, ...string[]]);
export const WebhookBody = z
  .strictObject({
    url: z.string().min(1).max(2048).openapi({ description: 'where the events are POSTed; https in production, never to a private, loopback or link-local address there', example: 'https://pos.example.com/instudio' }),
    events: z
      .array(WebhookEventName)
      .min(1, 'name at least one event, or ["*"] for all')
      .max(WEBHOOK_EVENTS.length + 1)
      .openapi({ description: 'the topics to receive, or ["*"] for every event of the salon', example: ['reserva.confirmada', 'reserva.cancelada'] }),
  })
  .openapi('WebhookBody');
export const Webhook = z.object({ id: z.string(), url: z.string(), events: z.array(z.string()) }).openapi('Webhook');
export const WebhookCreated = Webhook.extend({
  secret: z.string().openapi({ description: 'signs every delivery (InStudio-Signature); shown only in this answer' }),
}).openapi('WebhookCreated');
export const WebhookDelivery = z
  .object({
    id: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().optional(),
    lastAttemptAt: z.string().optional(),
  })
  .openapi('WebhookDelivery');
export const RescheduleBody = z
  .strictObject({
    start: isoDateTime,
    staffId: objectId.optional().openapi({ description: 'another staff member; absent: the same one if free, else any qualified one' }),
  })
  .openapi('RescheduleBody');
export const BookingStatusEnum = z.enum(BOOKING_STATUSES);
export const BookingAccepted = z
  .object({ bookingId: z.string(), status: BookingStatusEnum, priority: z.enum(['high', 'normal', 'low']) })
  .openapi('BookingAccepted');
export const Booking = z
  .object({
    id: z.string(),
    status: BookingStatusEnum,
    priority: z.enum(['high', 'normal', 'low']),
    salonId: z.string(),
    serviceId: z.string(),
    staffId: z.string().optional(),
    start: z.string(),
    end: z.string(),
    priceCents: z.number().int(),
    currency: z.string(),
    failureReason: z.string().optional(),
    payment: z
      .object({
        policy: z.enum(PAYMENT_POLICIES),
        priceCents: z.number().int(),
        chargedCents: z.number().int(),
        authorizedCents: z.number().int(),
        refundedCents: z.number().int(),
        status: z.enum(['none', 'requires_action', 'authorized', 'charged', 'partially_refunded', 'refunded', 'voided']),
        clientSecret: z.string().optional(),
      })
      .openapi('BookingPayment'),
    rescheduledFrom: z.array(z.string()).openapi({ description: 'previous starts, oldest first' }),
    cancelledBy: z.enum(['client', 'salon', 'operator']).optional(),
  })
  .openapi('Booking');
export const BookingPage = z.object({ items: z.array(Booking), nextCursor: z.string().optional() }).openapi('BookingPage');
export const SalonPage = z.object({ items: z.array(Salon), nextCursor: z.string().optional() }).openapi('SalonPage');
export const BookingsQuery = z
  .strictObject({
    salonId: objectId.optional(),
    status: BookingStatusEnum.optional(),
    from: isoDateTime.optional().openapi({ description: 'bookings starting at or after this instant' }),
    to: isoDateTime.optional().openapi({ description: 'bookings starting before this instant' }),
    limit: limitParam,
    cursor: cursorParam,
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['to'] });
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'use 1–200 printable ASCII characters')
  .optional();

export const ImportBody = z
  .strictObject({
    importId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1–64 letters, digits, _ or -').optional(),
    salons: z
      .array(z.strictObject({ ...salonFields, services: z.array(ServiceBody).max(100).optional() }))
      .min(1, 'import at least one salon')
      .max(100),
  })
  .openapi('ImportBody');
export const ImportAccepted = z.object({ importId: z.string(), priority: z.literal('low') }).openapi('ImportAccepted');

export const StatsQuery = z
  .strictObject({
    from: isoDate,
    to: isoDate,
  })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * DAY_MS, { message: 'ask for at most 367 days at once', path: ['to'] });
const Revenue = z.array(z.object({ currency: z.string(), amountCents: z.number().int() }));
const DayStats = z.object({ confirmed: z.number().int(), cancelled: z.number().int(), revenue: Revenue });
export const SalonStats = z
  .object({
    salonId: z.string(),
    from: z.string(),
    to: z.string(),
    days: z.array(DayStats.extend({ date: z.string() })),
    totals: DayStats,
  })
  .openapi('SalonStats', {
    description:
      'Per day of appointment (salon time): bookings confirmed and still standing, confirmed then cancelled, and revenue kept (price, less refunds). Built from events: a few seconds behind.',
  });

export const Priority = z.enum(['high', 'normal', 'low']);
export const SagasQuery = z.strictObject({
  status: BookingStatusEnum.optional(),
  salonId: objectId.optional(),
  priority: Priority.optional(),
  needsAttention: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const SagaSummary = z
  .object({
    bookingId: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    workflowStatus: z.string(),
    bookingStatus: z.string().optional(),
    salonId: z.string().optional(),
    priority: z.string().optional(),
    needsAttention: z.boolean(),
    startTime: z.string(),
    closeTime: z.string().optional(),
  })
  .openapi('SagaSummary');
export const bookingIdParam = z.string().regex(/^[a-f0-9]{32}$/, 'a booking id is 32 lowercase hex characters');
