// ONNX predictions through the predict pipeline (input scaler → ONNX Runtime → target scaler) against
// numpy forward passes and scikit-learn scalers of the same weights (test/fixtures/onnx/make_onnx.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { predict, type PredictRequest } from '../../src/core/predict/predict';

const DIR = 'test/fixtures/onnx';
const E = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8'));
const source = new NodeFileSource();

function close(actual: number[][], expected: number[][], rel = 1e-5): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, i) => {
    assert.equal(row.length, expected[i].length, `row ${i} width`);
    row.forEach((v, j) => {
      const e = expected[i][j];
      assert.ok(Math.abs(v - e) <= rel * Math.max(Math.abs(e), 1e-3), `row ${i}[${j}]: ${v} vs ${e}`);
    });
  });
}

function run(target: string, rows: number[][], extra: Partial<PredictRequest> = {}) {
  return predict({ target, input: { text: JSON.stringify(rows), name: 'rows.json' }, ...extra }, source);
}

function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  return p.then(
    () => {
      throw new Error('expected an error');
    },
    (e) => e,
  );
}

describe('ONNX predictions equal numpy to 1e-5 relative', () => {
  for (const backend of ['node', 'wasm'] as const) {
    const name = backend === 'node' ? 'onnxruntime-node' : 'onnxruntime-web';
    it(`${name}: MLP with a symbolic batch, CNN with a fixed batch of 1, MatMul/Add/Sigmoid, external data`, async () => {
      const mlp = await run(join(DIR, 'models/mlp.onnx'), E.mlp.sampleInput, { backend });
      assert.equal(mlp.backend, name);
      assert.deepEqual([mlp.scaledInput, mlp.unscaledOutput, mlp.rows], [false, false, 4]);
      close(mlp.outputs, E.mlp.sampleOutput);
      close((await run(join(DIR, 'models/cnn.onnx'), E.cnn.sampleInput, { backend })).outputs, E.cnn.sampleOutput);
      close((await run(join(DIR, 'models/dynamic.onnx'), E.dynamic.sampleInput, { backend })).outputs, E.dynamic.sampleOutput);
      close((await run(join(DIR, 'external/model.onnx'), E.external.sampleInput, { backend })).outputs, E.external.sampleOutput);
    });
  }

  it('the nested If graph takes the branch its condition picks', async () => {
    close((await run(join(DIR, 'models/nested_if.onnx'), E.nested_if.positiveInput)).outputs, E.nested_if.positiveOutput);
    close((await run(join(DIR, 'models/nested_if.onnx'), E.nested_if.negativeInput)).outputs, E.nested_if.negativeOutput);
  });

  it('an ai.onnx.ml Scaler in the graph runs inside the model', async () => {
    close((await run(join(DIR, 'models/pipeline.onnx'), E.pipeline.sampleInput)).outputs, E.pipeline.sampleOutput);
  });
});

