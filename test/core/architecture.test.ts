// Architecture summaries: real configs against h5py reference numbers and hand arithmetic, and one
// small config per layer type in Keras 2 and Keras 3 spelling.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ReadError } from '../../src/core/io/errors';
import { reconcileWithWeights, summarizeModelConfig } from '../../src/core/formats/shared/architecture';
import { broadcastShapes, TF_OP_ELEMENTWISE } from '../../src/core/formats/shared/shapeInference';
import type { LayerSummary, ModelSummary, Shape, WeightsSummary } from '../../src/core/types';

const REAL = join(__dirname, '..', 'fixtures', 'real');
const REF = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'reference', 'arch', 'arch_reference.json'), 'utf8'));

type J = Record<string, unknown>;
function real(rel: string): unknown {
  return JSON.parse(readFileSync(join(REAL, rel), 'utf8'));
}
function keras(doc: unknown, version: string | null = null): ModelSummary {
  return summarizeModelConfig(doc, { framework: 'keras', kerasVersion: version });
}
function layer(s: ModelSummary, name: string): LayerSummary {
  const l = s.layers.find((x) => x.name === name);
  assert.ok(l, `layer ${name} in ${s.layers.map((x) => x.name).join(',')}`);
  return l;
}
/** A WeightsSummary from h5py's [[tensor name, shape]] lists per layer. */
function weightsFrom(tensors: Record<string, [string, number[]][]>): WeightsSummary {
  const layers = Object.entries(tensors).map(([name, ts]) => ({
    name,
    tensors: ts.map(([n, shape]) => ({ name: n, shape, dtype: 'float32' })),
  }));
  const totalParams = layers.flatMap((l) => l.tensors).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  return { layers, totalParams, bytes: totalParams * 4 };
}

// ---- small configs: Keras 2 (`batch_input_shape`, list inbound nodes) and Keras 3 forms ----

let counter = 0;
/** Keras 2 Sequential `{name, layers}` with an InputLayer. */
function seq2(input: Shape, ...layers: [string, J][]): J {
  return {
    class_name: 'Sequential',
    keras_version: '2.4.0',
    config: {
      name: 'sequential',
      layers: [
        { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: input, dtype: 'float32' } },
        ...layers.map(([cls, cfg]) => ({ class_name: cls, config: { name: `l${counter++}`, trainable: true, dtype: 'float32', ...cfg } })),
      ],
    },
  };
}
const POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
/** Keras 3 Sequential (`batch_shape`, DTypePolicy, module/registered_name/build_config). */
function seq3(input: Shape, ...layers: [string, J][]): J {
  return {
    module: 'keras',
    class_name: 'Sequential',
    registered_name: null,
    config: {
      name: 'sequential',
      trainable: true,
      dtype: POLICY,
      layers: [
        {
          module: 'keras.layers',
          class_name: 'InputLayer',
          registered_name: null,
          config: { name: 'in', batch_shape: input, dtype: 'float32', sparse: false },
        },
        ...layers.map(([cls, cfg]) => ({
          module: 'keras.layers',
          class_name: cls,
          registered_name: null,
          config: { name: `l${counter++}`, trainable: true, dtype: POLICY, ...cfg },
          build_config: { input_shape: input },
        })),
      ],
      build_input_shape: input,
    },
  };
}
/** The one layer of a one-layer model, in both spellings, checked to agree. */
function one(input: Shape, cls: string, cfg: J): LayerSummary {
  const a = keras(seq2(input, [cls, cfg])).layers[0];
  const b = keras(seq3(input, [cls, cfg])).layers[0];
  assert.deepEqual({ ...b, name: a.name }, a, `Keras 2 and Keras 3 forms of ${cls} agree`);
  return a;
}

