// Layers the real fixtures lack (GRU reset_after True/False, Bidirectional LSTM concat / GRU sum,
// LSTM go_backwards, Conv1D same/causal/dilated, DepthwiseConv2D, BatchNormalization, average and
// global pooling, functional Add/Subtract/Concatenate, Embedding, elu/selu/softplus/softsign/swish/
// gelu): exported, run by onnxruntime, equal to numpy (make_layers.py) and to the tool's network.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { exportOnnx } from '../../src/core/export/exportOnnx';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import * as tf from '@tensorflow/tfjs-core';
import { buildTfjsModel, initBackend, loadNetwork } from '../../src/core/predict/network';
import { readH5ModelValues } from '../../src/core/predict/kerasWeightValues';
import { assertClose, runOnnx } from './exportHelpers';

const source = new NodeFileSource();
const reference = JSON.parse(readFileSync('test/fixtures/export/layers_reference.json', 'utf8')) as {
  cases: { name: string; file: string; inputShape: number[]; inputs: number[][]; outputs: number[][] }[];
};

/** Models TensorFlow.js (the tool's predictions) cannot run: compared with numpy only. */
const TFJS_CANNOT: Record<string, RegExp> = {
  gru: /reset_after/,
  bigru_sum: /reset_after/,
  bilstm: /rMat\.flatten/,
  conv1d: /CAUSAL padding/,
  functional: /Unknown layer: Subtract/,
  misc: /Unknown activation: exponential/,
  pad_crop1d: /Unknown layer: ZeroPadding1D/,
};

describe('export onnx: synthetic Keras 2 models of every converted layer kind equal numpy and the tool', () => {
  it('has the ten cases', () =>
    assert.deepEqual(
      reference.cases.map((c) => c.name),
      ['gru', 'bilstm', 'bigru_sum', 'conv1d', 'conv2d', 'functional', 'embedding', 'misc', 'pad_crop2d', 'pad_crop1d'],
    ));
  for (const c of reference.cases) {
    it(c.name, async () => {
      const r = await exportOnnx({ target: c.file, noScaler: true, toolVersion: 'test' }, source);
      assert.deepEqual(r.inputs[0].shape, ['batch', ...c.inputShape]);
      const got = await runOnnx(r, c.inputs);
      assertClose(got, c.outputs, `${c.name} vs numpy`);
      await initBackend('auto', 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
      const v = await readH5ModelValues(source, c.file);
      if (TFJS_CANNOT[c.name]) {
        await assert.rejects(
          async () => loadNetwork(v.config, v.layers).then((n) => n.predict(c.inputs.map((row) => Float32Array.from(row)))),
          TFJS_CANNOT[c.name],
        );
        return;
      }
      const net = await loadNetwork(v.config, v.layers);
      try {
        assertClose(got, net.predict(c.inputs.map((row) => Float32Array.from(row))), `${c.name} vs the tool's network`);
      } finally {
        net.dispose();
      }
    });
  }
});

describe('export onnx: several inputs and outputs, a layer shared by two calls', () => {
  const multi = (
    JSON.parse(readFileSync('test/fixtures/export/layers_reference.json', 'utf8')) as {
      multi: { name: string; file: string; inputs: Record<string, number[][]>; outputs: Record<string, number[][]> }[];
    }
  ).multi;
  for (const c of multi) {
    it(`${c.name}: named inputs and outputs equal numpy`, async () => {
      const r = await exportOnnx({ target: c.file, noScaler: true, toolVersion: 'test' }, source);
      assert.deepEqual(
        r.inputs.map((i) => i.name),
        Object.keys(c.inputs),
      );
      assert.deepEqual(
        r.outputs.map((o) => o.name),
        Object.keys(c.outputs),
      );
      const session = await ort.InferenceSession.create(r.onnx);
      const feeds = Object.fromEntries(
        Object.entries(c.inputs).map(([k, rows]) => [k, new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, rows[0].length])]),
      );
      const out = await session.run(feeds);
      for (const [k, expected] of Object.entries(c.outputs)) {
        const data = Array.from(out[k].data as Float32Array);
        const w = expected[0].length;
        assertClose(
          expected.map((_, i) => data.slice(i * w, (i + 1) * w)),
          expected,
          `${c.name} ${k}`,
        );
      }
    });
  }
});

describe('export onnx: a real many-input recurrent model (frugally-deep lstm.h5) equals TensorFlow.js', () => {
  it('5 inputs (one of open length), 17 outputs: initial states, return_state, Bidirectional, linear / relu / hard_sigmoid recurrent activations', async () => {
    const f = 'test/fixtures/real/Dobiasd__frugally-deep/keras_export/lstm.h5';
    const r = await exportOnnx({ target: f, noScaler: true, toolVersion: 'test' }, source);
    assert.deepEqual(
      r.inputs.map((i) => i.shape),
      [
        ['batch', 17, 4],
        ['batch', 1, 10],
        ['batch', 'input_3_dim1', 4],
        ['batch', 12],
        ['batch', 12],
      ],
    );
    assert.equal(r.outputs.length, 17);
    await initBackend('auto', 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
    const v = await readH5ModelValues(source, f);
    const model = await buildTfjsModel(v.config, v.layers);
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const N = 3;
    const data = r.inputs.map((i) => {
      const dims = [N, ...i.shape.slice(1).map((d) => (typeof d === 'number' ? d : 6))];
      return { dims, values: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, rnd) };
    });
    const session = await ort.InferenceSession.create(r.onnx);
    const out = await session.run(Object.fromEntries(r.inputs.map((i, k) => [i.name, new ort.Tensor('float32', data[k].values, data[k].dims)])));
    const expected = tf.tidy(() => (model.predict(data.map((d) => tf.tensor(d.values, d.dims))) as tf.Tensor[]).map((t) => Array.from(t.dataSync())));
    model.dispose();
    r.outputs.forEach((o, k) => {
      const got = Array.from(out[o.name].data as Float32Array);
      const w = got.length / N;
      const rows = (a: number[]): number[][] => Array.from({ length: N }, (_, i) => a.slice(i * w, (i + 1) * w));
      assertClose(rows(got), rows(expected[k]), `lstm.h5 output ${o.name}`);
    });
  });
});
