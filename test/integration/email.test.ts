/**
 * Email on the real stack: the notifications process sends through Mailpit's SMTP server
 * and Mailpit's API reads every kind of message back — the recipient, the subject in
 * their language, the salon's local time in the body, the invitation's
 * UID/METHOD/SEQUENCE — and a restart of the process sends nothing twice.
 */
import net from 'node:net';
import pino from 'pino';
import { loadConfig, portOf } from '../../src/config';
import { createEmailSender } from '../../src/infra/mail';
import { calendarUid } from '../../src/infra/calendar';
import { type EventPublisher, startEventPublisher } from '../../src/infra/events';
import { createKafka } from '../../src/infra/kafka';
import type { Gateway } from '../../src/gateway/server';
import { TOPICS } from '../../src/shared/topics';
import type { BookingWorker } from '../../workers/booking-worker';
import { startNotifications } from '../../workers/notifications';
import { at, settled } from '../support/bookings';
import { ApiClient, newClient, newSalon, operatorOf, startTestGateway } from '../support/gateway';
import { unique } from '../support/ids';
import { icsField, mailsTo, mailTo } from '../support/mailpit';
import { eventually } from '../support/wait';
import { startTestDispatcher, startTestWorker } from '../support/worker';

const cfg = loadConfig();
const groupId = unique('email');
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let gateway: Gateway;
let worker: BookingWorker;
let dispatcher: Awaited<ReturnType<typeof startTestDispatcher>>;
let notifications: Awaited<ReturnType<typeof startNotifications>>;
let events: EventPublisher;
let anon: ApiClient;
let operator: ApiClient;

beforeAll(async () => {
  [gateway, worker, dispatcher, notifications] = await Promise.all([startTestGateway(), startTestWorker(), startTestDispatcher(), startNotifications(cfg, logger, { groupId })]);
  events = await startEventPublisher(cfg, createKafka(cfg, { clientId: unique('email-test') }), gateway.models.Outbox, logger);
  anon = new ApiClient(gateway.url);
  operator = await operatorOf(anon);
}, 120_000);
afterAll(() => Promise.all([gateway?.stop(), worker?.stop(), dispatcher?.stop(), notifications?.stop(), events?.close()]));

const book = async (client: ApiClient, salon: { salonId: string; serviceId: string }, start: string, paymentMethod = 'pm_card_visa') => {
  const res = await client.post('/v1/bookings', { salonId: salon.salonId, serviceId: salon.serviceId, start, paymentMethod });
  expect(res.status).toBe(202);
  return { bookingId: res.body.bookingId as string, outcome: await settled(client, res.body.bookingId) };
};

/** "10:00 (Europe/Madrid, UTC+01:00)" or "+02:00" in summer: the local time, the zone named. */
const localIn = (text: string, hhmm: string) => expect(text).toMatch(new RegExp(`${hhmm} \\(Europe/Madrid, UTC\\+0[12]:00\\)`));

test('a confirmation, a reschedule and a cancellation: each in the client’s language with the local time, and one invitation whose UID stays, SEQUENCE rises and METHOD ends CANCEL', async () => {
  const salon = await newSalon(operator);
  const client = await newClient(anon, { locale: 'en', name: 'Ada' });
  const start = at(3, '10:00');
  const { bookingId, outcome } = await book(client.api, salon, start);
  expect(outcome.status).toBe('confirmed');

  const confirmed = await mailTo(client.email, 'the confirmation', (m) => m.subject.startsWith('Booking confirmed'));
  expect(confirmed.to).toEqual([client.email]);
  expect(confirmed.text).toContain('Hello Ada');
  localIn(confirmed.text, '10:00');
  expect(confirmed.html).toContain('lang="en"');
  expect(icsField(confirmed.ics!, 'METHOD')).toBe('REQUEST');
  expect(icsField(confirmed.ics!, 'UID')).toBe(calendarUid(bookingId));
  expect(icsField(confirmed.ics!, 'SEQUENCE')).toBe('0');
  expect(icsField(confirmed.ics!, 'DTSTART')).toBe(new Date(start).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''));

  const moved = await client.api.post(`/v1/bookings/${bookingId}/reschedule`, { start: at(3, '12:00') });
  expect(moved.status).toBe(200);
  const rescheduled = await mailTo(client.email, 'the reschedule', (m) => m.subject.startsWith('Appointment moved'));
  localIn(rescheduled.text, '12:00');
  localIn(rescheduled.text, '10:00'); // where it was
  expect([icsField(rescheduled.ics!, 'UID'), icsField(rescheduled.ics!, 'SEQUENCE'), icsField(rescheduled.ics!, 'METHOD')]).toEqual([calendarUid(bookingId), '1', 'REQUEST']);

  expect((await client.api.post(`/v1/bookings/${bookingId}/cancel`)).status).toBe(202);
  const cancelled = await mailTo(client.email, 'the cancellation', (m) => m.subject.startsWith('Booking cancelled'));
  localIn(cancelled.text, '12:00');
  expect([icsField(cancelled.ics!, 'UID'), icsField(cancelled.ics!, 'SEQUENCE'), icsField(cancelled.ics!, 'METHOD')]).toEqual([calendarUid(bookingId), '2', 'CANCEL']);
});

