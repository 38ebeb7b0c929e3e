// Output shapes and parameter counts of single Keras layers, from their config and input shapes
// (the arithmetic of Keras' own `compute_output_shape` and `build`).
// Size: one shape rule per Keras layer class (about 60 classes), a table more than logic.
import { bool, channelsFirst, isObj, num, numOf, prod, str, tuple, type Json } from './kerasConfig';
import type { Shape } from '../../types';

/** What the summariser knows about the model a layer belongs to. */
export interface LayerContext {
  /** Keras 1 config (GRU without reset_after, `output_dim`...). */
  keras1: boolean;
  /** Keras before 2.1.3 (no GRU `reset_after`: three biases). */
  preResetAfter?: boolean;
  framework: 'keras' | 'tfjs';
  /** Data format of layers whose config does not say (Keras 1 `th` models). */
  channelsFirst: boolean;
  /** How many wrappers (Bidirectional, TimeDistributed) enclose the layer being evaluated. */
  wrapperDepth: number;
}

/** Wrappers nested deeper than this are not evaluated (a hostile config could nest thousands). */
export const MAX_WRAPPER_DEPTH = 32;

/** The result of one layer call. */
export interface LayerEval {
  /** One shape per output tensor; null where unknown. */
  outputs: (Shape | null)[];
  /** Parameter count, null when the config and input shapes do not tell. */
  params: number | null;
  /** Of these, how many do not train (BatchNormalization moving statistics). */
  nonTrainable: number;
  /** False when the class is not one we know: shape and params are guesses. */
  known: boolean;
  /** Why the output shape is unknown, when the config says something worth telling (a Lambda). */
  note?: string;
}

type In = (Shape | null)[];

const IDENTITY = new Set([
  'Activation',
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'SpatialDropout3D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
  'Masking',
  'LeakyReLU',
  'ReLU',
  'ELU',
  'ThresholdedReLU',
  'Softmax',
  'Rescaling',
  'UnitNormalization',
  'InputLayer',
  'Identity',
  'RandomFlip',
  'RandomRotation',
  'RandomZoom',
  'RandomContrast',
  'RandomTranslation',
  'RandomBrightness',
  'SpatialDropout',
  'Layer',
]);

function out1(s: Shape | null, params: number | null, nonTrainable = 0): LayerEval {
  return { outputs: [s], params, nonTrainable, known: true };
}

function last(s: Shape | null): number | null {
  return s && s.length ? s[s.length - 1] : null;
}

/** Keras `conv_output_length`. */
function convLen(len: number | null, k: number, pad: string, stride: number, dil: number): number | null {
  if (len === null) return null;
  const dk = (k - 1) * dil + 1;
  let out: number;
  if (pad === 'same' || pad === 'causal') out = len;
  else if (pad === 'full') out = len + dk - 1;
  else out = len - dk + 1;
  // A kernel larger than its input: Keras refuses the model; the shape is unknown.
  if (out <= 0 || stride <= 0) return null;
  return Math.floor((out + stride - 1) / stride);
}

/** Keras `deconv_output_length`. */
function deconvLen(len: number | null, k: number, pad: string, stride: number, dil: number, outPad: number | null): number | null {
  if (len === null) return null;
  const fk = k + (k - 1) * (dil - 1);
  if (outPad === null) {
    if (pad === 'valid') return len * stride + Math.max(fk - stride, 0);
    if (pad === 'full') return len * stride - (stride + fk - 2);
    return len * stride;
  }
  const p = pad === 'same' ? Math.floor(fk / 2) : pad === 'full' ? fk - 1 : 0;
  return (len - 1) * stride + fk - 2 * p + outPad;
}

/** Keras 1 `border_mode` or Keras 2 `padding`. */
function padding(cfg: Json): string {
  return str(cfg.padding) ?? str(cfg.border_mode) ?? 'valid';
}

/** Splits a shape into batch, spatial dims and channels. */
function spatial(s: Shape, first: boolean): { batch: number | null; dims: (number | null)[]; ch: number | null } {
  if (first) return { batch: s[0], ch: s[1] ?? null, dims: s.slice(2) };
  return { batch: s[0], ch: s[s.length - 1] ?? null, dims: s.slice(1, -1) };
}

function join(batch: number | null, dims: (number | null)[], ch: number | null, first: boolean): Shape {
  return first ? [batch, ch, ...dims] : [batch, ...dims, ch];
}

