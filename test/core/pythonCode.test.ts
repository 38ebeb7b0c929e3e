// Python code at any depth of Keras configs (issue 18, item 3): Lambda inside wrappers, nested
// models, custom objects and compile configs, in JSON, .keras zips and .h5 files
// (test/fixtures/pythoncode/make_lambda_h5.py writes the .h5 ones).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { findPythonCode, isMarshalledCode } from '../../src/core/formats/shared/pythonCode';
import { inspectFile } from '../../src/core/formats/inspect';
import { validateBundle } from '../../src/core/bundles/findings';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

type J = Record<string, unknown>;
// marshal.dumps((lambda x: x * 2).__code__) in base64 (Python 3.11), as Keras' func_dump writes it
const CODE =
  '4wEAAAAAAAAAAAAAAAIAAAADAAAA8wwAAACXAHwAZAF6BQAAUwApAk7pAgAAAKkAKQHaAXhzAQAA\nACD6CDxzdHJpbmc++gg8bGFtYmRhPnIGAAAAAwAAAHMKAAAAgACwIbBBsSOAAPMAAAAA\n';
const lambda = (name: string): J => ({
  class_name: 'Lambda',
  config: {
    name,
    function: [CODE, null, null],
    function_type: 'lambda',
    module: '__main__',
    arguments: {},
  },
});
const dense = (name: string, units = 2): J => ({
  class_name: 'Dense',
  config: { name, units, activation: 'linear' },
});
const input = (shape: (number | null)[]): J => ({
  class_name: 'InputLayer',
  config: { name: 'x', batch_input_shape: shape },
});
const seq = (layers: J[], name = 'm'): J => ({
  class_name: 'Sequential',
  config: { name, layers },
});
const paths = (doc: unknown, extra?: J) => findPythonCode(doc, extra).map((s) => s.path);