test('a failed booking is told in Spanish by default, with why and no invitation', async () => {
  const salon = await newSalon(operator);
  const client = await newClient(anon, { name: 'Lucía' });
  const { outcome } = await book(client.api, salon, at(3, '11:00'), 'pm_card_chargeCustomerFail');
  expect(outcome.status).toBe('failed');
  const failed = await mailTo(client.email, 'the failure', (m) => m.subject.startsWith('No pudimos hacer tu reserva'));
  expect(failed.text).toContain('Hola, Lucía');
  expect(failed.text).toContain('el pago fue rechazado');
  localIn(failed.text, '11:00');
  expect(failed.ics).toBeUndefined();
});

test('a reminder, a no-show, a waitlist offer (with its expiry) and a waitlist booking are emailed each once, even when the event comes again after a restart of the process', async () => {
  const salon = await newSalon(operator);
  const client = await newClient(anon, { locale: 'en' });
  const start = at(4, '16:30');
  const base = { salonId: salon.salonId, serviceId: salon.serviceId, customerId: client.id, start };
  const id = unique('evt');
  const sent = [
    [TOPICS.bookingReminder, { ...base, bookingId: unique('b'), offsetHours: 24 }, 'Reminder:'],
    [TOPICS.bookingNoShow, { ...base, bookingId: unique('b') }, 'We missed you'],
    [TOPICS.waitlistOffered, { ...base, entryId: unique('e'), expiresAt: new Date(Date.parse(start) - 2 * 3_600_000).toISOString() }, 'A time is free for you'],
    [TOPICS.waitlistBooked, { ...base, entryId: unique('e'), bookingId: unique('b') }, 'Booked from the waitlist'],
  ] as const;
  for (const [topic, data] of sent) await events.publish(topic, salon.salonId, data, { id: `${id}:${topic}` });
  for (const [, , subject] of sent) {
    const mail = await mailTo(client.email, subject, (m) => m.subject.startsWith(subject));
    localIn(mail.text, '16:30');
  }
  const offer = (await mailsTo(client.email)).find((m) => m.subject.startsWith('A time is free'))!;
  localIn(offer.text, '14:30'); // held until two hours before

  // The process restarts and the same events come again (as a redelivery would): nothing is sent twice.
  await notifications.stop();
  notifications = await startNotifications(cfg, logger, { groupId });
  for (const [topic, data] of sent) await events.publish(topic, salon.salonId, data, { id: `${id}:${topic}` });
  const marker = unique('marker');
  await events.publish(TOPICS.bookingReminder, salon.salonId, { ...base, bookingId: marker, start: at(5, '09:00') }, { id: marker });
  await mailTo(client.email, 'the marker behind the repeats', (m) => m.subject.startsWith('Reminder:') && m.text.includes('09:00'));
  const all = await mailsTo(client.email);
  for (const [, , subject] of sent) expect(all.filter((m) => m.subject.startsWith(subject) && m.text.includes('16:30'))).toHaveLength(1);
});

test('when the SMTP server is down, then the send is retried with backoff and goes out once it is back', async () => {
  const salon = await newSalon(operator);
  const client = await newClient(anon, { locale: 'en' });
  // An SMTP address with nothing behind it yet; Mailpit is put behind it once a retry is under way.
  const relay = net.createServer((socket) => {
    const upstream = net.connect(portOf(cfg.mail.smtpUrl), '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    const close = () => (socket.destroy(), upstream.destroy());
    socket.on('error', close);
    upstream.on('error', close);
  });
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  const retries: string[] = [];
  const watching = pino({ level: 'warn' }, { write: (line: string) => void retries.push(line) });
  const sender = createEmailSender({ ...cfg, mail: { ...cfg.mail, smtpUrl: `smtp://127.0.0.1:${port}` } }, gateway.models, watching);
  try {
    const eventId = unique('evt');
    const sending = sender.send({ eventId, kind: 'reminder', to: client.id, data: { salonId: salon.salonId, serviceId: salon.serviceId, start: at(6, '13:15') } });
    await eventually(() => (retries.some((l) => l.includes('SMTP send failed; retrying')) ? true : undefined), { what: 'a failed attempt, to be retried' });
    await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
    await sending;
    const mail = await mailTo(client.email, 'the retried reminder', (m) => m.subject.startsWith('Reminder:'));
    localIn(mail.text, '13:15');
    expect((await gateway.models.SentEmail.findById(eventId).lean())?.status).toBe('sent');
  } finally {
    sender.close();
    await new Promise((r) => relay.close(r));
  }
});