describe('layer arithmetic (Keras 2 and Keras 3 forms)', () => {
  it('Dense: 8 -> 64 is 8*64+64 = 576; without bias 512; on 3-D input only the last axis changes', () => {
    const d = one([null, 8], 'Dense', { units: 64, use_bias: true });
    assert.deepEqual([d.outputShape, d.params], [[null, 64], 576]);
    assert.equal(one([null, 8], 'Dense', { units: 64, use_bias: false }).params, 512);
    assert.deepEqual(one([null, 10, 8], 'Dense', { units: 64 }).outputShape, [null, 10, 64]);
  });
  it('Conv2D: 3x3x3x16+16 = 448; valid 28->26, same stride 2 28->14, dilation 2 valid 28->24, channels_first', () => {
    const base = { filters: 16, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], use_bias: true };
    const v = one([null, 28, 28, 3], 'Conv2D', base);
    assert.deepEqual([v.outputShape, v.params], [[null, 26, 26, 16], 448]);
    assert.deepEqual(one([null, 28, 28, 3], 'Conv2D', { ...base, padding: 'same', strides: [2, 2] }).outputShape, [null, 14, 14, 16]);
    // dilation 2: effective kernel (3-1)*2+1 = 5, 28-5+1 = 24
    assert.deepEqual(one([null, 28, 28, 3], 'Conv2D', { ...base, dilation_rate: [2, 2] }).outputShape, [null, 24, 24, 16]);
    const cf = one([null, 3, 28, 28], 'Conv2D', { ...base, data_format: 'channels_first' });
    assert.deepEqual([cf.outputShape, cf.params], [[null, 16, 26, 26], 448]);
  });
  it('Conv1D: 5*4*8+8 = 168; valid stride 2: floor((100-5)/2)+1 = 48; causal stride 2: ceil(100/2) = 50', () => {
    const c = one([null, 100, 4], 'Conv1D', { filters: 8, kernel_size: [5], strides: [2], padding: 'valid' });
    assert.deepEqual([c.outputShape, c.params], [[null, 48, 8], 168]);
    assert.deepEqual(one([null, 100, 4], 'Conv1D', { filters: 8, kernel_size: 5, strides: 2, padding: 'causal' }).outputShape, [null, 50, 8]);
  });
  it('pooling: 2x2 valid 26->13; 3x3 stride 2 same 9x11 -> 5x6; AveragePooling1D 48->24; global pooling', () => {
    assert.deepEqual(one([null, 26, 26, 16], 'MaxPooling2D', { pool_size: [2, 2], padding: 'valid', strides: [2, 2] }).outputShape, [null, 13, 13, 16]);
    assert.deepEqual(one([null, 9, 11, 64], 'MaxPooling2D', { pool_size: [3, 3], padding: 'same', strides: [2, 2] }).outputShape, [null, 5, 6, 64]);
    assert.deepEqual(one([null, 48, 8], 'AveragePooling1D', { pool_size: [2], padding: 'valid', strides: [2] }).outputShape, [null, 24, 8]);
    assert.deepEqual(one([null, 26, 26, 16], 'AveragePooling2D', { pool_size: [2, 2] }).outputShape, [null, 13, 13, 16]);
    assert.deepEqual(one([null, 13, 13, 16], 'GlobalAveragePooling2D', {}).outputShape, [null, 16]);
    assert.deepEqual(one([null, 16, 13, 13], 'GlobalMaxPooling2D', { data_format: 'channels_first' }).outputShape, [null, 16]);
    assert.deepEqual(one([null, 48, 8], 'GlobalMaxPooling1D', {}).outputShape, [null, 8]);
    assert.deepEqual(one([null, 48, 8], 'GlobalAveragePooling1D', {}).outputShape, [null, 8]);
  });
  it('Flatten 13*13*16 = 2704; Reshape [-1, 4] of 12 -> [3, 4]; Permute; RepeatVector', () => {
    assert.deepEqual(one([null, 13, 13, 16], 'Flatten', {}).outputShape, [null, 2704]);
    assert.deepEqual(one([null, 12], 'Reshape', { target_shape: [-1, 4] }).outputShape, [null, 3, 4]);
    assert.deepEqual(one([null, 10, 8], 'Permute', { dims: [2, 1] }).outputShape, [null, 8, 10]);
    assert.deepEqual(one([null, 8], 'RepeatVector', { n: 5 }).outputShape, [null, 5, 8]);
  });
  it('shape-preserving layers have no parameters', () => {
    for (const cls of ['Dropout', 'Activation', 'LeakyReLU', 'ReLU', 'ELU', 'Softmax', 'GaussianNoise', 'SpatialDropout1D']) {
      const l = one([null, 10, 8], cls, { rate: 0.5, activation: 'relu', stddev: 0.1 });
      assert.deepEqual([l.outputShape, l.params], [[null, 10, 8], 0], cls);
    }
  });
  it('BatchNormalization: gamma, beta, moving mean, moving variance = 4*8 = 32, 16 non-trainable; axis list; center off', () => {
    const b = one([null, 10, 8], 'BatchNormalization', { axis: -1, center: true, scale: true });
    assert.deepEqual([b.params, b.nonTrainableParams, b.trainable], [32, 16, true]);
    const l = one([null, 50], 'BatchNormalization', { axis: [1] });
    assert.deepEqual([l.params, l.nonTrainableParams], [200, 100]);
    assert.equal(one([null, 10, 8], 'BatchNormalization', { axis: -1, center: false }).params, 24);
    const s = keras(seq2([null, 10, 8], ['BatchNormalization', { axis: -1 }]));
    assert.deepEqual([s.totalParams, s.trainableParams, s.nonTrainableParams], [32, 16, 16]);
  });
  it('LayerNormalization 2*8 = 16; PReLU 10*8 = 80, shared axis 1 -> 8', () => {
    assert.equal(one([null, 10, 8], 'LayerNormalization', { axis: -1 }).params, 16);
    assert.equal(one([null, 10, 8], 'PReLU', {}).params, 80);
    assert.equal(one([null, 10, 8], 'PReLU', { shared_axes: [1] }).params, 8);
  });
  it('Embedding 1000*64 = 64000 -> [null, 10, 64]', () => {
    const e = one([null, 10], 'Embedding', { input_dim: 1000, output_dim: 64 });
    assert.deepEqual([e.outputShape, e.params], [[null, 10, 64], 64000]);
  });
  it('LSTM 32 on 8: 4*(8*32+32*32+32) = 5248; return_sequences; return_state gives three shapes; no bias 5120', () => {
    const l = one([null, 10, 8], 'LSTM', { units: 32, return_sequences: false, use_bias: true });
    assert.deepEqual([l.outputShape, l.params], [[null, 32], 5248]);
    assert.deepEqual(one([null, 10, 8], 'LSTM', { units: 32, return_sequences: true }).outputShape, [null, 10, 32]);
    assert.deepEqual(one([null, 10, 8], 'LSTM', { units: 32, return_state: true }).outputShape, [
      [null, 32],
      [null, 32],
      [null, 32],
    ]);
    assert.equal(one([null, 10, 8], 'LSTM', { units: 32, use_bias: false }).params, 5120);
  });
  it('GRU 32 on 8: 3*(256+1024) + 6*32 = 4032 (reset_after), + 3*32 = 3936 without; SimpleRNN 8*16+16*16+16 = 400', () => {
    assert.equal(one([null, 10, 8], 'GRU', { units: 32, reset_after: true }).params, 4032);
    assert.equal(one([null, 10, 8], 'GRU', { units: 32, reset_after: false }).params, 3936);
    assert.equal(keras(seq2([null, 10, 8], ['GRU', { units: 32 }])).layers[0].params, 4032, 'Keras 2 default reset_after=True');
    // Keras 2.0.x had no reset_after: one bias per gate
    assert.equal(keras(seq2([null, 10, 8], ['GRU', { units: 32 }]), '2.0.5').layers[0].params, 3936);
    assert.equal(one([null, 10, 8], 'SimpleRNN', { units: 16 }).params, 400);
  });
  it('Bidirectional(LSTM 16) on 8: 2*4*(128+256+16) = 3200; concat 32, sum 16, None two outputs', () => {
    const inner = { class_name: 'LSTM', config: { name: 'lstm', units: 16, return_sequences: false } };
    const b = one([null, 10, 8], 'Bidirectional', { layer: inner, merge_mode: 'concat' });
    assert.deepEqual([b.outputShape, b.params], [[null, 32], 3200]);
    assert.deepEqual(one([null, 10, 8], 'Bidirectional', { layer: inner, merge_mode: 'sum' }).outputShape, [null, 16]);
    assert.deepEqual(one([null, 10, 8], 'Bidirectional', { layer: inner, merge_mode: null }).outputShape, [
      [null, 16],
      [null, 16],
    ]);
  });
  it('TimeDistributed(Dense 4) on [10, 8]: 8*4+4 = 36 -> [null, 10, 4]', () => {
    const t = one([null, 10, 8], 'TimeDistributed', { layer: { class_name: 'Dense', config: { name: 'd', units: 4 } } });
    assert.deepEqual([t.outputShape, t.params], [[null, 10, 4], 36]);
  });
  it('ZeroPadding2D, Cropping1D/2D, UpSampling1D/2D', () => {
    assert.deepEqual(
      one([null, 28, 28, 3], 'ZeroPadding2D', {
        padding: [
          [1, 1],
          [1, 1],
        ],
      }).outputShape,
      [null, 30, 30, 3],
    );
    assert.deepEqual(
      one([null, 28, 28, 3], 'ZeroPadding2D', {
        padding: [
          [1, 2],
          [3, 4],
        ],
      }).outputShape,
      [null, 31, 35, 3],
    );
    assert.deepEqual(
      one([null, 28, 28, 3], 'Cropping2D', {
        cropping: [
          [2, 2],
          [4, 4],
        ],
      }).outputShape,
      [null, 24, 20, 3],
    );
    assert.deepEqual(one([null, 10, 4], 'Cropping1D', { cropping: [1, 2] }).outputShape, [null, 7, 4]);
    assert.deepEqual(one([null, 28, 28, 3], 'UpSampling2D', { size: [2, 2] }).outputShape, [null, 56, 56, 3]);
    assert.deepEqual(one([null, 10, 4], 'UpSampling1D', { size: 3 }).outputShape, [null, 30, 4]);
  });
  it('Conv2DTranspose 3*3*8*16+8 = 1160, same stride 2 7->14, valid 7*2+max(3-2,0) = 15', () => {
    const t = one([null, 7, 7, 16], 'Conv2DTranspose', { filters: 8, kernel_size: [3, 3], strides: [2, 2], padding: 'same' });
    assert.deepEqual([t.outputShape, t.params], [[null, 14, 14, 8], 1160]);
    assert.deepEqual(one([null, 7, 7, 16], 'Conv2DTranspose', { filters: 8, kernel_size: [3, 3], strides: [2, 2], padding: 'valid' }).outputShape, [
      null,
      15,
      15,
      8,
    ]);
  });
  it('SeparableConv2D 3*3*16 + 16*32 + 32 = 688; DepthwiseConv2D x2: 3*3*16*2 + 32 = 320', () => {
    const s = one([null, 28, 28, 16], 'SeparableConv2D', { filters: 32, kernel_size: [3, 3], padding: 'valid', depth_multiplier: 1 });
    assert.deepEqual([s.outputShape, s.params], [[null, 26, 26, 32], 688]);
    const d = one([null, 28, 28, 16], 'DepthwiseConv2D', { kernel_size: [3, 3], depth_multiplier: 2, padding: 'valid' });
    assert.deepEqual([d.outputShape, d.params], [[null, 26, 26, 32], 320]);
  });
  it('MultiHeadAttention 2 heads x 8 on 16: 4*(16*16+16) = 1088; Resizing to 64x32', () => {
    const m = one([null, 10, 16], 'MultiHeadAttention', { num_heads: 2, key_dim: 8, value_dim: 8, use_bias: true, output_shape: null });
    assert.deepEqual([m.outputShape, m.params], [[null, 10, 16], 1088]);
    assert.deepEqual(one([null, 28, 28, 3], 'Resizing', { height: 64, width: 32 }).outputShape, [null, 64, 32, 3]);
  });
  it('ConvLSTM2D 8 filters 3x3 on 2 channels: 4*(9*2*8 + 9*8*8 + 8) = 2912; GroupNormalization 2*8', () => {
    const c = one([null, 5, 10, 10, 2], 'ConvLSTM2D', { filters: 8, kernel_size: [3, 3], padding: 'valid', return_sequences: true });
    assert.deepEqual([c.outputShape, c.params], [[null, 5, 8, 8, 8], 2912]);
    assert.equal(one([null, 10, 8], 'GroupNormalization', { groups: 2, axis: -1 }).params, 16);
  });
  it('Lambda: shape unknown, listed as Python-only', () => {
    const s = keras(seq2([null, 8], ['Lambda', { function: ['4wEAAAAAAAAA', null, null], function_type: 'lambda' }], ['Dense', { units: 2 }]));
    assert.equal(s.layers[0].outputShape, null);
    assert.deepEqual(s.pythonOnlyLayers, ['Lambda']);
    assert.ok(
      s.notes?.some((n) => n.includes('"l') && n.includes('Dense')),
      'the Dense after it has unknown params',
    );
  });
  // A Keras 2 Lambda config as get_config writes it: the function dumped as [base64 bytecode,
  // defaults, closure] (only data: never decoded nor run), output_shape with its type.
  const lambda2 = (outputShape: unknown, outputShapeType: string): J => ({
    function: ['4wEAAAAAAAAAAAAAAAEAAAABAAAAQwAAAHMEAAAAfABTACkBTqkAKQHaAXhyAQAAAHIBAAAA', null, null],
    function_type: 'lambda',
    module: '__main__',
    output_shape: outputShape,
    output_shape_type: outputShapeType,
    output_shape_module: outputShapeType === 'raw' ? null : '__main__',
    arguments: {},
  });
  it('Lambda with a raw output_shape: batch dim prepended, the Dense after it gets its shape and params', () => {
    // Dense 8 -> 4: 8*4+4 = 36; Lambda declares (6,) -> [null, 6], 0 params; Dense 6 -> 3: 6*3+3 = 21
    const s = keras(seq2([null, 8], ['Dense', { units: 4 }], ['Lambda', lambda2([6], 'raw')], ['Dense', { units: 3 }]));
    assert.deepEqual(
      s.layers.map((l) => [l.className, l.outputShape, l.params]),
      [
        ['Dense', [null, 4], 36],
        ['Lambda', [null, 6], 0],
        ['Dense', [null, 3], 21],
      ],
    );
    assert.equal(s.totalParams, 36 + 21);
    assert.deepEqual(s.pythonOnlyLayers, ['Lambda']);
    assert.equal(s.notes, undefined, 'nothing unknown, nothing to note');
    // the batch dim is the input's, as Keras' compute_output_shape takes input_shape[0]
    assert.deepEqual(keras(seq2([32, 8], ['Lambda', lambda2([2, 3], 'raw')])).layers[0].outputShape, [32, 2, 3]);
    // one shape per output: [[2], [null]] -> [null, 2] and [null, null]
    assert.deepEqual(keras(seq2([null, 8], ['Lambda', lambda2([[2], [null]], 'raw')])).layers[0].outputShape, [
      [null, 2],
      [null, null],
    ]);
  });
  it('Lambda whose output_shape is a function (lambda bytecode or a name) or None: shape unknown, with a note', () => {
    const fn = keras(seq2([null, 8], ['Lambda', lambda2(['4wEAAAAAAAAAAAAAAAEAAAAB', null, null], 'lambda')], ['Dense', { units: 3 }]));
    assert.deepEqual([fn.layers[0].outputShape, fn.layers[1].outputShape, fn.layers[1].params], [null, null, 0]);
    const lname = fn.layers[0].name;
    assert.ok(
      fn.notes?.some((n) => n.startsWith(`layer "${lname}" (Lambda): its output_shape is a Python function, which is never run`)),
      String(fn.notes),
    );
    assert.ok(
      fn.notes?.some((n) => n.includes(`"${fn.layers[1].name}" (Dense): parameter count not known`)),
      String(fn.notes),
    );
    const named = keras(seq2([null, 8], ['Lambda', lambda2('compute_shape', 'function')]));
    assert.ok(
      named.notes?.some((n) => n.includes('the Python function "compute_shape"')),
      String(named.notes),
    );
    // what real Keras 2 files hold when no output_shape was given: null with type "raw"
    const none = keras(seq2([null, 8], ['Lambda', lambda2(null, 'raw')]));
    assert.equal(none.layers[0].outputShape, null);
    assert.ok(
      none.notes?.some((n) => n.includes('no output_shape in its config')),
      String(none.notes),
    );
  });
  it('Keras 3 Lambda: a plain list or __tuple__ output_shape is used, a __lambda__ one is not', () => {
    const fn3 = { class_name: '__lambda__', config: { code: '4wEAAAAAAAAA', defaults: null, closure: null } };
    // Dense 8 -> 4 (36), Lambda (5,) -> [null, 5], Dense 5 -> 2: 5*2+2 = 12
    const s = keras(seq3([null, 8], ['Dense', { units: 4 }], ['Lambda', { function: fn3, output_shape: [5], arguments: {} }], ['Dense', { units: 2 }]));
    assert.deepEqual(
      s.layers.map((l) => [l.outputShape, l.params]),
      [
        [[null, 4], 36],
        [[null, 5], 0],
        [[null, 2], 12],
      ],
    );
    const t = keras(seq3([null, 8], ['Lambda', { function: fn3, output_shape: { class_name: '__tuple__', config: { value: [2, 4] } } }]));
    assert.deepEqual(t.layers[0].outputShape, [null, 2, 4]);
    const f = keras(seq3([null, 8], ['Lambda', { function: fn3, output_shape: fn3 }]));
    assert.equal(f.layers[0].outputShape, null);
    assert.ok(f.notes?.some((n) => n.includes('output_shape is a Python function')));
  });
  it('Lambda with a malformed output_shape (negative, fractional, strings, 100000 dims): unknown, no crash', () => {
    for (const bad of [[-2], [1.5], ['8'], Array(100000).fill(1), 7, 'x', [[1], 'y']]) {
      const s = keras(seq2([null, 8], ['Lambda', lambda2(bad, 'raw')], ['Dense', { units: 3 }]));
      assert.equal(s.layers[0].outputShape, null, JSON.stringify(bad).slice(0, 40));
      assert.equal(s.layers[1].params, 0);
    }
    const odd = keras(seq2([null, 8], ['Lambda', lambda2([4], 'bytecode')]));
    assert.equal(odd.layers[0].outputShape, null);
    assert.ok(odd.notes?.some((n) => n.includes('output_shape_type "bytecode" is not one Keras writes')));
  });
  it('a frozen layer (trainable: false) makes its parameters non-trainable', () => {
    const s = keras(seq2([null, 8], ['Dense', { units: 64, trainable: false }], ['Dense', { units: 1 }]));
    // 576 frozen + 64*1+1 = 65 trainable
    assert.deepEqual([s.totalParams, s.trainableParams, s.nonTrainableParams], [641, 65, 576]);
    assert.equal(s.layers[0].trainable, false);
  });
  it('an unknown layer class: params 0 with a note, then filled in by the weights', () => {
    const s = keras(seq2([null, 8], ['MyCustomLayer', { units: 3 }]));
    assert.equal(s.layers[0].params, 0);
    assert.ok(s.notes?.some((n) => n.includes('MyCustomLayer') && n.includes('not known')));
    const name = s.layers[0].name;
    const r = reconcileWithWeights(s, weightsFrom({ [name]: [[`${name}/w:0`, [8, 3]]] }));
    assert.equal(r.layers[0].params, 24);
    assert.equal(r.totalParams, 24);
    assert.ok(!r.notes?.some((n) => n.includes('parameter count not known')));
  });
});