const disk = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-pycode-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('findPythonCode: every depth', () => {
  it('a top-level Lambda (the case scanners always caught)', () => {
    assert.deepEqual(paths(seq([input([null, 4]), lambda('l'), dense('d')])), ['layers[1] > Lambda']);
  });
  it('a Lambda inside TimeDistributed', () => {
    const td = {
      class_name: 'TimeDistributed',
      config: { name: 'td', layer: lambda('hidden') },
    };
    assert.deepEqual(paths(seq([input([null, 5, 3]), dense('d'), td])), ['layers[2].config.layer (TimeDistributed) > Lambda']);
  });
  it('Bidirectional: a Lambda as the backward layer, a TFOpLambda as the forward one', () => {
    const bi = {
      class_name: 'Bidirectional',
      config: {
        name: 'bi',
        layer: {
          class_name: 'TFOpLambda',
          config: { name: 'tf.math.add', function: 'math.add' },
        },
        backward_layer: lambda('back'),
      },
    };
    assert.deepEqual(paths(seq([input([null, 5, 3]), bi])), [
      'layers[1].config.layer (Bidirectional) > TFOpLambda',
      'layers[1].config.backward_layer (Bidirectional) > Lambda',
    ]);
  });
  it('a nested Sequential inside a Functional model, inside a wrapper', () => {
    const inner = seq(
      [
        input([null, 3]),
        {
          class_name: 'TimeDistributed',
          config: { name: 'td', layer: lambda('deep') },
        },
      ],
      'inner',
    );
    const functional = {
      class_name: 'Functional',
      config: {
        name: 'f',
        layers: [
          {
            class_name: 'InputLayer',
            name: 'in',
            config: { name: 'in', batch_input_shape: [null, 3] },
            inbound_nodes: [],
          },
          { ...inner, name: 'inner', inbound_nodes: [[['in', 0, 0, {}]]] },
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['inner', 0, 0]],
      },
    };
    assert.deepEqual(paths(functional), ['layers[1].config.layers[1].config.layer (Sequential > TimeDistributed) > Lambda']);
  });
  it('compile_config loss and metrics (Keras 3 __lambda__)', () => {
    const lam = {
      class_name: '__lambda__',
      config: { value: [CODE, null, null] },
    };
    const doc = {
      ...seq([input([null, 4]), dense('d')]),
      compile_config: {
        loss: lam,
        metrics: [['mae', lam]],
        optimizer: { class_name: 'Adam', config: { learning_rate: 0.001 } },
      },
    };
    assert.deepEqual(paths(doc), ['compile_config.loss > __lambda__', 'compile_config.metrics[0][1] > __lambda__']);
  });
  it('a custom object whose config holds a Lambda, and a custom layer with function_type lambda', () => {
    const custom = {
      module: 'my_pkg.blocks',
      class_name: 'MyBlock',
      registered_name: 'Custom>MyBlock',
      config: { name: 'b', inner: lambda('in_block') },
    };
    const k2 = {
      class_name: 'MyActivation',
      config: { name: 'a', fn: [CODE, null, null], function_type: 'lambda' },
    };
    assert.deepEqual(paths(seq([input([null, 4]), custom, k2])), [
      'layers[1].config.inner (MyBlock) > Lambda',
      'layers[2].config (MyActivation) > marshalled function',
    ]);
  });
  it('a marshalled function under any key (no function_type)', () => {
    assert.deepEqual(
      paths(
        seq([
          input([null, 4]),
          {
            class_name: 'Dense',
            config: { name: 'd', units: 2, kernel_constraint: { fn: [CODE] } },
          },
        ]),
      ),
      ['layers[1].config.kernel_constraint.fn[0] (Dense) > marshalled function'],
    );
  });
  it('tfjs modelTopology and an HDF5-style training_config', () => {
    const tfjs = {
      format: 'layers-model',
      modelTopology: {
        keras_version: '2.11.0',
        model_config: seq([input([null, 4]), { class_name: 'TimeDistributed', config: { layer: lambda('t') } }]),
        training_config: { loss: { class_name: '__lambda__', config: {} } },
      },
    };
    assert.deepEqual(paths(tfjs), ['training_config.loss > __lambda__', 'layers[1].config.layer (TimeDistributed) > Lambda']);
    assert.deepEqual(
      paths(seq([input([null, 4])]), {
        training_config: { loss: lambda('as_loss') },
      }),
      ['training_config.loss > Lambda'],
    );
  });
  it('nothing in plain models; function_type "raw", weight-like base64 and ordinary strings are not code', () => {
    const raw = {
      class_name: 'Dense',
      config: {
        name: 'd',
        units: 2,
        function_type: 'raw',
        function: 'my_module.fn',
        note: 'AAAAAAAAAAAA',
        b64: 'SGVsbG8gd29ybGQh',
      },
    };
    assert.deepEqual(paths(seq([input([null, 4]), raw, dense('e')])), []);
    assert.equal(isMarshalledCode(CODE), true);
    assert.equal(isMarshalledCode('4wEAAAAA'), true);
    assert.equal(isMarshalledCode('4wE'), false);
    assert.equal(isMarshalledCode('4 wEAAAAAA'), false);
  });
  it('a config nested 100,000 deep is walked without recursion', () => {
    let deep: J = lambda('bottom');
    for (let i = 0; i < 100_000; i++) deep = { class_name: 'Wrapper', config: { layer: deep } };
    const sites = findPythonCode(seq([input([null, 4]), deep]));
    assert.equal(sites.length, 1);
    assert.equal(sites[0].kind, 'Lambda');
    assert.ok(sites[0].path.startsWith('layers[1].config.layer.config.layer'));
  });
});

