// The ONNX export run by onnxruntime: equal to the numpy reference forward passes (written without
// Keras, test/fixtures/reference/predict) and to the tool's own pipeline (TensorFlow.js network with
// the TypeScript scaler transforms) to 1e-5.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { exportOnnx } from '../../src/core/export/exportOnnx';
import { assertClose, runOnnx } from './exportHelpers';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { initBackend, loadNetwork } from '../../src/core/predict/network';
import { modelValues, pickModel, reportsFor } from '../../src/core/predict/modelSource';
import { predict } from '../../src/core/predict/predict';
import { inspectPaths } from '../../src/core/formats/inspect';
import { transform } from '../../src/core/predict/scalerTransform';

const source = new NodeFileSource();
const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
const REAL = 'test/fixtures/real/';
const reference = JSON.parse(readFileSync('test/fixtures/reference/predict/predict_reference.json', 'utf8')) as {
  cases: { name: string; files: string[]; inputShape: number[]; inputs: number[][]; outputs: number[][] }[];
};

/** Inspection results by target (inspecting the Ollie-Gullery .keras file alone takes ~4 s). */
const inspected = new Map<string, ReturnType<typeof reportsFor>>();

/** The tool's own network (TensorFlow.js) on rows. */
async function toolNetwork(target: string, rows: number[][]): Promise<number[][]> {
  await initBackend('auto', wasmDir);
  if (!inspected.has(target)) inspected.set(target, reportsFor(target, source));
  const { reports, chosen } = await inspected.get(target)!;
  const v = await modelValues(pickModel(reports, chosen, target), reports, source);
  const net = await loadNetwork(v.config, v.layers);
  try {
    return net.predict(rows.map((r) => Float32Array.from(r)));
  } finally {
    net.dispose();
  }
}

describe('export onnx: every real Keras / tfjs model fixture equals numpy and the tool (dense, CNN, LSTM, RNN + Embedding, functional)', () => {
  it('has the ten reference cases', () => assert.equal(reference.cases.length, 10));
  for (const c of reference.cases) {
    it(c.name, async () => {
      const target = REAL + c.files[0];
      const r = await exportOnnx({ target, noScaler: true, toolVersion: 'test' }, source);
      assert.deepEqual(r.inputs[0].shape.slice(1), c.inputShape);
      assert.equal(r.inputs[0].shape[0], 'batch');
      assert.match(r.metadata['model_bundles.preprocessing'], /"applied":false.*--no-scaler/);
      const got = await runOnnx(r, c.inputs);
      assertClose(got, c.outputs, `${c.name} vs numpy`);
      assertClose(got, await toolNetwork(target, c.inputs), `${c.name} vs the tool's network`);
    });
  }
});

