/**
 * The product's collections. Every query the API makes has an index here; every index
 * is one FerretDB v1 accepts (unique and compound; no partial, TTL or text indexes).
 */
import { type Connection, type InferSchemaType, type Model, Schema } from 'mongoose';
import type { Config } from '../config';
import { BOOKING_STATUSES } from '../domain/booking';
import { WAITLIST_STATUSES } from '../domain/waitlist';
import { connectMongo } from './mongo';

const weeklyWindow = new Schema({ weekday: Number, start: String, end: String }, { _id: false });

const userSchema = new Schema(
  {
    email: { type: String, required: true },
    name: { type: String, required: true },
    passwordHash: { type: String, required: true },
    role: { type: String, required: true, enum: ['client', 'salon_admin', 'operator'] },
    salonId: { type: String }, // for salon_admin
    /** The language of the messages the account receives. */
    locale: { type: String, enum: ['es', 'en'], default: 'es' },
    /**
     * Tokens carry the version they were issued at; raising it (a change of role or
     * salon, a logout) revokes every token issued before.
     */
    tokenVersion: { type: Number, required: true, default: 0 },
  },
  { timestamps: true },
);
userSchema.index({ email: 1 }, { unique: true });

const salonSchema = new Schema(
  {
    name: { type: String, required: true },
    city: { type: String, required: true },
    /** Lower-cased city, so `?city=` matches whatever the case. */
    cityKey: { type: String, required: true },
    address: { type: String },
    timezone: { type: String, required: true },
    cancellationWindowHours: { type: Number, required: true, default: 24 },
    /** The booking policy's fields the salon set (see src/domain/policy.ts for the rest). */
    policy: { type: Schema.Types.Mixed },
  },
  { timestamps: true, minimize: false },
);
salonSchema.index({ cityKey: 1, name: 1 });
salonSchema.index({ name: 1 });

const serviceSchema = new Schema(
  {
    salonId: { type: String, required: true },
    name: { type: String, required: true },
    durationMin: { type: Number, required: true },
    bufferMin: { type: Number, required: true, default: 0 },
    priceCents: { type: Number, required: true },
    currency: { type: String, required: true },
    active: { type: Boolean, required: true, default: true },
  },
  { timestamps: true },
);
serviceSchema.index({ salonId: 1, name: 1 });

const staffSchema = new Schema(
  {
    salonId: { type: String, required: true },
    name: { type: String, required: true },
    serviceIds: { type: [String], required: true },
    workingHours: { type: [weeklyWindow], default: [] },
    breaks: { type: [weeklyWindow], default: [] },
    timeOff: { type: [new Schema({ from: Date, to: Date }, { _id: false })], default: [] },
  },
  { timestamps: true },
);
staffSchema.index({ salonId: 1, name: 1 });