describe('python code at depth in files: JSON, .keras, .h5, and the lambda-layer finding', () => {
  it('model.json: TimeDistributed(Lambda) found by the reader, named in the finding, listed as Python-only', async () => {
    const p = join(tmp, 'model.json');
    writeFileSync(
      p,
      JSON.stringify({
        ...seq([
          input([null, 5, 3]),
          dense('d', 3),
          {
            class_name: 'TimeDistributed',
            config: { name: 'td', layer: lambda('h') },
          },
        ]),
        keras_version: '2.11.0',
        backend: 'tensorflow',
      }),
    );
    const r = await inspectFile(p, disk);
    assert.equal(r.error, null);
    assert.deepEqual(r.pythonCode, [
      {
        path: 'layers[2].config.layer (TimeDistributed) > Lambda',
        kind: 'Lambda',
      },
    ]);
    assert.deepEqual(r.model?.pythonOnlyLayers, ['Lambda']);
    const f = validateBundle([r], tmp).find((x) => x.code === 'lambda-layer');
    assert.ok(f, 'lambda-layer finding');
    assert.match(f.message, /at layers\[2\]\.config\.layer \(TimeDistributed\) > Lambda: it cannot run outside Python/);
  });
  it('model.json that cannot be summarised (nested 100 models deep) still reports its Lambda', async () => {
    let m: J = seq([input([null, 4]), lambda('l')], 'm0');
    for (let i = 1; i < 100; i++) m = seq([input([null, 4]), m], `m${i}`);
    const p = join(tmp, 'deep.json');
    writeFileSync(p, JSON.stringify(m));
    const r = await inspectFile(p, disk);
    assert.ok(r.error, 'the summary is refused');
    assert.equal(r.pythonCode?.length, 1);
    assert.ok(validateBundle([r], tmp).some((x) => x.code === 'lambda-layer'));
  });
  it('.keras zip: __lambda__ loss in compile_config and a Lambda in a nested Functional', async () => {
    const inner = seq([input([null, 4]), lambda('inner_l')], 'inner');
    const config = {
      module: 'keras',
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [
          {
            class_name: 'InputLayer',
            config: { name: 'x', batch_shape: [null, 4] },
          },
          inner,
        ],
      },
      compile_config: {
        loss: {
          module: null,
          class_name: '__lambda__',
          config: { value: [CODE, null, null] },
          registered_name: null,
        },
        metrics: null,
      },
    };
    const zip = zipSync({
      'config.json': strToU8(JSON.stringify(config)),
      'metadata.json': strToU8(JSON.stringify({ keras_version: '3.3.3' })),
    });
    const p = join(tmp, 'model.keras');
    writeFileSync(p, zip);
    const r = await inspectFile(p, disk);
    assert.equal(r.format, 'keras-zip');
    assert.deepEqual(r.pythonCode?.map((s) => s.path).sort(), ['compile_config.loss > __lambda__', 'layers[1].config.layers[1] (Sequential) > Lambda']);
    const f = validateBundle([r], tmp).find((x) => x.code === 'lambda-layer');
    assert.match(f!.message, /compile_config\.loss > __lambda__/);
  });
  it('.h5: Lambda inside TimeDistributed inside a nested Sequential', async () => {
    const r = await inspectFile('test/fixtures/pythoncode/td_lambda.h5', disk);
    assert.equal(r.format, 'keras-h5');
    assert.deepEqual(r.pythonCode, [
      {
        path: 'layers[2].config.layers[1].config.layer (Sequential > TimeDistributed) > Lambda',
        kind: 'Lambda',
      },
    ]);
    assert.deepEqual(r.model?.pythonOnlyLayers, ['Lambda']);
  });
  it('.h5: __lambda__ loss in the root training_config', async () => {
    const r = await inspectFile('test/fixtures/pythoncode/loss_lambda.h5', disk);
    assert.equal(r.format, 'keras-h5');
    assert.deepEqual(r.pythonCode, [{ path: 'training_config.loss > __lambda__', kind: '__lambda__' }]);
    // the weights are read as usual: Dense 4 -> 2 = 10 parameters
    assert.equal(r.weights?.totalParams, 10);
    assert.deepEqual(r.model?.pythonOnlyLayers, [], 'a lambda loss is not a layer');
    assert.match(validateBundle([r], 'test/fixtures/pythoncode').find((x) => x.code === 'lambda-layer')!.message, /training_config\.loss > __lambda__/);
  });
});
