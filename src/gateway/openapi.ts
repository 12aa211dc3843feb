/**
 * /openapi.json (OpenAPI 3.1), generated from the same schemas that validate requests,
 * with the outbound salon webhooks in its `webhooks` section (openapi-webhooks.ts).
 */
import { OpenApiGeneratorV31, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { registerWebhooks } from './openapi-webhooks';
import * as s from './schemas';

type Method = RouteConfig['method'];

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: s.Problem } },
});
const json = (schema: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema } } });

const ERRORS: Record<number, string> = {
  400: 'invalid input (per-field errors in `errors`)',
  401: 'missing, invalid or expired token',
  403: 'the token’s role may not do this',
  404: 'unknown id',
  409: 'conflicts with the current state',
  413: 'body too large',
  415: 'body is not JSON',
  429: 'rate limit exceeded (see Retry-After)',
  503: 'a dependency did not answer; safe to retry (see Retry-After)',
};

interface Doc {
  method: Method;
  path: string;
  summary: string;
  auth?: boolean;
  params?: string[];
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  ok: Record<number, ReturnType<typeof json> | { description: string }>;
  errors: number[];
}

const param = (name: string) => z.string().openapi({ param: { name, in: 'path' } });

/**
 * Every route of the API: what /openapi.json documents, and which query parameters each
 * one takes (any other is refused, see middleware/query-keys.ts).
 */
