/**
 * The stats read model on real Kafka and MongoDB: a stopped consumer catches up from its
 * committed offsets with nothing missed, a duplicated event does not count twice, and
 * GET /v1/salons/:salonId/stats serves the result to the salon's admin and operators.
 */
import { DateTime } from 'luxon';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import type { Gateway } from '../../src/gateway/server';
import { type EventPublisher, startEventPublisher } from '../../src/infra/events';
import { createKafka } from '../../src/infra/kafka';
import { TOPICS } from '../../src/shared/topics';
import { startReadModel } from '../../workers/read-model';
import { at } from '../support/bookings';
import { ApiClient, newClient, newSalon, newSalonAdmin, operatorOf, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';
import { eventually } from '../support/wait';

const cfg = loadConfig();
const silent = pino({ level: 'silent' });
const kafka = createKafka(cfg, { clientId: 'stats-test' });
let gateway: Gateway;
let events: EventPublisher;
let anon: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  gateway = await startTestGateway();
  events = await startEventPublisher(cfg, kafka, gateway.models.Outbox, silent);
  anon = new ApiClient(gateway.url);
  operator = await operatorOf(anon);
});
afterAll(async () => {
  await events?.close();
  await gateway?.stop();
});

const start = at(7, '10:00');
const day = DateTime.fromISO(start, { zone: 'Europe/Madrid' }).toISODate()!;
const booking = () => unique('b').replace(/[^a-z0-9]/gi, '').toLowerCase();

const confirmed = (salonId: string, bookingId: string, priceCents = 2500) =>
  events.publish(TOPICS.bookingConfirmed, salonId, { bookingId, salonId, start, priceCents, currency: 'EUR' }, { id: `${bookingId}:${TOPICS.bookingConfirmed}` });
const cancelled = (salonId: string, bookingId: string, refundedCents: number) =>
  events.publish(TOPICS.bookingCancelled, salonId, { bookingId, salonId, refundedCents }, { id: `${bookingId}:${TOPICS.bookingCancelled}` });

async function statsOf(client: ApiClient, salonId: string) {
  const res = await client.get(`/v1/salons/${salonId}/stats?from=${day}&to=${day}`);
  expect(res.status).toBe(200);
  return res.body as { days: { date: string; confirmed: number; cancelled: number; revenue: { currency: string; amountCents: number }[] }[]; totals: unknown };
}

test('given the read model stopped while events are produced, when it restarts, then it catches up from its committed offsets and duplicates count once', async () => {
  const { salonId } = await newSalon(operator);
  const admin = await newSalonAdmin(operator, salonId);
  const groupId = unique('read-model-test');
  const [b1, b2, b3, b4] = [booking(), booking(), booking(), booking()];

  let readModel = await startReadModel(cfg, silent, { groupId });
  await confirmed(salonId, b1);
  await confirmed(salonId, b2);
  await eventually(async () => (await statsOf(admin, salonId)).days[0]!.confirmed === 2, { timeoutMs: 20_000, what: 'two confirmed bookings' });
  await readModel.stop();

  // A trace of what it handled before it stopped: re-reading from anywhere before its
  // committed offsets would write this fact again.
  await gateway.models.BookingFact.deleteOne({ _id: b1 });

  // Produced while it is down: a new booking, a cancellation with a partial refund, duplicates.
  await confirmed(salonId, b3, 4000);
  await cancelled(salonId, b2, 1000);
  await cancelled(salonId, b2, 1000);
  await confirmed(salonId, b3, 4000);
  readModel = await startReadModel(cfg, silent, { groupId });
  try {
    await confirmed(salonId, b3, 4000); // and one more duplicate after the restart
    await confirmed(salonId, b4, 1000); // same salon key, same partition: handled after all of the above
    const stats = await eventually(
      async () => {
        const s = await statsOf(admin, salonId);
        return s.days[0]!.confirmed === 2 && s.days[0]!.cancelled === 1 ? s : undefined;
      },
      { timeoutMs: 20_000, what: 'the read model to catch up' },
    );
    await eventually(async () => (await gateway.models.BookingFact.exists({ _id: b4 })) !== null, { what: 'the last event handled' });
    // b3 4000 once, b4 1000, and b2 cancelled keeping 2500 - 1000; b1 was not read again.
    expect(stats.days).toEqual([{ date: day, confirmed: 2, cancelled: 1, revenue: [{ currency: 'EUR', amountCents: 6500 }] }]);
    expect(stats.totals).toEqual({ confirmed: 2, cancelled: 1, revenue: [{ currency: 'EUR', amountCents: 6500 }] });
    expect(await gateway.models.BookingFact.exists({ _id: b1 })).toBeNull();
  } finally {
    await readModel.stop();
  }
  expect((await statsOf(operator, salonId)).days[0]!.confirmed).toBe(2);
});

test('stats are for that salon’s admin and operators, over a valid range', async () => {
  const { salonId } = await newSalon(operator);
  const other = await newSalon(operator);
  const otherAdmin = await newSalonAdmin(operator, other.salonId);
  const client = await newClient(anon);
  const path = `/v1/salons/${salonId}/stats?from=2026-01-01&to=2026-01-03`;

  const ok = await operator.get(path);
  expect(ok.status).toBe(200);
  expect(ok.body.days.map((d: { date: string }) => d.date)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
  expect((await otherAdmin.get(path)).status).toBe(403);
  expect((await client.api.get(path)).status).toBe(403);
  expect((await anon.get(path)).status).toBe(401);

  const reversed = await operator.get(`/v1/salons/${salonId}/stats?from=2026-01-03&to=2026-01-01`);
  expect(reversed.status).toBe(400);
  expect(reversed.body.errors).toEqual([{ field: 'to', message: 'from must not be after to' }]);
  expect((await operator.get(`/v1/salons/${salonId}/stats?from=2026-01-01`)).status).toBe(400);
  expect((await operator.get(`/v1/salons/${salonId}/stats?from=2024-01-01&to=2026-01-01`)).status).toBe(400);
  expect((await operator.get(`/v1/salons/${'f'.repeat(24)}/stats?from=2026-01-01&to=2026-01-01`)).status).toBe(404);
});
