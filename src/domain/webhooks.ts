/**
 * Salon webhooks' rules (LIFECYCLE.md, "Salon webhooks"): which events a salon may
 * subscribe to, how a delivery is signed, how long it is retried, and which addresses a
 * production webhook may reach. Pure functions; the I/O is in src/infra/webhooks.ts.
 */
import crypto from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { TOPICS, type Topic } from '../shared/topics';

/** The events of a salon that its webhooks may name (every one carries `data.salonId`). */
export const WEBHOOK_EVENTS: readonly Topic[] = [
  TOPICS.bookingCreated,
  TOPICS.bookingConfirmed,
  TOPICS.bookingCancelled,
  TOPICS.bookingFailed,
  TOPICS.bookingReminder,
  TOPICS.bookingCheckedIn,
  TOPICS.bookingCompleted,
  TOPICS.bookingNoShow,
  TOPICS.bookingRescheduled,
  TOPICS.bookingRefunded,
  TOPICS.bookingDisputed,
  TOPICS.waitlistOffered,
  TOPICS.waitlistBooked,
  TOPICS.salonUpdates,
];

export const ALL_EVENTS = '*';

/** Whether a webhook subscribed to `events` wants `topic`. */
export const wants = (events: readonly string[], topic: string): boolean => events.includes(ALL_EVENTS) || events.includes(topic);

/** A 2xx within this delivers an attempt. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Retries back off exponentially from the first (within 30 s of the first attempt) for up to 72 h. */
export const RETRY = { initialMs: 10_000, coefficient: 2, maximumMs: 60 * 60_000, forMs: 72 * 3_600_000 } as const;

export const SIGNATURE_HEADER = 'InStudio-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed by the secret>`. */
export function signature(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

/**
 * What a receiver does with a delivery: true when the signature header is the secret's
 * HMAC of the raw body and its time is within `toleranceSec` of `now`.
 */
export function verifySignature(secret: string, body: string, header: string, now: Date, toleranceSec = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(now.getTime() / 1000 - t) > toleranceSec) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** A new webhook secret, shown to the salon once. */
export const newSecret = (): string => `whsec_${crypto.randomBytes(24).toString('base64url')}`;

export interface UrlRules {
  /** Production: https only, and public addresses only. */
  production: boolean;
  /** Host names (or addresses) allowed whatever they resolve to. */
  allowedHosts: readonly string[];
}

/** Why `raw` is not a URL a webhook may have (before any name is resolved), or undefined. */
export function urlProblem(raw: string, rules: UrlRules): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL, for example https://pos.example.com/instudio';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username || url.password) return 'must not carry credentials; verify deliveries by their signature instead';
  if (url.hash) return 'must not have a #fragment';
  if (rules.production && url.protocol !== 'https:') return 'must be https';
  return undefined;
}

/** Whether an address is one a production webhook must not reach: private, loopback, link-local and the like. */
export function isInternalAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() !== 'unicast';
}

/** The host of a URL as the allow-list names it: lower case, IPv6 without brackets. */
export const hostOf = (raw: string): string => new URL(raw).hostname.replace(/^\[|\]$/g, '').toLowerCase();
