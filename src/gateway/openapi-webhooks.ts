/**
 * The outbound webhooks in /openapi.json (OpenAPI 3.1 `webhooks`): one entry per event a
 * salon's webhook may name, each a POST of the event envelope that the product publishes
 * on Kafka (src/infra/events.ts `envelope`), with the delivery's headers and signature
 * (LIFECYCLE.md, "Salon webhooks"; the rules are src/domain/webhooks.ts).
 */
import { extendZodWithOpenApi, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { FAILURE_REASONS } from '../domain/booking';
import { PRIORITIES } from '../domain/priority';
import { DELIVERY_TIMEOUT_MS, RETRY, SIGNATURE_HEADER, WEBHOOK_EVENTS } from '../domain/webhooks';
import { TOPICS, type Topic } from '../shared/topics';

extendZodWithOpenApi(z);

/** The events a salon's webhook may name: every topic but the accounts' own. */
export type WebhookTopic = Exclude<Topic, typeof TOPICS.userRegistered>;

const id = (description: string) => z.string().openapi({ description, example: '665f1c2e8b3e4a0012345678' });
const instant = (description: string) => z.iso.datetime().openapi({ description, example: '2026-06-01T08:00:00.000Z' });

const bookingIds = {
  bookingId: id('the booking'),
  salonId: id('the salon'),
};
const cents = (description: string, example = 4000) => z.number().int().openapi({ description, example });

/** A check-in, completion or no-show. */
const appointment = (summary: string) => ({
  summary,
  data: z.object({
    ...bookingIds,
    customerId: id('the client'),
    staffId: id('the staff member'),
    start: instant('the appointment’s start (UTC)'),
    automatic: z.boolean().optional().openapi({ description: 'true when nobody recorded it and the product did' }),
  }),
});

/** What each event's `data` holds. Fields may be added; none is removed or changes meaning within `version` 1. */
export const EVENT_DOCS: Record<WebhookTopic, { summary: string; data: z.ZodObject }> = {
  [TOPICS.bookingCreated]: {
    summary: 'A booking was accepted: its saga starts (the slot is not held yet)',
    data: z.object({
      ...bookingIds,
      customerId: id('the client'),
      serviceId: id('the service'),
      start: instant('the appointment’s start (UTC)'),
      priceCents: cents('the price, in the currency’s minor unit, promotions applied'),
      currency: z.string().openapi({ description: 'ISO 4217', example: 'EUR' }),
      priority: z.enum(PRIORITIES),
    }),
  },
  [TOPICS.bookingConfirmed]: {
    summary: 'A booking is confirmed: its slot is held and its payment taken (or authorized) under the salon’s policy',
    data: z.object({
      ...bookingIds,
      customerId: id('the client'),
      staffId: id('the staff member who will serve it'),
      start: instant('the appointment’s start (UTC)'),
      priceCents: cents('the price, in the currency’s minor unit'),
      currency: z.string().openapi({ description: 'ISO 4217', example: 'EUR' }),
    }),
  },
  [TOPICS.bookingFailed]: {
    summary: 'A booking failed: its saga undid what it had done (hold released, payment refunded or voided)',
    data: z.object({ ...bookingIds, reason: z.enum(FAILURE_REASONS).openapi({ description: 'why it failed' }) }),
  },
  [TOPICS.bookingCancelled]: {
    summary: 'A booking was cancelled and refunded per the salon’s policy',
    data: z.object({
      ...bookingIds,
      customerId: id('the client').optional(),
      refundedCents: cents('what was refunded for this cancellation, in the minor unit', 4000),
      cancelledBy: z.enum(['client', 'salon', 'operator']),
    }),
  },
  [TOPICS.bookingReminder]: {
    summary: 'A reminder of a confirmed booking, one per offset of the salon’s reminderOffsetsHours (and again after a reschedule)',
    data: z.object({
      ...bookingIds,
      customerId: id('the client'),
      serviceId: id('the service'),
      staffId: id('the staff member'),
      start: instant('the appointment’s start (UTC)'),
      offsetHours: z.number().int().optional().openapi({ description: 'how many hours before the start this reminder is', example: 24 }),
    }),
  },
  [TOPICS.bookingRescheduled]: {
    summary: 'A confirmed booking moved to another time (same id, price and payment), one event per move',
    data: z.object({
      ...bookingIds,
      previousStart: instant('the time it left'),
      previousEnd: instant('the end of the time it left, the service’s buffer included'),
      previousStaffId: id('the staff member it left, when it changed').optional(),
      start: instant('its new start (UTC)'),
      staffId: id('the staff member at the new time'),
    }),
  },
  [TOPICS.bookingCheckedIn]: appointment('The client was checked in'),
  [TOPICS.bookingCompleted]: appointment('The appointment is complete (recorded by the salon, or automatically after the policy’s autoCompleteHours)'),
  [TOPICS.bookingNoShow]: appointment('The client did not come: a no-show was recorded'),
  [TOPICS.bookingRefunded]: {
    summary: 'Stripe refunded the booking’s charge, in part or in full (a refund of ours, or one made in Stripe’s dashboard)',
    data: z.object({
      ...bookingIds,
      refundedCents: cents('everything refunded of the charge so far, in the minor unit'),
      currency: z.string().openapi({ description: 'ISO 4217', example: 'EUR' }),
    }),
  },
  [TOPICS.bookingDisputed]: {
    summary: 'The client disputed the booking’s charge with their bank',
    data: z.object({
      ...bookingIds,
      amountCents: cents('the disputed amount, in the minor unit'),
      reason: z.string().openapi({ description: 'Stripe’s dispute reason', example: 'fraudulent' }),
    }),
  },
  [TOPICS.waitlistOffered]: {
    summary: 'A freed time is offered to a waitlisted client and held for them until expiresAt',
    data: z.object({
      entryId: id('the waitlist entry'),
      salonId: id('the salon'),
      customerId: id('the client'),
      serviceId: id('the service'),
      staffId: id('the staff member'),
      start: instant('the offered start (UTC)'),
      end: instant('the offered end'),
      expiresAt: instant('the offer holds the time until then'),
    }),
  },
  [TOPICS.waitlistBooked]: {
    summary: 'A waitlist booking is confirmed: the freed time is booked again',
    data: z.object({
      entryId: id('the waitlist entry'),
      bookingId: id('the new booking'),
      salonId: id('the salon'),
      customerId: id('the client'),
      serviceId: id('the service'),
      staffId: id('the staff member'),
      start: instant('the start (UTC)'),
    }),
  },
  [TOPICS.salonUpdates]: {
    summary: 'The salon’s catalogue changed: the salon itself, a service, a staff member or a promotion',
    data: z.object({
      salonId: id('the salon'),
      entity: z.enum(['salon', 'service', 'staff', 'promotion']),
      entityId: id('what changed'),
      change: z.enum(['created', 'updated']),
    }),
  },
};

/** `bookingConfirmed` → `BookingConfirmed`: component names from the TOPICS keys. */
const NAMES = new Map<string, string>(Object.entries(TOPICS).map(([key, topic]) => [topic, key.charAt(0).toUpperCase() + key.slice(1)]));

/** The envelope of every event (src/infra/events.ts `envelope`), with `type` and `data` of one topic. */
export function envelopeSchema(topic: string, data: z.ZodObject = z.object({}).passthrough()) {
  return z.object({
    id: z.string().openapi({
      description: 'the event id, also in InStudio-Event-Id: the same on every attempt and redelivery of this event; dedupe by it',
      example: `665f1c2e8b3e4a0012345678:${topic}`,
    }),
    type: z.literal(topic).openapi({ description: 'the event type (the topic), also in InStudio-Event-Type' }),
    version: z.literal(1).openapi({ description: 'the envelope’s and data’s version' }),
    occurredAt: z.iso
      .datetime()
      .openapi({ description: 'when it happened (UTC); deliveries may arrive out of order, this orders them', example: '2026-05-30T09:12:45.120Z' }),
    correlationId: z.string().openapi({
      description: 'ties the events of one request or saga together (the request id or the booking’s correlation id)',
      example: '0b8e5a4c-3f1d-4e53-9a49-6c1f3f7f2d10',
    }),
    data,
  });
}

const timeoutSec = DELIVERY_TIMEOUT_MS / 1000;
const retryHours = RETRY.forMs / 3_600_000;

/** What every delivery shares, said once in each webhook's description. */
export const DELIVERY = [
  `InStudio POSTs the event to every webhook of the salon that names it (or \`*\`), as the event envelope in JSON (\`Content-Type: application/json\`).`,
  `Answer with any 2xx within ${timeoutSec} s to acknowledge it. Anything else — another status, a refused connection, no answer in ${timeoutSec} s — is retried with exponential backoff (the first retry within 30 s) for up to ${retryHours} h; then the delivery is \`failed\`.`,
  'Every attempt is listed by `GET /v1/salons/{salonId}/webhooks/{webhookId}/deliveries`, and `POST …/deliveries/{deliveryId}/redeliver` sends one again.',
  'Delivery is at least once with the same event id on every attempt: dedupe by `InStudio-Event-Id`.',
  `Verify \`${SIGNATURE_HEADER}\` before trusting the body (see the header).`,
].join('\n\n');

const SIGNATURE_DOC = [
  '`t=<unix seconds>,v1=<hex HMAC-SHA256>`: the HMAC-SHA256, keyed by the webhook’s secret (shown once, when the webhook was registered), of the text `<t>.<raw body>`, in lower-case hex.',
  'To verify: split on commas, compute the HMAC of `t`, a dot and the raw request bytes (before any JSON parsing), compare it with `v1` in constant time, and refuse a `t` more than 5 minutes from your clock (a replay).',
].join(' ');

/** The headers of a delivery of `topic`. */
const deliveryHeaders = (topic: string) =>
  z.object({
    'InStudio-Event-Id': z.string().openapi({ description: 'the envelope’s `id`: the same on every attempt of this event', example: `665f1c2e8b3e4a0012345678:${topic}` }),
    'InStudio-Event-Type': z.literal(topic).openapi({ description: 'the envelope’s `type`: this webhook’s event' }),
    [SIGNATURE_HEADER]: z
      .string()
      .regex(/^t=\d+,v1=[0-9a-f]{64}$/)
      .openapi({ description: SIGNATURE_DOC, example: 't=1780300800,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd' }),
  });

/** Registers one webhook per event in `events` (by default every event a salon may subscribe to). */
export function registerWebhooks(registry: OpenAPIRegistry, events: readonly string[] = WEBHOOK_EVENTS): void {
  for (const topic of events) {
    const doc = (EVENT_DOCS as Partial<Record<string, { summary: string; data: z.ZodObject }>>)[topic];
    const name = NAMES.get(topic) ?? topic.replace(/[^A-Za-z0-9]+/g, '_');
    const data = doc ? doc.data.openapi(`${name}Data`) : undefined;
    registry.registerWebhook({
      method: 'post',
      path: topic,
      operationId: `webhook${name}`,
      summary: doc?.summary ?? topic,
      description: DELIVERY,
      request: {
        headers: deliveryHeaders(topic),
        body: {
          required: true,
          description: `the \`${topic}\` event`,
          content: { 'application/json': { schema: envelopeSchema(topic, data).openapi(`${name}Event`) } },
        },
      },
      responses: {
        '2XX': { description: `acknowledged (within ${timeoutSec} s): delivered` },
        default: { description: `not acknowledged: retried with exponential backoff for up to ${retryHours} h, then failed` },
      },
    });
  }
}
