/**
 * Email to clients over SMTP (nodemailer; SMTP_URL, locally Mailpit): the message of an
 * event — its recipient's language, the salon's local time, the appointment's calendar
 * invitation — sent at most once per event. The dedupe is persisted (`sent_emails`,
 * keyed by event id), so a redelivered event or a restarted process sends nothing twice;
 * a failing SMTP server is retried with backoff.
 */
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { type Locale, LOCALES, type MessageContext, type MessageKind, renderMessage } from '../domain/messages';
import { type Appointment, invitation } from './calendar';
import { findBooking } from './bookings';
import type { Models } from './models';
import { isDuplicateKeyError, noneIfMalformedId } from './mongo';

/** What the notifications consumer hands over: the event, and whom it is for. */
export interface Notification {
  eventId: string;
  kind: MessageKind;
  /** The client (user id). */
  to: string;
  bookingId?: string;
  data: Record<string, unknown>;
}

export interface NotificationSender {
  send(n: Notification): Promise<void>;
}

const SEND_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 500;

/** Which messages carry the appointment's invitation, and as what. */
const INVITATIONS: Partial<Record<MessageKind, 'request' | 'cancel'>> = { confirmed: 'request', rescheduled: 'request', cancelled: 'cancel' };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function createEmailSender(cfg: Config, models: Models, logger: Logger): NotificationSender & { close(): void } {
  const transport = nodemailer.createTransport(cfg.mail.smtpUrl);

  /** Everything a message needs, read from the event and the documents it names; undefined when there is nobody to write to. */
  const contextOf = async (n: Notification) => {
    const user = await models.User.findById(n.to, { email: 1, name: 1, locale: 1 }).lean().catch(noneIfMalformedId);
    if (!user) return undefined;
    const booking = n.bookingId ? await findBooking(models, n.bookingId) : null;
    const salonId = str(n.data.salonId) ?? booking?.salonId;
    const serviceId = str(n.data.serviceId) ?? booking?.serviceId;
    const [salon, service] = await Promise.all([
      salonId ? models.Salon.findById(salonId, { name: 1, timezone: 1, city: 1 }).lean().catch(noneIfMalformedId) : null,
      serviceId ? models.Service.findById(serviceId, { name: 1, durationMin: 1 }).lean().catch(noneIfMalformedId) : null,
    ]);
    const startIso = str(n.data.start) ?? booking?.start.toISOString();
    if (!salon || !startIso) return undefined;
    const start = new Date(startIso);
    const locale: Locale = LOCALES.includes(user.locale) ? (user.locale) : 'es';
    const context: MessageContext = {
      locale,
      clientName: user.name,
      salonName: salon.name,
      timezone: salon.timezone,
      serviceName: service?.name ?? '',
      start,
      ...(str(n.data.previousStart) ? { previousStart: new Date(str(n.data.previousStart)!) } : {}),
      ...(str(n.data.expiresAt) ? { expiresAt: new Date(str(n.data.expiresAt)!) } : {}),
      ...(str(n.data.reason) ? { reason: str(n.data.reason)! } : {}),
      ...(num(n.data.refundedCents) !== undefined ? { refundedCents: num(n.data.refundedCents)!, currency: booking?.currency ?? 'EUR' } : {}),
    };
    const durationMs = booking ? booking.end.getTime() - booking.start.getTime() : (service?.durationMin ?? 30) * 60_000;
    const appointment: Appointment | undefined = n.bookingId
      ? {
          bookingId: n.bookingId,
          start,
          end: new Date(start.getTime() + durationMs),
          summary: `${service?.name ?? 'Cita'} · ${salon.name}`,
          location: [salon.name, salon.city].filter(Boolean).join(', '),
          attendee: { name: user.name, email: user.email },
          moves: num(n.data.moves) ?? booking?.rescheduledFrom?.length ?? 0,
        }
      : undefined;
    return { email: user.email, context, appointment };
  };

  const sendWithRetries = async (mail: SendMailOptions): Promise<void> => {
    for (let attempt = 1, backoff = FIRST_BACKOFF_MS; ; attempt++, backoff *= 2) {
      try {
        await transport.sendMail(mail);
        return;
      } catch (err) {
        if (attempt >= SEND_ATTEMPTS) throw err; // the event comes again (its offset is not committed)
        logger.warn({ err, attempt, retryInMs: backoff }, 'SMTP send failed; retrying');
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  };

  return {
    async send(n) {
      const done = await models.SentEmail.findById(n.eventId, { status: 1 }).lean();
      if (done?.status === 'sent') return; // this event's email went out before
      const resolved = await contextOf(n);
      if (!resolved) {
        logger.info({ eventId: n.eventId, kind: n.kind, to: n.to }, 'nobody to email for this event (unknown client or salon)');
        return;
      }
      const messageId = `<${n.eventId.replace(/[^A-Za-z0-9._-]/g, '.')}@instudio>`;
      if (!done) {
        try {
          await models.SentEmail.create({ _id: n.eventId, to: resolved.email, kind: n.kind, status: 'sending', messageId });
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
        }
      }
      const message = renderMessage(n.kind, resolved.context);
      const method = INVITATIONS[n.kind];
      await sendWithRetries({
        from: cfg.mail.from,
        to: resolved.email,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId,
        ...(method && resolved.appointment
          ? {
              icalEvent: { method: method === 'cancel' ? 'CANCEL' : 'REQUEST', filename: 'invite.ics', content: invitation(resolved.appointment, method) },
            }
          : {}),
      });
      await models.SentEmail.updateOne({ _id: n.eventId }, { $set: { status: 'sent' } });
    },
    close() {
      transport.close();
    },
  };
}
