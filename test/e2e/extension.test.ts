import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { openFile, openWorkbench, runCommand, screenshot } from './harness';

const folder = process.env.MBI_E2E_FOLDER ?? '';
const reference = JSON.parse(readFileSync('examples/reference/complete-bundle.json', 'utf8')) as { inputs: number[][]; outputs: number[][] };

async function waitFor<T>(what: string, fn: () => Promise<T | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The first file under `dir` whose name passes `test` (depth-first), or null. */
function findFile(dir: string, test: (name: string) => boolean): string | null {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const found = findFile(p, test);
      if (found) return found;
    } else if (test(e.name)) return p;
  }
  return null;
}

async function problems(page: Page): Promise<string[]> {
  return page.locator('[id="workbench.panel.markers"] .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
}

/** The frame of the bundle view (VS Code nests the webview content in two iframes). */
async function bundleFrame(page: Page): Promise<Frame> {
  return waitFor('the bundle view', async () => {
    for (const f of page.frames()) if (await f.$('#root .tabs')) return f;
    return null;
  });
}

describe('the extension in real VS Code (code-server)', () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    ({ browser, page } = await openWorkbench());
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    // take the keyboard back from a webview and close whatever a previous test left open
    await page
      ?.locator('.part.sidebar .composite.title')
      .first()
      .click()
      .catch(() => undefined);
    await page?.keyboard.press('Escape');
    await page?.keyboard.press('Escape');
  });
  let step = 0;
  afterEach(async () => {
    // what the workbench showed at the end of each test (kept for people, and for failures)
    if (page) await screenshot(page, `after-${++step}`).catch(() => undefined);
  });

  it('activates, indexes the demo workspace and shows its bundles in the status bar and the tree', async () => {
    const status = page.locator('[id="model-bundle-inspector.model-bundle-inspector.modelBundles.status"]');
    await waitFor('the status bar item', async () => /3 bundles · 2 problems/.test((await status.textContent()) ?? ''), 60_000);
    // give the Model Bundles view the room of the folder tree
    await page
      .locator('.pane-header', { hasText: /^mbi-demo/i })
      .first()
      .click();
    const header = page.locator('.pane-header', { hasText: 'Model Bundles' }).first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const labels = await waitFor('the bundle rows', async () => {
      const l = await page
        .locator('[id="workbench.view.explorer"] .monaco-list-row')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
      return l.some((x) => x.includes('wind-turbine-no-scaler')) ? l : null;
    });
    for (const name of ['credit-card-fraud', 'wind-turbine', 'wind-turbine-no-scaler'])
      assert.ok(
        labels.some((l) => l.includes(name)),
        `${name} in ${labels.join(' | ')}`,
      );
    await screenshot(page, 'tree');
    // The index read the artifacts in its worker threads (dist/inspectWorker.js shipped in the VSIX).
    const line = await waitFor('the indexing log line', async () => {
      const logFile = findFile(process.env.MBI_E2E_USER_DATA ?? '', (name) => name.endsWith('Model Bundles.log'));
      const text = logFile ? readFileSync(logFile, 'utf8') : '';
      return /indexed .* \((\d+) read in worker threads so far\)/.exec(text);
    });
    assert.ok(Number(line[1]) >= 5, line[0]);
  });

  it('lists the findings in the Problems panel with their codes', async () => {
    await page.keyboard.press('Control+Shift+M');
    const rows = await waitFor('problems', async () => {
      const p = await problems(page);
      return p.filter((x) => x.includes('missing-scaler')).length >= 2 ? p : null;
    });
    assert.ok(
      rows.some((r) => r.includes('unsaved-scaler')),
      rows.join('\n'),
    );
    await screenshot(page, 'problems');
  });

  it('reports missing-scaler within seconds when a scaler is deleted, and clears it when restored', async () => {
    const scaler = join(folder, 'wind-turbine', 'scaler.joblib');
    const saved = join(tmpdir(), `mbi-e2e-scaler-${process.pid}.joblib`); // outside the workspace: it would count as a scaler
    copyFileSync(scaler, saved);
    const start = Date.now();
    rmSync(scaler);
    await waitFor('missing-scaler for wind-turbine', async () => (await problems(page)).filter((x) => x.includes('missing-scaler')).length >= 3, 10_000);
    const appeared = Date.now() - start;
    copyFileSync(saved, scaler);
    rmSync(saved);
    await waitFor('missing-scaler cleared', async () => (await problems(page)).filter((x) => x.includes('missing-scaler')).length === 2, 10_000);
    console.log(`# missing-scaler appeared after ${appeared} ms`);
    assert.ok(appeared < 2000 + 1000, `appeared after ${appeared} ms`);
  });

  it('folds a checkpoint series into its bundle (a Checkpoints node), and makes no bundle of a PyTorch model alone', async () => {
    const status = page.locator('[id="model-bundle-inspector.model-bundle-inspector.modelBundles.status"]');
    const checkpoints = join(folder, 'wind-turbine', 'checkpoints');
    const torch = join(folder, 'torch-export');
    mkdirSync(checkpoints);
    for (const e of ['01-0.40', '02-0.38']) copyFileSync(join(folder, 'wind-turbine', 'model.h5'), join(checkpoints, `weights.${e}.hdf5`));
    mkdirSync(torch);
    copyFileSync('test/fixtures/reference/foreign/models/model.pt', join(torch, 'model.pt'));
    try {
      const rows = page.locator('[id="workbench.view.explorer"] .monaco-list-row');
      // expand the wind-turbine bundle (its row text starts with its name; not wind-turbine-no-scaler)
      const bundleRow = await waitFor('the wind-turbine bundle row', async () => {
        const texts = await rows.evaluateAll((els) => els.map((r) => r.textContent ?? ''));
        const i = texts.findIndex((t) => /^wind-turbine(?!-)/.test(t.trim()));
        return i >= 0 ? rows.nth(i) : null;
      });
      // the twistie expands (a click on the row itself runs the item's command: the bundle view)
      if ((await bundleRow.getAttribute('aria-expanded')) !== 'true') await bundleRow.locator('.monaco-tl-twistie').click();
      const text = await waitFor(
        'a Checkpoints node with 2 earlier checkpoints',
        async () => {
          const texts = await rows.evaluateAll((els) => els.map((r) => r.textContent ?? ''));
          return texts.find((t) => /Checkpoints\s*2 earlier/.test(t)) ?? null;
        },
        15_000,
      );
      await screenshot(page, 'tree-checkpoints');
      assert.match(text, /2 earlier/);
      // The bundle view lists them after the bundle's own files, latest first.
      await bundleRow.click();
      const frame = await bundleFrame(page);
      const files = await waitFor(
        'checkpoint rows in the overview',
        async () => {
          const t = (await frame.locator('table.files').textContent()) ?? '';
          return /checkpoints\/weights\.02-0\.38\.hdf5\s*checkpoint/.test(t) ? t : null;
        },
        15_000,
      );
      assert.ok(files.indexOf('weights.02-0.38') < files.indexOf('weights.01-0.40'), files);
      await page.keyboard.press('Control+W');
      // The checkpoints joined wind-turbine and model.pt alone made no bundle: still three.
      await new Promise((r) => setTimeout(r, 1500));
      assert.match((await status.textContent()) ?? '', /3 bundles · 2 problems/);
    } finally {
      rmSync(checkpoints, { recursive: true, force: true });
      rmSync(torch, { recursive: true, force: true });
    }
  });

  it('quick-fixes a training script that forgets to save its scaler', async () => {
    await openFile(page, 'train_wind_turbine.py');
    await page.waitForSelector('.monaco-editor .view-lines');
    await runCommand(page, 'Go to Line/Column');
    await page.keyboard.type('13');
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.waitForTimeout(500);
    await page.keyboard.press('Control+.');
    await page
      .locator('.action-widget', { hasText: /joblib\.dump/ })
      .first()
      .waitFor({ timeout: 15_000 });
    await screenshot(page, 'quick-fix');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+S');
    const text = await waitFor('the saved script', async () => {
      const t = readFileSync(join(folder, 'train_wind_turbine.py'), 'utf8');
      return t.includes('joblib.dump(scaler') ? t : null;
    });
    assert.match(text, /^import joblib$/m);
    assert.match(text, /model\.save\("model\.h5"\)\njoblib\.dump\(scaler, "scaler\.joblib"\)/);
    await page.keyboard.press('Control+W');
  });

  it('opens the bundle view: architecture totals, curves, and a prediction equal to the CLI', async () => {
    await runCommand(page, 'Model Bundles: Open Bundle View');
    const item = page.locator('.quick-input-list .monaco-list-row[aria-label*="wind-turbine, complete"]').first();
    await item.waitFor({ timeout: 15_000 });
    await item.click();
    const frame = await bundleFrame(page);
    await frame.click('#tab-architecture');
    const arch = frame.locator('#panel-architecture');
    await waitFor('the architecture table', async () => /225/.test((await arch.textContent()) ?? ''));
    assert.match((await arch.textContent()) ?? '', /Total params\D*225/);
    await screenshot(page, 'view-architecture-light');
    await frame.click('#tab-curves');
    await frame.locator('#panel-curves canvas').first().waitFor({ timeout: 15_000 });
    assert.ok((await frame.locator('#panel-curves canvas').count()) >= 1);
    assert.match((await frame.locator('#panel-curves').textContent()) ?? '', /val_loss/);
    await screenshot(page, 'view-curves-light');
    await frame.click('#tab-preprocessing');
    assert.match((await frame.locator('#panel-preprocessing').textContent()) ?? '', /wind_speed/);
    await screenshot(page, 'view-preprocessing-light');
    await frame.click('#tab-predictions');
    const inputs = frame.locator('#panel-predictions input[type=number]');
    await inputs.first().waitFor({ timeout: 15_000 });
    assert.equal(await inputs.count(), 4);
    for (let j = 0; j < 4; j++) await inputs.nth(j).fill(String(reference.inputs[0][j]));
    await frame.click('#predict-one');
    const cell = frame.locator('.prediction-results td.num').first();
    await cell.waitFor({ timeout: 30_000 });
    const value = Number(await cell.textContent());
    assert.ok(Math.abs(value - reference.outputs[0][0]) < 1e-3 * Math.abs(reference.outputs[0][0]), `${value} vs ${reference.outputs[0][0]}`);
    await screenshot(page, 'view-predictions-light');
  });

  it('renders the view in a dark theme', async () => {
    const theme = async (name: string): Promise<void> => {
      await runCommand(page, 'Preferences: Color Theme');
      await page.keyboard.type(name);
      const row = page.locator(`.quick-input-list .monaco-list-row[aria-label^="${name}"]`).first();
      await row.waitFor({ timeout: 15_000 });
      await row.click();
    };
    await theme('Dark Modern');
    await waitFor('the dark theme', async () => (await page.locator('.monaco-workbench.vs-dark').count()) > 0, 15_000);
    const frame = await bundleFrame(page);
    for (const tab of ['overview', 'architecture', 'preprocessing', 'curves', 'predictions']) {
      await frame.click(`#tab-${tab}`);
      await page.waitForTimeout(400);
      await screenshot(page, `view-${tab}-dark`);
    }
    await page.locator('.part.sidebar .composite.title').first().click();
    await theme('Light Modern');
    await waitFor('the light theme', async () => (await page.locator('.monaco-workbench.vs-dark').count()) === 0, 15_000);
  });

  it('opens a .h5 file in the bundle view (custom editor)', async () => {
    await page.keyboard.press('Control+K');
    await page.keyboard.press('W');
    await openFile(page, 'wind-turbine/model.h5');
    const frame = await bundleFrame(page);
    await waitFor('the focused file', async () => /model\.h5/.test((await frame.locator('#root').textContent()) ?? ''));
    await screenshot(page, 'custom-editor-h5');
  });
});