describe('graphs: Keras 2 / Keras 3 functional, nested models, Keras 1', () => {
  it('Keras 3 functional with keras_history tensors, list input_layers and single output ref', () => {
    const t = (l: string): J => ({ class_name: '__keras_tensor__', config: { shape: [null], dtype: 'float32', keras_history: [l, 0, 0] } });
    const doc = {
      module: 'keras.src.models.functional',
      class_name: 'Functional',
      config: {
        name: 'f',
        trainable: true,
        layers: [
          {
            module: 'keras.layers',
            class_name: 'InputLayer',
            config: { batch_shape: [null, 8], dtype: 'float32', name: 'in_a' },
            name: 'in_a',
            inbound_nodes: [],
          },
          {
            module: 'keras.layers',
            class_name: 'InputLayer',
            config: { batch_shape: [null, 4], dtype: 'float32', name: 'in_b' },
            name: 'in_b',
            inbound_nodes: [],
          },
          {
            module: 'keras.layers',
            class_name: 'Dense',
            config: { name: 'da', units: 16, dtype: POLICY },
            name: 'da',
            build_config: { input_shape: [null, 8] },
            inbound_nodes: [{ args: [t('in_a')], kwargs: {} }],
          },
          {
            module: 'keras.layers',
            class_name: 'Concatenate',
            config: { name: 'cat', axis: -1, dtype: POLICY },
            name: 'cat',
            inbound_nodes: [{ args: [[t('da'), t('in_b')]], kwargs: {} }],
          },
          {
            module: 'keras.layers',
            class_name: 'Dense',
            config: { name: 'out', units: 1, dtype: POLICY },
            name: 'out',
            inbound_nodes: [{ args: [t('cat')], kwargs: {} }],
          },
        ],
        input_layers: [
          ['in_a', 0, 0],
          ['in_b', 0, 0],
        ],
        output_layers: ['out', 0, 0],
      },
    };
    const s = keras(doc, '3.3.3');
    // da 8*16+16 = 144, cat 16+4 = 20, out 20*1+1 = 21
    assert.deepEqual(
      s.layers.map((l) => [l.name, l.params, l.outputShape]),
      [
        ['in_a', 0, [null, 8]],
        ['in_b', 0, [null, 4]],
        ['da', 144, [null, 16]],
        ['cat', 0, [null, 20]],
        ['out', 21, [null, 1]],
      ],
    );
    assert.deepEqual(layer(s, 'cat').inbound, ['da', 'in_b']);
    assert.deepEqual(
      [s.totalParams, s.inputShapes, s.outputShapes],
      [
        165,
        [
          [null, 8],
          [null, 4],
        ],
        [[null, 1]],
      ],
    );
  });
  it('Keras 2 functional: a shared layer counts once; Add/Multiply/Average/Subtract keep the shape', () => {
    const mk = (cls: string): ModelSummary =>
      keras(
        {
          class_name: 'Model',
          config: {
            name: 'm',
            layers: [
              { class_name: 'InputLayer', name: 'a', config: { name: 'a', batch_input_shape: [null, 8] }, inbound_nodes: [] },
              { class_name: 'InputLayer', name: 'b', config: { name: 'b', batch_input_shape: [null, 8] }, inbound_nodes: [] },
              { class_name: 'Dense', name: 'shared', config: { name: 'shared', units: 8 }, inbound_nodes: [[['a', 0, 0, {}]], [['b', 0, 0, {}]]] },
              {
                class_name: cls,
                name: 'merge',
                config: { name: 'merge' },
                inbound_nodes: [
                  [
                    ['shared', 0, 0, {}],
                    ['shared', 1, 0, {}],
                  ],
                ],
              },
            ],
            input_layers: [
              ['a', 0, 0],
              ['b', 0, 0],
            ],
            output_layers: [['merge', 0, 0]],
          },
        },
        '2.2.4',
      );
    for (const cls of ['Add', 'Multiply', 'Average', 'Subtract', 'Maximum']) {
      const s = mk(cls);
      assert.equal(s.totalParams, 72, `${cls}: shared Dense 8*8+8 = 72 once`);
      assert.deepEqual(layer(s, 'merge').outputShape, [null, 8]);
      assert.deepEqual(layer(s, 'shared').inbound, ['a', 'b']);
    }
  });
  it('tf.keras TFOpLambda: tensors passed in kwargs are inbound too; the layer is Python-only', () => {
    const s = keras(
      {
        class_name: 'Functional',
        config: {
          name: 'f',
          layers: [
            { class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_input_shape: [null, 4] }, inbound_nodes: [] },
            { class_name: 'Dense', name: 'a', config: { name: 'a', units: 4 }, inbound_nodes: [[['x', 0, 0, {}]]] },
            {
              class_name: 'TFOpLambda',
              name: 'tf.math.add',
              config: { name: 'tf.math.add', function: 'math.add' },
              inbound_nodes: [[['a', 0, 0, { y: ['x', 0, 0], name: null }]]],
            },
          ],
          input_layers: [['x', 0, 0]],
          output_layers: [['tf.math.add', 0, 0]],
        },
      },
      '2.6.0',
    );
    assert.deepEqual(layer(s, 'tf.math.add').inbound, ['a', 'x']);
    // math.add is element-wise: a [null, 4] + x [null, 4] broadcast -> [null, 4]
    assert.deepEqual([layer(s, 'tf.math.add').outputShape, s.pythonOnlyLayers, s.totalParams], [[null, 4], ['TFOpLambda'], 20]);
  });
  it('TFOpLambda element-wise ops keep (broadcast) shapes, so the Dense after them gets its params; reshape stays unknown', () => {
    const op = (name: string, fn: string, inbound: unknown[]) => ({
      class_name: 'TFOpLambda',
      name,
      config: { name, trainable: true, dtype: 'float32', function: fn },
      inbound_nodes: [inbound],
    });
    const s = keras(
      {
        class_name: 'Functional',
        config: {
          name: 'f',
          layers: [
            { class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_input_shape: [null, 3, 4] }, inbound_nodes: [] },
            // Dense 4 -> 4 on the last axis: 4*4+4 = 20, [null, 3, 4]
            { class_name: 'Dense', name: 'a', config: { name: 'a', units: 4 }, inbound_nodes: [[['x', 0, 0, {}]]] },
            // a + x: [null, 3, 4] with [null, 3, 4] -> [null, 3, 4]
            op('tf.__operators__.add', '__operators__.add', [['a', 0, 0, { y: ['x', 0, 0], name: null }]]),
            // times the constant 2.0: same shape
            op('tf.math.multiply', 'math.multiply', [['tf.__operators__.add', 0, 0, { y: 2.0, name: null }]]),
            op('tf.nn.relu', 'nn.relu', [['tf.math.multiply', 0, 0, { name: null }]]),
            // Dense 4 -> 2: 4*2+2 = 10, [null, 3, 2]
            { class_name: 'Dense', name: 'b', config: { name: 'b', units: 2 }, inbound_nodes: [[['tf.nn.relu', 0, 0, {}]]] },
            op('tf.reshape', 'reshape', [['b', 0, 0, { shape: [-1, 6], name: null }]]),
          ],
          input_layers: [['x', 0, 0]],
          output_layers: [['tf.reshape', 0, 0]],
        },
      },
      '2.6.0',
    );
    assert.deepEqual(
      s.layers.map((l) => [l.name, l.outputShape, l.params]),
      [
        ['x', [null, 3, 4], 0],
        ['a', [null, 3, 4], 20],
        ['tf.__operators__.add', [null, 3, 4], 0],
        ['tf.math.multiply', [null, 3, 4], 0],
        ['tf.nn.relu', [null, 3, 4], 0],
        ['b', [null, 3, 2], 10],
        ['tf.reshape', null, 0],
      ],
    );
    assert.equal(s.totalParams, 30);
    for (const fn of ['math.multiply', '__operators__.add', 'math.add', 'nn.relu', 'math.subtract']) assert.ok(TF_OP_ELEMENTWISE.has(fn), fn);
    for (const fn of ['reshape', 'concat', 'math.reduce_sum', 'linalg.matmul', '__operators__.getitem']) assert.ok(!TF_OP_ELEMENTWISE.has(fn), fn);
  });
  it('broadcasting as NumPy: right-aligned, 1 stretches, unknown against n is n; clashes and unknown inputs give null', () => {
    assert.deepEqual(broadcastShapes([[null, 3, 1], [4]]), [null, 3, 4]);
    assert.deepEqual(
      broadcastShapes([
        [null, 4],
        [null, 4],
      ]),
      [null, 4],
    );
    assert.deepEqual(
      broadcastShapes([
        [null, 1],
        [5, 1],
      ]),
      [5, 1],
    );
    assert.deepEqual(
      broadcastShapes([
        [null, 1],
        [null, 1],
      ]),
      [null, 1],
    );
    assert.deepEqual(broadcastShapes([[null, 3, 4]]), [null, 3, 4]);
    assert.equal(broadcastShapes([[null, 3], [4]]), null);
    assert.equal(broadcastShapes([[null, 3], null]), null);
    assert.equal(broadcastShapes([]), null);
  });
  it('a nested Sequential inside a Keras 2 functional model (node index 1) and a frozen one inside a Keras 3 one', () => {
    const inner = {
      class_name: 'Sequential',
      config: {
        name: 'inner',
        layers: [
          { class_name: 'Dense', config: { name: 'd1', units: 4, batch_input_shape: [null, 8] } },
          { class_name: 'BatchNormalization', config: { name: 'bn', axis: -1 } },
        ],
      },
    };
    const doc = {
      class_name: 'Model',
      config: {
        name: 'outer',
        layers: [
          { class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_input_shape: [null, 8] }, inbound_nodes: [] },
          { ...inner, name: 'inner', inbound_nodes: [[['x', 0, 0, {}]]] },
          { class_name: 'Dense', name: 'head', config: { name: 'head', units: 1 }, inbound_nodes: [[['inner', 1, 0, {}]]] },
        ],
        input_layers: [['x', 0, 0]],
        output_layers: [['head', 0, 0]],
      },
    };
    const s = keras(doc, '2.2.4');
    const n = layer(s, 'inner');
    // d1 8*4+4 = 36, bn 4*4 = 16 (8 non-trainable): 52; head 4+1 = 5
    assert.deepEqual([n.params, n.nonTrainableParams, n.outputShape], [52, 8, [null, 4]]);
    assert.deepEqual(
      n.layers?.map((l) => [l.name, l.params]),
      [
        ['d1', 36],
        ['bn', 16],
      ],
    );
    assert.deepEqual([s.totalParams, s.nonTrainableParams, layer(s, 'head').params], [57, 8, 5]);
    const t = (l: string): J => ({ class_name: '__keras_tensor__', config: { shape: [null, 8], dtype: 'float32', keras_history: [l, 0, 0] } });
    const k3 = keras(
      {
        module: 'keras.src.models.functional',
        class_name: 'Functional',
        config: {
          name: 'outer',
          trainable: true,
          layers: [
            { module: 'keras.layers', class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_shape: [null, 8], dtype: 'float32' }, inbound_nodes: [] },
            {
              module: 'keras',
              class_name: 'Sequential',
              name: 'inner',
              build_config: { input_shape: [null, 8] },
              config: {
                name: 'inner',
                trainable: false,
                dtype: POLICY,
                layers: [
                  { module: 'keras.layers', class_name: 'InputLayer', config: { name: 'inner_in', batch_shape: [null, 8] } },
                  { module: 'keras.layers', class_name: 'Dense', config: { name: 'd1', units: 4, dtype: POLICY } },
                ],
              },
              inbound_nodes: [{ args: [t('x')], kwargs: { training: false } }],
            },
            {
              module: 'keras.layers',
              class_name: 'Dense',
              name: 'head',
              config: { name: 'head', units: 1, dtype: POLICY },
              inbound_nodes: [{ args: [t('inner')], kwargs: {} }],
            },
          ],
          input_layers: ['x', 0, 0],
          output_layers: ['head', 0, 0],
        },
      },
      '3.4.1',
    );
    // frozen inner model: its 36 parameters do not train; head 5 does
    assert.deepEqual([k3.totalParams, k3.trainableParams, k3.nonTrainableParams], [41, 5, 36]);
    assert.deepEqual([layer(k3, 'inner').outputShape, k3.inputShapes, k3.outputShapes], [[null, 4], [[null, 8]], [[null, 1]]]);
  });
  it('Keras 1: Merge concat, Convolution2D with dim_ordering th, output_dim, GRU without reset_after', () => {
    const doc = {
      class_name: 'Model',
      keras_version: '1.2.2',
      config: {
        name: 'm',
        layers: [
          { class_name: 'InputLayer', name: 'a', config: { name: 'a', batch_input_shape: [null, 4] }, inbound_nodes: [] },
          { class_name: 'InputLayer', name: 'b', config: { name: 'b', batch_input_shape: [null, 6] }, inbound_nodes: [] },
          {
            class_name: 'Merge',
            name: 'm1',
            config: { name: 'm1', mode: 'concat', concat_axis: -1 },
            inbound_nodes: [
              [
                ['a', 0, 0],
                ['b', 0, 0],
              ],
            ],
          },
          { class_name: 'Dense', name: 'd', config: { name: 'd', output_dim: 2, init: 'glorot_uniform', bias: true }, inbound_nodes: [[['m1', 0, 0]]] },
        ],
        input_layers: [
          ['a', 0, 0],
          ['b', 0, 0],
        ],
        output_layers: [['d', 0, 0]],
      },
    };
    const s = keras(doc);
    // (4+6)*2+2 = 22
    assert.deepEqual([layer(s, 'm1').outputShape, layer(s, 'd').params], [[null, 10], 22]);
    const c = keras({
      class_name: 'Sequential',
      config: [
        {
          class_name: 'Convolution2D',
          config: {
            name: 'c',
            nb_filter: 8,
            nb_row: 3,
            nb_col: 3,
            border_mode: 'valid',
            dim_ordering: 'th',
            subsample: [1, 1],
            batch_input_shape: [null, 1, 28, 28],
          },
        },
        { class_name: 'GRU', config: { name: 'g', output_dim: 4, input_dim: 3 } },
      ],
    });
    // 3*3*1*8+8 = 80 -> [null, 8, 26, 26]
    assert.deepEqual([c.layers[0].outputShape, c.layers[0].params], [[null, 8, 26, 26], 80]);
    const g = keras({
      class_name: 'Sequential',
      keras_version: '1.2.2',
      config: [{ class_name: 'GRU', config: { name: 'g', output_dim: 4, input_dim: 3, input_length: 7 } }],
    });
    // Keras 1 GRU: 3*(3*4 + 4*4 + 4) = 96
    assert.deepEqual([g.layers[0].params, g.layers[0].outputShape], [96, [null, 4]]);
  });
  it('Keras 1 Sequential starting with a Merge of two Sequential branches (bare-list configs)', () => {
    const branch = (name: string, inDim: number, out: number): J => ({
      class_name: 'Sequential',
      config: [{ class_name: 'Dense', config: { name, output_dim: out, input_dim: inDim, init: 'glorot_uniform', batch_input_shape: [null, inDim] } }],
    });
    const s = keras({
      class_name: 'Sequential',
      keras_version: '1.2.2',
      config: [
        { class_name: 'Merge', config: { name: 'merge_1', mode: 'concat', concat_axis: -1, layers: [branch('dense_1', 10, 8), branch('dense_2', 6, 4)] } },
        { class_name: 'Dense', config: { name: 'dense_3', output_dim: 1, init: 'glorot_uniform' } },
      ],
    });
    // branches 10*8+8 = 88 and 6*4+4 = 28, concat 8+4 = 12, head 12*1+1 = 13
    assert.deepEqual(
      s.layers.map((l) => [l.name, l.params, l.outputShape]),
      [
        ['merge_1', 116, [null, 12]],
        ['dense_3', 13, [null, 1]],
      ],
    );
    assert.deepEqual(
      s.layers[0].layers?.map((l) => l.params),
      [88, 28],
    );
    assert.equal(s.totalParams, 129);
  });
  it('absurd configs give unknown counts and shapes, not negative ones', () => {
    const s = keras(seq2([null, 8], ['Dense', { units: -5 }]));
    assert.equal(s.layers[0].params, 0);
    assert.ok(s.notes?.some((n) => n.includes('not known')));
    const c = keras(seq2([null, 4, 4, 3], ['Conv2D', { filters: 2, kernel_size: [9, 9], padding: 'valid' }]));
    assert.deepEqual(c.layers[0].outputShape, [null, null, null, 2]);
  });
  it('refuses what is not a model config', () => {
    for (const bad of [
      { a: 1 },
      { class_name: 'Adam', config: { lr: 0.001 } },
      { loss: 'mse', optimizer: 'adam' },
      [],
      null,
      'x',
      { class_name: 'Sequential', config: null },
    ]) {
      assert.throws(
        () => keras(bad),
        (e: unknown) => e instanceof ReadError && e.code === 'not-a-model',
        JSON.stringify(bad),
      );
    }
  });
  it('models or Merges nested 200 deep are refused, 3000 nested wrappers give up, a cyclic graph terminates with a note', () => {
    let doc: J = {
      class_name: 'Sequential',
      config: { name: 'leaf', layers: [{ class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: [null, 1] } }] },
    };
    for (let i = 0; i < 200; i++) doc = { class_name: 'Sequential', config: { name: `s${i}`, layers: [doc] } };
    assert.throws(
      () => keras(doc),
      (e: unknown) => e instanceof ReadError,
    );
    let merge: J = { class_name: 'Dense', config: { name: 'd', units: 1, batch_input_shape: [null, 1] } };
    for (let i = 0; i < 200; i++) merge = { class_name: 'Merge', config: { name: `m${i}`, mode: 'sum', layers: [merge] } };
    assert.throws(
      () => keras({ class_name: 'Sequential', config: [merge] }),
      (e: unknown) => e instanceof ReadError,
    );
    let wrapped: J = { class_name: 'Dense', config: { name: 'd', units: 1 } };
    for (let i = 0; i < 3000; i++) wrapped = { class_name: 'TimeDistributed', config: { name: `t${i}`, layer: wrapped } };
    const w = keras(seq2([null, 5, 1], ['TimeDistributed', { layer: wrapped }]));
    assert.equal(w.layers[0].outputShape, null);
    assert.ok(w.notes?.some((n) => n.includes('not known')));
    const cyc = keras({
      class_name: 'Model',
      config: {
        name: 'c',
        layers: [
          { class_name: 'Dense', name: 'p', config: { name: 'p', units: 2 }, inbound_nodes: [[['q', 0, 0, {}]]] },
          { class_name: 'Dense', name: 'q', config: { name: 'q', units: 2 }, inbound_nodes: [[['p', 0, 0, {}]]] },
        ],
        input_layers: [],
        output_layers: [['q', 0, 0]],
      },
    });
    assert.ok(cyc.notes?.some((n) => n.includes('could not be followed')));
    // layers listed after the layers they feed are still followed: 8 -> 4 -> 2
    const rev = keras({
      class_name: 'Model',
      config: {
        name: 'r',
        layers: [
          { class_name: 'Dense', name: 'b', config: { name: 'b', units: 2 }, inbound_nodes: [[['a', 0, 0, {}]]] },
          { class_name: 'Dense', name: 'a', config: { name: 'a', units: 4 }, inbound_nodes: [[['x', 0, 0, {}]]] },
          { class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_input_shape: [null, 8] }, inbound_nodes: [] },
        ],
        input_layers: [['x', 0, 0]],
        output_layers: [['b', 0, 0]],
      },
    });
    // a: 8*4+4 = 36, b: 4*2+2 = 10
    assert.deepEqual([rev.totalParams, rev.outputShapes, rev.notes], [46, [[null, 2]], undefined]);
  });
});

