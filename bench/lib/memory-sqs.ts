/**
 * SQS answered inside the process: an SQSClient whose requests never leave it. The SDK
 * serializes, signs, validates checksums and parses as it always does; only the queue
 * server's work (moto's, on these two cores) is replaced by a few maps. The fairness and
 * priority benchmarks run their intake through it (bench/lib/intake.ts) to show their
 * figures with moto's work taken out.
 *
 * Enough of SQS for the intake and the dispatcher: SendMessageBatch, ReceiveMessage
 * (long polls included), DeleteMessageBatch, ChangeMessageVisibility(Batch) and the
 * queue depth of GetQueueAttributes, on queues that exist once named.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../../src/config';
import type { IntakeQueues } from '../../src/infra/intake';
import { PRIORITIES } from '../../src/domain/priority';
import { awsClientOptions } from '../../src/infra/aws';

interface Stored {
  id: string;
  body: string;
  attributes?: unknown;
  sentAt: number;
  receives: number;
  visibleAt: number;
}

interface Queue {
  /** In the order sent, as moto hands them out. */
  messages: Map<string, Stored>;
  /** Receipt handle → message id, for the handle's latest receive. */
  receipts: Map<string, string>;
  /** Long polls waiting for a message. */
  waiters: Set<() => void>;
}

type Json = Record<string, unknown>;
type Entry = { Id: string; ReceiptHandle: string; MessageBody: string; MessageAttributes?: unknown; VisibilityTimeout?: number };

/** A request body as text: the SDK hands over bytes (its JSON codec's own Uint8Array, read here as plain bytes). */
const text = (body: string | Uint8Array = '{}'): string =>
  typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
const md5 = (body: string) => createHash('md5').update(body).digest('hex');

export class MemorySqs {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly visibilityTimeoutSec = 30) {}

  /** An SQS client of the product's configuration whose every call this object answers. */
  client(cfg: Config): SQSClient {
    return new SQSClient({
      ...awsClientOptions(cfg),
      endpoint: 'http://sqs.in-memory',
      requestHandler: {
        handle: async (request: { headers: Record<string, string>; body?: string | Uint8Array }) => {
          const action = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
          const answer = await this.answer(action, JSON.parse(text(request.body)) as Json);
          return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Buffer.from(JSON.stringify(answer)) } };
        },
      },
    });
  }

  /** The intake's queues (and their dead-letter queues), by the URLs this object answers for. */
  intakeQueues(): IntakeQueues {
    const url = (name: string) => `http://sqs.in-memory/000000000000/${name}`;
    return Object.fromEntries(PRIORITIES.map((p) => [p, { url: url(`bookings-${p}`), dlqUrl: url(`bookings-${p}-dlq`) }])) as IntakeQueues;
  }

  private queue(url: unknown): Queue {
    const key = String(url);
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { messages: new Map(), receipts: new Map(), waiters: new Set() }));
    return q;
  }

  private wake(q: Queue): void {
    for (const w of q.waiters) w();
    q.waiters.clear();
  }

  private take(q: Queue, max: number): Json[] {
    const now = Date.now();
    const out: Json[] = [];
    for (const m of q.messages.values()) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      m.visibleAt = now + this.visibilityTimeoutSec * 1000;
      m.receives += 1;
      const receipt = randomUUID();
      q.receipts.set(receipt, m.id);
      out.push({
        MessageId: m.id,
        ReceiptHandle: receipt,
        MD5OfBody: md5(m.body),
        Body: m.body,
        Attributes: { SentTimestamp: String(m.sentAt), ApproximateReceiveCount: String(m.receives) },
        ...(m.attributes ? { MessageAttributes: m.attributes } : {}),
      });
    }
    return out;
  }

  private setVisibility(q: Queue, receipt: string, timeoutSec: number): boolean {
    const m = q.messages.get(q.receipts.get(receipt) ?? '');
    if (!m) return false;
    m.visibleAt = Date.now() + timeoutSec * 1000;
    if (timeoutSec === 0) this.wake(q);
    return true;
  }

  private async answer(action: string, input: Json): Promise<Json> {
    // Answered on a later turn of the event loop, as a reply from a socket would be.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const q = this.queue(input.QueueUrl);
    const entries = (input.Entries ?? []) as Entry[];
    switch (action) {
      case 'SendMessageBatch': {
        const successful = entries.map((e) => {
          const id = randomUUID();
          q.messages.set(id, { id, body: e.MessageBody, attributes: e.MessageAttributes, sentAt: Date.now(), receives: 0, visibleAt: 0 });
          return { Id: e.Id, MessageId: id, MD5OfMessageBody: md5(e.MessageBody) };
        });
        this.wake(q);
        return { Successful: successful, Failed: [] };
      }
      case 'ReceiveMessage': {
        const max = Number(input.MaxNumberOfMessages ?? 1);
        let got = this.take(q, max);
        const waitMs = Number(input.WaitTimeSeconds ?? 0) * 1000;
        const until = Date.now() + waitMs;
        while (got.length === 0 && Date.now() < until) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, until - Date.now());
            q.waiters.add(() => {
              clearTimeout(timer);
              resolve();
            });
          });
          got = this.take(q, max);
        }
        return got.length > 0 ? { Messages: got } : {};
      }
      case 'DeleteMessageBatch': {
        for (const e of entries) {
          q.messages.delete(q.receipts.get(e.ReceiptHandle) ?? '');
          q.receipts.delete(e.ReceiptHandle);
        }
        return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
      }
      case 'ChangeMessageVisibility':
        this.setVisibility(q, String(input.ReceiptHandle), Number(input.VisibilityTimeout));
        return {};
      case 'ChangeMessageVisibilityBatch':
        for (const e of entries) this.setVisibility(q, e.ReceiptHandle, Number(e.VisibilityTimeout));
        return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
      case 'GetQueueAttributes': {
        const now = Date.now();
        const waiting = [...q.messages.values()].filter((m) => m.visibleAt <= now).length;
        return { Attributes: { ApproximateNumberOfMessages: String(waiting) } };
      }
      default:
        throw new Error(`the in-memory SQS does not answer ${action}`);
    }
  }
}
