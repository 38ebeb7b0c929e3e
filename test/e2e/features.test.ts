// Features seen in real VS Code: predictions that refuse without the bundle's preprocessing, ONNX and
// PyTorch bundles in the tree and the Architecture tab, the Recover scaler tab, the input contract.
// The bundles are copied from test/fixtures into the demo workspace copy here; every value the UI
// shows is checked against the CLI's JSON output (dist/cli.js, built with the VSIX) or the Python
// reference files beside the fixtures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { openWorkbench, runCommand, screenshot, waitFor } from './harness';

const folder = process.env.MBI_E2E_FOLDER ?? '';
const added = ['unsafe-scaler', 'onnx-bundle', 'torch-bundle', 'recover-bundle'];

/** Runs the CLI in the workspace copy; returns its exit code, parsed stdout (if JSON) and stderr. */
function cli(args: string[], input?: string): { status: number | null; json: unknown; stderr: string } {
  const r = spawnSync(process.execPath, [join(process.cwd(), 'dist/cli.js'), ...args], { cwd: folder, encoding: 'utf8', input });
  let json: unknown = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    // not JSON (a refusal prints to stderr)
  }
  return { status: r.status, json, stderr: r.stderr };
}

/** The frame of the bundle view showing `name` (VS Code nests the webview content in two iframes). */
async function bundleFrame(page: Page, name: string): Promise<Frame> {
  return waitFor(`the bundle view of ${name}`, async () => {
    for (const f of page.frames()) {
      if (!(await f.$('#root .tabs'))) continue;
      if (((await f.locator('#root').textContent()) ?? '').includes(name)) return f;
    }
    return null;
  });
}

async function openBundle(page: Page, name: string): Promise<Frame> {
  await runCommand(page, 'Model Bundles: Open Bundle View');
  const item = page.locator(`.quick-input-list .monaco-list-row[aria-label*="${name}, "]`).first();
  await item.waitFor({ timeout: 30_000 });
  await item.click();
  return bundleFrame(page, name);
}

async function fillInputs(frame: Frame, values: number[]): Promise<void> {
  const inputs = frame.locator('#panel-predictions input[type=number]');
  await inputs.first().waitFor({ timeout: 15_000 });
  assert.equal(await inputs.count(), values.length);
  for (let j = 0; j < values.length; j++) await inputs.nth(j).fill(String(values[j]));
}