/** Kernel size of an n-D conv in Keras 1 or 2 spelling. */
function kernelSize(cfg: Json, n: number): number[] | null {
  const k = tuple(cfg.kernel_size, n);
  if (k) return k;
  if (n === 1) return tuple(cfg.filter_length, 1);
  if (n === 2) {
    const r = num(cfg.nb_row);
    const c = num(cfg.nb_col);
    return r !== null && c !== null ? [r, c] : null;
  }
  const a = num(cfg.kernel_dim1);
  const b = num(cfg.kernel_dim2);
  const c = num(cfg.kernel_dim3);
  return a !== null && b !== null && c !== null ? [a, b, c] : null;
}

function strides(cfg: Json, n: number): number[] {
  return tuple(cfg.strides, n) ?? tuple(cfg.subsample, n) ?? tuple(cfg.subsample_length, n) ?? Array(n).fill(1);
}

function dilation(cfg: Json, n: number): number[] {
  return tuple(cfg.dilation_rate, n) ?? tuple(cfg.atrous_rate, n) ?? Array(n).fill(1);
}

function useBias(cfg: Json): boolean {
  return bool(cfg, 'use_bias', bool(cfg, 'bias', true));
}

function conv(cls: string, n: number, cfg: Json, x: Shape | null, ctx: LayerContext): LayerEval {
  const first = channelsFirst(cfg, ctx.channelsFirst);
  const filters = numOf(cfg, 'filters', 'nb_filter');
  const k = kernelSize(cfg, n);
  const s = strides(cfg, n);
  const d = dilation(cfg, n);
  const pad = padding(cfg);
  const transpose = cls.includes('Transpose') || cls.startsWith('Deconvolution');
  const separable = cls.startsWith('Separable');
  const depthwise = cls.startsWith('Depthwise');
  const dm = numOf(cfg, 'depth_multiplier') ?? 1;
  const groups = numOf(cfg, 'groups') ?? 1;
  const bias = useBias(cfg);
  const inCh = x ? spatial(x, first).ch : null;
  let params: number | null = null;
  if (k && inCh !== null) {
    const kp = k.reduce((a, b) => a * b, 1);
    if (depthwise) params = kp * inCh * dm + (bias ? inCh * dm : 0);
    else if (filters !== null) {
      if (separable) params = kp * inCh * dm + inCh * dm * filters + (bias ? filters : 0);
      else params = kp * (inCh / groups) * filters + (bias ? filters : 0);
    }
  }
  if (!x || !k) return out1(null, params);
  const sp = spatial(x, first);
  const outCh = depthwise ? (sp.ch === null ? null : sp.ch * dm) : filters;
  const outPads = tuple(cfg.output_padding, n);
  const dims = sp.dims.map((len, i) => (transpose ? deconvLen(len, k[i], pad, s[i], d[i], outPads ? outPads[i] : null) : convLen(len, k[i], pad, s[i], d[i])));
  return out1(join(sp.batch, dims, outCh, first), params);
}

/** ConvLSTM: four gates of a convolution over the input and one over the state. */
function convLstm(n: number, cfg: Json, x: Shape | null, ctx: LayerContext): LayerEval {
  const filters = numOf(cfg, 'filters');
  const k = kernelSize(cfg, n);
  if (!x || filters === null || !k) return out1(null, null);
  const step: Shape = [x[0], ...x.slice(2)];
  const c = conv('Conv', n, { ...cfg, filters }, step, ctx);
  const first = channelsFirst(cfg, ctx.channelsFirst);
  const inCh = spatial(step, first).ch;
  const kp = k.reduce((a, b) => a * b, 1);
  const params = inCh === null ? null : 4 * (kp * inCh * filters + kp * filters * filters) + (useBias(cfg) ? 4 * filters : 0);
  const o = c.outputs[0];
  const outShape = o && bool(cfg, 'return_sequences', false) ? [o[0], x[1], ...o.slice(1)] : o;
  return out1(outShape, params);
}

