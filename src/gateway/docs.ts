/**
 * The API docs page at /docs: Swagger UI (swagger-ui-dist, its own assets, no CDN) on
 * /openapi.json. Only the files the page uses are served, from memory, read on the
 * first request. The page has a Content-Security-Policy of its own, stricter than the
 * gateway's default (helmet's): what Swagger UI needs — its own script and stylesheet, the
 * data: images of its icons, fetches of /openapi.json and of "Try it out" to this origin —
 * and nothing from another origin, no inline script or style, no upgrade-insecure-requests
 * (which would send a page served over plain http to the same host's https).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';

/** What the page may load: its own script and stylesheet, data: images, this origin's API; nothing else. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // Swagger UI's icons are data: SVGs (in its stylesheet and its markup).
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>InStudio API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css">
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

/**
 * Swagger UI on this gateway's document: no top bar (it would load any URL typed in),
 * no configuration from the query string, no validator badge (an outside service).
 */
const INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    deepLinking: true,
    queryConfigEnabled: false,
    validatorUrl: null,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
  });
});
`;

/** swagger-ui-dist's files the page uses, and their types (a Map: no name of Object's prototype is a file). */
const ASSETS = new Map<string, string>([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
  ['favicon-16x16.png', 'image/png'],
]);

const distDir = (): string => path.dirname(require.resolve('swagger-ui-dist/package.json'));

/** Checks at start that every asset is there, so a broken install fails the start, not a page load. */
export function docsPage(): RequestHandler {
  const dir = distDir();
  for (const file of ASSETS.keys()) fs.accessSync(path.join(dir, file), fs.constants.R_OK);
  const cache = new Map<string, Buffer>();
  const asset = (file: string): Buffer => {
    let body = cache.get(file);
    if (!body) {
      body = fs.readFileSync(path.join(dir, file));
      cache.set(file, body);
    }
    return body;
  };

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const file = req.path.replace(/^\/+/, '');
    const page = file === '' || file === 'index.html';
    const type = ASSETS.get(file);
    if (!page && file !== 'init.js' && type === undefined) return next(); // the 404 says so
    // One route in the latency metric, and not in the API latency alarm (a 1.7 MB script on a slow link is no API answer).
    res.locals.route = '/docs';
    res.locals.notApi = true;
    if (page) {
      res.setHeader('Content-Security-Policy', DOCS_CSP);
      res.type('html').send(PAGE);
    } else if (type === undefined) {
      res.type('js').send(INIT);
    } else {
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.type(type).send(asset(file));
    }
  };
}
