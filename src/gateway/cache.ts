/**
 * Response cache for public catalogue GETs, per gateway instance. Entries carry tags
 * (`salons`, `salon:<id>`); a catalogue change published on `salones.actualizaciones`
 * drops the tags it touches in every instance (see cache-invalidation.ts). A generation
 * counter keeps a response computed before an invalidation from being stored after it.
 */
import crypto from 'node:crypto';
import type { Request, Response } from 'express';

export interface Entry {
  body: string;
  etag: string;
  tags: string[];
  expiresAt: number;
  /** The route template that computed it (what latency metrics are labelled with). */
  route: string;
}

export interface ResponseCache {
  /** Answers from the cache, or computes, stores and answers. */
  serve(req: Request, res: Response, tags: string[], compute: () => Promise<unknown>): Promise<void>;
  /** The fresh entry for a URL, if any: what a request arriving now would be answered. */
  hit(url: string): Entry | undefined;
  /** Answers with an entry `hit` returned (200, or 304 when the client holds its ETag). */
  answer(req: Request, res: Response, entry: Entry): void;
  invalidate(tags: string[]): void;
  clear(): void;
  readonly size: number;
}

export interface CacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  /** False while invalidations cannot arrive (their consumer is out of its group): nothing is stored or served from memory. */
  live?: () => boolean;
}

export function createResponseCache(opts: CacheOptions = {}): ResponseCache {
  const ttlMs = opts.ttlMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 5_000;
  const entries = new Map<string, Entry>();
  let generation = 0;

  const reply = (req: Request, res: Response, entry: Entry, hit: boolean): void => {
    res.setHeader('X-Cache', hit ? 'HIT' : 'MISS');
    res.setHeader('ETag', entry.etag);
    res.setHeader('Cache-Control', 'public, max-age=0, must-revalidate');
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === entry.etag || t.trim() === '*')) {
      res.status(304).end();
      return;
    }
    res.status(200).type('application/json').send(entry.body);
  };

  /** A fresh entry for the URL; none at all while invalidations cannot arrive. */
  const fresh = (url: string): Entry | undefined => {
    if (opts.live && !opts.live()) {
      if (entries.size > 0) entries.clear();
      generation += 1;
      return undefined;
    }
    const cached = entries.get(url);
    return cached && cached.expiresAt > Date.now() ? cached : undefined;
  };

  return {
    hit: fresh,
    answer: (req, res, entry) => reply(req, res, entry, true),
    async serve(req, res, tags, compute) {
      const key = req.originalUrl;
      const cached = fresh(key);
      if (cached) return reply(req, res, cached, true);
      const startedAt = generation;
      const body = JSON.stringify(await compute());
      const entry: Entry = {
        body,
        tags,
        etag: `W/"${crypto.createHash('sha1').update(body).digest('base64url')}"`,
        expiresAt: Date.now() + ttlMs,
        route: req.route ? String(req.route.path) : 'unmatched',
      };
      if (startedAt === generation && (opts.live?.() ?? true)) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(key, entry);
      }
      reply(req, res, entry, false);
    },
    invalidate(tags) {
      generation++;
      for (const [key, entry] of entries) {
        if (entry.tags.some((t) => tags.includes(t))) entries.delete(key);
      }
    },
    clear() {
      generation++;
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}

/** The tags a salon catalogue change invalidates. */
export const salonTags = (salonId: string): string[] => ['salons', `salon:${salonId}`];
