/**
 * A query parameter no route takes is a 400, on every route, before anything else runs:
 * a typo is told rather than ignored, and nobody can mint cache entries with `?x=1`,
 * `?x=2`, … to push the useful ones out. Which parameters each route takes comes from
 * the route table that /openapi.json documents, so the two cannot disagree.
 */
import type { RequestHandler } from 'express';
import { AppError } from '../../domain/errors';

interface RouteQuery {
  method: string;
  path: string;
  query?: { shape: Record<string, unknown> };
}

interface Compiled {
  method: string;
  pattern: RegExp;
  allowed: ReadonlySet<string>;
}

/** `/v1/salons/{salonId}` as Express matches it: any case, an optional trailing slash. */
const patternOf = (path: string): RegExp =>
  new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i');

export function refuseUnknownQuery(routes: readonly RouteQuery[]): RequestHandler {
  const compiled: Compiled[] = routes.map((r) => ({
    method: r.method.toUpperCase(),
    pattern: patternOf(r.path),
    allowed: new Set(Object.keys(r.query?.shape ?? {})),
  }));
  return (req, _res, next) => {
    if (!req.url.includes('?')) return next();
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const route = compiled.find((c) => c.method === method && c.pattern.test(req.path));
    if (!route) return next(); // no such route: the 404 says so
    const unknown = Object.keys(req.query as object).filter((k) => !route.allowed.has(k));
    if (unknown.length === 0) return next();
    const takes = route.allowed.size > 0 ? `this route takes ${[...route.allowed].join(', ')}` : 'this route takes no query parameters';
    throw new AppError('validation', `unknown query parameter(s): ${unknown.join(', ')}; ${takes}`, {
      errors: unknown.map((field) => ({ field, message: 'unknown query parameter; remove it' })),
    });
  };
}