function pool(n: number, cfg: Json, x: Shape | null, ctx: LayerContext): LayerEval {
  if (!x) return out1(null, 0);
  const first = channelsFirst(cfg, ctx.channelsFirst);
  const p = tuple(cfg.pool_size, n) ?? (n === 1 ? tuple(cfg.pool_length, 1) : null) ?? Array(n).fill(2);
  const s = tuple(cfg.strides, n) ?? (n === 1 ? tuple(cfg.stride, 1) : null) ?? p;
  const pad = padding(cfg);
  const sp = spatial(x, first);
  const dims = sp.dims.map((len, i) => convLen(len, p[i], pad, s[i], 1));
  return out1(join(sp.batch, dims, sp.ch, first), 0);
}

function globalPool(cfg: Json, x: Shape | null, ctx: LayerContext): LayerEval {
  if (!x) return out1(null, 0);
  const first = channelsFirst(cfg, ctx.channelsFirst);
  const sp = spatial(x, first);
  if (bool(cfg, 'keepdims', false))
    return out1(
      join(
        sp.batch,
        sp.dims.map(() => 1),
        sp.ch,
        first,
      ),
      0,
    );
  return out1([sp.batch, sp.ch], 0);
}

/** Channel count along `axis` (int or list, negative from the end). */
function axisSize(x: Shape | null, axisV: unknown, dflt: number): number | null {
  if (!x) return null;
  const axes = Array.isArray(axisV) ? axisV : [axisV ?? dflt];
  let p = 1;
  for (const a of axes) {
    if (typeof a !== 'number') return null;
    const i = a < 0 ? x.length + a : a;
    const d = x[i];
    if (d === null || d === undefined) return null;
    p *= d;
  }
  return p;
}

function rnnCell(cls: string, units: number, inDim: number | null, cfg: Json, ctx: LayerContext): number | null {
  if (inDim === null) return null;
  const bias = useBias(cfg);
  const base = inDim * units + units * units;
  if (cls.startsWith('LSTM') || cls === 'CuDNNLSTM') {
    if (cls === 'CuDNNLSTM') return 4 * base + 8 * units;
    return 4 * base + (bias ? 4 * units : 0);
  }
  if (cls.startsWith('GRU') || cls === 'CuDNNGRU') {
    if (cls === 'CuDNNGRU') return 3 * base + 6 * units;
    // The key exists since Keras 2.1.3 and is always written since; tf.keras and Keras 3 default to true.
    const dflt = !(ctx.keras1 || ctx.preResetAfter || ctx.framework === 'tfjs');
    const resetAfter = typeof cfg.reset_after === 'boolean' ? cfg.reset_after : dflt;
    return 3 * base + (bias ? (resetAfter ? 6 : 3) * units : 0);
  }
  return base + (bias ? units : 0);
}

function rnn(cls: string, cfg: Json, inputs: In, ctx: LayerContext): LayerEval {
  const x = inputs[0] ?? null;
  const units = numOf(cfg, 'units', 'output_dim');
  if (units === null) return { outputs: [null], params: null, nonTrainable: 0, known: true };
  const inDim = last(x);
  const params = rnnCell(cls, units, inDim, cfg, ctx);
  const batch = x ? x[0] : null;
  const time = x && x.length > 1 ? x[1] : null;
  const seq = bool(cfg, 'return_sequences', false);
  const main: Shape = seq ? [batch, time, units] : [batch, units];
  const outputs: (Shape | null)[] = [main];
  if (bool(cfg, 'return_state', false)) {
    const nStates = cls.includes('LSTM') ? 2 : 1;
    for (let i = 0; i < nStates; i++) outputs.push([batch, units]);
  }
  return { outputs, params, nonTrainable: 0, known: true };
}

function mergeShapes(cls: string, cfg: Json, inputs: In): LayerEval {
  const known = inputs.filter((s): s is Shape => s !== null);
  if (known.length !== inputs.length || known.length === 0) return out1(null, 0);
  const mode = str(cfg.mode);
  if (cls === 'Concatenate' || (cls === 'Merge' && mode === 'concat')) {
    const axisRaw = numOf(cfg, 'axis', 'concat_axis') ?? -1;
    const rank = known[0].length;
    const axis = axisRaw < 0 ? rank + axisRaw : axisRaw;
    if (known.some((s) => s.length !== rank) || axis < 0 || axis >= rank) return out1(null, 0);
    const outShape = [...known[0]];
    let sum: number | null = 0;
    for (const s of known) sum = sum === null || s[axis] === null ? null : sum + (s[axis] as number);
    outShape[axis] = sum;
    return out1(outShape, 0);
  }
  if (cls === 'Dot' || (cls === 'Merge' && (mode === 'dot' || mode === 'cos'))) return out1(null, 0);
  // Element-wise merges: broadcast, keeping known dims.
  const rank = Math.max(...known.map((s) => s.length));
  const outShape: Shape = [];
  for (let i = 0; i < rank; i++) {
    let d: number | null = null;
    for (const s of known) {
      const v = s[i - (rank - s.length)];
      if (v !== null && v !== undefined && v !== 1) d = v;
      else if (v === 1 && d === null) d = 1;
    }
    outShape.push(i === 0 ? known[0][0] : d);
  }
  return out1(outShape, 0);
}

