/**
 * The emails a client receives (LIFECYCLE.md, "Notifications"), in their language
 * (`es`, `en`): subject, plain text and HTML from one template per kind. Times are in
 * the salon's time zone, with the zone named — never UTC.
 */
import { DateTime } from 'luxon';

export const LOCALES = ['es', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export type MessageKind = 'confirmed' | 'failed' | 'cancelled' | 'rescheduled' | 'reminder' | 'no_show' | 'waitlist_offered' | 'waitlist_booked';

export interface MessageContext {
  locale: Locale;
  clientName: string;
  salonName: string;
  /** The salon's IANA time zone. */
  timezone: string;
  serviceName: string;
  start: Date;
  /** Rescheduled: where it was. */
  previousStart?: Date;
  /** A waitlist offer's end of hold. */
  expiresAt?: Date;
  /** Failed: why (a FailureReason). */
  reason?: string;
  refundedCents?: number;
  currency?: string;
  /** Reminder: how many hours ahead. */
  offsetHours?: number;
}

export interface Message {
  subject: string;
  text: string;
  html: string;
}

/** "viernes, 4 de diciembre de 2026, 10:00 (Europe/Madrid, UTC+01:00)": local, the zone named. */
export function localTime(at: Date, timezone: string, locale: Locale): string {
  const local = DateTime.fromJSDate(at, { zone: timezone }).setLocale(locale);
  const day = local.toLocaleString({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  return `${day}, ${local.toFormat('HH:mm')} (${timezone}, UTC${local.toFormat('ZZ')})`;
}

const money = (cents: number, currency: string, locale: Locale): string =>
  new Intl.NumberFormat(locale === 'es' ? 'es-ES' : 'en-GB', { style: 'currency', currency }).format(cents / 100);

const REASONS: Record<Locale, Record<string, string>> = {
  es: {
    payment_declined: 'el pago fue rechazado',
    slot_unavailable: 'la hora ya no estaba libre',
    hold_expired: 'el pago no se completó a tiempo',
    invalid_booking: 'la reserva no era válida',
  },
  en: {
    payment_declined: 'the payment was declined',
    slot_unavailable: 'the time was no longer free',
    hold_expired: 'the payment was not completed in time',
    invalid_booking: 'the booking was not valid',
  },
};

type Lines = { subject: string; lines: string[] };

const TEMPLATES: Record<Locale, Record<MessageKind, (c: MessageContext, when: string) => Lines>> = {
  es: {
    confirmed: (c, when) => ({ subject: `Reserva confirmada: ${c.serviceName} en ${c.salonName}`, lines: [`Tu cita de ${c.serviceName} en ${c.salonName} está confirmada.`, `Cuándo: ${when}.`, 'Añádela a tu calendario con la invitación adjunta.'] }),
    failed: (c, when) => ({ subject: `No pudimos hacer tu reserva en ${c.salonName}`, lines: [`Tu reserva de ${c.serviceName} para el ${when} no se ha podido hacer: ${REASONS.es[c.reason ?? ''] ?? 'ocurrió un error'}.`, 'No se te ha cobrado nada. Puedes reservar otra hora cuando quieras.'] }),
    cancelled: (c, when) => ({ subject: `Reserva cancelada: ${c.serviceName} en ${c.salonName}`, lines: [`Tu cita del ${when} en ${c.salonName} está cancelada.`, ...(c.refundedCents ? [`Te devolvemos ${money(c.refundedCents, c.currency ?? 'EUR', 'es')}.`] : [])] }),
    rescheduled: (c, when) => ({ subject: `Cita cambiada: ${c.serviceName} en ${c.salonName}`, lines: [`Tu cita de ${c.serviceName} en ${c.salonName} ha cambiado de hora.`, `Nueva hora: ${when}.`, ...(c.previousStart ? [`Antes: ${localTime(c.previousStart, c.timezone, 'es')}.`] : []), 'La invitación adjunta actualiza tu calendario.'] }),
    reminder: (c, when) => ({ subject: `Recordatorio: ${c.serviceName} en ${c.salonName}`, lines: [`Te recordamos tu cita de ${c.serviceName} en ${c.salonName}.`, `Cuándo: ${when}.`] }),
    no_show: (c, when) => ({ subject: `No te vimos en ${c.salonName}`, lines: [`Tu cita del ${when} en ${c.salonName} consta como no presentada.`, 'Si crees que es un error, contacta con el salón.'] }),
    waitlist_offered: (c, when) => ({ subject: `Hay un hueco para ti en ${c.salonName}`, lines: [`Se ha liberado una hora de ${c.serviceName} en ${c.salonName}: ${when}.`, `Te la guardamos hasta el ${localTime(c.expiresAt ?? c.start, c.timezone, 'es')}. Acéptala o recházala en la app.`] }),
    waitlist_booked: (c, when) => ({ subject: `Reservado desde la lista de espera: ${c.serviceName}`, lines: [`Te hemos reservado la hora que esperabas en ${c.salonName}: ${when}.`] }),
  },
  en: {
    confirmed: (c, when) => ({ subject: `Booking confirmed: ${c.serviceName} at ${c.salonName}`, lines: [`Your ${c.serviceName} appointment at ${c.salonName} is confirmed.`, `When: ${when}.`, 'Add it to your calendar with the attached invitation.'] }),
    failed: (c, when) => ({ subject: `We could not make your booking at ${c.salonName}`, lines: [`Your ${c.serviceName} booking for ${when} could not be made: ${REASONS.en[c.reason ?? ''] ?? 'something went wrong'}.`, 'You have not been charged. You can book another time whenever you like.'] }),
    cancelled: (c, when) => ({ subject: `Booking cancelled: ${c.serviceName} at ${c.salonName}`, lines: [`Your appointment on ${when} at ${c.salonName} is cancelled.`, ...(c.refundedCents ? [`We are refunding ${money(c.refundedCents, c.currency ?? 'EUR', 'en')}.`] : [])] }),
    rescheduled: (c, when) => ({ subject: `Appointment moved: ${c.serviceName} at ${c.salonName}`, lines: [`Your ${c.serviceName} appointment at ${c.salonName} has a new time.`, `New time: ${when}.`, ...(c.previousStart ? [`Before: ${localTime(c.previousStart, c.timezone, 'en')}.`] : []), 'The attached invitation updates your calendar.'] }),
    reminder: (c, when) => ({ subject: `Reminder: ${c.serviceName} at ${c.salonName}`, lines: [`A reminder of your ${c.serviceName} appointment at ${c.salonName}.`, `When: ${when}.`] }),
    no_show: (c, when) => ({ subject: `We missed you at ${c.salonName}`, lines: [`Your appointment on ${when} at ${c.salonName} was recorded as a no-show.`, 'If you think this is a mistake, please contact the salon.'] }),
    waitlist_offered: (c, when) => ({ subject: `A time is free for you at ${c.salonName}`, lines: [`A ${c.serviceName} time came free at ${c.salonName}: ${when}.`, `We hold it for you until ${localTime(c.expiresAt ?? c.start, c.timezone, 'en')}. Accept or decline it in the app.`] }),
    waitlist_booked: (c, when) => ({ subject: `Booked from the waitlist: ${c.serviceName}`, lines: [`We booked the time you were waiting for at ${c.salonName}: ${when}.`] }),
  },
};

const GREETING: Record<Locale, (name: string) => string> = { es: (n) => `Hola, ${n}:`, en: (n) => `Hello ${n},` };
const SIGNATURE: Record<Locale, string> = { es: '— InStudio', en: '— InStudio' };

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function renderMessage(kind: MessageKind, c: MessageContext): Message {
  const { subject, lines } = TEMPLATES[c.locale][kind](c, localTime(c.start, c.timezone, c.locale));
  const all = [GREETING[c.locale](c.clientName), ...lines, SIGNATURE[c.locale]];
  return {
    subject,
    text: `${all.join('\n\n')}\n`,
    html: `<!doctype html><html lang="${c.locale}"><body style="font-family:sans-serif">${all.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`,
  };
}
