/** Records each request's latency per route template (`res.locals.route` when the router was skipped), method and status class; never waits. */
import type { RequestHandler } from 'express';
import { API_LATENCY_ALL } from '../../infra/alarms';
import type { Metrics } from '../../infra/metrics';

export const API_LATENCY_METRIC = 'ApiLatency';

export function recordLatency(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = (res.locals.route as string | undefined) ?? (req.route ? String(req.route.path) : 'unmatched');
      metrics.record(API_LATENCY_METRIC, ms, 'Milliseconds', {
        Route: route,
        Method: req.method,
        StatusClass: `${Math.floor(res.statusCode / 100)}xx`,
      });
      // What the latency alarm watches: the API's answers, not the docs page's files (res.locals.notApi).
      if (res.locals.notApi !== true) metrics.record(API_LATENCY_ALL, ms, 'Milliseconds');
    });
    next();
  };
}