function resolveReshape(x: Shape | null, target: number[]): Shape {
  const t: Shape = target.map((d) => (d === -1 ? null : d));
  const unknownIdx = target.indexOf(-1);
  if (unknownIdx >= 0 && x) {
    const total = prod(x.slice(1));
    const rest = prod(t.filter((_, i) => i !== unknownIdx));
    if (total !== null && rest !== null && rest > 0) t[unknownIdx] = total / rest;
  }
  return [x ? x[0] : null, ...t];
}

function pad3(cfg: Json, key: string, n: number): [number, number][] | null {
  const v = cfg[key];
  if (typeof v === 'number') return Array(n).fill([v, v]);
  if (Array.isArray(v)) {
    if (v.length === n && v.every((e) => typeof e === 'number')) return (v as number[]).map((e) => [e, e]);
    if (v.length === n && v.every((e) => Array.isArray(e) && e.length === 2)) return v as [number, number][];
    if (n === 1 && v.length === 2 && v.every((e) => typeof e === 'number')) return [v as [number, number]];
    if (n === 2 && v.length === 4 && v.every((e) => typeof e === 'number'))
      return [
        [v[0], v[1]],
        [v[2], v[3]],
      ];
  }
  return null;
}

function padOrCrop(n: number, cfg: Json, x: Shape | null, sign: 1 | -1, ctx: LayerContext): LayerEval {
  if (!x) return out1(null, 0);
  const key = sign > 0 ? 'padding' : 'cropping';
  const p = pad3(cfg, key, n) ?? Array(n).fill(sign > 0 ? [1, 1] : [0, 0]);
  const first = n === 1 ? false : channelsFirst(cfg, ctx.channelsFirst);
  const sp = spatial(x, first);
  const dims = sp.dims.map((d, i) => (d === null || !p[i] ? null : d + sign * (p[i][0] + p[i][1])));
  return out1(join(sp.batch, dims, sp.ch, first), 0);
}

function upsample(n: number, cfg: Json, x: Shape | null, ctx: LayerContext): LayerEval {
  if (!x) return out1(null, 0);
  const size = tuple(cfg.size, n) ?? (n === 1 ? tuple(cfg.length, 1) : null) ?? Array(n).fill(2);
  const first = n === 1 ? false : channelsFirst(cfg, ctx.channelsFirst);
  const sp = spatial(x, first);
  const dims = sp.dims.map((d, i) => (d === null ? null : d * size[i]));
  return out1(join(sp.batch, dims, sp.ch, first), 0);
}

/** An inner layer config of a wrapper (`{class_name, config}`). */
function innerLayer(cfg: Json): { cls: string; cfg: Json } | null {
  const l = cfg.layer;
  if (isObj(l) && typeof l.class_name === 'string' && isObj(l.config)) return { cls: l.class_name, cfg: l.config };
  return null;
}

function bidirectional(cfg: Json, inputs: In, ctx: LayerContext): LayerEval {
  const inner = innerLayer(cfg);
  if (!inner) return { outputs: [null], params: null, nonTrainable: 0, known: false };
  const fwd = evalLayer(inner.cls, inner.cfg, [inputs[0] ?? null], ctx);
  const backCfg = isObj(cfg.backward_layer) && isObj(cfg.backward_layer.config) ? cfg.backward_layer : null;
  const bwd = backCfg ? evalLayer(String(backCfg.class_name), backCfg.config as Json, [inputs[0] ?? null], ctx) : fwd;
  const params = fwd.params === null || bwd.params === null ? null : fwd.params + bwd.params;
  const main = fwd.outputs[0];
  const mode = cfg.merge_mode === undefined ? 'concat' : cfg.merge_mode;
  let outputs: (Shape | null)[];
  if (mode === null) outputs = [main, bwd.outputs[0]];
  else if (mode === 'concat' && main) {
    const m = [...main];
    const l = m.length - 1;
    m[l] = m[l] === null ? null : (m[l] as number) * 2;
    outputs = [m];
  } else outputs = [main];
  if (bool(inner.cfg, 'return_state', false)) outputs = [...outputs, ...fwd.outputs.slice(1), ...bwd.outputs.slice(1)];
  return { outputs, params, nonTrainable: 0, known: fwd.known };
}

