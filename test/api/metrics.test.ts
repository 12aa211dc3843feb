import { API_LATENCY_METRIC } from '../../src/gateway/middleware/latency';
import type { Gateway } from '../../src/gateway/server';
import { metricSum } from '../support/cloudwatch';
import { ApiClient, startTestGateway } from '../support/gateway';
import { eventually } from '../support/wait';

let gateway: Gateway;

beforeAll(async () => {
  // A long flush interval: only the explicit flush below may publish.
  gateway = await startTestGateway({ METRICS_FLUSH_INTERVAL_MS: '3600000' });
});
afterAll(() => gateway?.stop());

const datapoints = (route: string, method: string, statusClass: string, stat: string, since: Date) =>
  metricSum(API_LATENCY_METRIC, { Route: route, Method: method, StatusClass: statusClass }, stat, since);

test('when requests are served, then their latency reaches CloudWatch per route template, method and status class, in one batch', async () => {
  const since = new Date();
  const api = new ApiClient(gateway.url);
  const before404 = await datapoints('/v1/salons/:salonId', 'GET', '4xx', 'SampleCount', since);
  const before200 = await datapoints('/healthz', 'GET', '2xx', 'SampleCount', since);
  for (let i = 0; i < 5; i++) expect((await api.get(`/v1/salons/0123456789abcdef0123456${i}`)).status).toBe(404);
  for (let i = 0; i < 3; i++) expect((await api.get('/healthz')).status).toBe(200);

  await gateway.metrics.flush();

  const count404 = await eventually(
    async () => {
      const n = await datapoints('/v1/salons/:salonId', 'GET', '4xx', 'SampleCount', since);
      return n >= before404 + 5 ? n : undefined;
    },
    { what: 'the 404 latency samples' },
  );
  expect(count404 - before404).toBe(5);
  expect((await datapoints('/healthz', 'GET', '2xx', 'SampleCount', since)) - before200).toBe(3);
  expect(await datapoints('/v1/salons/:salonId', 'GET', '4xx', 'Maximum', since)).toBeGreaterThan(0);
});
