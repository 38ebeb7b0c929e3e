// Playwright helpers for the end-to-end tests: one Chromium per test file, code-server's URL from
// scripts/e2e.mjs (MBI_E2E_URL), screenshots into MBI_E2E_OUT.
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Opens the workbench of the running code-server and waits until the Explorer shows the folder. */
export async function openWorkbench(): Promise<{ browser: Browser; page: Page }> {
  const url = process.env.MBI_E2E_URL;
  if (!url) throw new Error('run the end-to-end tests through scripts/e2e.mjs (npm run test:e2e)');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // Chromium runs as root in CI without a sandbox; the rest keeps it off the closed network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
  return { browser, page };
}

/** Saves a screenshot under the test output folder. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(process.env.MBI_E2E_OUT ?? 'test-output/e2e', `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Runs a command from the command palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(title);
  const row = page.locator(`.quick-input-list .monaco-list-row[aria-label^="${title}"]`).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/** Opens a workspace file through Quick Open (waits for the search result before choosing it). */
export async function openFile(page: Page, relPath: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(relPath);
  const name = relPath.split('/').pop() as string;
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** Polls `fn` until it returns something truthy (errors count as not yet). */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
