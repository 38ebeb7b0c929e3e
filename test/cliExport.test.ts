// `model-bundles export`: files written where asked (and only there), refusals with exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { runExport } from '../src/cli/export';

const tmp = mkdtempSync(join(tmpdir(), 'mbi-cli-export-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], cwd = process.cwd()) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', resolve('src/cli.ts'), ...args], { encoding: 'utf8', cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** runExport in this process (a spawned CLI costs ~4 s of module loading), output captured. */
async function run(args: string[], cwd?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const prev = process.cwd();
  try {
    if (cwd) process.chdir(cwd);
    const code = await runExport(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.chdir(prev);
  }
}

describe('model-bundles export', () => {
  it('writes a Triton repository entry under --out that onnxruntime runs, and touches nothing in the bundle', async () => {
    const bundle = join(tmp, 'wind');
    cpSync('examples/complete-bundle', bundle, { recursive: true });
    const before = readdirSync(bundle).sort();
    const out = join(tmp, 'repo');
    const r = cli(['export', bundle, '--format', 'onnx', '--out', out, '--layout', 'triton', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.files, [join(out, 'wind/1/model.onnx'), join(out, 'wind/config.pbtxt')]);
    assert.deepEqual(
      doc.preprocessing.map((s: { class: string }) => s.class),
      ['MinMaxScaler'],
    );
    assert.match(readFileSync(join(out, 'wind/config.pbtxt'), 'utf8'), /^name: "wind"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 64\n/);
    const session = await ort.InferenceSession.create(join(out, 'wind/1/model.onnx'));
    assert.deepEqual(session.inputNames, ['dense_input']);
    assert.deepEqual(readdirSync(bundle).sort(), before);
  });

  it('refuses to overwrite without --force, and to write into the bundle without --out', async () => {
    const out = join(tmp, 'plain');
    assert.equal((await run(['examples/complete-bundle', '--out', out, '--name', 'w'])).code, 0);
    assert.ok(existsSync(join(out, 'w.onnx')));
    const again = await run(['examples/complete-bundle', '--out', out, '--name', 'w']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exist.*--force/);
    assert.equal((await run(['examples/complete-bundle', '--out', out, '--name', 'w', '--force'])).code, 0);
    const inside = await run(['.'], resolve('examples/complete-bundle'));
    assert.equal(inside.code, 2);
    assert.match(inside.stderr, /inside the bundle.*--out/);
    assert.deepEqual(readdirSync('examples/complete-bundle').sort(), ['model.h5', 'scaler.joblib', 'training_log.csv', 'y_scaler.joblib']);
  });

  it('exits 1 naming the problem when the preprocessing is missing; --no-scaler exports and says so', async () => {
    const out = join(tmp, 'bare');
    const r = await run(['examples/missing-scaler', '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no input scaler.*--no-scaler/);
    assert.equal(existsSync(out), false);
    const ok = await run(['examples/missing-scaler', '--out', out, '--no-scaler']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /preprocessing: none \(--no-scaler\)/);
    assert.ok(existsSync(join(out, 'missing-scaler.onnx')));
  });

  it('--format tfjs writes NAME/model.json and its shard', async () => {
    const out = join(tmp, 'web');
    const r = await run(['examples/complete-bundle', '--format', 'tfjs', '--out', out, '--name', 'wind']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /folded into the first Dense layer/);
    assert.deepEqual(readdirSync(join(out, 'wind')).sort(), ['group1-shard1of1.bin', 'model.json']);
    assert.equal(JSON.parse(readFileSync(join(out, 'wind/model.json'), 'utf8')).format, 'layers-model');
  });

  it('exits 2 on a bad command line', async () => {
    assert.equal((await run([])).code, 2);
    assert.match((await run(['examples/complete-bundle', '--format', 'pt'])).stderr, /unknown format "pt"/);
    assert.match((await run(['examples/complete-bundle', '--format', 'tfjs', '--layout', 'triton'])).stderr, /--layout triton takes --format onnx/);
    assert.equal((await run(['examples/complete-bundle', '--layout', 'kserve'])).code, 2);
    assert.match(cli(['--help']).stdout, /model-bundles export <bundle> --format onnx\|tfjs/);
  });
});
