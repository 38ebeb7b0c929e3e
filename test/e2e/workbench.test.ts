import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openWorkbench, screenshot } from './harness';

describe('real VS Code (code-server) with the packaged extension', () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    ({ browser, page } = await openWorkbench());
  });
  after(async () => {
    await browser?.close();
  });

  it('opens the demo workspace', async () => {
    const rows = await page.locator('.explorer-folders-view .monaco-list-row').allInnerTexts();
    for (const name of ['credit-card-fraud', 'wind-turbine', 'wind-turbine-no-scaler', 'train_wind_turbine.py']) {
      assert.ok(
        rows.some((r) => r.includes(name)),
        `Explorer shows ${name}: ${rows.join(' | ')}`,
      );
    }
  });

  it('has the extension installed and enabled', async () => {
    await page.keyboard.press('Control+Shift+X');
    const search = page.locator('.extensions-viewlet .suggest-input-container textarea, .extensions-viewlet .monaco-inputbox textarea').first();
    await search.waitFor({ timeout: 30_000 });
    await search.fill('@installed Model Bundle Inspector');
    const item = page.locator('.extensions-viewlet .extension-list-item', { hasText: 'Model Bundle Inspector' });
    await item.first().waitFor({ timeout: 30_000 });
    // The list re-renders while the gallery state loads: wait until it settles on one entry.
    let count = 0;
    for (let i = 0; i < 40 && count !== 1; i++) {
      count = await item.count();
      if (count !== 1) await page.waitForTimeout(250);
    }
    await screenshot(page, 'extensions-installed');
    assert.equal(count, 1);
    await page.keyboard.press('Control+Shift+E');
  });
});