export const ROUTES: readonly Doc[] = [
  { method: 'get', path: '/openapi.json', summary: 'This document', ok: { 200: json(z.object({}).passthrough()) }, errors: [] },
  { method: 'get', path: '/healthz', summary: 'Liveness', ok: { 200: json(z.object({ status: z.string() })) }, errors: [] },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: MongoDB and Temporal reachable, not shutting down (Kafka is not needed: events wait in the outbox); why a check failed is shown to operators only',
    ok: {
      200: json(z.object({ status: z.string(), checks: z.record(z.string(), z.any()) })),
      503: json(z.object({ status: z.string(), checks: z.record(z.string(), z.any()) }), 'a dependency is down'),
    },
    errors: [],
  },
  { method: 'post', path: '/v1/auth/register', summary: 'Create a client account', body: s.RegisterBody, ok: { 201: json(s.RegisterResponse, 'created') }, errors: [400, 409, 413, 415, 429] },
  { method: 'post', path: '/v1/auth/login', summary: 'Log in', body: s.LoginBody, ok: { 200: json(s.LoginResponse) }, errors: [400, 401, 413, 415, 429] },
  { method: 'get', path: '/v1/me', summary: 'The account itself', auth: true, ok: { 200: json(s.User) }, errors: [401, 429] },
  { method: 'patch', path: '/v1/me', summary: 'Change the account’s name or locale (es, en)', auth: true, body: s.MePatch, ok: { 200: json(s.User) }, errors: [400, 401, 413, 415, 429] },
  { method: 'post', path: '/v1/auth/logout', summary: 'Log out: revokes every token of the account', auth: true, ok: { 204: { description: 'every token of the account is revoked' } }, errors: [401, 429] },
  { method: 'get', path: '/v1/salons', summary: 'List salons, by name (cached; paged: limit, cursor → nextCursor)', query: s.SalonsQuery, ok: { 200: json(s.SalonPage), 304: { description: 'not modified' } }, errors: [400, 429] },
  { method: 'post', path: '/v1/salons', summary: 'Create a salon (operator)', auth: true, body: s.SalonBody, ok: { 201: json(s.Salon, 'created') }, errors: [400, 401, 403, 413, 415, 429] },
  { method: 'get', path: '/v1/salons/{salonId}', summary: 'A salon (cached)', params: ['salonId'], ok: { 200: json(s.Salon), 304: { description: 'not modified' } }, errors: [404, 429] },
  { method: 'patch', path: '/v1/salons/{salonId}', summary: 'Change a salon (operator, its admin)', auth: true, params: ['salonId'], body: s.SalonPatch, ok: { 200: json(s.Salon) }, errors: [400, 401, 403, 404, 413, 415, 429] },
  { method: 'post', path: '/v1/salons/{salonId}/admins', summary: 'Make an account this salon’s admin (operator)', auth: true, params: ['salonId'], body: s.SalonAdminBody, ok: { 200: json(s.User) }, errors: [400, 401, 403, 404, 409, 413, 415, 429] },
  { method: 'get', path: '/v1/salons/{salonId}/services', summary: 'Active services (cached)', params: ['salonId'], ok: { 200: json(s.items(s.Service)), 304: { description: 'not modified' } }, errors: [404, 429] },
  { method: 'post', path: '/v1/salons/{salonId}/services', summary: 'Add a service (operator, its admin)', auth: true, params: ['salonId'], body: s.ServiceBody, ok: { 201: json(s.Service, 'created') }, errors: [400, 401, 403, 404, 413, 415, 429] },
  { method: 'get', path: '/v1/salons/{salonId}/staff', summary: 'Staff (cached)', params: ['salonId'], ok: { 200: json(s.items(s.Staff)), 304: { description: 'not modified' } }, errors: [404, 429] },
  { method: 'post', path: '/v1/salons/{salonId}/staff', summary: 'Add a staff member (operator, its admin)', auth: true, params: ['salonId'], body: s.StaffBody, ok: { 201: json(s.Staff, 'created') }, errors: [400, 401, 403, 404, 413, 415, 429] },
  { method: 'get', path: '/v1/salons/{salonId}/promotions', summary: 'Current and coming promotions (cached)', params: ['salonId'], ok: { 200: json(s.items(s.Promotion)), 304: { description: 'not modified' } }, errors: [404, 429] },
  { method: 'post', path: '/v1/salons/{salonId}/promotions', summary: 'Add a promotion (operator, its admin)', auth: true, params: ['salonId'], body: s.PromotionBody, ok: { 201: json(s.Promotion, 'created') }, errors: [400, 401, 403, 404, 413, 415, 429] },
  { method: 'get', path: '/v1/salons/{salonId}/schedule', summary: 'The salon’s day: each staff member’s working time and bookings on a local date (its admin, operators)', auth: true, params: ['salonId'], query: s.ScheduleQuery, ok: { 200: json(s.Schedule) }, errors: [400, 401, 403, 404, 429] },
  { method: 'get', path: '/v1/salons/{salonId}/availability', summary: 'Bookable slots on a local date', params: ['salonId'], query: s.AvailabilityQuery, ok: { 200: json(s.Availability) }, errors: [400, 404, 429] },
  {
    method: 'post',
    path: '/v1/bookings',
    summary: 'Book (client): starts the booking saga; send Idempotency-Key to make retries safe',
    auth: true,
    body: s.BookingBody,
    headers: z.object({ 'Idempotency-Key': z.string().optional().openapi({ param: { name: 'Idempotency-Key', in: 'header' } }) }),
    ok: { 202: json(s.BookingAccepted, 'accepted: the saga runs; poll the Location') },
    errors: [400, 401, 403, 404, 409, 413, 415, 429],
  },
  { method: 'get', path: '/v1/bookings', summary: 'Bookings, newest start first: a client’s own; ?salonId= for its admin or an operator (paged: limit, cursor → nextCursor)', auth: true, query: s.BookingsQuery, ok: { 200: json(s.BookingPage) }, errors: [400, 401, 403, 429] },
  { method: 'get', path: '/v1/bookings/{bookingId}', summary: 'A booking, live (its client, the salon’s admin, operators)', auth: true, params: ['bookingId'], ok: { 200: json(s.Booking) }, errors: [401, 403, 404, 429] },
  {
    method: 'post',
    path: '/v1/bookings/{bookingId}/cancel',
    summary: 'Cancel: before confirmation the saga undoes its steps; after, it refunds per the salon’s window',
    auth: true,
    params: ['bookingId'],
    ok: { 202: json(z.object({ bookingId: z.string(), status: s.BookingStatusEnum, cancelling: z.boolean() }), 'cancellation under way') },
    errors: [401, 403, 404, 409, 429, 503],
  },
  {
    method: 'post',
    path: '/v1/bookings/{bookingId}/reschedule',
    summary:
      'Move a confirmed booking (its client until the policy’s rescheduleWindowHours before the start; the salon’s admin and operators until the start): same id, price and payment; the new time is held before the old one is let go',
    auth: true,
    params: ['bookingId'],
    body: s.RescheduleBody,
    headers: z.object({ 'Idempotency-Key': z.string().optional().openapi({ param: { name: 'Idempotency-Key', in: 'header' } }) }),
    ok: {
      200: json(s.Booking, 'moved'),
      202: json(z.object({ bookingId: z.string(), status: s.BookingStatusEnum, rescheduling: z.boolean() }), 'no worker answered in time: the move goes on; read the booking'),
    },
    errors: [400, 401, 403, 404, 409, 413, 415, 429, 503],
  },
  ...(
    [
      ['check-in', 'Check the client in (the salon’s admin, operators): from 60 minutes before the start until its end'],
      ['complete', 'Complete the appointment (the salon’s admin, operators): from its start'],
      ['no-show', 'Record a no-show (the salon’s admin, operators): from the start plus the policy’s checkInGraceMinutes, while confirmed'],
    ] as const
  ).map(
    ([path, summary]): Doc => ({
      method: 'post',
      path: `/v1/bookings/{bookingId}/${path}`,
      summary,
      auth: true,
      params: ['bookingId'],
      ok: { 200: json(s.Booking) },
      errors: [401, 403, 404, 409, 429, 503],
    }),
  ),
  {
    method: 'post',
    path: '/v1/waitlist',
    summary: 'Join a waitlist (client): a freed slot that matches is offered (held for the salon’s waitlistOfferMinutes) or, with autoBook, booked at once',
    auth: true,
    body: s.WaitlistBody,
    ok: { 201: json(s.WaitlistEntry, 'waiting') },
    errors: [400, 401, 403, 404, 413, 415, 429],
  },
  {
    method: 'get',
    path: '/v1/waitlist',
    summary: 'Waitlist entries: a client’s own; a salon’s (its admin, operators; ?salonId= required)',
    auth: true,
    query: s.WaitlistQuery,
    ok: { 200: json(s.items(s.WaitlistEntry)) },
    errors: [400, 401, 403, 429],
  },
  {
    method: 'get',
    path: '/v1/waitlist/{entryId}',
    summary: 'A waitlist entry (its client; its salon’s admin, operators)',
    auth: true,
    params: ['entryId'],
    ok: { 200: json(s.WaitlistEntry) },
    errors: [401, 403, 404, 429],
  },
  {
    method: 'delete',
    path: '/v1/waitlist/{entryId}',
    summary: 'Leave the waitlist (its client); an offered slot passes to the next entry',
    auth: true,
    params: ['entryId'],
    ok: { 204: { description: 'deleted' } },
    errors: [401, 403, 404, 429],
  },
  {
    method: 'post',
    path: '/v1/waitlist/{entryId}/accept',
    summary: 'Take the offered slot (its client, while offered): booked on the held slot at high priority, paid under the salon’s policy',
    auth: true,
    params: ['entryId'],
    ok: { 202: json(z.object({ bookingId: z.string() }), 'booked on the held slot: follow the booking') },
    errors: [401, 403, 404, 409, 429, 503],
  },
  {
    method: 'post',
    path: '/v1/waitlist/{entryId}/decline',
    summary: 'Turn the offered slot down (its client, while offered): the entry ends declined, the slot goes to the next entry',
    auth: true,
    params: ['entryId'],
    ok: { 200: json(s.WaitlistEntry, 'declined'), 202: json(s.WaitlistEntry, 'no worker answered in time: the decline goes on') },
    errors: [401, 403, 404, 409, 429, 503],
  },
  {
    method: 'post',
    path: '/v1/salons/{salonId}/webhooks',
    summary: 'Register a webhook for the salon’s events (its admin, operators): the secret that signs every delivery is shown only in this answer',
    auth: true,
    params: ['salonId'],
    body: s.WebhookBody,
    ok: { 201: json(s.WebhookCreated, 'registered') },
    errors: [400, 401, 403, 404, 413, 415, 429],
  },
  {
    method: 'get',
    path: '/v1/salons/{salonId}/webhooks',
    summary: 'The salon’s webhooks (its admin, operators); secrets are never shown again',
    auth: true,
    params: ['salonId'],
    ok: { 200: json(s.items(s.Webhook)) },
    errors: [401, 403, 404, 429],
  },
  {
    method: 'delete',
    path: '/v1/salons/{salonId}/webhooks/{webhookId}',
    summary: 'Delete a webhook (its salon’s admin, operators): no further deliveries or retries',
    auth: true,
    params: ['salonId', 'webhookId'],
    ok: { 204: { description: 'deleted' } },
    errors: [401, 403, 404, 429],
  },
  {
    method: 'get',
    path: '/v1/salons/{salonId}/webhooks/{webhookId}/deliveries',
    summary: 'The webhook’s latest 100 deliveries, newest first: pending (being retried), delivered or failed (after 72 h)',
    auth: true,
    params: ['salonId', 'webhookId'],
    ok: { 200: json(s.items(s.WebhookDelivery)) },
    errors: [401, 403, 404, 429],
  },
  {
    method: 'post',
    path: '/v1/salons/{salonId}/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver',
    summary: 'Deliver the event again (same event id and body, a new signature), with its own 72 h of retries',
    auth: true,
    params: ['salonId', 'webhookId', 'deliveryId'],
    ok: { 202: json(s.WebhookDelivery, 'pending again') },
    errors: [401, 403, 404, 429],
  },
  {
    method: 'post',
    path: '/v1/webhooks/stripe',
    summary: 'Stripe’s webhooks: Stripe-Signature verified with STRIPE_WEBHOOK_SECRET (5 minutes’ tolerance); each event id handled once on any instance; intents of no booking are acknowledged and ignored',
    headers: z.object({ 'Stripe-Signature': z.string().optional().openapi({ param: { name: 'Stripe-Signature', in: 'header' } }) }),
    ok: { 200: json(z.object({ received: z.boolean(), duplicate: z.boolean().optional(), ignored: z.boolean().optional() }), 'received') },
    errors: [400, 413, 415, 429, 503],
  },
  {
    method: 'post',
    path: '/v1/imports',
    summary: 'Bulk-import salons and services (operator): low priority, shed with 503 while the API is overloaded',
    auth: true,
    body: s.ImportBody,
    ok: { 202: json(s.ImportAccepted, 'queued'), 503: problem('low-priority work is paused (see Retry-After)') },
    errors: [400, 401, 403, 413, 415, 429],
  },
  {
    method: 'get',
    path: '/v1/salons/{salonId}/stats',
    summary: 'Bookings and revenue per day (the salon’s admin, operators); from the read model, seconds behind',
    auth: true,
    params: ['salonId'],
    query: s.StatsQuery,
    ok: { 200: json(s.SalonStats) },
    errors: [400, 401, 403, 404, 429],
  },
  {
    method: 'get',
    path: '/v1/ops/sagas',
    summary: 'Booking sagas by status, salon, priority or needing attention (operator; a Temporal visibility query)',
    auth: true,
    query: s.SagasQuery,
    ok: { 200: json(z.object({ query: z.string(), items: z.array(s.SagaSummary) })) },
    errors: [400, 401, 403, 429],
  },
  {
    method: 'post',
    path: '/v1/ops/sagas/{bookingId}/retry-compensation',
    summary: 'Retry the compensation of a saga that waits for an operator (operator)',
    auth: true,
    params: ['bookingId'],
    ok: { 202: json(z.object({ bookingId: z.string(), retrying: z.boolean() }), 'the saga retries its compensation') },
    errors: [400, 401, 403, 404, 409, 429],
  },
];

