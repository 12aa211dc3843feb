import type { Gateway } from '../../src/gateway/server';
import { launchBrowser, openOffline } from '../support/browser';
import { ApiClient, startTestGateway } from '../support/gateway';

// The API docs page in a real browser (Debian's Chromium, headless, driven by
// puppeteer-core), offline: every request to another origin is refused.

let gateway: Gateway;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

beforeAll(async () => {
  gateway = await startTestGateway();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

/** "POST /v1/bookings", "POST reserva.confirmada", … as the page shows them. */
const operationsOn = (page: import('puppeteer-core').Page, scope: string) =>
  page.$$eval(`${scope} .opblock-summary`, (els) =>
    els.map((e) => `${e.querySelector('.opblock-summary-method')?.textContent ?? ''} ${e.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? ''}`),
  );

test('when /docs is opened in a browser with no network, then Swagger UI renders every operation and webhook of /openapi.json from the gateway’s own assets', async () => {
  const { page, foreign, problems } = await openOffline(browser.browser, `${gateway.url}/docs`);
  await page.waitForSelector('.opblock-summary', { timeout: 30_000 });
  expect(await page.$eval('.info .title', (e) => e.textContent)).toContain('InStudio booking API');
  expect(await page.$eval('.info .title', (e) => e.textContent)).toContain('OAS 3.1');

  const doc = (await new ApiClient(gateway.url).get('/openapi.json')).body;
  const operations = await operationsOn(page, '.opblock-tag-section');
  expect(operations).toEqual(expect.arrayContaining(['POST /v1/bookings', 'GET /v1/bookings/{bookingId}', 'POST /v1/waitlist', 'POST /v1/waitlist/{entryId}/accept']));
  const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
  expect(operations.sort()).toEqual(documented.sort());

  const webhooks = await operationsOn(page, '.webhooks');
  expect(webhooks).toEqual(expect.arrayContaining(['POST reserva.confirmada', 'POST reserva.cancelada', 'POST listaespera.ofrecida']));
  expect(webhooks.sort()).toEqual(Object.keys(doc.webhooks).map((w) => `POST ${w}`).sort());

  expect(foreign).toEqual([]); // nothing from a CDN or any other origin
  expect(problems).toEqual([]); // no CSP violation, script error or failed request
  await page.close();
}, 90_000);

test('when an operation and a webhook are opened, then their schemas and the signature header show, within the page’s CSP', async () => {
  const { page, problems } = await openOffline(browser.browser, `${gateway.url}/docs`);
  for (const id of ['#operations-default-post_v1_bookings', '#operations-webhooks-webhookBookingConfirmed']) {
    await page.waitForSelector(`${id} .opblock-summary-control`, { timeout: 30_000 });
    await page.click(`${id} .opblock-summary-control`);
    await page.waitForSelector(`${id} .opblock-body`);
  }
  const webhook = await page.$eval('#operations-webhooks-webhookBookingConfirmed', (e) => (e as unknown as { innerText: string }).innerText);
  expect(webhook).toContain('InStudio-Signature');
  expect(webhook).toContain('<t>.<raw body>');
  expect(webhook).toContain('"type": "reserva.confirmada"');
  expect(await page.$eval('#operations-default-post_v1_bookings', (e) => (e as unknown as { innerText: string }).innerText)).toContain('paymentMethod');
  expect(problems).toEqual([]);
  await page.close();
}, 90_000);

test('when /docs is fetched, then the page carries its own CSP and only its own files are served; anything else is a 404 problem', async () => {
  const api = new ApiClient(gateway.url);
  const page = await api.get('/docs');
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  const csp = page.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/unsafe-(inline|eval)|https:/);
  expect(page.body).toContain('/docs/init.js');
  expect((await api.get('/docs/init.js')).body).toContain("url: '/openapi.json'");
  expect((await api.get('/docs/swagger-ui-bundle.js')).headers.get('content-type')).toMatch(/javascript/);
  // The API's own CSP is unchanged.
  expect((await api.get('/healthz')).headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  for (const [method, path] of [
    ['GET', '/docs/swagger-initializer.js'], // swagger-ui-dist's own initializer (the petstore) is not served
    ['GET', '/docs/package.json'],
    ['GET', '/docs/../package.json'],
    ['GET', '/docs/%2e%2e/package.json'],
    ['GET', '/docs/%zz'],
    ['GET', '/docs/constructor'],
    ['GET', '/docs/__proto__'],
    ['HEAD', '/docs/toString'],
    ['POST', '/docs'],
  ] as const) {
    const res = await api.request(method, path);
    expect([method, path, res.status]).toEqual([method, path, 404]);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  }
});
