/**
 * Salon webhooks over HTTP on the real stack (LIFECYCLE.md, "Salon webhooks"): the routes
 * and who may use them, bad URLs and events, and deliveries end to end — a receiver on
 * loopback verifies every signature, answers 500 once and sees the retry with the same
 * event id, then asks for a redelivery; a deleted webhook gets nothing more.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { verifySignature } from '../../src/domain/webhooks';
import type { Gateway } from '../../src/gateway/server';
import type { BookingWorker } from '../../workers/booking-worker';
import { startWebhooks } from '../../workers/webhooks';
import { at, settled } from '../support/bookings';
import { ApiClient, newClient, newSalon, newSalonAdmin, operatorOf, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';
import { eventually } from '../support/wait';
import { startTestDispatcher, startTestWorker } from '../support/worker';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A salon's system on loopback: records each POST, answering the statuses of `answers` in turn (then 200). */
async function receiver(answers: number[] = []) {
  const seen: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = answers.shift() ?? 200;
      seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/instudio`, seen, close: () => new Promise((r) => server.close(r)) };
}

let gateway: Gateway;
let worker: BookingWorker;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let webhooks: Awaited<ReturnType<typeof startWebhooks>>;
let anon: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  [gateway, worker, dispatcher, webhooks] = await Promise.all([
    startTestGateway(),
    startTestWorker(),
    startTestDispatcher(),
    startWebhooks(loadConfig(), pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), { groupId: unique('webhooks') }),
  ]);
  anon = new ApiClient(gateway.url);
  operator = await operatorOf(anon);
  await eventually(() => webhooks.ready, { timeoutMs: 60_000, what: 'the webhooks consumer in its group' });
}, 120_000);
afterAll(() => Promise.all([gateway?.stop(), worker?.stop(), dispatcher?.stop(), webhooks?.stop()]));

const book = async (salon: { salonId: string; serviceId: string }, time: string) => {
  const client = await newClient(anon);
  const res = await client.api.post('/v1/bookings', { salonId: salon.salonId, serviceId: salon.serviceId, start: at(3, time), paymentMethod: 'pm_card_visa' });
  expect(res.status).toBe(202);
  expect((await settled(client.api, res.body.bookingId)).status).toBe('confirmed');
  return res.body.bookingId as string;
};

describe('the routes and who may use them', () => {
  test("when the salon's admin registers a webhook, then 201 with the secret, shown only then; it lists and deletes it; another salon's admin and clients get 403", async () => {
    const salon = await newSalon(operator);
    const admin = await newSalonAdmin(operator, salon.salonId);
    const other = await newSalonAdmin(operator, (await newSalon(operator)).salonId);
    const client = (await newClient(anon)).api;
    const body = { url: 'http://127.0.0.1:9/hooks', events: ['reserva.confirmada', 'reserva.confirmada', 'reserva.cancelada'] };

    const created = await admin.post(`/v1/salons/${salon.salonId}/webhooks`, body);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), url: body.url, events: ['reserva.confirmada', 'reserva.cancelada'], secret: expect.stringMatching(/^whsec_/) });
    const all = await operator.post(`/v1/salons/${salon.salonId}/webhooks`, { url: 'https://pos.example.com/x', events: ['*'] });
    expect(all.status).toBe(201);

    const list = await admin.get(`/v1/salons/${salon.salonId}/webhooks`);
    expect(list.body).toEqual({ items: [{ id: created.body.id, url: body.url, events: ['reserva.confirmada', 'reserva.cancelada'] }, { id: all.body.id, url: 'https://pos.example.com/x', events: ['*'] }] });
    expect(JSON.stringify(list.body)).not.toContain('whsec_');

    for (const who of [other, client]) {
      expect((await who.post(`/v1/salons/${salon.salonId}/webhooks`, body)).status).toBe(403);
      expect((await who.get(`/v1/salons/${salon.salonId}/webhooks`)).status).toBe(403);
      expect((await who.delete(`/v1/salons/${salon.salonId}/webhooks/${created.body.id}`)).status).toBe(403);
      expect((await who.get(`/v1/salons/${salon.salonId}/webhooks/${created.body.id}/deliveries`)).status).toBe(403);
    }
    expect((await anon.get(`/v1/salons/${salon.salonId}/webhooks`)).status).toBe(401);

    expect((await admin.delete(`/v1/salons/${salon.salonId}/webhooks/${created.body.id}`)).status).toBe(204);
    expect((await admin.delete(`/v1/salons/${salon.salonId}/webhooks/${created.body.id}`)).status).toBe(404);
    expect((await admin.get(`/v1/salons/${salon.salonId}/webhooks`)).body.items.map((w: { id: string }) => w.id)).toEqual([all.body.id]);
    expect((await operator.get(`/v1/salons/${'0'.repeat(24)}/webhooks`)).status).toBe(404);
  });

  test.each([
    [{ url: 'not a url', events: ['*'] }, 'url'],
    [{ url: 'ftp://files.example.com/x', events: ['*'] }, 'url'],
    [{ url: 'https://user:secret@pos.example.com/x', events: ['*'] }, 'url'],
    [{ url: 'https://pos.example.com/x', events: ['reserva.inventada'] }, 'events.0'],
    [{ url: 'https://pos.example.com/x', events: [] }, 'events'],
    [{ url: 'https://pos.example.com/x' }, 'events'],
    [{ url: 'https://pos.example.com/x', events: ['*'], extra: true }, 'body'],
  ])('when registered with %j, then 400 naming %s', async (body, field) => {
    const salon = await newSalon(operator);
    const res = await operator.post(`/v1/salons/${salon.salonId}/webhooks`, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(res.body.errors ?? res.body)).toContain(field === 'body' ? 'extra' : field);
  });
});

describe('deliveries', () => {
  test('when a subscribed event happens, then the receiver gets the envelope signed with the secret; a 500 is retried with the same event id; the deliveries route shows it delivered; a redelivery comes again, signed anew', async () => {
    const hook = await receiver([500]);
    try {
      const salon = await newSalon(operator);
      const admin = await newSalonAdmin(operator, salon.salonId);
      const created = await admin.post(`/v1/salons/${salon.salonId}/webhooks`, { url: hook.url, events: ['reserva.confirmada'] });
      expect(created.status).toBe(201);
      const secret: string = created.body.secret;
      const bookingId = await book(salon, '10:00');

      await eventually(() => (hook.seen.length >= 2 ? true : undefined), { timeoutMs: 30_000, what: 'the first attempt and its retry' });
      const [first, retry] = hook.seen as [Received, Received];
      expect(first.answered).toBe(500);
      for (const r of [first, retry]) {
        expect(r.headers['content-type']).toBe('application/json');
        expect(r.headers['instudio-event-type']).toBe('reserva.confirmada');
        expect(verifySignature(secret, r.body, String(r.headers['instudio-signature']), new Date())).toBe(true);
        expect(verifySignature('whsec_someone_else', r.body, String(r.headers['instudio-signature']), new Date())).toBe(false);
      }
      const event = JSON.parse(retry.body);
      expect(event).toMatchObject({ type: 'reserva.confirmada', data: { bookingId, salonId: salon.salonId } });
      expect(first.headers['instudio-event-id']).toBe(event.id);
      expect(retry.headers['instudio-event-id']).toBe(event.id);
      expect(retry.body).toBe(first.body);

      const deliveriesPath = `/v1/salons/${salon.salonId}/webhooks/${created.body.id}/deliveries`;
      const delivered = await eventually(
        async () => {
          const items = (await admin.get(deliveriesPath)).body.items;
          return items?.[0]?.status === 'delivered' ? items : undefined;
        },
        { what: 'the delivery delivered' },
      );
      expect(delivered).toEqual([
        { id: expect.any(String), eventId: event.id, eventType: 'reserva.confirmada', status: 'delivered', attempts: 2, lastStatusCode: 200, lastAttemptAt: expect.any(String) },
      ]);

      const again = await admin.post(`${deliveriesPath}/${delivered[0].id}/redeliver`);
      expect(again.status).toBe(202);
      expect(again.body).toMatchObject({ id: delivered[0].id, status: 'pending' });
      await eventually(() => (hook.seen.length >= 3 ? true : undefined), { timeoutMs: 30_000, what: 'the redelivery' });
      const redelivered = hook.seen[2]!;
      expect(redelivered.headers['instudio-event-id']).toBe(event.id);
      expect(redelivered.body).toBe(first.body);
      expect(verifySignature(secret, redelivered.body, String(redelivered.headers['instudio-signature']), new Date())).toBe(true);
      await eventually(async () => ((await admin.get(deliveriesPath)).body.items[0].attempts === 3 ? true : undefined), { what: 'the third attempt recorded' });
      expect((await admin.post(`${deliveriesPath}/no-such-delivery/redeliver`)).status).toBe(404);
    } finally {
      await hook.close();
    }
  });

  test('when a webhook names other events, or is deleted, then it gets nothing of them; a webhook on "*" gets every event of its salon only', async () => {
    const named = await receiver();
    const everything = await receiver();
    try {
      const salon = await newSalon(operator);
      const elsewhere = await newSalon(operator);
      const cancelledOnly = await operator.post(`/v1/salons/${salon.salonId}/webhooks`, { url: named.url, events: ['reserva.cancelada'] });
      const all = await operator.post(`/v1/salons/${salon.salonId}/webhooks`, { url: everything.url, events: ['*'] });
      const deleted = await operator.post(`/v1/salons/${salon.salonId}/webhooks`, { url: named.url, events: ['*'] });
      expect((await operator.delete(`/v1/salons/${salon.salonId}/webhooks/${deleted.body.id}`)).status).toBe(204);
      const bookingId = await book(salon, '11:00');
      await book(elsewhere, '11:00');

      // The salon's booking: created and confirmed, to the "*" webhook.
      await eventually(() => (['reserva.creada', 'reserva.confirmada'].every((t) => everything.seen.some((r) => r.headers['instudio-event-type'] === t)) ? true : undefined), {
        timeoutMs: 30_000,
        what: 'both events at the "*" webhook',
      });
      expect(everything.seen.every((r) => JSON.parse(r.body).data.salonId === salon.salonId)).toBe(true);
      expect(everything.seen.every((r) => verifySignature(all.body.secret, r.body, String(r.headers['instudio-signature']), new Date()))).toBe(true);
      // Nothing for the webhook naming only cancellations (nor for the deleted one, at the same URL), until a cancellation.
      expect(named.seen).toEqual([]);
      const owner = await operator.post(`/v1/bookings/${bookingId}/cancel`);
      expect(owner.status).toBe(202);
      await eventually(() => (named.seen.length >= 1 ? true : undefined), { timeoutMs: 30_000, what: 'the cancellation at its webhook' });
      await eventually(() => (everything.seen.some((r) => r.headers['instudio-event-type'] === 'reserva.cancelada') ? true : undefined), { what: 'the cancellation at "*"' });
      expect(named.seen.map((r) => r.headers['instudio-event-type'])).toEqual(['reserva.cancelada']);
      expect(verifySignature(cancelledOnly.body.secret, named.seen[0]!.body, String(named.seen[0]!.headers['instudio-signature']), new Date())).toBe(true);
    } finally {
      await Promise.all([named.close(), everything.close()]);
    }
  });
});
