import { validate } from '@readme/openapi-parser';
import { signature, WEBHOOK_EVENTS } from '../../src/domain/webhooks';
import { buildOpenApi, ROUTES } from '../../src/gateway/openapi';
import { envelopeSchema, EVENT_DOCS } from '../../src/gateway/openapi-webhooks';
import { envelope } from '../../src/infra/events';

type Json = Record<string, any>;
const doc = buildOpenApi() as Json;

test('the document is valid OpenAPI 3.1 (checked against the 3.1 schema by @readme/openapi-parser)', async () => {
  expect(doc.openapi).toBe('3.1.0');
  const result = await validate(structuredClone(doc) as never);
  expect(result).toEqual({ valid: true, warnings: [], specification: 'OpenAPI' });
});

test('the validator does refuse a broken 3.1 document (so the test above means something)', async () => {
  const broken = structuredClone(doc);
  broken.webhooks['reserva.confirmada'].post.responses = 'none';
  expect((await validate(broken as never)).valid).toBe(false);
});

test('no 3.0 spellings are left: no nullable, and schemas carry examples as a list', () => {
  const text = JSON.stringify(doc);
  expect(text).not.toContain('"nullable"');
  expect(text).not.toMatch(/"exclusive(Minimum|Maximum)":(true|false)/);
  expect(text).not.toContain('"example"');
  expect(doc.components.schemas.RegisterBody.required).toEqual(expect.arrayContaining(['email', 'password', 'name']));
  expect(doc.components.schemas.BookingBody.properties.paymentMethod.examples).toEqual(['pm_card_visa']);
});

test('every route of the table is a path of the document', () => {
  const documented = Object.entries(doc.paths as Json).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`));
  expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
});

describe('webhooks', () => {
  test('one entry per event a salon may subscribe to, each documented', () => {
    expect(Object.keys(doc.webhooks).sort()).toEqual([...WEBHOOK_EVENTS].sort());
    for (const topic of WEBHOOK_EVENTS) expect(EVENT_DOCS).toHaveProperty([topic]);
  });

  test.each([...WEBHOOK_EVENTS])('%s: a POST of the event envelope with the delivery headers, acknowledged by a 2xx', (topic) => {
    const op = doc.webhooks[topic].post;
    expect(op.summary).not.toBe(topic);
    expect(op.description).toContain('within 10 s');
    const headers: Record<string, Json> = Object.fromEntries((op.parameters as Json[]).filter((p) => p.in === 'header').map((p) => [p.name, p]));
    expect(Object.keys(headers).sort()).toEqual(['InStudio-Event-Id', 'InStudio-Event-Type', 'InStudio-Signature']);
    for (const h of Object.values(headers)) expect(h.required).toBe(true);
    expect(headers['InStudio-Event-Type']!.schema.enum).toEqual([topic]);
    expect(headers['InStudio-Signature']!.description).toContain('<t>.<raw body>');

    expect(op.requestBody.required).toBe(true);
    const ref: string = op.requestBody.content['application/json'].schema.$ref;
    const body = doc.components.schemas[ref.replace('#/components/schemas/', '')];
    expect(body.required).toEqual(['id', 'type', 'version', 'occurredAt', 'correlationId', 'data']);
    expect(body.properties.type.enum).toEqual([topic]);
    expect(body.properties.data.$ref).toMatch(/^#\/components\/schemas\/\w+Data$/);
    expect(Object.keys(op.responses)).toEqual(['2XX', 'default']);
  });

  test('the documented envelope is the one the publisher builds', () => {
    for (const topic of WEBHOOK_EVENTS) {
      const event = JSON.parse(JSON.stringify(envelope(topic, { salonId: 'x' }, { id: `b1:${topic}`, correlationId: 'c1' })));
      expect(envelopeSchema(topic).strict().safeParse(event).error).toBeUndefined();
    }
  });

  test('the signature header’s documented pattern is what a delivery is signed with', () => {
    const pattern = new RegExp(doc.webhooks['reserva.confirmada'].post.parameters.find((p: Json) => p.name === 'InStudio-Signature').schema.pattern);
    expect(signature('whsec_test', '{"id":"1"}', new Date('2026-06-01T10:00:00Z'))).toMatch(pattern);
  });
});