const promotionSchema = new Schema(
  {
    salonId: { type: String, required: true },
    serviceIds: { type: [String], required: true },
    discountPercent: { type: Number, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
  },
  { timestamps: true },
);
promotionSchema.index({ salonId: 1, endsAt: 1 });

/**
 * Bookings, written by the saga. `_id` is the booking id (the saga's workflow id is
 * `booking:<id>`), so creating one is idempotent.
 */
const bookingSchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    salonId: { type: String, required: true },
    serviceId: { type: String, required: true },
    staffId: { type: String },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    /** End of the time the booking holds: end + the service's buffer. */
    holdEnd: { type: Date, required: true },
    priceCents: { type: Number, required: true },
    currency: { type: String, required: true },
    priority: { type: String, required: true, enum: ['high', 'normal', 'low'] },
    status: {
      type: String,
      required: true,
      enum: BOOKING_STATUSES,
    },
    failureReason: { type: String },
    paymentMethod: { type: String },
    paymentIntentId: { type: String },
    /** Set once the payment was voided (0) or refunded (the amount). */
    refundedCents: { type: Number },
    /** When the API accepted a cancellation before the saga started; the saga cancels at once when it does. */
    cancelRequestedAt: { type: Date },

    /** The salon's cancellation window when the booking was made. */
    cancellationWindowHours: { type: Number, required: true },
    /** The salon's whole policy when the booking was made (bookings from before policies: the defaults). */
    policy: { type: Schema.Types.Mixed },
    /** Money the booking took and gave back, as Stripe confirmed it. */
    chargedCents: { type: Number },
    authorizedCents: { type: Number },
    voided: { type: Boolean },
    /** While Stripe waits for the customer's authentication (3-D Secure): the intent's client secret, for its client only. */
    clientSecret: { type: String },
    /** Set by Stripe's charge.dispute.created webhook. */
    disputedAt: { type: Date },
    /** card_hold: authorizations released so far (a reschedule beyond the horizon); the next intent's idempotency key counts them. */
    releasedAuthorizations: { type: Number },
    cancelledBy: { type: String, enum: ['client', 'salon', 'operator'] },
    /** When the booking became `confirmed` (what a client reading it sees from then on). */
    confirmedAt: { type: Date },
    /** Previous starts, oldest first, one per reschedule. */
    rescheduledFrom: { type: [{ type: Date }], default: undefined },
    /** Made by the waitlist: the entry it was made for, and the offer chain that follows its saga. */
    waitlistEntryId: { type: String },
    waitlistChainId: { type: String },
    idempotencyKey: { type: String },
    /** Hash of the request that created it: the same Idempotency-Key with another body is a conflict. */
    requestHash: { type: String },
    correlationId: { type: String },
  },
  { timestamps: true },
);
bookingSchema.index({ customerId: 1, start: -1 });
bookingSchema.index({ salonId: 1, start: -1 });
bookingSchema.index({ staffId: 1, start: 1 });

/**
 * Holds: one document per staff member and GRANULE_MIN-minute granule taken. The `_id`
 * (`<staffId>|<granule start ms>`) is the lock: two sagas can never hold the same
 * granule, because the database refuses the second insert.
 */
const slotLockSchema = new Schema(
  {
    _id: { type: String, required: true },
    staffId: { type: String, required: true },
    salonId: { type: String, required: true },
    bookingId: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);
slotLockSchema.index({ staffId: 1, at: 1 });
slotLockSchema.index({ bookingId: 1 });
slotLockSchema.index({ createdAt: 1 });

/**
 * Waitlist entries (LIFECYCLE.md, "Waitlist"). `offer` is set while `offered`: the slot
 * held for the entry by its offer chain (the workflow `waitlist:<chain>`, whose holds
 * carry `offer:<chain>` as their booking id). Deleted entries keep their document, with
 * `deletedAt`, so a chain that offered one learns it is gone.
 */
const waitlistEntrySchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    salonId: { type: String, required: true },
    serviceId: { type: String, required: true },
    staffId: { type: String },
    /** Local date YYYY-MM-DD and `HH:MM` window (absent: the whole day). */
    date: { type: String, required: true },
    from: { type: String },
    to: { type: String },
    /** The window as instants, and the end of its local day (then a waiting entry expires). */
    windowStart: { type: Date, required: true },
    windowEnd: { type: Date, required: true },
    lapsesAt: { type: Date, required: true },
    paymentMethod: { type: String, required: true },
    autoBook: { type: Boolean, required: true, default: false },
    status: { type: String, required: true, enum: WAITLIST_STATUSES },
    offer: {
      type: new Schema({ start: Date, end: Date, staffId: String, expiresAt: Date, chainId: String }, { _id: false }),
      default: undefined,
    },
    bookingId: { type: String },
    deletedAt: { type: Date },
  },
  { timestamps: true },
);
waitlistEntrySchema.index({ salonId: 1, date: 1, createdAt: 1 });
waitlistEntrySchema.index({ customerId: 1, createdAt: 1 });
waitlistEntrySchema.index({ status: 1, lapsesAt: 1 });

/**
 * A salon's webhook: where its events go and which ones. The secret signs every
 * delivery, so it is kept readable — encrypted under WEBHOOK_SECRET_KEY
 * (src/infra/webhooks.ts), never in the clear. Deleted webhooks keep `deletedAt`.
 */
