// CI for real: the GitHub Action of this repository (action.yml + action/main.js), the README's
// example of it, and the npm package of the CLI (`npm pack`: dist/cli.js and its wasm files, no
// extension, runnable without node_modules). The npm checks need the build (npm run build).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = resolve(__dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'mbi-pack-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const built = existsSync(join(ROOT, 'dist', 'cli.js'));
const needsBuild = built ? false : 'dist/cli.js is not built (npm run build)';

/** The inputs action.yml declares (a YAML subset: `inputs:` then two-space keys). */
function actionInputs(): string[] {
  const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
  const block = /^inputs:\n((?: {2}.*\n|\n)*)/m.exec(text);
  assert.ok(block, 'action.yml has inputs');
  return [...block[1].matchAll(/^ {2}([a-z][a-z0-9_-]*):/gm)].map((m) => m[1]);
}

/** Runs action/main.js with inputs: on the built CLI when there is one (fast), else on src/cli.ts through tsx. */
function action(env: Record<string, string>) {
  const r = spawnSync(process.execPath, built ? ['action/main.js'] : ['--import', 'tsx', 'action/main.js'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, MODEL_BUNDLES_CLI: built ? 'dist/cli.js' : 'src/cli.ts', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the GitHub Action', () => {
  it('is a node20 action whose entry exists, with the inputs paths, strict and format', () => {
    const text = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    assert.match(text, /^runs:\n {2}using: node20\n {2}main: action\/main\.js$/m);
    assert.ok(existsSync(join(ROOT, 'action', 'main.js')));
    for (const i of ['paths', 'strict', 'format']) assert.ok(actionInputs().includes(i), i);
  });

  it('runs check with the inputs and exits with its code (1 on the missing-scaler example)', () => {
    const bad = action({ INPUT_PATHS: 'examples/missing-scaler', INPUT_FORMAT: 'github' });
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stdout, /^::error file=examples\/missing-scaler\/model\.json,title=model-bundles%3A missing-scaler::/m);
    const good = action({ INPUT_PATHS: 'examples/complete-bundle', INPUT_STRICT: 'true' });
    assert.equal(good.code, 0, good.stdout + good.stderr);
    const out = join(tmp, 'out.sarif');
    const sarif = action({ INPUT_PATHS: 'examples/complete-bundle\nexamples/missing-scaler', INPUT_FORMAT: 'sarif', INPUT_OUTPUT: out });
    assert.equal(sarif.code, 1);
    const log = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs[0].results.filter((r: { ruleId: string }) => r.ruleId === 'missing-scaler').length, 1);
  });

  it('fails with a clear annotation when the CLI bundle is missing', () => {
    const r = spawnSync(process.execPath, ['action/main.js'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, MODEL_BUNDLES_CLI: 'dist/no-such-cli.js' },
    });
    assert.equal(r.status, 2);
    assert.match(r.stdout, /^::error title=model-bundles::dist\/no-such-cli\.js is missing/);
  });

  it("the README's example uses this action with its inputs only", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const uses = [...readme.matchAll(/- uses: model-bundle-inspector\/model-bundle-inspector@\S+\n {2}with:(.*(?:\n {4}.*)*)/g)];
    assert.ok(uses.length >= 1);
    const inputs = actionInputs();
    for (const u of uses) {
      const keys = [...u[1].matchAll(/(?:^|[{,\n])\s*([a-z][a-z0-9_-]*):/g)].map((m) => m[1]);
      assert.ok(keys.length > 0, u[0]);
      for (const k of keys) assert.ok(inputs.includes(k), `README uses input "${k}" that action.yml lacks`);
    }
  });
});

describe('the npm package of the CLI', () => {
  it('npm pack ships the bin entry and its runtime files, not the extension or the sources', { skip: needsBuild }, () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [pack] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
    const files = pack.files.map((f) => f.path);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.bin['model-bundles'], 'dist/cli.js');
    for (const f of [
      'package.json',
      'dist/cli.js',
      'dist/tfjs-backend-wasm.wasm',
      'dist/tfjs-backend-wasm-simd.wasm',
      'dist/tfjs-backend-wasm-threaded-simd.wasm',
      'LICENSE',
      'README.md',
    ])
      assert.ok(files.includes(f), f);
    assert.deepEqual(
      files.filter((f) => /^(src|test|webview|node_modules|scripts)\//.test(f) || f === 'dist/extension.js' || f.endsWith('.map')),
      [],
    );
    assert.ok(readFileSync(join(ROOT, 'dist', 'cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n'));
  });

  it('the packed CLI runs from the tarball without any node_modules', { skip: needsBuild }, () => {
    const r = spawnSync('npm', ['pack', '--pack-destination', tmp, '--json'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [{ filename }] = JSON.parse(r.stdout) as { filename: string }[];
    const x = spawnSync('tar', ['xzf', join(tmp, filename), '-C', tmp]);
    assert.equal(x.status, 0);
    const cli = join(tmp, 'package', 'dist', 'cli.js');
    const v = spawnSync(process.execPath, [cli, '--version'], { cwd: tmp, encoding: 'utf8' });
    assert.equal(v.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const c = spawnSync(process.execPath, [cli, 'check', join(ROOT, 'examples', 'missing-scaler'), '--format', 'github'], { cwd: tmp, encoding: 'utf8' });
    assert.equal(c.status, 1, c.stderr);
    assert.match(c.stdout, /::error file=.*model\.json,title=model-bundles%3A missing-scaler::/);
  });
});
