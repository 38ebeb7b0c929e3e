import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const tmp = mkdtempSync(join(tmpdir(), 'mbi-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else out.push(`${p} ${s.size} ${s.mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

describe('model-bundles CLI', () => {
  it('prints usage and exits 2 without a command, 0 with --help', () => {
    assert.equal(cli().code, 2);
    const h = cli('--help');
    assert.equal(h.code, 0);
    assert.match(h.stdout, /model-bundles inspect <path\.\.\.>/);
  });

  it('exits 2 with a one-line error for an unknown command or a missing path', () => {
    const a = cli('frobnicate');
    assert.equal(a.code, 2);
    assert.match(a.stderr, /^model-bundles: unknown command "frobnicate"/);
    const b = cli('inspect', join(tmp, 'does-not-exist'));
    assert.equal(b.code, 2);
    assert.match(b.stderr, /does-not-exist: no such file or folder/);
  });

  it('inspect --json follows the contract and writes nothing into the inspected folder', () => {
    const dir = join(tmp, 'bundle');
    cpSync('examples/complete-bundle', dir, { recursive: true });
    const before = listing(dir);
    const r = cli('inspect', dir, '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.tool, { name: 'model-bundles', version: '0.1.0' });
    assert.equal(doc.files.length, 4);
    for (const f of doc.files) {
      assert.ok(f.path.startsWith(dir), 'paths are the given path joined with the path inside it');
      for (const key of ['path', 'role', 'format', 'error']) assert.ok(key in f, `file has ${key}`);
    }
    assert.ok(Array.isArray(doc.bundles));
    assert.deepEqual(listing(dir), before);
  });

  it('predict --json prints the contract fields and predict errors exit 1 with one line', () => {
    const r = cli('predict', 'examples/complete-bundle', '--input', 'examples/inputs.csv', '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const ref = JSON.parse(readFileSync('examples/reference/complete-bundle.json', 'utf8')) as { outputs: number[][] };
    assert.equal(doc.rows, 5);
    assert.equal(doc.scaledInput, true);
    assert.equal(doc.unscaledOutput, true);
    assert.equal(doc.backend, 'onnxruntime-node'); // dense Keras network on onnxruntime-node (docs/onnx.md)
    assert.deepEqual(doc.warnings, []);
    doc.outputs.forEach((row: number[], i: number) => assert.ok(Math.abs(row[0] - ref.outputs[i][0]) < 1e-5 * Math.abs(ref.outputs[i][0])));
    const bad = cli('predict', 'examples/complete-bundle', '--input', 'examples/make_examples.py');
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.match(bad.stderr, /^model-bundles: examples\/make_examples\.py: /);
    assert.equal(cli('predict', 'examples/complete-bundle').code, 2);
  });

  it('check verifies the SHA-256 a manifest records and fails on a changed file', () => {
    const dir = join(tmp, 'hashed');
    cpSync('examples/complete-bundle', dir, { recursive: true });
    const sha = createHash('sha256')
      .update(readFileSync(join(dir, 'model.h5')))
      .digest('hex');
    const manifest = (hash: string) =>
      JSON.stringify({
        files: [
          { path: 'model.h5', role: 'model', sha256: hash },
          { path: 'scaler.joblib', role: 'scaler' },
          { path: 'training_log.csv', role: 'log' },
        ],
      });
    writeFileSync(join(dir, 'model-bundle.json'), manifest(sha));
    assert.equal(cli('check', dir).code, 0);
    writeFileSync(join(dir, 'model-bundle.json'), manifest('0'.repeat(64)));
    const bad = cli('check', dir, '--json');
    assert.equal(bad.code, 1);
    const doc = JSON.parse(bad.stdout);
    assert.deepEqual(
      doc.bundles[0].findings.map((f: { code: string }) => f.code),
      ['manifest-hash-mismatch'],
    );
  });
});
