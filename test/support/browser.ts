/**
 * Headless Chromium (Debian's, installed by the stack's tools: `npm run stack -- install`)
 * driven by puppeteer-core, which downloads no browser of its own. The flags keep it off
 * the network: no background requests, no component updates, a fresh profile each time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { chromium } from '../../scripts/stack/components';

export interface OpenedPage {
  page: Page;
  /** Requests the page made to any other origin (each was refused). */
  foreign: string[];
  /** Console errors, uncaught exceptions, CSP violations and failed requests. */
  problems: string[];
}

export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'instudio-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromium.bin(),
    headless: true,
    userDataDir: profile,
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), // Chromium's sandbox refuses to run as root
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--window-size=1280,1600',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens `url` as an offline browser would: every request to another origin is refused
 * (and recorded), and what went wrong on the page is collected.
 */
export async function openOffline(browser: Browser, url: string): Promise<OpenedPage> {
  const origin = new URL(url).origin;
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1600 });
  const foreign: string[] = [];
  const problems: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const target = req.url();
    if (target.startsWith('data:') || new URL(target).origin === origin) void req.continue();
    else {
      foreign.push(target);
      void req.abort('internetdisconnected');
    }
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err instanceof Error ? err.message : String(err)}`));
  page.on('requestfailed', (req) => {
    if (!foreign.includes(req.url())) problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  // In the page (a string: this project's types have no DOM).
  await page.evaluateOnNewDocument(
    "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
  );
  await page.goto(url, { waitUntil: 'networkidle0', timeout: 30_000 });
  return { page, foreign, problems };
}
