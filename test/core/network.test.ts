import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { initBackend, loadNetwork, PREDICT_CHUNK_ROWS } from '../../src/core/predict/network';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { readTfjsWeightValues } from '../../src/core/predict/tfjsWeights';
import { toTfjsTopology } from '../../src/core/predict/kerasToTfjs';
import { readH5ModelValues, readH5WeightValues, readKerasZipValues } from '../../src/core/predict/kerasWeightValues';

const REAL = 'test/fixtures/real/';
const reference = JSON.parse(readFileSync('test/fixtures/reference/predict/predict_reference.json', 'utf8')) as {
  cases: { name: string; files: string[]; inputShape: number[]; inputs: number[][]; outputs: number[][] }[];
};

/** Float32 network vs float64 numpy: 1e-5 relative, with an absolute floor relative to the output scale. */
function assertClose(actual: number[][], expected: number[][], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: rows`);
  const scale = Math.max(...expected.flat().map(Math.abs), 1e-12);
  actual.forEach((row, i) => {
    assert.equal(row.length, expected[i].length, `${what}: row ${i} width`);
    row.forEach((v, j) => {
      const e = expected[i][j];
      const tol = 1e-5 * Math.max(Math.abs(e), scale * 1e-2);
      assert.ok(Math.abs(v - e) <= tol, `${what}: row ${i} col ${j}: ${v} vs numpy ${e} (tol ${tol})`);
    });
  });
}

describe('network: TensorFlow.js models with their real weights equal a numpy forward pass', () => {
  const tfjsCases = reference.cases.filter((c) => c.files[0].endsWith('.json') && c.files.length === 1);
  it('has the tfjs cases', () => assert.equal(tfjsCases.length, 5));
  for (const c of tfjsCases) {
    it(c.name, async () => {
      const backend = await initBackend('auto', 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
      assert.equal(backend, 'wasm');
      const path = REAL + c.files[0];
      const doc = JSON.parse(readFileSync(path, 'utf8'));
      const net = await loadNetwork(doc.modelTopology, await readTfjsWeightValues(doc, path, new NodeFileSource()));
      try {
        assert.deepEqual(net.inputShape.slice(1), c.inputShape);
        assertClose(net.predict(c.inputs.map((r) => Float32Array.from(r))), c.outputs, c.name);
      } finally {
        net.dispose();
      }
    });
  }
});

describe('network: Keras HDF5 / .keras / JSON + HDF5 models with their real weights equal a numpy forward pass', () => {
  const source = new NodeFileSource();
  const kerasCases = reference.cases.filter((c) => !(c.files[0].endsWith('.json') && c.files.length === 1));
  it('has the Keras cases', () => assert.equal(kerasCases.length, 5));
  for (const c of kerasCases) {
    it(c.name, async () => {
      await initBackend('auto', 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
      const [first, second] = c.files.map((f) => REAL + f);
      let values;
      if (second) {
        const config = JSON.parse(readFileSync(first, 'utf8'));
        values = { config, layers: await readH5WeightValues(source, second, config) };
      } else if (readFileSync(first).subarray(0, 2).toString() === 'PK') {
        values = await readKerasZipValues(source, first);
      } else {
        values = await readH5ModelValues(source, first);
      }
      const net = await loadNetwork(values.config, values.layers);
      try {
        assert.deepEqual(net.inputShape.slice(1), c.inputShape);
        assertClose(net.predict(c.inputs.map((r) => Float32Array.from(r))), c.outputs, c.name);
      } finally {
        net.dispose();
      }
    });
  }
});

describe('network: predict over more rows than one model call takes', () => {
  // d1: Dense 2 -> 2 relu, kernel [[1, -1], [2, 1]], bias [0.5, 0]; d2: Dense 2 -> 1 linear,
  // kernel [[1], [3]], bias [-1]. For a row (a, b): h1 = relu(a + 2b + 0.5), h2 = relu(-a + b),
  // y = h1 + 3*h2 - 1. All values below are small multiples of 0.5, exact in float32.
  const config = {
    class_name: 'Sequential',
    config: {
      name: 'hand',
      layers: [
        { class_name: 'Dense', config: { name: 'd1', units: 2, activation: 'relu', use_bias: true, batch_input_shape: [null, 2] } },
        { class_name: 'Dense', config: { name: 'd2', units: 1, activation: 'linear', use_bias: true } },
      ],
    },
  };
  const weights = [
    {
      name: 'd1',
      tensors: [
        { name: 'd1/kernel', shape: [2, 2], values: Float32Array.from([1, -1, 2, 1]) },
        { name: 'd1/bias', shape: [2], values: Float32Array.from([0.5, 0]) },
      ],
    },
    {
      name: 'd2',
      tensors: [
        { name: 'd2/kernel', shape: [2, 1], values: Float32Array.from([1, 3]) },
        { name: 'd2/bias', shape: [1], values: Float32Array.from([-1]) },
      ],
    },
  ];
  const expected = (a: number, b: number) => Math.max(a + 2 * b + 0.5, 0) + 3 * Math.max(-a + b, 0) - 1;

  it('keeps every row in order across chunk boundaries (2.5 chunks, each row checked by hand)', async () => {
    await initBackend('auto', 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
    const net = await loadNetwork(config, weights);
    try {
      const n = Math.floor(PREDICT_CHUNK_ROWS * 2.5);
      const rows = Array.from({ length: n }, (_, i) => Float32Array.from([(i % 37) - 18, ((i % 11) - 5) * 0.5]));
      const out = net.predict(rows);
      assert.equal(out.length, n);
      out.forEach((row, i) => assert.deepEqual(row, [expected(rows[i][0], rows[i][1])], `row ${i}`));
      assert.deepEqual(net.predict([]), []);
    } finally {
      net.dispose();
    }
  });

  it('names a bad row that lies beyond the first chunk', async () => {
    await initBackend('auto', 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
    const net = await loadNetwork(config, weights);
    try {
      const rows = Array.from({ length: PREDICT_CHUNK_ROWS + 10 }, () => Float32Array.from([1, 2]));
      rows[PREDICT_CHUNK_ROWS + 3] = Float32Array.from([1, 2, 3]);
      assert.throws(
        () => net.predict(rows),
        (e: Error & { code?: string }) => e.code === 'input-shape' && e.message.includes(`row ${PREDICT_CHUNK_ROWS + 3} has 3 values`),
      );
    } finally {
      net.dispose();
    }
  });
});

describe('kerasToTfjs', () => {
  it('converts Keras 3 InputLayer batch_shape, DTypePolicy and __keras_tensor__ inbound nodes', () => {
    const k3 = {
      module: 'keras',
      class_name: 'Functional',
      config: {
        name: 'f',
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 3], dtype: 'float32', name: 'in' }, name: 'in', inbound_nodes: [] },
          {
            module: 'keras.layers',
            class_name: 'Dense',
            config: {
              name: 'd',
              units: 2,
              dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } },
              kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null } },
            },
            name: 'd',
            build_config: { input_shape: [null, 3] },
            inbound_nodes: [
              { args: [{ class_name: '__keras_tensor__', config: { shape: [null, 3], dtype: 'float32', keras_history: ['in', 0, 0] } }], kwargs: {} },
            ],
          },
        ],
        input_layers: ['in', 0, 0],
        output_layers: ['d', 0, 0],
      },
    };
    const t = toTfjsTopology(k3) as { class_name: string; config: { layers: Record<string, unknown>[]; input_layers: unknown; output_layers: unknown } };
    assert.equal(t.class_name, 'Model');
    const [input, dense] = t.config.layers as { config: Record<string, unknown>; inbound_nodes: unknown }[];
    assert.deepEqual(input.config.batch_input_shape, [null, 3]);
    assert.equal(input.config.batch_shape, undefined);
    assert.equal(dense.config.dtype, 'float32');
    assert.deepEqual(dense.inbound_nodes, [[['in', 0, 0, {}]]]);
    assert.deepEqual(t.config.input_layers, [['in', 0, 0]]);
    assert.equal((dense as Record<string, unknown>).build_config, undefined);
  });

  it('refuses a Lambda layer by name without looking at its code', () => {
    const cfg = {
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'Lambda', config: { name: 'my_lambda', function: ['4wEAAAAAAAAA', null, null] } }] },
    };
    assert.throws(
      () => toTfjsTopology(cfg),
      (e: Error & { code?: string }) => e.code === 'python-only-layer' && /my_lambda/.test(e.message),
    );
  });

  it('maps Keras 1 Dense arguments (output_dim, init, input_dim) and keeps Embedding output_dim', () => {
    const cfg = {
      class_name: 'Sequential',
      config: [
        { class_name: 'Embedding', config: { name: 'e', input_dim: 10, output_dim: 4, batch_input_shape: [null, 3] } },
        { class_name: 'Dense', config: { name: 'd', output_dim: 5, init: 'glorot_uniform', W_regularizer: null } },
      ],
    };
    const t = toTfjsTopology(cfg) as { config: { layers: { config: Record<string, unknown> }[] } };
    assert.equal(t.config.layers[0].config.output_dim, 4);
    assert.equal(t.config.layers[1].config.units, 5);
    assert.equal(t.config.layers[1].config.output_dim, undefined);
  });
});
