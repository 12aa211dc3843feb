/**
 * Cursor paging for every list: `limit` (1–200, default 50) and an opaque `cursor` that
 * names the last item of the page before (its sort key), so a page is a range query, not
 * a skip. A cursor that does not decode to the shape its list expects is a 400.
 */
import { z } from 'zod';
import { AppError } from '../domain/errors';

export const limitParam = z.coerce.number().int().min(1).max(200).default(50);
export const cursorParam = z.string().max(500).optional();

export const encodeCursor = (key: object): string => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string | undefined): z.infer<S> | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new AppError('validation', 'the cursor is not one this list gave out; use nextCursor from the previous page as it is', {
      errors: [{ field: 'cursor', message: 'not a cursor of this list' }],
    });
  }
  return result.data;
}

/** `{items, nextCursor}`: the cursor of the last item when another page follows. */
export const page = <T, K extends object>(items: T[], more: boolean, keyOf: (last: T) => K): { items: T[]; nextCursor?: string } =>
  more && items.length > 0 ? { items, nextCursor: encodeCursor(keyOf(items[items.length - 1]!)) } : { items };