describe('export onnx: the scalers are inside the model', () => {
  const ref = JSON.parse(readFileSync('examples/reference/complete-bundle.json', 'utf8')) as {
    features: string[];
    inputs: number[][];
    outputs: number[][];
  };

  it('raw rows in, target units out: MinMaxScaler in front, y MinMaxScaler inverse behind (numpy reference and predict)', async () => {
    const r = await exportOnnx({ target: 'examples/complete-bundle', toolVersion: 'test' }, source);
    assert.deepEqual(r.scalers, [{ path: 'examples/complete-bundle/scaler.joblib', class: 'MinMaxScaler' }]);
    assert.deepEqual(r.targetScaler, { path: 'examples/complete-bundle/y_scaler.joblib', class: 'MinMaxScaler' });
    assert.deepEqual(r.featureNames, ref.features);
    assert.deepEqual(r.inputs, [{ name: 'dense_input', dataType: 1, shape: ['batch', 4] }]);
    assert.deepEqual(r.outputs, [{ name: 'dense_2', dataType: 1, shape: ['batch', 1] }]);
    // The raw rows as float32 (what the model's float input holds).
    const rows = ref.inputs.map((row) => Array.from(Float32Array.from(row)));
    const got = await runOnnx(r, rows);
    assertClose(got, ref.outputs, 'complete-bundle vs numpy');
    const csv = `${ref.features.join(',')}\n${rows.map((row) => row.join(',')).join('\n')}\n`;
    const tool = await predict({ target: 'examples/complete-bundle', input: { text: csv, name: 'rows.csv' }, wasmDir }, source);
    assert.equal(tool.scaledInput && tool.unscaledOutput, true);
    assertClose(got, tool.outputs, 'complete-bundle vs predict');
  });

  it('records the provenance: files with SHA-256, versions', async () => {
    const r = await exportOnnx({ target: 'examples/complete-bundle', toolVersion: '9.9.9' }, source);
    const sha = async (p: string): Promise<string> =>
      [...new Uint8Array(await crypto.subtle.digest('SHA-256', readFileSync(p)))].map((b) => b.toString(16).padStart(2, '0')).join('');
    assert.deepEqual(JSON.parse(r.metadata['model_bundles.files']), [
      { path: 'model.h5', role: 'model', sha256: await sha('examples/complete-bundle/model.h5') },
      { path: 'scaler.joblib', role: 'scaler', sha256: await sha('examples/complete-bundle/scaler.joblib') },
      { path: 'y_scaler.joblib', role: 'target-scaler', sha256: await sha('examples/complete-bundle/y_scaler.joblib') },
    ]);
    assert.equal(r.metadata['model_bundles.tool_version'], '9.9.9');
    assert.equal(r.metadata.sklearn_version, '1.2.1');
    assert.equal(r.metadata.keras_version, '2.13.1');
    assert.deepEqual(JSON.parse(r.metadata['model_bundles.feature_names']), ref.features);
    const session = await ort.InferenceSession.create(r.onnx);
    assert.deepEqual(session.inputNames, ['dense_input']);
    assert.deepEqual(session.outputNames, ['dense_2']);
  });

  it('takes a dynamic batch (1 row and 257 rows)', async () => {
    const r = await exportOnnx({ target: 'examples/complete-bundle', toolVersion: 'test' }, source);
    const rows = Array.from({ length: 257 }, (_, i) => ref.inputs[i % ref.inputs.length].map((v) => Math.fround(v * (1 + (i % 7) / 100))));
    const got = await runOnnx(r, rows);
    assert.equal(got.length, 257);
    const csv = `${ref.features.join(',')}\n${rows.map((row) => row.join(',')).join('\n')}\n`;
    const tool = await predict({ target: 'examples/complete-bundle', input: { text: csv, name: 'rows.csv' }, wasmDir }, source);
    assertClose(got, tool.outputs, '257 rows vs predict');
    assertClose(await runOnnx(r, rows.slice(0, 1)), tool.outputs.slice(0, 1), '1 row');
  });

  it('ExoBengal (real bundle, imputer + StandardScaler): refuses to guess, then applies both in the given order (NaN filled)', async () => {
    const dir = REAL + 'gazi-faysal-jubayer__ExoBengal/models';
    await assert.rejects(exportOnnx({ target: dir, toolVersion: 'test' }, source), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ambiguous-scaler');
      assert.match(e.message, /imputer\.pkl SimpleImputer/);
      assert.match(e.message, /scaler\.pkl StandardScaler/);
      return true;
    });
    const r = await exportOnnx({ target: dir, scalers: [`${dir}/imputer.pkl`, `${dir}/scaler.pkl`], toolVersion: 'test' }, source);
    assert.deepEqual(
      r.scalers.map((s) => s.class),
      ['SimpleImputer', 'StandardScaler'],
    );
    const [imputer, scaler] = (await inspectPaths([`${dir}/imputer.pkl`, `${dir}/scaler.pkl`], source)).map((f) => f.scaler!);
    // Rows around the training means, one with missing values.
    const means = scaler.params.mean_ as number[];
    const rows = [0.5, 1, 2].map((k) => means.map((m, j) => Math.fround(m * k * (1 + j / 20))));
    rows.push(rows[0].map((v, j) => (j % 3 === 0 ? NaN : v)));
    const got = await runOnnx(r, rows);
    const expected = await toolNetwork(dir, transform(scaler, transform(imputer, rows)));
    assertClose(got, expected, 'ExoBengal vs imputer -> scaler -> network');
    assert.ok(got.flat().every(Number.isFinite));
  });

  it('takes input and target scalers saved together in one dict (scalers.joblib[x], [y_scaler]), recorded in both roles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbi-export-dict-'));
    try {
      copyFileSync('examples/complete-bundle/model.h5', join(dir, 'model.h5'));
      copyFileSync('test/fixtures/predict/scalers_dict.joblib', join(dir, 'scalers.joblib'));
      const r = await exportOnnx({ target: dir, toolVersion: 'test' }, source);
      assert.deepEqual(
        r.scalers.map((s) => s.path),
        [`${dir}/scalers.joblib[x]`],
      );
      assert.equal(r.targetScaler?.path, `${dir}/scalers.joblib[y_scaler]`);
      assert.deepEqual(
        r.files.map((f) => `${f.role}:${f.path}`),
        ['model:model.h5', 'scaler:scalers.joblib', 'target-scaler:scalers.joblib'],
      );
      const rows = ref.inputs.map((row) => Array.from(Float32Array.from(row)));
      assertClose(await runOnnx(r, rows), ref.outputs, 'dict scalers vs numpy');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bundle without preprocessing, and records --no-scaler', async () => {
    await assert.rejects(exportOnnx({ target: 'examples/missing-scaler', toolVersion: 'test' }, source), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'missing-scaler');
      assert.match(e.message, /--no-scaler/);
      return true;
    });
    const r = await exportOnnx({ target: 'examples/missing-scaler', noScaler: true, toolVersion: 'test' }, source);
    assert.deepEqual(r.scalers, []);
    assert.deepEqual(JSON.parse(r.metadata['model_bundles.preprocessing']), {
      applied: false,
      reason: 'exported with --no-scaler: inputs must be preprocessed by the caller',
    });
    assert.deepEqual(
      JSON.parse(r.metadata['model_bundles.files']).map((f: { path: string; role: string }) => `${f.role}:${f.path}`),
      ['model:model.json', 'weights:model_weights.h5'],
    );
  });
});
