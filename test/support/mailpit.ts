/** Reads the test stack's Mailpit (its HTTP API): the messages sent to an address, each with its text, HTML and calendar part. */
import { loadConfig } from '../../src/config';
import { eventually } from './wait';

export interface Mail {
  id: string;
  messageId: string;
  subject: string;
  to: string[];
  text: string;
  html: string;
  /** The text/calendar part (the .ics invitation), if any. */
  ics?: string;
}

interface Part {
  PartID: string;
  FileName: string;
  ContentType: string;
}

const api = (): string => loadConfig().mail.mailpitUrl;

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${api()}${path}`);
  if (!res.ok) throw new Error(`Mailpit ${path}: ${res.status}`);
  return (res.headers.get('content-type') ?? '').includes('json') ? ((await res.json()) as T) : ((await res.text()) as T);
}

async function read(id: string): Promise<Mail> {
  const m = await get<{ ID: string; MessageID: string; Subject: string; To: { Address: string }[]; Text: string; HTML: string; Attachments: Part[]; Inline: Part[] }>(`/api/v1/message/${id}`);
  const part = [...(m.Attachments ?? []), ...(m.Inline ?? [])].find((p) => p.ContentType.startsWith('text/calendar') || p.FileName.endsWith('.ics') || p.ContentType === 'application/ics');
  const ics = part ? await get<string>(`/api/v1/message/${id}/part/${part.PartID}`) : undefined;
  return { id: m.ID, messageId: m.MessageID, subject: m.Subject, to: m.To.map((t) => t.Address), text: m.Text, html: m.HTML, ...(ics ? { ics } : {}) };
}

/** Every message to `address`, oldest first. */
export async function mailsTo(address: string): Promise<Mail[]> {
  const found = await get<{ messages: { ID: string }[] }>(`/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=100`);
  return (await Promise.all(found.messages.map((m) => read(m.ID)))).reverse();
}

/** Waits until `address` has a message for which `match` holds. */
export const mailTo = (address: string, what: string, match: (m: Mail) => boolean, timeoutMs = 30_000): Promise<Mail> =>
  eventually(async () => (await mailsTo(address)).find(match), { timeoutMs, intervalMs: 250, what: `an email to ${address}: ${what}` });

/** A field of an iCalendar text (unfolded). */
export const icsField = (ics: string, name: string): string | undefined => new RegExp(`^${name}(?:;[^:]*)?:(.*)$`, 'm').exec(ics.replace(/\r?\n[ \t]/g, ''))?.[1]?.trim();
