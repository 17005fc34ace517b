// Drives the demo page of examples/fastapi_app in Debian's Chromium (playwright-core, never a
// downloaded browser) for tests/python/test_browser_demo.py.
//
// Usage: node browser-demo.mjs '{"url": ..., "user": ..., "expected": [...], "unexpected": ...,
//                                "screenshot": ..., "profile": ..., "timeoutMs": ...}'
// Opens `url`, logs in as `user` through the page's own form, waits until the page says it is
// connected, then prints the line "CONNECTED" — the test now pushes through the REST API — and
// waits until the page lists every message of `expected`. It then checks that `unexpected`
// (pushed to another user) is not listed, saves a screenshot, and prints one JSON line
// {"notifications": [...], "status": "...", "consoleErrors": [...]}. Any failure: a message on
// stderr (with a screenshot when the page exists) and exit code 1. Every wait is bounded.
// Single-threaded (the Node event loop).
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const settings = JSON.parse(process.argv[2]);
const timeout = settings.timeoutMs ?? 15000;

const context = await chromium.launchPersistentContext(settings.profile, {
  executablePath: CHROMIUM,
  headless: true,
  timeout,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  viewport: { width: 900, height: 640 },
});
let page;
let failed = false;
try {
  page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(timeout);
  const consoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));

  const response = await page.goto(settings.url, { waitUntil: 'load' });
  if (!response?.ok()) throw new Error(`GET ${settings.url} answered ${response?.status()}`);
  await page.fill('#user-id', settings.user);
  await page.click('#login');
  await page.waitForSelector('#status[data-state="connected"]');
  process.stdout.write('CONNECTED\n');

  const items = page.locator('#notifications li');
  for (const message of settings.expected) {
    await items.filter({ hasText: message }).first().waitFor({ state: 'visible' });
  }
  const notifications = await items.evaluateAll((nodes) => nodes.map((node) => node.firstChild.textContent));
  if (settings.unexpected && notifications.includes(settings.unexpected)) {
    throw new Error(`the page shows a message pushed to another user: ${settings.unexpected}`);
  }
  const status = await page.textContent('#status');
  await page.screenshot({ path: settings.screenshot, fullPage: true });
  process.stdout.write(`${JSON.stringify({ notifications, status, consoleErrors })}\n`);
} catch (error) {
  failed = true;
  process.stderr.write(`browser demo test failed: ${error.stack ?? error}\n`);
  if (page) {
    await page.screenshot({ path: settings.screenshot, fullPage: true }).catch(() => {});
  }
} finally {
  await context.close();
}
process.exit(failed ? 1 : 0);