function close(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

describe('newer features in real VS Code (code-server)', () => {
  let browser: Browser;
  let page: Page;
  before(async () => {
    // a bundle whose scaler is a hostile pickle (the model and log of the demo's wind-turbine)
    mkdirSync(join(folder, 'unsafe-scaler'));
    for (const f of ['model.h5', 'training_log.csv']) copyFileSync(join(folder, 'wind-turbine', f), join(folder, 'unsafe-scaler', f));
    copyFileSync('test/fixtures/hostile/picklescan/malicious1_v4.pkl', join(folder, 'unsafe-scaler', 'scaler.pkl'));
    cpSync('test/fixtures/onnx/bundle', join(folder, 'onnx-bundle'), { recursive: true });
    cpSync('test/fixtures/torch/bundle', join(folder, 'torch-bundle'), { recursive: true });
    cpSync('test/fixtures/recover/bundle', join(folder, 'recover-bundle'), { recursive: true });
    ({ browser, page } = await openWorkbench());
    await browser.contexts()[0]?.grantPermissions(['clipboard-read', 'clipboard-write']);
  });
  after(async () => {
    await browser?.close();
    for (const d of added) rmSync(join(folder, d), { recursive: true, force: true });
  });
  beforeEach(async () => {
    await page
      ?.locator('.part.sidebar .composite.title')
      .first()
      .click()
      .catch(() => undefined);
    await page?.keyboard.press('Escape');
    await runCommand(page, 'View: Close All Editors').catch(() => undefined);
  });
  let step = 0;
  afterEach(async () => {
    if (page) await screenshot(page, `features-${++step}`).catch(() => undefined);
  });

  it('shows the new bundles in the Bundles tree', async () => {
    await page
      .locator('.pane-header', { hasText: /^mbi-demo/i })
      .first()
      .click();
    const header = page.locator('.pane-header', { hasText: 'Model Bundles' }).first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const expected = (cli(['check', '.', '--json']).json as { bundles: { root: string }[] }).bundles.map((b) => b.root);
    for (const d of added) assert.ok(expected.includes(d), `the CLI finds ${d}: ${expected.join(', ')}`);
    const labels = await waitFor(
      'the new bundle rows',
      async () => {
        const l = await page
          .locator('[id="workbench.view.explorer"] .monaco-list-row')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
        return added.every((d) => l.some((x) => x.startsWith(d))) ? l : null;
      },
      60_000,
    );
    for (const d of added)
      assert.ok(
        labels.some((l) => l.startsWith(d)),
        `${d} in ${labels.join(' | ')}`,
      );
    await screenshot(page, 'features-tree');
  });

  it('refuses predictions when the scaler cannot be read, and runs them marked without preprocessing', async () => {
    const values = [5.5, 12, 0.3, 0.7];
    const refusal = cli(['predict', 'unsafe-scaler', '--input', '-', '--json'], JSON.stringify([values]));
    assert.equal(refusal.status, 2);
    assert.match(refusal.stderr, /scaler\.pkl.*builtins\.eval/);
    const frame = await openBundle(page, 'unsafe-scaler');
    await frame.click('#tab-predictions');
    const issue = frame.locator('#panel-predictions .prediction-issue');
    await issue.waitFor({ timeout: 30_000 });
    const text = (await issue.textContent()) ?? '';
    assert.match(text, /refuse to run without the bundle's preprocessing/);
    assert.match(text, /scaler\.pkl/);
    assert.match(text, /builtins\.eval/);
    await fillInputs(frame, values);
    // refused as long as the switch is off
    await frame.click('#predict-one');
    await frame.locator('#panel-predictions .prediction-outcome .error').waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('.prediction-results').count(), 0);
    await screenshot(page, 'features-predictions-refused');
    // the explicit switch runs the network on the values as typed, with the warning banner
    await frame.check('#skip-preprocessing');
    await frame.click('#predict-one');
    const cell = frame.locator('.prediction-results td.num').first();
    await cell.waitFor({ timeout: 30_000 });
    const banner = (await frame.locator('.prediction-results .prediction-banner.warning').textContent()) ?? '';
    assert.match(banner, /Warning: .*skipped|Warning: .*without preprocessing/);
    const raw = cli(['predict', 'unsafe-scaler', '--input', '-', '--no-scaler', '--json'], JSON.stringify([values]));
    assert.equal(raw.status, 0, raw.stderr);
    const expected = (raw.json as { outputs: number[][] }).outputs[0][0];
    close(Number(await cell.textContent()), expected, 'output without preprocessing');
    await screenshot(page, 'features-predictions-skipped');
  });

  it('shows an ONNX bundle: node table by op type, totals and a prediction equal to the CLI', async () => {
    const file = (
      cli(['inspect', 'onnx-bundle/model.onnx', '--json']).json as {
        files: { model: { totalParams: number; opTypes: Record<string, number>; layers: { name: string }[] } }[];
      }
    ).files[0].model;
    const frame = await openBundle(page, 'onnx-bundle');
    await frame.click('#tab-architecture');
    const arch = frame.locator('#panel-architecture');
    const rows = arch.locator('table.summary tbody tr[data-row]');
    await rows.first().waitFor({ timeout: 30_000 });
    const types = await rows.evaluateAll((trs) => trs.map((tr) => (tr.children[1]?.textContent ?? '').replace('preprocessing', '').trim()));
    const counts: Record<string, number> = {};
    for (const t of types) counts[t] = (counts[t] ?? 0) + 1;
    assert.deepEqual(counts, file.opTypes);
    assert.equal(types.length, file.layers.length);
    const total = (await arch.locator('dl.totals dd').first().textContent()) ?? '';
    assert.equal(Number(/^[\d,]+/.exec(total)?.[0].replace(/,/g, '')), file.totalParams);
    await screenshot(page, 'features-onnx-architecture');
    const csv = readFileSync('test/fixtures/onnx/bundle_input.csv', 'utf8').trim().split('\n');
    const row = csv[1].split(',').map(Number);
    await frame.click('#tab-predictions');
    await fillInputs(frame, row);
    await frame.click('#predict-one');
    const cell = frame.locator('.prediction-results td.num').first();
    await cell.waitFor({ timeout: 30_000 });
    const pred = cli(['predict', 'onnx-bundle', '--input', join(process.cwd(), 'test/fixtures/onnx/bundle_input.csv'), '--json']);
    assert.equal(pred.status, 0, pred.stderr);
    close(Number(await cell.textContent()), (pred.json as { outputs: number[][] }).outputs[0][0], 'ONNX prediction');
    await screenshot(page, 'features-onnx-prediction');
  });

  it('shows the module tree of a PyTorch state dict with the CLI parameter total', async () => {
    const w = (
      cli(['inspect', 'torch-bundle/model.pt', '--json']).json as {
        files: { weights: { totalParams: number; layers: { name: string; tensors: { shape: number[] }[] }[] } }[];
      }
    ).files[0].weights;
    const frame = await openBundle(page, 'torch-bundle');
    await frame.click('#tab-architecture');
    const arch = frame.locator('#panel-architecture');
    const tree = arch.locator('table.module-tree');
    await tree.waitFor({ timeout: 30_000 });
    const top = await tree
      .locator('tbody tr[aria-level="1"] td.name')
      .evaluateAll((tds) => tds.map((td) => (td.textContent ?? '').replace(/[▸▾]/g, '').trim()));
    const expectedTop = [...new Set(w.layers.map((l) => l.name.split('.')[0]))];
    assert.deepEqual([...top].sort(), [...expectedTop].sort());
    // each top-level module's parameter count is the sum of its tensors' sizes in the CLI's JSON
    const topParams = await tree
      .locator('tbody tr[aria-level="1"]')
      .evaluateAll((trs) =>
        trs.map(
          (tr) =>
            [
              (tr.querySelector('td.name')?.textContent ?? '').replace(/[▸▾]/g, '').trim(),
              Number((tr.querySelector('td.num')?.textContent ?? '').replace(/,/g, '')),
            ] as const,
        ),
      );
    for (const [name, params] of topParams) {
      const sum = w.layers
        .filter((l) => l.name === name || l.name.startsWith(`${name}.`))
        .reduce((a, l) => a + l.tensors.reduce((b, t) => b + t.shape.reduce((x, y) => x * y, 1), 0), 0);
      assert.equal(params, sum, `params of ${name}`);
    }
    const total = (await arch.locator('dl.totals dd').first().textContent()) ?? '';
    assert.equal(Number(/^[\d,]+/.exec(total)?.[0].replace(/,/g, '')), w.totalParams);
    await screenshot(page, 'features-torch-architecture');
  });

  it('recovers a lost scaler in the Recover tab: prefilled recipe, recovered parameters, proven', async () => {
    const ref = JSON.parse(readFileSync('test/fixtures/recover/bundle_expected.json', 'utf8')) as { scale_: number[]; data_min_: number[] };
    const out = cli(['recover-scaler', 'recover-bundle', '--json']);
    const r = out.json as { status: string; proof: { status: string }; recipe: { split: { randomState: number } } };
    assert.equal(r.proof.status, 'proven', out.stderr);
    await runCommand(page, 'Model Bundles: Recover Scaler from Training Data');
    const item = page.locator('.quick-input-list .monaco-list-row[aria-label*="recover-bundle"]').first();
    await item.waitFor({ timeout: 15_000 });
    await item.click();
    const frame = await bundleFrame(page, 'recover-bundle');
    assert.equal(await frame.getAttribute('#tab-recover', 'aria-selected'), 'true');
    const proof = frame.locator('#panel-recover [data-proof]');
    await proof.waitFor({ timeout: 60_000 });
    assert.equal(await proof.getAttribute('data-proof'), 'proven');
    assert.equal(await frame.inputValue('#recover-random_state'), String(r.recipe.split.randomState));
    const params = (await frame.locator('#panel-recover pre.recover-params').first().textContent()) ?? '';
    for (const key of ['scale_', 'data_min_'] as const) {
      const m = new RegExp(`^${key} = \\[([^\\]]*)\\]`, 'm').exec(params);
      assert.ok(m, `${key} in ${params}`);
      const got = m[1].split(',').map(Number);
      assert.equal(got.length, ref[key].length);
      got.forEach((v, i) => close(v, ref[key][i], `${key}[${i}]`));
    }
    await screenshot(page, 'features-recover-proven');
    // Save… asks for a confirmation (a modal dialog), then writes what the CLI writes with --yes
    const cliOut = mkdtempSync(join(tmpdir(), 'mbi-e2e-recover-'));
    const cliRun = cli(['recover-scaler', 'recover-bundle', '--out', cliOut, '--yes']); // before Save: the bundle still misses its scaler
    assert.equal(cliRun.status, 0, cliRun.stderr);
    const cliScaler = readFileSync(join(cliOut, 'scaler.pkl'));
    rmSync(cliOut, { recursive: true, force: true });
    await frame.locator('#panel-recover vscode-button', { hasText: 'Save' }).click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    assert.match((await dialog.textContent()) ?? '', /scaler\.pkl/);
    await screenshot(page, 'features-recover-confirm');
    await dialog.locator('.monaco-button', { hasText: /^Write$/ }).click();
    // scaler.pkl is written first, then scaler.recovery.json: once that exists the scaler is whole
    const written = await waitFor(
      'the written scaler and its recovery.json',
      async () => (existsSync(join(folder, 'recover-bundle', 'scaler.recovery.json')) ? readFileSync(join(folder, 'recover-bundle', 'scaler.pkl')) : null),
      15_000,
    );
    assert.ok(written.equals(cliScaler), "the saved scaler.pkl equals the CLI's");
    // the bundle now has its scaler: complete in the Bundles tree
    await waitFor(
      'recover-bundle complete in the tree',
      async () => {
        const texts = await page.locator('[id="workbench.view.explorer"] .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
        return texts.some((t) => /^recover-bundle\s*complete/.test(t.trim()));
      },
      15_000,
    );
    await screenshot(page, 'features-recover-saved');
  });

  it("shows the input contract in the overview; Copy puts the CLI's document on the clipboard", async () => {
    const contract = cli(['contract', 'onnx-bundle', '--json']).json as { row: { properties: Record<string, unknown> }; openapi: unknown };
    const frame = await openBundle(page, 'onnx-bundle');
    await frame.click('#tab-overview');
    const section = frame.locator('section.contract');
    await section.locator('ul.contract-features li').first().waitFor({ timeout: 30_000 });
    const features = await section.locator('ul.contract-features li').allTextContents();
    const names = Object.keys(contract.row.properties);
    assert.equal(features.length, names.length);
    names.forEach((n, i) => assert.ok(features[i].startsWith(n), `${features[i]} names ${n}`));
    await screenshot(page, 'features-contract');
    for (const id of ['openapi', 'row'] as const) {
      await section.locator(`vscode-button[data-document="${id}"]`).click();
      const text = await waitFor(
        `the ${id} document on the clipboard`,
        async () => {
          const t = String(await page.evaluate('navigator.clipboard.readText()'));
          return t.trim().startsWith('{') && (id !== 'row' || t.includes('input-row')) && (id !== 'openapi' || t.includes('openapi')) ? t : null;
        },
        15_000,
      );
      assert.deepEqual(JSON.parse(text), id === 'row' ? contract.row : contract.openapi);
    }
  });

  it('exports a bundle as ONNX through the save dialog, byte for byte what the CLI exports', async () => {
    const target = join(folder, 'wind-turbine.onnx');
    const cliOut = mkdtempSync(join(tmpdir(), 'mbi-e2e-export-'));
    try {
      await runCommand(page, 'Model Bundles: Export Bundle as ONNX');
      const item = page.locator('.quick-input-list .monaco-list-row', { hasText: /wind-turbine(?!-)/ }).first();
      await item.waitFor({ timeout: 15_000 });
      await item.click();
      const plain = page.locator('.quick-input-list .monaco-list-row', { hasText: 'One ONNX file' }).first();
      await plain.waitFor({ timeout: 15_000 });
      await plain.click();
      // code-server's save dialog is VS Code's simple file dialog: a path in the quick input
      const input = page.locator('.quick-input-widget input');
      await waitFor('the save dialog path', async () => ((await input.inputValue()).endsWith('.onnx') ? true : null), 15_000);
      await input.fill(target);
      await page.keyboard.press('Enter');
      const bytes = await waitFor('the exported file', async () => (existsSync(target) ? readFileSync(target) : null), 60_000);
      assert.equal(cli(['export', 'wind-turbine', '--format', 'onnx', '--out', cliOut]).status, 0);
      await waitFor('the whole file', async () => readFileSync(target).length === readFileSync(join(cliOut, 'wind-turbine.onnx')).length || null, 10_000).catch(
        () => undefined,
      );
      assert.ok(readFileSync(target).equals(readFileSync(join(cliOut, 'wind-turbine.onnx'))), `the exported file (${bytes.length} bytes) equals the CLI's`);
      await screenshot(page, 'features-export');
    } finally {
      rmSync(cliOut, { recursive: true, force: true });
      rmSync(target, { force: true });
    }
  });
});
