// ONNX models in bundles (test/fixtures/onnx, made by make_onnx.py): a folder with model.onnx +
// scaler + log is a bundle with the usual findings, the scaler is checked against the ONNX input
// width, an in-graph skl2onnx Scaler is reported; the CLI's inspect --json and predict --json on it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildReport } from '../../src/core/report/report';
import { BundleIndex } from '../../src/core/bundles/bundleIndex';
import type { Bundle, InspectReport } from '../../src/core/types';

const DIR = 'test/fixtures/onnx';
const E = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'mbi-onnx-bundle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const codes = (b: Bundle) => b.findings.map((f) => `${f.severity}:${f.code}:${f.path?.slice(b.root.length + 1)}`).sort();

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ONNX bundles', () => {
  it('model.onnx + scaler + y_scaler + log: a complete bundle, the target scaler found, nothing else', async () => {
    const r = await buildReport([join(DIR, 'bundle')], new NodeFileSource());
    assert.equal(r.bundles.length, 1);
    const b = r.bundles[0];
    assert.deepEqual(b.files.model, [join(DIR, 'bundle/model.onnx')]);
    assert.equal(b.complete, true);
    assert.deepEqual(codes(b), ['info:target-scaler:y_scaler.joblib']);
  });

  it('a scaler fitted on 5 features beside a 4-input ONNX model: scaler-input-mismatch', async () => {
    const b = (await buildReport([join(DIR, 'bundle_mismatch')], new NodeFileSource())).bundles[0];
    assert.deepEqual(codes(b), ['error:scaler-input-mismatch:scaler.joblib']);
    assert.match(b.findings[0].message, /scaler\.joblib was fitted on 5 features but the model takes 4/);
  });

  it('a graph beginning with an ai.onnx.ml Scaler: onnx-preprocessing, and no missing-scaler when alone', async () => {
    const b = (await buildReport([join(DIR, 'bundle_pipeline')], new NodeFileSource())).bundles[0];
    assert.deepEqual(codes(b), ['info:onnx-preprocessing:model.onnx']);
    assert.match(b.findings[0].message, /model\.onnx begins with its own preprocessing \(Scaler, .*scaler\.joblib beside it is not applied again/);
    const alone = mkdtempSync(join(tmp, 'alone-'));
    copyFileSync(join(DIR, 'models/pipeline.onnx'), join(alone, 'model.onnx'));
    const a = (await buildReport([alone], new NodeFileSource())).bundles[0];
    assert.deepEqual(codes(a), ['info:missing-log:model.onnx']);
    // without preprocessing in the graph, a tabular ONNX model alone misses its scaler
    const plain = mkdtempSync(join(tmp, 'plain-'));
    copyFileSync(join(DIR, 'models/mlp.onnx'), join(plain, 'model.onnx'));
    assert.deepEqual(codes((await buildReport([plain], new NodeFileSource())).bundles[0]), ['error:missing-scaler:model.onnx', 'info:missing-log:model.onnx']);
  });

  it('the quick phase (first bytes only) already groups the ONNX bundle as the deep phase does', async () => {
    const ws = mkdtempSync(join(tmp, 'ws-'));
    cpSync(join(DIR, 'bundle'), join(ws, 'exp'), { recursive: true });
    const index = new BundleIndex(new NodeFileSource());
    const quick = await index.quickScan([ws]);
    assert.deepEqual(
      quick.bundles.map((b) => [b.root, b.files.model]),
      [[join(ws, 'exp'), [join(ws, 'exp', 'model.onnx')]]],
    );
    const done = await index.complete();
    assert.deepEqual(
      done.bundles.map((b) => [b.root, b.files.model, codes(b)]),
      [[join(ws, 'exp'), [join(ws, 'exp', 'model.onnx')], ['info:target-scaler:y_scaler.joblib']]],
    );
  });

  it('external data refused: unreadable-file names the model and the data file', async () => {
    const r = await buildReport([join(DIR, 'hostile/escape.onnx')], new NodeFileSource());
    const f = r.bundles[0].findings.find((x) => x.code === 'unreadable-file')!;
    assert.match(f.message, /escape\.onnx: tensor 'W0' climbs out of the model's folder with '\.\.' for its external data \('\.\.\/secret\.bin'\)/);
  });
});