describe('real structure files', () => {
  it('2dongheee Sequential (Keras 2.2.4): per-layer arithmetic and shapes', () => {
    const s = keras(real('2dongheee__Udacity-CarND-Behavioral-Cloning-P3/model.json'));
    const expect: [string, Shape, number][] = [
      ['conv2d_1', [null, 32, 32, 32], 5 * 5 * 3 * 32 + 32], // same, stride 2: 64/2
      ['conv2d_2', [null, 30, 30, 16], 3 * 3 * 32 * 16 + 16], // valid: 32-3+1
      ['max_pooling2d_1', [null, 15, 15, 16], 0],
      ['conv2d_3', [null, 13, 13, 16], 3 * 3 * 16 * 16 + 16],
      ['flatten_1', [null, 13 * 13 * 16], 0],
      ['dense_1', [null, 1024], 2704 * 1024 + 1024],
      ['dense_2', [null, 512], 1024 * 512 + 512],
      ['dense_3', [null, 1], 512 + 1],
    ];
    for (const [name, shape, params] of expect) assert.deepEqual([layer(s, name).outputShape, layer(s, name).params], [shape, params], name);
    assert.equal(s.layers.length, 16);
    assert.deepEqual([s.totalParams, s.nonTrainableParams, s.kerasVersion, s.backend], [3304609, 0, '2.2.4', 'tensorflow']);
  });
  it('Arksyd96 autoencoder: two nested functional models (encoder called as node 1)', () => {
    const s = keras(real('Arksyd96__denoising-autoencoder-keras/autoencoder.json'));
    const enc = 896 + 128 + 18496 + 256 + 73856 + 512 + (2048 * 1024 + 1024); // conv 3*3*3*32+32, BN 4*32, ...
    const dec = 1024 * 2048 + 2048 + (9 * 128 * 128 + 128) + 512 + (9 * 128 * 64 + 64) + 256 + (9 * 64 * 32 + 32) + 128 + (9 * 32 * 3 + 3);
    assert.deepEqual([layer(s, 'encoder').params, layer(s, 'decoder').params], [enc, dec]);
    assert.deepEqual(
      [layer(s, 'encoder').outputShape, layer(s, 'decoder').outputShape],
      [
        [null, 1024],
        [null, 32, 32, 3],
      ],
    );
    assert.deepEqual(layer(s, 'decoder').inbound, ['encoder']);
    // moving mean + variance of BN over 32+64+128 channels, twice
    assert.deepEqual([s.totalParams, s.nonTrainableParams, s.trainableParams], [enc + dec, 896, enc + dec - 896]);
    assert.equal(layer(s, 'encoder').layers?.length, 9);
  });
  it('charlesll autoencoder (Keras 1.0.5, dim_ordering th, UpSampling2D without it)', () => {
    const s = keras(real('charlesll__SiliCat/autoencoder.json'));
    assert.equal(s.kerasVersion, '1.0.5');
    assert.deepEqual(layer(s, 'convolution2d_10').outputShape, [null, 8, 100, 1000]);
    assert.deepEqual(layer(s, 'flatten_4').outputShape, [null, 16 * 25 * 250]);
    assert.deepEqual(layer(s, 'upsampling2d_4').outputShape, [null, 8, 100, 1000]);
    const convs = [6 * 6 * 1 * 8 + 8, 6 * 6 * 8 * 16 + 16, 6 * 6 * 16 * 16 + 16, 6 * 6 * 16 * 8 + 8, 6 * 6 * 8 * 1 + 1];
    const dense = [100000 * 128 + 128, 128 * 10 + 10, 10 * 128 + 128, 128 * 100000 + 100000];
    assert.equal(
      s.totalParams,
      [...convs, ...dense].reduce((a, b) => a + b),
    );
    assert.deepEqual(s.outputShapes, [[null, 1, 100, 1000]]);
  });
  for (const [rel, r] of Object.entries<{
    totalParams: number;
    nonTrainableParams: number;
    layers: Record<string, number>;
    tensors: Record<string, [string, number[]][]>;
  }>(REF.pairs)) {
    it(`${rel}: config and h5py weights agree, reconciliation keeps the totals`, () => {
      const s = keras(real(rel));
      assert.equal(s.totalParams, r.totalParams);
      for (const l of s.layers) assert.equal(l.params, r.layers[l.name] ?? 0, l.name);
      const rec = reconcileWithWeights(s, weightsFrom(r.tensors));
      assert.deepEqual([rec.totalParams, rec.nonTrainableParams, rec.notes], [r.totalParams, r.nonTrainableParams, undefined]);
    });
  }
  for (const [rel, r] of Object.entries<{
    keras_version: string;
    model_config: unknown;
    totalParams: number;
    nonTrainableParams: number;
    layers: Record<string, number>;
    tensors: Record<string, [string, number[]][]>;
  }>(REF.fullH5)) {
    it(`${rel}: model_config summary equals the h5py sums of model_weights`, () => {
      const s = summarizeModelConfig(r.model_config, { framework: 'keras', kerasVersion: r.keras_version });
      if (r.totalParams > 0) {
        assert.deepEqual([s.totalParams, s.nonTrainableParams], [r.totalParams, r.nonTrainableParams]);
        for (const l of s.layers) assert.equal(l.params, r.layers[l.name] ?? 0, l.name);
      }
      const rec = reconcileWithWeights(s, weightsFrom(r.tensors));
      assert.deepEqual([rec.totalParams, rec.nonTrainableParams], [r.totalParams, r.nonTrainableParams]);
    });
  }
  it('Keras 3 .keras config.json (FlowNet) equals the h5py sum of its model.weights.h5', () => {
    for (const r of Object.values<{ keras_version: string; config: unknown; totalParams: number; layers: Record<string, number> }>(REF.kerasZip)) {
      const s = summarizeModelConfig(r.config, { framework: 'keras', kerasVersion: r.keras_version });
      assert.equal(s.totalParams, r.totalParams);
      assert.deepEqual(s.inputShapes, [[null, 4]]);
    }
  });
  it('lstm.h5 (frugally-deep): return_state outputs and multi-input LSTM', () => {
    const r = REF.fullH5['Dobiasd__frugally-deep/keras_export/lstm.h5'];
    const s = summarizeModelConfig(r.model_config, { framework: 'keras', kerasVersion: r.keras_version });
    assert.deepEqual(layer(s, 'lstm_3').outputShape, [
      [null, 3],
      [null, 3],
      [null, 3],
    ]);
    assert.deepEqual(layer(s, 'lstm_15').inbound, ['input_3', 'input_4', 'input_5']);
    // Bidirectional(LSTM 6, return_sequences=False) concat: 12
    assert.deepEqual(layer(s, 'bidirectional_2').outputShape, [null, 12]);
    assert.equal(s.outputShapes.length, 17);
  });
});