function timeDistributed(cfg: Json, inputs: In, ctx: LayerContext): LayerEval {
  const inner = innerLayer(cfg);
  const x = inputs[0] ?? null;
  if (!inner) return { outputs: [null], params: null, nonTrainable: 0, known: false };
  const innerIn: Shape | null = x && x.length >= 2 ? [x[0], ...x.slice(2)] : null;
  const r = evalLayer(inner.cls, inner.cfg, [innerIn], ctx);
  const o = r.outputs[0];
  return { ...r, outputs: [o && x ? [o[0], x[1], ...o.slice(1)] : null] };
}

function multiHeadAttention(cfg: Json, inputs: In): LayerEval {
  const q = inputs[0] ?? null;
  const v = inputs[1] ?? q;
  const k = inputs[2] ?? v;
  const h = num(cfg.num_heads);
  const kd = num(cfg.key_dim);
  const vd = num(cfg.value_dim) ?? kd;
  const bias = useBias(cfg);
  const qd = last(q);
  const vdim = last(v);
  const kdim = last(k);
  const outShape = tuple(cfg.output_shape, 1);
  const od = outShape ? outShape[0] : qd;
  if (h === null || kd === null || vd === null || qd === null || vdim === null || kdim === null || od === null) {
    return out1(q, null);
  }
  const b = (n: number): number => (bias ? n : 0);
  const params = qd * h * kd + b(h * kd) + kdim * h * kd + b(h * kd) + vdim * h * vd + b(h * vd) + h * vd * od + b(od);
  return out1(q ? [...q.slice(0, -1), od] : null, params);
}

/** Dims a Lambda may declare; more is no real shape (a hostile config could list millions). */
const MAX_LAMBDA_DIMS = 32;
/** Outputs a Lambda may declare shapes for. */
const MAX_LAMBDA_OUTPUTS = 64;

/** A declared shape without its batch dim (`[8, 4]`, `[null, 4]`), or null when it is not one. */
function dimsOf(v: unknown): Shape | null {
  if (!Array.isArray(v) || v.length > MAX_LAMBDA_DIMS) return null;
  const out: Shape = [];
  for (const d of v) {
    if (d === null) out.push(null);
    else if (typeof d === 'number' && Number.isSafeInteger(d) && d >= 0) out.push(d);
    else return null;
  }
  return out;
}

/**
 * A Lambda's output shapes, from the `output_shape` its config declares; nothing is ever run.
 * Keras 2 (and 1) `get_config` writes `output_shape` with `output_shape_type`: "raw" for a plain
 * shape (or None), "lambda" for a Python lambda dumped as `[base64 bytecode, defaults, closure]`,
 * "function" for a function's name. Keras 3 writes a plain list (or `{"class_name": "__tuple__"}`),
 * or a serialised function (`{"class_name": "__lambda__", ...}`), and no `output_shape_type`.
 * A plain shape leaves out the batch dim: Keras prepends the input's batch dim (None when unknown),
 * as `Lambda.compute_output_shape` does; a list of shapes is one shape per output. Any other form
 * (a function, None) leaves the shape unknown: Keras would run Python code to find it.
 */
