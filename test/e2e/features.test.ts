// Features seen in real VS Code: predictions that refuse without the bundle's preprocessing, ONNX and
// PyTorch bundles in the tree and the Architecture tab, the Recover scaler tab, the input contract.
// The bundles are copied from test/fixtures into the demo workspace copy here; every value the UI
// shows is checked against the CLI's JSON output (dist/cli.js, built with the VSIX) or the Python
// reference files beside the fixtures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
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
    await page?.locator('.part.sidebar .composite.title').first().click().catch(() => undefined);
    await page?.keyboard.press('Escape');
    await runCommand(page, 'View: Close All Editors').catch(() => undefined);
  });
  let step = 0;
  afterEach(async () => {
    if (page) await screenshot(page, `features-${++step}`).catch(() => undefined);
  });

  it('shows the new bundles in the Bundles tree', async () => {
    await page.locator('.pane-header', { hasText: /^mbi-demo/i }).first().click();
    const header = page.locator('.pane-header', { hasText: 'Model Bundles' }).first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const expected = (cli(['check', '.', '--json']).json as { bundles: { root: string }[] }).bundles.map((b) => b.root);
    for (const d of added) assert.ok(expected.includes(d), `the CLI finds ${d}: ${expected.join(', ')}`);
    const labels = await waitFor('the new bundle rows', async () => {
      const l = await page.locator('[id="workbench.view.explorer"] .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
      return added.every((d) => l.some((x) => x.startsWith(d))) ? l : null;
    }, 60_000);
    for (const d of added) assert.ok(labels.some((l) => l.startsWith(d)), `${d} in ${labels.join(' | ')}`);
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
    const file = (cli(['inspect', 'onnx-bundle/model.onnx', '--json']).json as { files: { model: { totalParams: number; opTypes: Record<string, number>; layers: { name: string }[] } }[] }).files[0].model;
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
    const w = (cli(['inspect', 'torch-bundle/model.pt', '--json']).json as { files: { weights: { totalParams: number; layers: { name: string }[] } }[] }).files[0].weights;
    const frame = await openBundle(page, 'torch-bundle');
    await frame.click('#tab-architecture');
    const arch = frame.locator('#panel-architecture');
    const tree = arch.locator('table.module-tree');
    await tree.waitFor({ timeout: 30_000 });
    const top = await tree.locator('tbody tr[aria-level="1"] td.name').evaluateAll((tds) => tds.map((td) => (td.textContent ?? '').replace(/[▸▾]/g, '').trim()));
    const expectedTop = [...new Set(w.layers.map((l) => l.name.split('.')[0]))];
    assert.deepEqual([...top].sort(), [...expectedTop].sort());
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
    // Save… asks for a confirmation before writing; not driven here (the CLI tests cover the files).
  });
});