describe('Predictions form schema for ONNX bundles', () => {
  it('offers the form with the ONNX input width, the scalers chosen; none applied for an in-graph Scaler', async () => {
    const { buildPredictionSchema } = await import('../../src/core/predict/predictSchema');
    const plain = buildPredictionSchema((await buildReport([join(DIR, 'bundle')], new NodeFileSource())).files);
    assert.deepEqual(
      [plain.available, plain.model, plain.features.length, plain.outputs, plain.scaler, plain.targetScaler],
      [true, join(DIR, 'bundle/model.onnx'), 4, 1, join(DIR, 'bundle/scaler.joblib'), join(DIR, 'bundle/y_scaler.joblib')],
    );
    const pipe = buildPredictionSchema((await buildReport([join(DIR, 'bundle_pipeline')], new NodeFileSource())).files);
    assert.deepEqual([pipe.available, pipe.features.length, pipe.scaler], [true, 4, null]);
  });
});

describe('CLI on an ONNX bundle folder', () => {
  it('inspect --json: the ONNX fields of the contract', () => {
    const r = cli('inspect', join(DIR, 'bundle'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as InspectReport;
    const f = doc.files.find((x) => x.path.endsWith('model.onnx'))!;
    assert.deepEqual([f.role, f.format, f.error, f.model?.framework, f.model?.opsetVersion], ['model', 'onnx', null, 'onnx', 13]);
    assert.deepEqual(f.model?.opTypes, { Gemm: 2, Relu: 1 });
    assert.equal(f.model?.totalParams, 4 * 6 + 6 + 6 + 1);
    assert.deepEqual(f.model?.inputShapes, [[null, 4]]);
    assert.deepEqual(
      doc.bundles[0].findings.map((x) => x.code),
      ['target-scaler'],
    );
  });

  it('predict --json: scaler, ONNX Runtime, target scaler; equal to scikit-learn + numpy', () => {
    const r = cli('predict', join(DIR, 'bundle'), '--input', join(DIR, 'bundle_input.csv'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual([doc.rows, doc.scaledInput, doc.unscaledOutput, doc.backend], [3, true, true, 'onnxruntime-node']);
    (doc.outputs as number[][]).forEach((row, i) =>
      assert.ok(Math.abs(row[0] - E.bundle.output[i][0]) <= 1e-5 * Math.abs(E.bundle.output[i][0]), `${row[0]} vs ${E.bundle.output[i][0]}`),
    );
  });

  it('predict (text) on the pipeline bundle prints the note about the scaler not applied twice', () => {
    const rows = join(tmp, 'rows.json');
    writeFileSync(rows, JSON.stringify(E.bundle_pipeline.rawInput));
    const r = cli('predict', join(DIR, 'bundle_pipeline'), '--input', rows);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /input scaler: none/);
    assert.match(r.stdout, /note: model\.onnx begins with its own preprocessing \(Scaler\): scaler\.joblib was not applied again/);
  });
});

describe('ONNX export vs the weights beside it', () => {
  it('flags tensors of the same name with different shapes, and nothing when they agree', async () => {
    const { validateBundle } = await import('../../src/core/bundles/findings');
    const { inspectFile } = await import('../../src/core/formats/inspect');
    const onnx = await inspectFile(join(DIR, 'torch/torch_mlp.onnx'), new NodeFileSource());
    // a state dict as the PyTorch reader groups it: layer = key up to its last dot
    const stateDict = (fc1: number[]) => ({
      path: 'b/model.pt',
      role: 'weights' as const,
      format: 'unknown' as const,
      error: null,
      weights: {
        layers: [
          {
            name: 'fc1',
            tensors: [
              { name: 'weight', shape: fc1, dtype: 'float32' },
              { name: 'bias', shape: [12], dtype: 'float32' },
            ],
          },
          {
            name: 'fc2',
            tensors: [
              { name: 'weight', shape: [3, 12], dtype: 'float32' },
              { name: 'bias', shape: [3], dtype: 'float32' },
            ],
          },
        ],
        totalParams: 0,
        bytes: 0,
      },
    });
    const model = { ...onnx, path: 'b/model.onnx' };
    const same = validateBundle([model, stateDict([12, 6])], 'b').filter((f) => f.code === 'onnx-weights-mismatch');
    assert.deepEqual(same, []);
    const other = validateBundle([model, stateDict([12, 8])], 'b').filter((f) => f.code === 'onnx-weights-mismatch');
    assert.equal(other.length, 1);
    assert.equal(other[0].path, 'b/model.pt');
    assert.match(
      other[0].message,
      /^model\.onnx and model\.pt are not the same network: fc1\.weight is \[12, 8\] in model\.pt but \[12, 6\] in model\.onnx \(4 tensor\(s\) by the same name\)/,
    );
  });
});