export function buildOpenApi(docs: readonly Doc[] = ROUTES, webhooks?: readonly string[]): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });

  for (const d of docs) {
    const responses: Record<string, unknown> = { ...d.ok };
    for (const code of d.errors) responses[code] = problem(ERRORS[code]!);
    registry.registerPath({
      method: d.method,
      path: d.path,
      summary: d.summary,
      ...(d.auth ? { security: [{ bearerAuth: [] }] } : {}),
      request: {
        ...(d.params ? { params: z.object(Object.fromEntries(d.params.map((p) => [p, param(p)]))) } : {}),
        ...(d.query ? { query: d.query } : {}),
        ...(d.headers ? { headers: d.headers } : {}),
        ...(d.body ? { body: { required: true, content: { 'application/json': { schema: d.body } } } } : {}),
      },
      responses: responses as RouteConfig['responses'],
    });
  }
  registerWebhooks(registry, webhooks);

  const doc = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'InStudio booking API',
      version: '1.0.0',
      description:
        'Bookings for a network of beauty salons and spas. Errors are application/problem+json (RFC 9457). ' +
        'Webhooks: the events InStudio POSTs, signed, to the URLs a salon registers (POST /v1/salons/{salonId}/webhooks).',
    },
    servers: [{ url: '/' }],
  });
  return jsonSchemaExamples(doc) as unknown as Record<string, unknown>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The keywords of a JSON Schema (2020-12) whose values are schemas, maps of schemas or lists of schemas. */