const webhookSchema = new Schema(
  {
    _id: { type: String, required: true },
    salonId: { type: String, required: true },
    url: { type: String, required: true },
    events: { type: [String], required: true },
    secretEncrypted: { type: String, required: true },
    deletedAt: { type: Date },
  },
  { timestamps: true },
);
webhookSchema.index({ salonId: 1, createdAt: 1 });

/** One event for one webhook (`_id` `<webhookId>:<eventId>`: an event redelivered by Kafka is delivered once), with every attempt. */
const webhookDeliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    webhookId: { type: String, required: true },
    salonId: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    /** The envelope as sent: every attempt POSTs the same bytes. */
    body: { type: String, required: true },
    status: { type: String, required: true, enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: Number, required: true, default: 0 },
    /** Redeliveries asked for: each runs its own delivery workflow. */
    rounds: { type: Number, required: true, default: 0 },
    lastStatusCode: { type: Number },
    lastAttemptAt: { type: Date },
    log: {
      type: [new Schema({ at: Date, statusCode: Number, error: String, durationMs: Number }, { _id: false })],
      default: [],
    },
  },
  { timestamps: true },
);
webhookDeliverySchema.index({ webhookId: 1, createdAt: -1 });

/** Emails sent, by the event they tell of: each event's email goes out once, across restarts and redeliveries. */
const sentEmailSchema = new Schema(
  {
    _id: { type: String, required: true },
    to: { type: String, required: true },
    kind: { type: String, required: true },
    /** `sending` while the SMTP call is under way (a crash then sends it again), `sent` once accepted. */
    status: { type: String, required: true, enum: ['sending', 'sent'] },
    messageId: { type: String, required: true },
  },
  { timestamps: true },
);

/**
 * Events that could not reach Kafka when they were published. The publishing process
 * relays them once the broker is back; `_id` is the event id, so re-publishing the same
 * event while it waits here stores it once.
 */
/** Stripe webhook events handled, by event id: each is handled once, on whichever gateway instance gets it first. */
const stripeEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);

const outboxSchema = new Schema({
  _id: { type: String, required: true },
  topic: { type: String, required: true },
  key: { type: String, required: true },
  value: { type: String, required: true },
  /** The envelope's occurredAt (its CloudEvents `ce_time`); absent on events parked before it was kept. */
  occurredAt: { type: String },
  createdAt: { type: Date, required: true },
});
outboxSchema.index({ createdAt: 1 });

/**
 * The stats read model: one document per booking that was confirmed, built from
 * `reserva.confirmada` and `reserva.cancelada`. Each event sets its own fields, so a
 * redelivered or reordered event never counts twice.
 */
const bookingFactSchema = new Schema(
  {
    _id: { type: String, required: true }, // booking id
    salonId: { type: String, required: true },
    /** The appointment's day in the salon's time zone (YYYY-MM-DD). */
    day: { type: String },
    priceCents: { type: Number },
    currency: { type: String },
    confirmedAt: { type: Date },
    cancelledAt: { type: Date },
    refundedCents: { type: Number },
  },
  { timestamps: true },
);
bookingFactSchema.index({ salonId: 1, day: 1 });

/**
 * Bookings whose intake command the gateway could not send: the dispatcher's relay
 * sends each again and deletes its entry. Kept apart from the bookings so that the
 * relay, every few seconds, reads a handful of documents, not the whole collection.
 */
