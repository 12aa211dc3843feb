/**
 * Salon webhooks' storage and delivery: secrets encrypted at rest (AES-256-GCM under a
 * key derived from WEBHOOK_SECRET_KEY), the URL rules checked at registration and again
 * at every attempt — in production against every address the name resolves to, on the
 * very connection made (a name that later resolves inside the network is refused) —, and
 * one attempt: the signed POST, logged on the delivery.
 */
import crypto from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Config } from '../config';
import { DELIVERY_TIMEOUT_MS, RETRY, hostOf, isInternalAddress, SIGNATURE_HEADER, signature, type UrlRules, urlProblem } from '../domain/webhooks';
import { resolveSecret } from './local-secrets';
import type { Models, WebhookDeliveryDoc, WebhookDoc } from './models';
import { deliveryWorkflowIdFor, WEBHOOK_DELIVERY_WORKFLOW, WEBHOOK_TASK_QUEUE } from '../shared/webhooks';

export type StoredWebhook = WebhookDoc & { _id: string };
export type StoredDelivery = WebhookDeliveryDoc & { _id: string };

/** Encrypts and decrypts webhook secrets; the key comes from the configuration. */
export interface SecretBox {
  seal(secret: string): string;
  open(sealed: string): string;
}

export function createSecretBox(cfg: Config): SecretBox {
  const material = resolveSecret(cfg, { value: cfg.webhooks.secretKey, file: 'webhook-secret-key', variable: 'WEBHOOK_SECRET_KEY', what: 'a key for the webhook secrets' });
  const key = Buffer.from(crypto.hkdfSync('sha256', material, Buffer.alloc(0), 'instudio webhook secrets v1', 32));
  return {
    seal(secret) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || !data) throw new Error('not a sealed webhook secret');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

export const urlRulesOf = (cfg: Config): UrlRules => ({ production: cfg.env === 'production', allowedHosts: cfg.webhooks.allowedHosts });

/** Why a production webhook may not reach `address` of `host`, or undefined. */
function addressProblem(rules: UrlRules, host: string, address: string): string | undefined {
  if (!rules.production || rules.allowedHosts.includes(host)) return undefined;
  return isInternalAddress(address) ? `resolves to ${address}, a private, loopback or link-local address (list the host in WEBHOOK_ALLOWED_HOSTS to allow it)` : undefined;
}

/**
 * Why `raw` may not be a webhook's URL, checking its name's addresses in production;
 * undefined when it may. A name that does not resolve is refused too.
 */
export async function checkWebhookUrl(raw: string, rules: UrlRules): Promise<string | undefined> {
  const problem = urlProblem(raw, rules);
  if (problem || !rules.production) return problem;
  const host = hostOf(raw);
  if (rules.allowedHosts.includes(host)) return undefined;
  const addresses = await dns.promises.lookup(host, { all: true }).catch(() => undefined);
  if (!addresses || addresses.length === 0) return `its host ${host} does not resolve`;
  for (const { address } of addresses) {
    const why = addressProblem(rules, host, address);
    if (why) return why;
  }
  return undefined;
}

/** A lookup that refuses, on the connection itself, an address the rules forbid. */
const guardedLookup =
  (rules: UrlRules, host: string): LookupFunction =>
  (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses;
      const bad = list.map((a) => addressProblem(rules, host, a.address)).find(Boolean);
      if (bad) return callback(Object.assign(new Error(`webhook host ${host} ${bad}`), { code: 'EWEBHOOKADDRESS' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };

export interface AttemptResult {
  delivered: boolean;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

/** POSTs `body` to `url` signed with `secret`: delivered on a 2xx within DELIVERY_TIMEOUT_MS. */
export function postSigned(
  target: { url: string; secret: string; eventId: string; eventType: string; body: string },
  rules: UrlRules,
  now: Date,
): Promise<AttemptResult> {
  const problem = urlProblem(target.url, rules);
  if (problem) return Promise.resolve({ delivered: false, error: `the webhook URL ${problem}`, durationMs: 0 });
  const url = new URL(target.url);
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(rules, hostOf(target.url)),
        timeout: DELIVERY_TIMEOUT_MS,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(target.body),
          'User-Agent': 'InStudio-Webhooks/1',
          'InStudio-Event-Id': target.eventId,
          'InStudio-Event-Type': target.eventType,
          [SIGNATURE_HEADER]: signature(target.secret, target.body, now),
        },
      },
      (res) => {
        res.resume(); // the body is not read, only drained
        res.on('end', () => {
          const statusCode = res.statusCode ?? 0;
          resolve({ delivered: statusCode >= 200 && statusCode < 300, statusCode, durationMs: took() });
        });
        res.on('error', (err) => resolve({ delivered: false, statusCode: res.statusCode, error: err.message, durationMs: took() }));
      },
    );
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`)), DELIVERY_TIMEOUT_MS);
    request.on('timeout', () => request.destroy(new Error(`no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`)));
    request.on('error', (err) => resolve({ delivered: false, error: err.message, durationMs: took() }));
    request.on('close', () => clearTimeout(deadline));
    request.end(target.body);
  });
}

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
}

export const toWebhookView = (w: StoredWebhook): WebhookView => ({ id: w._id, url: w.url, events: [...w.events] });

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode?: number;
  lastAttemptAt?: string;
}

export const toDeliveryView = (d: StoredDelivery): DeliveryView => ({
  id: d._id,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  ...(d.lastStatusCode != null ? { lastStatusCode: d.lastStatusCode } : {}),
  ...(d.lastAttemptAt ? { lastAttemptAt: d.lastAttemptAt.toISOString() } : {}),
});

export const findWebhook = async (models: Models, salonId: string, id: string): Promise<StoredWebhook | null> =>
  (await models.Webhook.findOne({ _id: id, salonId, deletedAt: null }).lean());

export const salonWebhooks = async (models: Models, salonId: string): Promise<StoredWebhook[]> =>
  (await models.Webhook.find({ salonId, deletedAt: null }).sort({ createdAt: 1, _id: 1 }).lean());

/** Records one attempt on the delivery (its status too, once delivered). */
export async function recordAttempt(models: Models, deliveryId: string, at: Date, result: AttemptResult): Promise<void> {
  await models.WebhookDelivery.updateOne(
    { _id: deliveryId },
    {
      $inc: { attempts: 1 },
      $set: { lastAttemptAt: at, ...(result.statusCode != null ? { lastStatusCode: result.statusCode } : {}), ...(result.delivered ? { status: 'delivered' } : {}) },
      ...(result.statusCode == null ? { $unset: { lastStatusCode: 1 } } : {}),
      $push: { log: { at, durationMs: result.durationMs, ...(result.statusCode != null ? { statusCode: result.statusCode } : {}), ...(result.error ? { error: result.error } : {}) } },
    },
  );
}

/** Starts round `round` of a delivery (idempotent: a round starts once). */
export async function startDelivery(temporal: Client, retryInitialMs: number, deliveryId: string, round: number): Promise<void> {
  try {
    await temporal.workflow.start(WEBHOOK_DELIVERY_WORKFLOW, {
      taskQueue: WEBHOOK_TASK_QUEUE,
      workflowId: deliveryWorkflowIdFor(deliveryId, round),
      args: [{ deliveryId, retry: { ...RETRY, initialMs: retryInitialMs } }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Webhook delivery ${deliveryId}${round > 0 ? ` (redelivery ${round})` : ''}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
