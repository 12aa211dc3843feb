/**
 * The gateway's cache, per instance: public catalogue responses, and catalogue values
 * the routes compute (`memo`, e.g. what pricing a booking needs). Entries carry tags
 * (`salons`, `salon:<id>`); a catalogue change published on `salones.actualizaciones`
 * drops the tags it touches in every instance (see cache-invalidation.ts). A generation
 * counter keeps a value computed before an invalidation from being stored after it, and
 * nothing is stored or served while invalidations cannot arrive (`live` false).
 */
import crypto from 'node:crypto';
import type { Request, Response } from 'express';

/** A cached response: what `hit` returns. */
export interface Entry {
  body: string;
  etag: string;
  /** The route template that computed it (what latency metrics are labelled with). */
  route: string;
}

export interface ResponseCache {
  /** Answers from the cache, or computes, stores and answers. */
  serve(req: Request, res: Response, tags: string[], compute: () => Promise<unknown>): Promise<void>;
  /** The fresh entry for a URL, if any: what a request arriving now would be answered. */
  hit(url: string): Entry | undefined;
  /** The value cached under `key`, or computed, stored under `tags` and returned. A failed computation stores nothing. */
  memo<T>(key: string, tags: string[], compute: () => Promise<T>): Promise<T>;
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

interface Stored {
  value: unknown;
  tags: string[];
  expiresAt: number;
}

export function createResponseCache(opts: CacheOptions = {}): ResponseCache {
  const ttlMs = opts.ttlMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 5_000;
  const entries = new Map<string, Stored>();
  let generation = 0;

  /** The fresh value under a key; none at all while invalidations cannot arrive. */
  const fresh = (key: string): unknown => {
    if (opts.live && !opts.live()) {
      if (entries.size > 0) entries.clear();
      generation += 1;
      return undefined;
    }
    const cached = entries.get(key);
    return cached && cached.expiresAt > Date.now() ? cached.value : undefined;
  };

  /** The cached value, or the computed one — stored unless an invalidation came meanwhile. */
  const getOrCompute = async <T>(key: string, tags: string[], compute: () => Promise<T>): Promise<{ value: T; hit: boolean }> => {
    const cached = fresh(key);
    if (cached !== undefined) return { value: cached as T, hit: true };
    const startedAt = generation;
    const value = await compute();
    if (startedAt === generation && (opts.live?.() ?? true)) {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, tags, expiresAt: Date.now() + ttlMs });
    }
    return { value, hit: false };
  };

  const responseKey = (url: string): string => `GET ${canonicalUrl(url)}`;

  const reply = (req: Request, res: Response, entry: Entry, hit: boolean): void => {
    res.setHeader('X-Cache', hit ? 'HIT' : 'MISS');
    res.setHeader('ETag', entry.etag);
    res.setHeader('Cache-Control', cacheControlFor(req.headers.authorization !== undefined));
    if (holdsEtag(req.headers['if-none-match'], entry)) {
      res.status(304).end();
      return;
    }
    res.status(200).type('application/json').send(entry.body);
  };

  return {
    hit: (url) => fresh(responseKey(url)) as Entry | undefined,
    async serve(req, res, tags, compute) {
      const { value, hit } = await getOrCompute<Entry>(responseKey(req.originalUrl), tags, async () => {
        const body = JSON.stringify(await compute());
        return {
          body,
          etag: `W/"${crypto.createHash('sha1').update(body).digest('base64url')}"`,
          route: req.route ? String(req.route.path) : 'unmatched',
        };
      });
      reply(req, res, value, hit);
    },
    memo: async (key, tags, compute) => (await getOrCompute(`memo ${key}`, tags, compute)).value,
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

/** The client's If-None-Match names the entry's ETag (or any): it gets a 304. */
export const holdsEtag = (ifNoneMatch: string | undefined, entry: Entry): boolean =>
  ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === entry.etag || t.trim() === '*');

/** The Cache-Control of a cached answer: a shared cache may keep what anyone may read; an answer to a token, nobody. */
export const cacheControlFor = (authorized: boolean): string => (authorized ? 'no-store' : 'public, max-age=0, must-revalidate');

/**
 * One key per resource, however the URL spells it: the path in lower case (routes are
 * matched in any case and ids are hex) without a trailing slash, the query's parameters
 * decoded, sorted and encoded again.
 */
export function canonicalUrl(url: string): string {
  const q = url.indexOf('?');
  let path = (q < 0 ? url : url.slice(0, q)).toLowerCase();
  if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '') || '/';
  if (q < 0) return path;
  const params = [...new URLSearchParams(url.slice(q + 1))].sort(([ka, va], [kb, vb]) => (ka === kb ? compare(va, vb) : compare(ka, kb)));
  return params.length > 0 ? `${path}?${new URLSearchParams(params).toString()}` : path;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The tags a salon catalogue change invalidates. */
export const salonTags = (salonId: string): string[] => ['salons', `salon:${salonId}`];