describe('reconcileWithWeights', () => {
  const base = (): ModelSummary => keras(seq2([null, 8], ['Dense', { name: 'dense_1', units: 4 }], ['BatchNormalization', { name: 'bn', axis: -1 }]));
  it('accepts every tensor naming: dense_1/kernel:0, kernel:0, kernel, vars/0 (Keras 3 BN: last two vars non-trainable)', () => {
    for (const names of [
      ['dense_1/kernel:0', 'dense_1/bias:0', 'bn/gamma:0', 'bn/beta:0', 'bn/moving_mean:0', 'bn/moving_variance:0'],
      ['kernel:0', 'bias:0', 'gamma:0', 'beta:0', 'moving_mean:0', 'moving_variance:0'],
      ['kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance'],
      ['vars/0', 'vars/1', 'vars/0', 'vars/1', 'vars/2', 'vars/3'],
    ]) {
      const w = weightsFrom({
        dense_1: [
          [names[0], [8, 4]],
          [names[1], [4]],
        ],
        bn: [
          [names[2], [4]],
          [names[3], [4]],
          [names[4], [4]],
          [names[5], [4]],
        ],
      });
      const r = reconcileWithWeights(base(), w);
      // 8*4+4 = 36, BN 4*4 = 16 of which 8 non-trainable
      assert.deepEqual([r.totalParams, r.nonTrainableParams, r.notes], [52, 8, undefined], names[0]);
    }
  });
  it('Keras 1 flat names (dense_1_W in one list) are matched by prefix', () => {
    const s = keras({ class_name: 'Sequential', config: [{ class_name: 'Dense', config: { name: 'dense_1', output_dim: 3, input_dim: 2, init: 'uniform' } }] });
    const r = reconcileWithWeights(
      s,
      weightsFrom({
        all: [
          ['dense_1_W', [2, 3]],
          ['dense_1_b', [3]],
        ],
      }),
    );
    assert.deepEqual([r.totalParams, r.notes], [9, undefined]);
  });
  it('nested models: one weights group per nested model fills its inner layers (Keras 2 HDF5 layout)', () => {
    const s = keras(real('Arksyd96__denoising-autoencoder-keras/autoencoder.json'));
    const bn = (n: string, c: number): [string, number[]][] => ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w) => [`${n}/${w}:0`, [c]]);
    const conv = (n: string, k: number[], c: number): [string, number[]][] => [
      [`${n}/kernel:0`, k],
      [`${n}/bias:0`, [c]],
    ];
    const encoder = [
      ...conv('conv2d_1', [3, 3, 3, 32], 32),
      ...bn('batch_normalization_1', 32),
      ...conv('conv2d_2', [3, 3, 32, 64], 64),
      ...bn('batch_normalization_2', 64),
      ...conv('conv2d_3', [3, 3, 64, 128], 128),
      ...bn('batch_normalization_3', 128),
      ...conv('dense_1', [2048, 1024], 1024),
    ];
    const decoder = [
      ...conv('dense_2', [1024, 2048], 2048),
      ...conv('conv2d_transpose_1', [3, 3, 128, 128], 128),
      ...bn('batch_normalization_4', 128),
      ...conv('conv2d_transpose_2', [3, 3, 64, 128], 64),
      ...bn('batch_normalization_5', 64),
      ...conv('conv2d_transpose_3', [3, 3, 32, 64], 32),
      ...bn('batch_normalization_6', 32),
      ...conv('conv2d_transpose_4', [3, 3, 3, 32], 3),
    ];
    const r = reconcileWithWeights(s, weightsFrom({ encoder, decoder }));
    assert.deepEqual([r.totalParams, r.nonTrainableParams, r.notes], [s.totalParams, 896, undefined]);
    const enc = layer(r, 'encoder');
    assert.deepEqual(enc.layers?.map((l) => [l.name, l.params, l.nonTrainableParams ?? 0]).slice(1, 3), [
      ['conv2d_1', 896, 0],
      ['batch_normalization_1', 128, 64],
    ]);
    // a decoder saved with 16 filters in its last layer instead of 3: told on the model and counted from the weights
    const bad = decoder.map(([n, sh]): [string, number[]] => (n === 'conv2d_transpose_4/kernel:0' ? [n, [3, 3, 16, 32]] : [n, sh]));
    const r2 = reconcileWithWeights(s, weightsFrom({ encoder, decoder: bad }));
    assert.equal(r2.totalParams, s.totalParams + 9 * 32 * 13);
    assert.ok(
      r2.notes?.some((n) => n.includes('"decoder"')),
      r2.notes?.join('\n'),
    );
  });
  it('tfjs names: bidirectional_1/forward_lstm_1/kernel and model/dense/kernel belong to their layers', () => {
    const s = summarizeModelConfig(
      seq2(
        [null, 10, 8],
        ['Bidirectional', { name: 'bidirectional_1', layer: { class_name: 'LSTM', config: { name: 'lstm_1', units: 16 } } }],
        ['Dense', { name: 'dense', units: 1 }],
      ),
      { framework: 'tfjs', kerasVersion: null },
    );
    const lstm = (d: string): [string, number[]][] =>
      [
        [`kernel`, [8, 64]],
        ['recurrent_kernel', [16, 64]],
        ['bias', [64]],
      ].map(([n, sh]) => [`${d}/${n}`, sh as number[]]);
    const w: WeightsSummary = {
      layers: [
        { name: 'bidirectional_1/forward_lstm_1', tensors: lstm('x').map(([n, shape]) => ({ name: n.slice(2), shape, dtype: 'float32' })) },
        { name: 'bidirectional_1/backward_lstm_1', tensors: lstm('x').map(([n, shape]) => ({ name: n.slice(2), shape, dtype: 'float32' })) },
        {
          name: 'model/dense',
          tensors: [
            { name: 'kernel', shape: [32, 1], dtype: 'float32' },
            { name: 'bias', shape: [1], dtype: 'float32' },
          ],
        },
      ],
      totalParams: 0,
      bytes: 0,
    };
    const r = reconcileWithWeights(s, w);
    // 2*4*(8*16+16*16+16) = 3200 and 32+1 = 33
    assert.deepEqual([layer(r, 'bidirectional_1').params, layer(r, 'dense').params, r.notes], [3200, 33, undefined]);
  });
  it('Keras 3 weights of a nested model: inner layers named on their own (inner_dense) or by path (sequential/dense)', () => {
    const t = (l: string): J => ({ class_name: '__keras_tensor__', config: { keras_history: [l, 0, 0] } });
    const doc = {
      module: 'keras.src.models.functional',
      class_name: 'Functional',
      config: {
        name: 'f',
        layers: [
          { class_name: 'InputLayer', name: 'x', config: { name: 'x', batch_shape: [null, 4] }, inbound_nodes: [] },
          { class_name: 'Dense', name: 'dense', config: { name: 'dense', units: 3 }, inbound_nodes: [{ args: [t('x')], kwargs: {} }] },
          {
            module: 'keras',
            class_name: 'Sequential',
            name: 'sequential',
            config: {
              name: 'sequential',
              layers: [
                { class_name: 'InputLayer', config: { name: 'i', batch_shape: [null, 3] } },
                { class_name: 'Dense', config: { name: 'inner_dense', units: 2 } },
              ],
            },
            inbound_nodes: [{ args: [t('dense')], kwargs: {} }],
          },
        ],
        input_layers: [['x', 0, 0]],
        output_layers: [['sequential', 0, 0]],
      },
    };
    const s = keras(doc, '3.1.0');
    // dense 4*3+3 = 15, inner_dense 3*2+2 = 8
    assert.equal(s.totalParams, 23);
    for (const innerName of ['inner_dense', 'sequential/inner_dense']) {
      // tensor shapes as h5py reads them from test/fixtures/reference/h5/keras3_nested.weights.h5
      const r = reconcileWithWeights(
        s,
        weightsFrom({
          dense: [
            ['vars/0', [4, 3]],
            ['vars/1', [3]],
          ],
          [innerName]: [
            ['vars/0', [3, 2]],
            ['vars/1', [2]],
          ],
        }),
      );
      assert.deepEqual([r.totalParams, layer(r, 'sequential').params, r.notes], [23, 8, undefined], innerName);
      assert.equal(layer(r, 'sequential').layers?.find((l) => l.name === 'inner_dense')?.params, 8);
    }
  });
  it('notes a missing layer, an extra layer and a different count; the weights win', () => {
    const w = weightsFrom({
      dense_1: [
        ['dense_1/kernel:0', [8, 5]],
        ['dense_1/bias:0', [5]],
      ],
      other: [['other/kernel:0', [2, 2]]],
    });
    const r = reconcileWithWeights(base(), w);
    assert.equal(layer(r, 'dense_1').params, 45);
    const notes = r.notes ?? [];
    assert.ok(
      notes.some((n) => n.includes('"dense_1"') && n.includes('36 parameters') && n.includes('45 values')),
      notes.join('\n'),
    );
    assert.ok(
      notes.some((n) => n.includes('"bn"') && n.includes('nothing for it')),
      notes.join('\n'),
    );
    assert.ok(
      notes.some((n) => n.includes('"other"') && n.includes('does not have')),
      notes.join('\n'),
    );
    // 45 from the weights + BN 16 kept from the config (its weights are missing)
    assert.equal(r.totalParams, 61);
  });
});