const intakeRetrySchema = new Schema(
  {
    _id: { type: String, required: true }, // booking id
    failedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/**
 * Rate-limit counters every gateway instance shares (the login limit): one document
 * per key and window. FerretDB v1 has no TTL indexes, so the store deletes lapsed
 * windows itself (see gateway/rate-limit-store.ts).
 */
const rateLimitSchema = new Schema(
  {
    _id: { type: String, required: true },
    hits: { type: Number, required: true },
    resetAt: { type: Date, required: true },
  },
  { versionKey: false },
);
rateLimitSchema.index({ resetAt: 1 });

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: unknown };
export type SalonDoc = InferSchemaType<typeof salonSchema>;
export type ServiceDoc = InferSchemaType<typeof serviceSchema>;
export type StaffDoc = InferSchemaType<typeof staffSchema>;
export type PromotionDoc = InferSchemaType<typeof promotionSchema>;
export type BookingDoc = InferSchemaType<typeof bookingSchema>;
export type SlotLockDoc = InferSchemaType<typeof slotLockSchema>;
export type OutboxDoc = InferSchemaType<typeof outboxSchema>;
export type BookingFactDoc = InferSchemaType<typeof bookingFactSchema>;
export type RateLimitDoc = InferSchemaType<typeof rateLimitSchema>;
export type IntakeRetryDoc = InferSchemaType<typeof intakeRetrySchema>;
export type StripeEventDoc = InferSchemaType<typeof stripeEventSchema>;
export type WaitlistEntryDoc = InferSchemaType<typeof waitlistEntrySchema>;
export type SentEmailDoc = InferSchemaType<typeof sentEmailSchema>;
export type WebhookDoc = InferSchemaType<typeof webhookSchema>;
export type WebhookDeliveryDoc = InferSchemaType<typeof webhookDeliverySchema>;

export interface Models {
  User: Model<InferSchemaType<typeof userSchema>>;
  Salon: Model<SalonDoc>;
  Service: Model<ServiceDoc>;
  Staff: Model<StaffDoc>;
  Promotion: Model<PromotionDoc>;
  Booking: Model<BookingDoc>;
  SlotLock: Model<SlotLockDoc>;
  Outbox: Model<OutboxDoc>;
  BookingFact: Model<BookingFactDoc>;
  RateLimit: Model<RateLimitDoc>;
  IntakeRetry: Model<IntakeRetryDoc>;
  StripeEvent: Model<StripeEventDoc>;
  WaitlistEntry: Model<WaitlistEntryDoc>;
  SentEmail: Model<SentEmailDoc>;
  Webhook: Model<WebhookDoc>;
  WebhookDelivery: Model<WebhookDeliveryDoc>;
}

/** Binds the models to a connection. */
export function createModels(conn: Connection): Models {
  return {
    User: conn.model('User', userSchema, 'users'),
    Salon: conn.model('Salon', salonSchema, 'salons'),
    Service: conn.model('Service', serviceSchema, 'services'),
    Staff: conn.model('Staff', staffSchema, 'staff'),
    Promotion: conn.model('Promotion', promotionSchema, 'promotions'),
    Booking: conn.model('Booking', bookingSchema, 'bookings'),
    SlotLock: conn.model('SlotLock', slotLockSchema, 'slot_locks'),
    Outbox: conn.model('Outbox', outboxSchema, 'outbox'),
    BookingFact: conn.model('BookingFact', bookingFactSchema, 'booking_facts'),
    RateLimit: conn.model('RateLimit', rateLimitSchema, 'rate_limits'),
    IntakeRetry: conn.model('IntakeRetry', intakeRetrySchema, 'intake_retries'),
    StripeEvent: conn.model('StripeEvent', stripeEventSchema, 'stripe_events'),
    WaitlistEntry: conn.model('WaitlistEntry', waitlistEntrySchema, 'waitlist_entries'),
    SentEmail: conn.model('SentEmail', sentEmailSchema, 'sent_emails'),
    Webhook: conn.model('Webhook', webhookSchema, 'webhooks'),
    WebhookDelivery: conn.model('WebhookDelivery', webhookDeliverySchema, 'webhook_deliveries'),
  };
}

/** Creates every index (idempotent); run once at start by each process that owns data. */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models) as Model<unknown>[]) {
    await model.createCollection().catch(() => undefined);
    await model.createIndexes();
  }
}

/** Connects to MongoDB and binds the models, their indexes built. */
export async function openModels(cfg: Config): Promise<{ mongo: Connection; models: Models }> {
  const mongo = await connectMongo(cfg);
  const models = createModels(mongo);
  await ensureIndexes(models);
  return { mongo, models };
}
