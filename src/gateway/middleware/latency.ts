/** Records each request's latency per route template (`res.locals.route` where a handler names its own, as the docs page does; cache hits, served before Express, name theirs to the observer), method and status class; never waits. */
import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { API_LATENCY_ALL } from '../../infra/alarms';
import type { Metrics } from '../../infra/metrics';

export const API_LATENCY_METRIC = 'ApiLatency';

/** Records, when `res` finishes, the latency since now under what `labels` says then. */
export type LatencyObserver = (res: ServerResponse, labels: () => { route: string; method: string; api: boolean }) => void;

export function latencyObserver(metrics: Metrics): LatencyObserver {
  return (res, labels) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const { route, method, api } = labels();
      metrics.record(API_LATENCY_METRIC, ms, 'Milliseconds', { Route: route, Method: method, StatusClass: `${Math.floor(res.statusCode / 100)}xx` });
      // What the latency alarm watches: the API's answers, not the docs page's files (res.locals.notApi).
      if (api) metrics.record(API_LATENCY_ALL, ms, 'Milliseconds');
    });
  };
}

export function recordLatency(observe: LatencyObserver): RequestHandler {
  return (req, res, next) => {
    observe(res, () => ({
      route: (res.locals.route as string | undefined) ?? (req.route ? String(req.route.path) : 'unmatched'),
      method: req.method,
      api: res.locals.notApi !== true,
    }));
    next();
  };
}
