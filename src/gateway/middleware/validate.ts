/** Input validation from the contract's schemas: failures are a 400 with one entry per field. `where` is body, query or a path parameter's name. */
import type { z } from 'zod';
import { AppError } from '../../domain/errors';

export function parse<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  if (where === 'body' && (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new AppError('validation', 'send a JSON object body with Content-Type: application/json');
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((i) => ({
    field: i.path.length ? i.path.join('.') : where,
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}; remove them` : i.message,
  }));
  throw new AppError('validation', `the ${where} is invalid: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
}
