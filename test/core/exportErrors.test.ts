// What the export refuses, and the Triton layout it writes.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { exportOnnx } from '../../src/core/export/exportOnnx';
import { exportFiles, modelName, tritonConfig } from '../../src/core/export/layout';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-export-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** examples/missing-scaler (Dense 4-16-8-1) with `layer` inserted after the first Dense. */
function bundleWith(layer: unknown, extra?: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmp, 'bundle-'));
  const cfg = JSON.parse(readFileSync('examples/missing-scaler/model.json', 'utf8'));
  cfg.config.layers.splice(1, 0, layer);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(cfg));
  copyFileSync('examples/missing-scaler/model_weights.h5', join(dir, 'model_weights.h5'));
  extra?.(dir);
  return dir;
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  return p.then(
    () => assert.fail('expected a refusal'),
    (e: { code: string; message: string }) => e,
  );
}

describe('export onnx: clear refusals', () => {
  it('names a layer it cannot export, with its class', async () => {
    const dir = bundleWith({ class_name: 'UpSampling1D', config: { name: 'stretch_it', size: 2 } });
    const e = await refusal(exportOnnx({ target: dir, noScaler: true, toolVersion: 'test' }, source));
    assert.equal(e.code, 'unsupported-layer');
    assert.equal(e.message, "layer 'stretch_it' (UpSampling1D) cannot be exported to ONNX: no ONNX conversion for this layer class");
  });

  it('names an activation it cannot export', async () => {
    const dir = bundleWith({ class_name: 'Activation', config: { name: 'odd', activation: 'my_custom_act' } });
    const e = await refusal(exportOnnx({ target: dir, noScaler: true, toolVersion: 'test' }, source));
    assert.equal(e.code, 'unsupported-layer');
    assert.match(e.message, /^layer 'odd' \(Activation\) cannot be exported to ONNX: activation 'my_custom_act'/);
  });

  it('refuses a Lambda layer (Python code), naming it', async () => {
    const dir = bundleWith({ class_name: 'Lambda', config: { name: 'times_two', function: ['4wEAAAAA', null, null] } });
    const e = await refusal(exportOnnx({ target: dir, noScaler: true, toolVersion: 'test' }, source));
    assert.equal(e.code, 'python-only-layer');
    assert.match(e.message, /times_two/);
  });

  it('refuses a stateful recurrent layer (real frugally-deep temp_stateful.h5): the state would be lost between calls', async () => {
    const e = await refusal(
      exportOnnx({ target: 'test/fixtures/real/Dobiasd__frugally-deep/test/stateful_test/temp_stateful.h5', noScaler: true, toolVersion: 'test' }, source),
    );
    assert.equal(e.code, 'unsupported-layer');
    assert.match(e.message, /^layer 'gru_1' \(GRU\) cannot be exported to ONNX: stateful=True/);
  });

  it('refuses Embedding(mask_zero=True): the mask would be lost', async () => {
    const cfg = { class_name: 'Embedding', config: { name: 'emb', input_dim: 4, output_dim: 2, mask_zero: true } };
    const dir = bundleWith(cfg);
    const e = await refusal(exportOnnx({ target: dir, noScaler: true, toolVersion: 'test' }, source));
    assert.match(e.message, /layer 'emb' \(Embedding\).*mask_zero/);
  });

  it('refuses when a scaler file of the bundle cannot be read', async () => {
    const dir = bundleWith({ class_name: 'Dropout', config: { name: 'drop', rate: 0.1 } }, (d) =>
      writeFileSync(join(d, 'scaler.pkl'), Buffer.from([0x80, 0x04, 0x95, 0xff])),
    );
    const e = await refusal(exportOnnx({ target: dir, toolVersion: 'test' }, source));
    assert.equal(e.code, 'unreadable-scaler');
    assert.match(e.message, /scaler\.pkl/);
  });

  it('refuses a scaler whose transform has no ONNX form here (QuantileTransformer), naming the class', async () => {
    const dir = bundleWith({ class_name: 'Dropout', config: { name: 'drop', rate: 0.1 } });
    const e = await refusal(exportOnnx({ target: dir, scalers: ['test/fixtures/sklearn/quantile_uniform.joblib'], toolVersion: 'test' }, source));
    assert.match(e.message, /QuantileTransformer/);
  });

  it('refuses a scaler of the wrong width', async () => {
    const e = await refusal(
      exportOnnx(
        { target: 'examples/missing-scaler', scalers: ['test/fixtures/real/gazi-faysal-jubayer__ExoBengal/models/scaler.pkl'], toolVersion: 'test' },
        source,
      ),
    );
    assert.equal(e.code, 'scaler-input-mismatch');
    assert.match(e.message, /scaler\.pkl: the preprocessing gives 9 features but the model takes 4$/);
  });
});

describe('export onnx: Triton model repository layout', () => {
  it('writes <name>/1/model.onnx and a config.pbtxt with the names, types and dims', async () => {
    const r = await exportOnnx({ target: 'examples/complete-bundle', toolVersion: 'test' }, source);
    const files = exportFiles(r, 'wind turbine', 'triton', 32);
    assert.deepEqual(
      files.map((f) => f.path),
      ['wind_turbine/1/model.onnx', 'wind_turbine/config.pbtxt'],
    );
    assert.equal(files[0].bytes, r.onnx);
    assert.equal(
      new TextDecoder().decode(files[1].bytes),
      [
        'name: "wind_turbine"',
        'platform: "onnxruntime_onnx"',
        'max_batch_size: 32',
        'input [',
        '  {',
        '    name: "dense_input"',
        '    data_type: TYPE_FP32',
        '    dims: [ 4 ]',
        '  }',
        ']',
        'output [',
        '  {',
        '    name: "dense_2"',
        '    data_type: TYPE_FP32',
        '    dims: [ 1 ]',
        '  }',
        ']',
        'dynamic_batching { }',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      exportFiles(r, 'wind', 'plain').map((f) => f.path),
      ['wind.onnx'],
    );
  });

  it('writes -1 for sizes the model leaves open (an LSTM over any number of steps)', () => {
    const text = tritonConfig('seq', {
      inputs: [{ name: 'steps', dataType: 1, shape: ['batch', 'steps_dim1', 5] }],
      outputs: [{ name: 'y', dataType: 1, shape: ['batch', 3] }],
    });
    assert.match(text, /name: "steps"\n {4}data_type: TYPE_FP32\n {4}dims: \[ -1, 5 \]/);
    assert.match(text, /max_batch_size: 64/);
  });

  it('cleans model names and refuses empty ones', () => {
    assert.equal(modelName('my model.h5'), 'my_model');
    assert.throws(() => modelName('...'), /no usable model name/);
  });
});