describe('ONNX bundles: scaler → network → target scaler', () => {
  it('applies the MinMaxScaler, runs model.onnx and maps back through y_scaler (scikit-learn reference)', async () => {
    const csv = readFileSync(join(DIR, 'bundle_input.csv'), 'utf8');
    const r = await predict({ target: join(DIR, 'bundle'), input: { text: csv, name: 'bundle_input.csv' } }, source);
    assert.deepEqual(
      [r.scaledInput, r.unscaledOutput, r.model, r.scaler, r.targetScaler],
      [true, true, join(DIR, 'bundle/model.onnx'), join(DIR, 'bundle/scaler.joblib'), join(DIR, 'bundle/y_scaler.joblib')],
    );
    close(r.outputs, E.bundle.output);
    const net = await predict({ target: join(DIR, 'bundle'), input: { text: csv, name: 'bundle_input.csv' }, skipTargetScaler: true }, source);
    close(net.outputs, E.bundle.networkOutput);
    assert.equal(r.notes, undefined);
  });

  it('does not apply the bundle scaler again when the graph begins with a Scaler, and says so', async () => {
    const r = await run(join(DIR, 'bundle_pipeline'), E.bundle_pipeline.rawInput);
    assert.equal(r.scaledInput, false);
    assert.equal(r.scaler, null);
    close(r.outputs, E.bundle_pipeline.output);
    assert.deepEqual(r.notes, ['model.onnx begins with its own preprocessing (Scaler): scaler.joblib was not applied again, the raw rows went to the model.']);
  });

  it('refuses a scaler fitted on another width than the ONNX input', async () => {
    const e = await failure(run(join(DIR, 'bundle_mismatch'), [[1, 2, 3, 4]], { scaler: join(DIR, 'bundle_mismatch/scaler.joblib') }));
    assert.equal(e.code, 'scaler-input-mismatch');
    assert.match(e.message, /the scaler takes 5 features but the model takes 4/);
  });

  it('refuses a model whose external data escapes its folder, naming the file', async () => {
    const e = await failure(run(join(DIR, 'hostile/escape.onnx'), [[1, 2]]));
    assert.equal(e.code, 'external-data-outside');
    assert.match(e.message, /hostile\/escape\.onnx: tensor 'W0' climbs out of the model's folder/);
  });

  it('refuses rows of the wrong width with the row number', async () => {
    const e = await failure(run(join(DIR, 'models/mlp.onnx'), [[1, 2, 3]]));
    assert.equal(e.code, 'input-columns');
    assert.equal(e.message, 'rows.json: row 0 has 3 values but the model takes 8 features');
  });
});

describe('Keras dense networks on onnxruntime-node (converted in memory)', () => {
  const reference = JSON.parse(readFileSync('examples/reference/complete-bundle.json', 'utf8')) as { outputs: number[][] };
  const csv = readFileSync('examples/inputs.csv', 'utf8');
  const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';

  it('auto: the example bundle (Keras HDF5, Dense stack) runs on onnxruntime-node, equal to numpy; wasm asked: TensorFlow.js', async () => {
    const auto = await predict({ target: 'examples/complete-bundle', input: { text: csv, name: 'inputs.csv' }, wasmDir }, source);
    assert.equal(auto.backend, 'onnxruntime-node');
    close(auto.outputs, reference.outputs);
    const tfjs = await predict({ target: 'examples/complete-bundle', input: { text: csv, name: 'inputs.csv' }, wasmDir, backend: 'wasm' }, source);
    assert.equal(tfjs.backend, 'wasm');
    close(tfjs.outputs, reference.outputs);
  });

  it('covers only Sequential Dense/Activation/Dropout stacks on a flat input', async () => {
    const { denseStack } = await import('../../src/core/predict/onnxDense');
    const w = (name: string, a: number, b: number) => ({
      name,
      tensors: [
        { name: `${name}/kernel`, shape: [a, b], values: new Float32Array(a * b) },
        { name: `${name}/bias`, shape: [b], values: new Float32Array(b) },
      ],
    });
    const dense = (name: string, extra = {}) => ({ class_name: 'Dense', config: { name, activation: 'relu', ...extra } });
    const seq = (layers: unknown[]) => ({ class_name: 'Sequential', config: { layers } });
    const ok = denseStack(
      seq([
        dense('a', { batch_input_shape: [null, 3] }),
        { class_name: 'Dropout', config: {} },
        { class_name: 'Activation', config: { activation: 'tanh' } },
        dense('b'),
      ]),
      [w('a', 3, 4), w('b', 4, 2)],
    );
    assert.deepEqual(
      ok?.map((l) => [l.name, l.inDim, l.outDim, l.activations.join('+')]),
      [
        ['a', 3, 4, 'relu+tanh'],
        ['b', 4, 2, 'relu'],
      ],
    );
    assert.equal(denseStack(seq([dense('a', { batch_input_shape: [null, 5, 3] })]), [w('a', 3, 4)]), null, 'a 3-D input');
    assert.equal(
      denseStack(seq([dense('a', { batch_input_shape: [null, 3], activation: 'gelu' })]), [w('a', 3, 4)]),
      null,
      'an activation without one ONNX op',
    );
    assert.equal(denseStack(seq([{ class_name: 'Conv1D', config: { name: 'c', batch_input_shape: [null, 3] } }]), []), null, 'another layer');
    assert.equal(denseStack({ class_name: 'Functional', config: { layers: [] } }, []), null, 'not Sequential');
    assert.equal(denseStack(seq([dense('a', { batch_input_shape: [null, 3] }), dense('b')]), [w('a', 3, 4), w('b', 5, 2)]), null, 'widths that do not chain');
  });
});

describe('real exporter output: torch.onnx.export (PyTorch 1.13)', () => {
  for (const name of ['torch_mlp', 'torch_cnn']) {
    it(`${name}: reader values from the onnx package, predictions equal PyTorch's to 1e-5`, async () => {
      const { inspectFile } = await import('../../src/core/formats/inspect');
      const r = await inspectFile(join(DIR, `torch/${name}.onnx`), source);
      const e = E[name];
      assert.equal(r.error, null);
      assert.deepEqual(
        [r.model?.onnx?.irVersion, r.model?.opsetVersion, r.model?.onnx?.producerName, r.model?.onnx?.producerVersion],
        [e.irVersion, e.opset, e.producer, e.producerVersion],
      );
      assert.deepEqual(r.model?.opTypes, e.opTypes);
      assert.deepEqual(
        r.model?.layers.map((l) => l.params),
        e.nodeParams,
      );
      assert.equal(r.model?.totalParams, e.totalParams);
      assert.equal(r.model?.onnx?.inputs[0].dimParams?.[0], 'batch');
      for (const backend of ['node', 'wasm'] as const) close((await run(join(DIR, `torch/${name}.onnx`), e.sampleInput, { backend })).outputs, e.sampleOutput);
    });
  }
});

describe('ONNX outputs and input types', () => {
  it('a classifier with an int64 label first: the probabilities are shown, and a note says which output', async () => {
    for (const backend of ['node', 'wasm'] as const) {
      const r = await run(join(DIR, 'models/classifier.onnx'), E.classifier.sampleInput, { backend });
      close(r.outputs, E.classifier.probabilities);
      assert.deepEqual(r.notes, ["classifier.onnx has 2 outputs (label: int64, probabilities: float32): the outputs shown are 'probabilities'."]);
    }
  });

  it('a float64 model is fed float64 rows', async () => {
    const r = await run(join(DIR, 'models/double.onnx'), E.double.sampleInput);
    close(r.outputs, E.double.sampleOutput, 1e-12);
  });
});