function lambdaLayer(cfg: Json, x: Shape | null): LayerEval {
  const type = str(cfg.output_shape_type);
  let declared: unknown = cfg.output_shape;
  if (isObj(declared) && declared.class_name === '__tuple__' && isObj(declared.config)) declared = declared.config.value;
  const unknown = (note: string): LayerEval => ({ outputs: [null], params: 0, nonTrainable: 0, known: true, note });
  if (type === 'lambda' || type === 'function' || isObj(declared)) {
    const what = type === 'function' && typeof declared === 'string' ? `the Python function "${declared.slice(0, 80)}"` : 'a Python function';
    return unknown(`its output_shape is ${what}, which is never run here: output shape unknown`);
  }
  if (type !== null && type !== 'raw') return unknown(`output_shape_type "${type.slice(0, 40)}" is not one Keras writes: output shape unknown`);
  if (declared === null || declared === undefined) {
    return unknown('no output_shape in its config (Keras finds it by running the function, which is never done here): output shape unknown');
  }
  const batch = x && x.length ? x[0] : null;
  const one = dimsOf(declared);
  if (one) return out1([batch, ...one], 0);
  if (Array.isArray(declared) && declared.length > 0 && declared.length <= MAX_LAMBDA_OUTPUTS) {
    const many = declared.map(dimsOf);
    if (many.every((d): d is Shape => d !== null)) return { outputs: many.map((d) => [batch, ...d]), params: 0, nonTrainable: 0, known: true };
  }
  return unknown('its output_shape is not a shape (a list of ints or None): output shape unknown');
}

// TFOpLambda (tf.keras 2.4+ records `tf.*` calls on Keras tensors as layers whose config names the
// op: `"function": "math.multiply"`). Only element-wise ops are inferred here, whose output has the
// shape of their inputs broadcast together (the first input alone for the one-input ops below);
// reshape, concat, reductions, matmul, getitem... need the call arguments and stay unknown.
const TF_UNARY = new Set([
  'math.abs',
  'math.negative',
  'math.exp',
  'math.expm1',
  'math.log',
  'math.log1p',
  'math.sqrt',
  'math.rsqrt',
  'math.square',
  'math.sigmoid',
  'math.tanh',
  'math.sin',
  'math.cos',
  'math.sign',
  'math.round',
  'math.floor',
  'math.ceil',
  'math.reciprocal',
  'math.softplus',
  'math.erf',
  'math.log_sigmoid',
  'math.l2_normalize',
  'nn.relu',
  'nn.relu6',
  'nn.elu',
  'nn.selu',
  'nn.gelu',
  'nn.silu',
  'nn.swish',
  'nn.sigmoid',
  'nn.softmax',
  'nn.log_softmax',
  'nn.leaky_relu',
  'nn.softplus',
  'nn.l2_normalize',
  'cast',
  'identity',
  'stop_gradient',
  '__operators__.neg',
  '__operators__.abs',
]);
const TF_BROADCAST = new Set([
  'math.add',
  'math.subtract',
  'math.multiply',
  'math.divide',
  'math.truediv',
  'math.floordiv',
  'math.floormod',
  'math.pow',
  'math.maximum',
  'math.minimum',
  'math.squared_difference',
  'math.divide_no_nan',
  'math.multiply_no_nan',
  'math.add_n',
  'math.greater',
  'math.greater_equal',
  'math.less',
  'math.less_equal',
  'math.equal',
  'math.not_equal',
  'math.logical_and',
  'math.logical_or',
  'clip_by_value',
  '__operators__.add',
  '__operators__.sub',
  '__operators__.mul',
  '__operators__.truediv',
  '__operators__.floordiv',
  '__operators__.pow',
  '__operators__.radd',
  '__operators__.rsub',
  '__operators__.rmul',
  '__operators__.rtruediv',
]);

/** The TFOpLambda ops whose output shape is inferred (element-wise ones), for notes and tests. */
export const TF_OP_ELEMENTWISE: ReadonlySet<string> = new Set([...TF_UNARY, ...TF_BROADCAST]);

/** Shapes broadcast together as NumPy does (right-aligned, 1 stretches); null when one is unknown or they clash. */
export function broadcastShapes(shapes: (Shape | null)[]): Shape | null {
  if (shapes.length === 0 || shapes.some((s) => s === null)) return null;
  const all = shapes as Shape[];
  const rank = Math.max(...all.map((s) => s.length));
  const out: Shape = [];
  for (let k = 1; k <= rank; k++) {
    let d = 1;
    let sawNull = false;
    for (const s of all) {
      const v = k <= s.length ? s[s.length - k] : 1;
      if (v === null) sawNull = true;
      else if (v !== 1) {
        if (d !== 1 && d !== v) return null;
        d = v;
      }
    }
    // an unknown dim against 1s stays unknown; against n it is n (it must be n or 1 at run time)
    out.unshift(d === 1 && sawNull ? null : d);
  }
  return out;
}