const SUBSCHEMA = ['items', 'additionalProperties', 'not', 'contains', 'if', 'then', 'else', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties'];
const SUBSCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'dependentSchemas'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];

/** OpenAPI 3.1 deprecates a schema's `example` for JSON Schema's `examples` (a list). */
function fixSchema(schema: unknown): void {
  if (!isObject(schema)) return;
  if ('example' in schema) {
    if (!Array.isArray(schema.examples)) schema.examples = [schema.example];
    delete schema.example;
  }
  for (const k of SUBSCHEMA) fixSchema(schema[k]);
  for (const k of SUBSCHEMA_MAPS) if (isObject(schema[k])) Object.values(schema[k]).forEach(fixSchema);
  for (const k of SUBSCHEMA_LISTS) if (Array.isArray(schema[k])) (schema[k] as unknown[]).forEach(fixSchema);
}

/** The schemas of a media-type map, a parameter list, a header map. */
const fixContent = (content: unknown): void => {
  if (isObject(content)) for (const media of Object.values(content)) if (isObject(media)) fixSchema(media.schema);
};
const fixParameters = (params: unknown): void => {
  if (Array.isArray(params)) for (const p of params) if (isObject(p)) fixSchema(p.schema);
};
const fixHeaders = (headers: unknown): void => {
  if (isObject(headers)) for (const h of Object.values(headers)) if (isObject(h)) fixSchema(h.schema);
};

/** Rewrites every schema's `example` of a generated 3.1 document (in place) as `examples`. */
export function jsonSchemaExamples<T extends object>(doc: T): T {
  const d = doc as Json;
  const components = isObject(d.components) ? d.components : {};
  if (isObject(components.schemas)) Object.values(components.schemas).forEach(fixSchema);
  for (const group of [d.paths, d.webhooks]) {
    if (!isObject(group)) continue;
    for (const item of Object.values(group)) {
      if (!isObject(item)) continue;
      fixParameters(item.parameters);
      for (const op of Object.values(item)) {
        if (!isObject(op)) continue;
        fixParameters(op.parameters);
        if (isObject(op.requestBody)) fixContent(op.requestBody.content);
        if (isObject(op.responses)) {
          for (const r of Object.values(op.responses)) {
            if (!isObject(r)) continue;
            fixContent(r.content);
            fixHeaders(r.headers);
          }
        }
      }
    }
  }
  return doc;
}

export type OpenApiDoc = Doc;
