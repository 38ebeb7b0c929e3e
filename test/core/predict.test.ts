import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { predict } from '../../src/core/predict/predict';

const source = new NodeFileSource();
const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
const reference = JSON.parse(readFileSync('examples/reference/complete-bundle.json', 'utf8')) as {
  features: string[];
  inputs: number[][];
  network_outputs: number[][];
  outputs: number[][];
};
const csv = readFileSync('examples/inputs.csv', 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'mbi-predict-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function close(actual: number[][], expected: number[][], rel: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, i) =>
    row.forEach((v, j) => {
      const e = expected[i][j];
      assert.ok(Math.abs(v - e) <= rel * Math.max(Math.abs(e), 1e-3), `row ${i}: ${v} vs ${e}`);
    }),
  );
}

function code(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  return p.then(
    () => {
      throw new Error('expected an error');
    },
    (e) => e,
  );
}

describe('predict: scaler + network + target scaler on the example bundle (numpy reference)', () => {
  it('applies the input scaler, runs the network and maps outputs back to target units', async () => {
    const r = await predict({ target: 'examples/complete-bundle', input: { text: csv, name: 'inputs.csv' }, wasmDir }, source);
    assert.equal(r.rows, 5);
    // a dense Keras network runs on onnxruntime-node by default (docs/onnx.md)
    assert.equal(r.backend, 'onnxruntime-node');
    assert.equal(r.scaledInput, true);
    assert.equal(r.unscaledOutput, true);
    assert.equal(r.scaler, 'examples/complete-bundle/scaler.joblib');
    assert.equal(r.targetScaler, 'examples/complete-bundle/y_scaler.joblib');
    close(r.outputs, reference.outputs, 1e-5);
    assert.deepEqual(r.warnings, []);
  });

  it('skips either step on request', async () => {
    const r = await predict({ target: 'examples/complete-bundle', input: { text: csv, name: 'inputs.csv' }, wasmDir, skipTargetScaler: true }, source);
    assert.equal(r.unscaledOutput, false);
    close(r.outputs, reference.network_outputs, 1e-5);
  });

  it('reorders named JSON rows and warns about values outside the training range', async () => {
    const rows = reference.inputs.slice(0, 2).map((r) => Object.fromEntries(reference.features.map((f, j) => [f, r[j]])));
    rows[1].wind_speed = 40; // the scaler saw 3..25 m/s
    const r = await predict({ target: 'examples/complete-bundle/model.h5', input: { text: JSON.stringify(rows), name: 'rows.json' }, wasmDir }, source);
    assert.equal(r.rows, 2);
    assert.equal(r.warnings.length, 1);
    assert.equal(r.warnings[0].row, 1);
    assert.equal(r.warnings[0].feature, 'wind_speed');
    assert.match(r.warnings[0].message, /^value 40 outside the training range 3\.\d+\.\.24\.9\d+$/);
  });

  it('runs a bundle without a scaler on raw inputs and says so', async () => {
    const r = await predict({ target: 'examples/missing-scaler', input: { text: csv, name: 'inputs.csv' }, wasmDir }, source);
    assert.equal(r.scaledInput, false);
    assert.equal(r.model, 'examples/missing-scaler/model.json');
  });

  it('gives clear errors for bad input', async () => {
    const missing = await code(
      predict({ target: 'examples/complete-bundle', input: { text: 'wind_speed,air_density\n1,2\n', name: 'in.csv' }, wasmDir }, source),
    );
    assert.equal(missing.code, 'input-columns');
    assert.match(missing.message, /^in\.csv: missing features 'temperature', 'pitch_angle'/);
    const nan = await code(
      predict({ target: 'examples/complete-bundle', input: { text: csv.replace(/\n([^,\n]+),/, '\nNaN,'), name: 'in.csv' }, wasmDir }, source),
    );
    assert.equal(nan.code, 'input-value');
    assert.match(nan.message, /^in\.csv: line 2, column 'wind_speed'/);
    const nomodel = await code(
      predict({ target: 'test/fixtures/real/AlbertFrydensberg__ML_Ops_59/models', input: { text: csv, name: 'in.csv' }, wasmDir }, source),
    );
    assert.equal(nomodel.code, 'missing-structure');
  });

  it('finds input and target scalers saved together in one dict', async () => {
    const dir = mkdtempSync(join(tmp, 'dict-'));
    copyFileSync('examples/complete-bundle/model.h5', join(dir, 'model.h5'));
    copyFileSync('test/fixtures/predict/scalers_dict.joblib', join(dir, 'scalers.joblib'));
    const r = await predict({ target: dir, input: { text: csv, name: 'inputs.csv' }, wasmDir }, source);
    assert.equal(r.scaler, `${dir}/scalers.joblib[x]`);
    assert.equal(r.targetScaler, `${dir}/scalers.joblib[y_scaler]`);
    close(r.outputs, reference.outputs, 1e-5);
  });

  it('refuses a model with a Lambda layer, naming it', async () => {
    const dir = mkdtempSync(join(tmp, 'lambda-'));
    const cfg = JSON.parse(readFileSync('examples/missing-scaler/model.json', 'utf8'));
    cfg.config.layers.splice(2, 0, {
      class_name: 'Lambda',
      config: { name: 'scale_by_two', function: ['4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAQAAAHIBAAAA', null, null] },
    });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'model.json'), JSON.stringify(cfg));
    copyFileSync('examples/missing-scaler/model_weights.h5', join(dir, 'model_weights.h5'));
    const e = await code(predict({ target: dir, input: { text: csv, name: 'in.csv' }, wasmDir }, source));
    assert.equal(e.code, 'python-only-layer');
    assert.match(e.message, /scale_by_two/);
  });
});