/** Output shape of a TFOpLambda call, for the element-wise ops above; null for the others. */
function tfOpShape(fn: string | null, inputs: In): Shape | null {
  if (fn === null) return null;
  const op = fn.startsWith('tf.') ? fn.slice(3) : fn;
  if (TF_UNARY.has(op)) return inputs[0] ?? null;
  if (TF_BROADCAST.has(op)) return broadcastShapes(inputs);
  return null;
}

/**
 * Output shapes and parameter count of one layer call, from its class, config and input shapes.
 * Unknown classes pass the first input's shape through with params unknown (`known: false`).
 */
export function evalLayer(cls: string, cfg: Json, inputs: In, ctx: LayerContext): LayerEval {
  const x = inputs[0] ?? null;
  switch (cls) {
    case 'Dense': {
      const units = numOf(cfg, 'units', 'output_dim');
      if (units !== null && units < 0) return out1(null, null);
      const inDim = last(x);
      const params = units === null || inDim === null ? null : inDim * units + (useBias(cfg) ? units : 0);
      return out1(x && units !== null ? [...x.slice(0, -1), units] : null, params);
    }
    case 'Conv1D':
    case 'Convolution1D':
    case 'AtrousConvolution1D':
      return conv(cls, 1, cfg, x, ctx);
    case 'Conv2D':
    case 'Convolution2D':
    case 'AtrousConvolution2D':
    case 'Conv2DTranspose':
    case 'Deconvolution2D':
    case 'SeparableConv2D':
    case 'SeparableConvolution2D':
    case 'DepthwiseConv2D':
      return conv(cls, 2, cfg, x, ctx);
    case 'SeparableConv1D':
    case 'DepthwiseConv1D':
    case 'Conv1DTranspose':
      return conv(cls, 1, cfg, x, ctx);
    case 'Conv3D':
    case 'Convolution3D':
    case 'Conv3DTranspose':
      return conv(cls, 3, cfg, x, ctx);
    case 'MaxPooling1D':
    case 'AveragePooling1D':
    case 'MaxPool1D':
    case 'AvgPool1D':
      return pool(1, cfg, x, ctx);
    case 'MaxPooling2D':
    case 'AveragePooling2D':
    case 'MaxPool2D':
    case 'AvgPool2D':
      return pool(2, cfg, x, ctx);
    case 'MaxPooling3D':
    case 'AveragePooling3D':
    case 'MaxPool3D':
    case 'AvgPool3D':
      return pool(3, cfg, x, ctx);
    case 'GlobalAveragePooling1D':
    case 'GlobalMaxPooling1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
    case 'GlobalAveragePooling3D':
    case 'GlobalMaxPooling3D':
    case 'GlobalAvgPool1D':
    case 'GlobalAvgPool2D':
    case 'GlobalMaxPool1D':
    case 'GlobalMaxPool2D':
      return globalPool(cfg, x, ctx);
    case 'Flatten': {
      if (!x) return out1(null, 0);
      return out1([x[0], prod(x.slice(1))], 0);
    }
    case 'Reshape': {
      const t = Array.isArray(cfg.target_shape) && cfg.target_shape.every((d) => typeof d === 'number') ? (cfg.target_shape as number[]) : null;
      return out1(t ? resolveReshape(x, t) : null, 0);
    }
    case 'Permute': {
      const dims = Array.isArray(cfg.dims) ? (cfg.dims as unknown[]) : null;
      if (!x || !dims || dims.some((d) => typeof d !== 'number' || d < 1 || d >= x.length)) return out1(null, 0);
      return out1([x[0], ...dims.map((d) => x[d as number])], 0);
    }
    case 'RepeatVector': {
      const n = num(cfg.n);
      return out1(x ? [x[0], n, x[x.length - 1]] : null, 0);
    }
    case 'Embedding': {
      const inDim = num(cfg.input_dim);
      const outDim = numOf(cfg, 'output_dim', 'units');
      const params = inDim !== null && outDim !== null ? inDim * outDim : null;
      const inShape = x ?? [null, num(cfg.input_length)];
      return out1(outDim === null ? null : [...inShape, outDim], params);
    }
    case 'BatchNormalization':
    case 'SyncBatchNormalization': {
      const c = axisSize(x, cfg.axis, -1);
      if (c === null) return out1(x, null);
      const center = bool(cfg, 'center', true);
      const scale = bool(cfg, 'scale', true);
      return out1(x, (center ? c : 0) + (scale ? c : 0) + 2 * c, 2 * c);
    }
    case 'GroupNormalization': {
      const c = axisSize(x, cfg.axis, -1);
      if (c === null) return out1(x, null);
      return out1(x, (bool(cfg, 'center', true) ? c : 0) + (bool(cfg, 'scale', true) ? c : 0));
    }
    case 'ConvLSTM1D':
    case 'ConvLSTM2D':
    case 'ConvLSTM3D':
      return convLstm(Number(cls.charAt(8)), cfg, x, ctx);
    case 'LayerNormalization': {
      const c = axisSize(x, cfg.axis, -1);
      if (c === null) return out1(x, null);
      return out1(x, (bool(cfg, 'center', true) ? c : 0) + (bool(cfg, 'scale', true) ? c : 0));
    }
    case 'PReLU': {
      if (!x) return out1(null, null);
      const shared = Array.isArray(cfg.shared_axes) ? (cfg.shared_axes as number[]) : [];
      const dims = x.slice(1).map((d, i) => (shared.includes(i + 1) ? 1 : d));
      return out1(x, prod(dims));
    }
    case 'LSTM':
    case 'GRU':
    case 'SimpleRNN':
    case 'CuDNNLSTM':
    case 'CuDNNGRU':
      return rnn(cls, cfg, inputs, ctx);
    case 'Bidirectional':
    case 'TimeDistributed': {
      if (ctx.wrapperDepth >= MAX_WRAPPER_DEPTH) return { outputs: [null], params: null, nonTrainable: 0, known: false };
      ctx.wrapperDepth++;
      try {
        return cls === 'Bidirectional' ? bidirectional(cfg, inputs, ctx) : timeDistributed(cfg, inputs, ctx);
      } finally {
        ctx.wrapperDepth--;
      }
    }
    case 'Concatenate':
    case 'Add':
    case 'Multiply':
    case 'Average':
    case 'Subtract':
    case 'Maximum':
    case 'Minimum':
    case 'Merge':
    case 'Dot':
      return mergeShapes(cls, cfg, inputs);
    case 'ZeroPadding1D':
      return padOrCrop(1, cfg, x, 1, ctx);
    case 'ZeroPadding2D':
      return padOrCrop(2, cfg, x, 1, ctx);
    case 'ZeroPadding3D':
      return padOrCrop(3, cfg, x, 1, ctx);
    case 'Cropping1D':
      return padOrCrop(1, cfg, x, -1, ctx);
    case 'Cropping2D':
      return padOrCrop(2, cfg, x, -1, ctx);
    case 'Cropping3D':
      return padOrCrop(3, cfg, x, -1, ctx);
    case 'UpSampling1D':
      return upsample(1, cfg, x, ctx);
    case 'UpSampling2D':
      return upsample(2, cfg, x, ctx);
    case 'UpSampling3D':
      return upsample(3, cfg, x, ctx);
    case 'MultiHeadAttention':
      return multiHeadAttention(cfg, inputs);
    case 'Normalization': {
      const c = axisSize(x, cfg.axis ?? -1, -1);
      if (c === null) return out1(x, null);
      return out1(x, 2 * c + 1, 2 * c + 1);
    }
    case 'Resizing':
    case 'CenterCrop':
    case 'RandomCrop': {
      const h = num(cfg.height);
      const w = num(cfg.width);
      if (!x || h === null || w === null) return out1(null, 0);
      const first = channelsFirst(cfg, ctx.channelsFirst);
      const sp = spatial(x, first);
      return out1(join(sp.batch, [h, w], sp.ch, first), 0);
    }
    case 'Attention':
    case 'AdditiveAttention': {
      const v = inputs[1] ?? x;
      const params = cls === 'AdditiveAttention' ? (bool(cfg, 'use_scale', true) ? last(x) : 0) : bool(cfg, 'use_scale', false) ? 1 : 0;
      return out1(x && v ? [...x.slice(0, -1), last(v)] : null, params);
    }
    case 'Lambda':
      return lambdaLayer(cfg, x);
    case 'TFOpLambda':
      return out1(tfOpShape(str(cfg.function), inputs), 0);
    case 'SlicingOpLambda':
    case 'KerasLayer':
      return { outputs: [null], params: cls === 'KerasLayer' ? null : 0, nonTrainable: 0, known: true };
    default:
      if (IDENTITY.has(cls)) return out1(x, 0);
      return { outputs: [x], params: null, nonTrainable: 0, known: false };
  }
}