describe('robustness', () => {
  it('mutated real configs (values swapped for null, -1, strings, huge numbers) only ever throw ReadError', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const values: unknown[] = [null, -1, 'x', [], {}, 1e308, true, [null, -3], [1, 2, 3, 4, 5], 0];
    const pathsOf = (v: unknown, p: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] => {
      out.push(p);
      if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...p, i], out));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...p, k], out);
      return out;
    };
    const files = [
      'Arksyd96__denoising-autoencoder-keras/autoencoder.json',
      'charlesll__SiliCat/autoencoder.json',
      'ml5js__ml5-data-and-models/models/pitch-detection/crepe/model.json',
      'DJCordhose__ux-by-tfjs/model/click/model.json',
    ];
    let runs = 0;
    for (const f of files) {
      const orig = real(f);
      const ps = pathsOf(orig).filter((p) => p.length > 0);
      for (let i = 0; i < 150; i++) {
        const doc = JSON.parse(JSON.stringify(orig));
        for (let m = 0; m < 3; m++) {
          const p = ps[Math.floor(rnd() * ps.length)];
          let o: unknown = doc;
          for (const k of p.slice(0, -1)) o = o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
          if (o && typeof o === 'object') (o as Record<string, unknown>)[p[p.length - 1]] = values[Math.floor(rnd() * values.length)];
        }
        try {
          const s = keras(doc);
          for (const l of s.layers) assert.ok(Number.isSafeInteger(l.params) && l.params >= 0, `${f}: ${l.name} ${l.params}`);
          reconcileWithWeights(s, weightsFrom({ [s.layers[0]?.name ?? 'x']: [['kernel', [2, 2]]] }));
          runs++;
        } catch (e) {
          if (!(e instanceof ReadError)) throw e;
        }
      }
    }
    assert.ok(runs > 100, `most mutations still summarise (${runs})`);
  });
});
