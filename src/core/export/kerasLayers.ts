// Keras layers as ONNX operators (opset 13), computing what Keras (and TensorFlow.js, which the
// predictions run) computes: channels_last tensors stay channels_last between layers; convolutions
// and pooling transpose to ONNX's channels_first and back. Weights come as stored (Keras order, C
// order) and are rearranged here (kernels transposed). Recurrent layers: kerasRecurrent.ts.
// Size: one converter per Keras layer class behind one dispatch table; split by family would scatter the shared layout helpers (transposes, weight reordering).
import { ReadError } from '../io/errors';
import { activationName, unsupported, type Json, type LayerContext, type Obj } from './kerasCommon';
import { recurrent } from './kerasRecurrent';
import type { TensorValues } from '../predict/network';
import { DataType } from './onnxModel';
import type { GraphBuilder, Value } from './onnxGraph';

function num(v: Json | undefined, dflt: number): number {
  return typeof v === 'number' ? v : dflt;
}

function pair(v: Json | undefined, n: number, dflt: number): number[] {
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number')) return v as number[];
  if (v === undefined || v === null) return new Array<number>(n).fill(dflt);
  throw new ReadError('unsupported-layer', `unexpected size value ${JSON.stringify(v)}`);
}

function prod(dims: (number | null)[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

/**
 * 1 / (1 + exp(-x)): onnxruntime's Sigmoid kernel is accurate in absolute terms only (1.6% off at
 * x = -13.4, where a fraud model's probabilities live), its Exp to float32 precision.
 */
function sigmoid(g: GraphBuilder, x: string, base: string): string {
  const e = g.op('Exp', [g.op('Neg', [x], `${base}/neg`)], `${base}/exp`);
  return g.op('Reciprocal', [g.op('Add', [e, g.constant(`${base}/one`, [], [1])], `${base}/denominator`)], base);
}

/** Applies a Keras activation by name. */
export function activation(ctx: LayerContext, act: string, x: string): string {
  const { g, name } = ctx;
  const a = act.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  const base = `${name}/${a}`;
  switch (a) {
    case 'linear':
    case 'none':
      return x;
    case 'relu':
      return g.op('Relu', [x], base);
    case 'relu6':
      return g.op('Clip', [x, g.constant(`${base}/lo`, [], [0]), g.constant(`${base}/hi`, [], [6])], base);
    case 'sigmoid':
      return sigmoid(g, x, base);
    case 'hard_sigmoid':
      return g.op('HardSigmoid', [x], base, ctx.keras3 ? { alpha: { float: 1 / 6 }, beta: { float: 0.5 } } : { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case 'tanh':
      return g.op('Tanh', [x], base);
    case 'softmax':
      return g.op('Softmax', [x], base, { axis: -1 });
    case 'elu':
      return g.op('Elu', [x], base, { alpha: { float: 1 } });
    case 'selu':
      return g.op('Selu', [x], base, { alpha: { float: 1.6732632423543772 }, gamma: { float: 1.0507009873554805 } });
    case 'softplus':
      return g.op('Softplus', [x], base);
    case 'softsign':
      return g.op('Softsign', [x], base);
    case 'exponential':
      return g.op('Exp', [x], base);
    case 'swish':
    case 'silu':
      return g.op('Mul', [x, sigmoid(g, x, `${base}/sigmoid`)], base);
    case 'mish':
      return g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x], `${base}/softplus`)], `${base}/tanh`)], base);
    case 'gelu': {
      // Keras' gelu default (approximate=False): 0.5 x (1 + erf(x / sqrt 2)).
      const e = g.op('Erf', [g.op('Mul', [x, g.constant(`${base}/rsqrt2`, [], [Math.SQRT1_2])], `${base}/scaled`)], `${base}/erf`);
      const one = g.op('Add', [e, g.constant(`${base}/one`, [], [1])], `${base}/plus1`);
      return g.op('Mul', [g.op('Mul', [x, one], `${base}/mul`), g.constant(`${base}/half`, [], [0.5])], base);
    }
    case 'leaky_relu':
      return g.op('LeakyRelu', [x], base, { alpha: { float: 0.2 } });
    default:
      throw unsupported(name, ctx.cls, `activation '${act}' has no ONNX equivalent here`);
  }
}

/** Constant of a stored tensor, rearranged by `perm` (a transpose of its axes). */
function permuted(ctx: LayerContext, t: TensorValues, perm: number[], base: string): string {
  const src = t.shape;
  const dims = perm.map((p) => src[p]);
  const n = t.values.length;
  const out = new Float32Array(n);
  const srcStride = new Array<number>(src.length).fill(1);
  for (let i = src.length - 2; i >= 0; i--) srcStride[i] = srcStride[i + 1] * src[i + 1];
  const idx = new Array<number>(dims.length).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let a = 0; a < dims.length; a++) off += idx[a] * srcStride[perm[a]];
    out[k] = t.values[off];
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++idx[a] < dims[a]) break;
      idx[a] = 0;
    }
  }
  return ctx.g.constant(base, dims, out);
}

function tensorConst(ctx: LayerContext, t: TensorValues, base: string): string {
  return ctx.g.constant(base, t.shape, t.values);
}

function dense(ctx: LayerContext, x: Value): Value {
  const useBias = ctx.config.use_bias !== false;
  const [k, b] = ctx.weights(useBias ? ['kernel', 'bias'] : ['kernel']);
  const last = x.shape[x.shape.length - 1];
  if (k.shape.length !== 2 || (last !== null && last !== k.shape[0])) {
    throw unsupported(ctx.name, ctx.cls, `kernel [${k.shape}] does not fit an input of shape [${x.shape}]`);
  }
  let y = ctx.g.op('MatMul', [x.name, tensorConst(ctx, k, `${ctx.name}/kernel`)], `${ctx.name}/matmul`);
  if (b) y = ctx.g.op('Add', [y, tensorConst(ctx, b, `${ctx.name}/bias`)], `${ctx.name}/biasadd`);
  y = activation(ctx, activationName(ctx.config.activation), y);
  return { name: y, shape: [...x.shape.slice(0, -1), k.shape[1]] };
}

function channelsFirst(ctx: LayerContext): boolean {
  return ctx.config.data_format === 'channels_first';
}

/** Moves channels (last axis) to axis 1, for ONNX's NC... operators; identity for channels_first. */
function toNC(ctx: LayerContext, x: Value): Value {
  if (channelsFirst(ctx)) return x;
  const r = x.shape.length;
  const perm = [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)];
  return { name: ctx.g.op('Transpose', [x.name], `${ctx.name}/to_nc`, { perm }), shape: perm.map((p) => x.shape[p]) };
}

function fromNC(ctx: LayerContext, y: string, ncShape: (number | null)[]): Value {
  if (channelsFirst(ctx)) return { name: y, shape: ncShape };
  const r = ncShape.length;
  const perm = [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
  return { name: ctx.g.op('Transpose', [y], `${ctx.name}/from_nc`, { perm }), shape: perm.map((p) => ncShape[p]) };
}

/** Explicit pads (begins then ends) and output sizes for TF's `valid` / `same` / `causal` padding. */
function padding(
  ctx: LayerContext,
  spatial: (number | null)[],
  kernel: number[],
  strides: number[],
  dilations: number[],
): { attrs: Record<string, number[] | string>; out: (number | null)[] } {
  const mode = String(ctx.config.padding ?? 'valid').toLowerCase();
  const keff = kernel.map((k, i) => (k - 1) * dilations[i] + 1);
  if (mode === 'valid') {
    return {
      attrs: { pads: new Array<number>(2 * kernel.length).fill(0) },
      out: spatial.map((s, i) => (s === null ? null : Math.floor((s - keff[i]) / strides[i]) + 1)),
    };
  }
  if (mode === 'causal') {
    return {
      attrs: { pads: [...keff.map((k) => k - 1), ...keff.map(() => 0)] },
      out: spatial.map((s, i) => (s === null ? null : Math.floor((s - 1) / strides[i]) + 1)),
    };
  }
  if (mode !== 'same') throw unsupported(ctx.name, ctx.cls, `padding '${mode}'`);
  if (spatial.some((s) => s === null)) {
    return { attrs: { auto_pad: 'SAME_UPPER' }, out: spatial.map((s, i) => (s === null ? null : Math.ceil(s / strides[i]))) };
  }
  const out = spatial.map((s, i) => Math.ceil(s! / strides[i]));
  const total = spatial.map((s, i) => Math.max((out[i] - 1) * strides[i] + keff[i] - s!, 0));
  return { attrs: { pads: [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))] }, out };
}

function conv(ctx: LayerContext, x: Value, rank: number): Value {
  const cfg = ctx.config;
  const depthwise = ctx.cls === 'DepthwiseConv2D';
  const useBias = cfg.use_bias !== false;
  const [k, b] = ctx.weights(depthwise ? (useBias ? ['depthwise_kernel', 'bias'] : ['depthwise_kernel']) : useBias ? ['kernel', 'bias'] : ['kernel']);
  if (k.shape.length !== rank + 2) throw unsupported(ctx.name, ctx.cls, `kernel of shape [${k.shape}]`);
  const nc = toNC(ctx, x);
  const kernelSize = k.shape.slice(0, rank);
  const strides = pair(cfg.strides, rank, 1);
  const dilations = pair(cfg.dilation_rate, rank, 1);
  const { attrs, out } = padding(ctx, nc.shape.slice(2), kernelSize, strides, dilations);
  const cin = k.shape[rank];
  let w: string;
  let group = num(cfg.groups, 1);
  let cout: number;
  if (depthwise) {
    // Keras (kh, kw, cin, m) -> ONNX (cin*m, 1, kh, kw), output channel c*m + j, one group per channel.
    const m = k.shape[rank + 1];
    const perm = [rank, rank + 1, ...Array.from({ length: rank }, (_, i) => i)];
    const name = permuted(ctx, k, perm, `${ctx.name}/kernel_t`);
    const tensor = ctx.g.initializers.find((t) => t.name === name)!;
    tensor.dims = [cin * m, 1, ...kernelSize];
    w = name;
    group = cin;
    cout = cin * m;
  } else {
    // Keras (k..., cin/groups, cout) -> ONNX (cout, cin/groups, k...).
    w = permuted(ctx, k, [rank + 1, rank, ...Array.from({ length: rank }, (_, i) => i)], `${ctx.name}/kernel_t`);
    cout = k.shape[rank + 1];
  }
  const inputs = [nc.name, w];
  if (b) inputs.push(tensorConst(ctx, b, `${ctx.name}/bias`));
  const y = ctx.g.op('Conv', inputs, `${ctx.name}/conv`, { kernel_shape: kernelSize, strides, dilations, group, ...attrs });
  const ncOut = [nc.shape[0], cout, ...out];
  const back = fromNC(ctx, y, ncOut);
  return { name: activation(ctx, activationName(cfg.activation), back.name), shape: back.shape };
}

function pool(ctx: LayerContext, x: Value, rank: number, kind: 'MaxPool' | 'AveragePool'): Value {
  const cfg = ctx.config;
  const size = pair(cfg.pool_size ?? cfg.pool_length, rank, 2);
  const strides = cfg.strides === null || cfg.strides === undefined ? size : pair(cfg.strides, rank, 1);
  const nc = toNC(ctx, x);
  const { attrs, out } = padding(
    ctx,
    nc.shape.slice(2),
    size,
    strides,
    size.map(() => 1),
  );
  const y = ctx.g.op(kind, [nc.name], `${ctx.name}/pool`, { kernel_shape: size, strides, ...attrs });
  return fromNC(ctx, y, [nc.shape[0], nc.shape[1], ...out]);
}

function globalPool(ctx: LayerContext, x: Value, kind: 'ReduceMean' | 'ReduceMax'): Value {
  const r = x.shape.length;
  const axes = channelsFirst(ctx) ? Array.from({ length: r - 2 }, (_, i) => i + 2) : Array.from({ length: r - 2 }, (_, i) => i + 1);
  const keep = ctx.config.keepdims === true ? 1 : 0;
  const y = ctx.g.op(kind, [x.name], `${ctx.name}/reduce`, { axes, keepdims: keep });
  return { name: y, shape: keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i)) };
}

function normAxis(ctx: LayerContext, x: Value, v: Json | undefined, dflt: number): number {
  const a = Array.isArray(v) ? v : [v ?? dflt];
  if (a.length !== 1 || typeof a[0] !== 'number') throw unsupported(ctx.name, ctx.cls, `axis ${JSON.stringify(v)}`);
  const r = x.shape.length;
  return a[0] < 0 ? a[0] + r : a[0];
}

/** Per-channel constant shaped to broadcast along `axis` of a rank-`r` tensor. */
function channelConst(ctx: LayerContext, base: string, values: Float64Array, axis: number, r: number): string {
  return ctx.g.constant(base, [values.length, ...new Array<number>(r - 1 - axis).fill(1)], values);
}

function batchNorm(ctx: LayerContext, x: Value): Value {
  const cfg = ctx.config;
  const scale = cfg.scale !== false;
  const center = cfg.center !== false;
  const keys = [...(scale ? ['gamma'] : []), ...(center ? ['beta'] : []), 'moving_mean', 'moving_variance'];
  const ts = ctx.weights(keys);
  const gamma = scale ? ts.shift()! : null;
  const beta = center ? ts.shift()! : null;
  const [mean, variance] = ts;
  const eps = num(cfg.epsilon, 1e-3);
  const n = mean.values.length;
  // y = (x - mean) / sqrt(var + eps) * gamma + beta = x * a + b, computed in float64.
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = (gamma ? gamma.values[i] : 1) / Math.sqrt(variance.values[i] + eps);
    b[i] = (beta ? beta.values[i] : 0) - mean.values[i] * a[i];
  }
  const axis = normAxis(ctx, x, cfg.axis, -1);
  const r = x.shape.length;
  const y = ctx.g.op('Mul', [x.name, channelConst(ctx, `${ctx.name}/a`, a, axis, r)], `${ctx.name}/scale`);
  return { name: ctx.g.op('Add', [y, channelConst(ctx, `${ctx.name}/b`, b, axis, r)], `${ctx.name}/shift`), shape: x.shape };
}

function layerNorm(ctx: LayerContext, x: Value): Value {
  const cfg = ctx.config;
  const axis = normAxis(ctx, x, cfg.axis, -1);
  if (axis !== x.shape.length - 1) throw unsupported(ctx.name, ctx.cls, 'normalisation over an axis other than the last');
  const keys = [...(cfg.scale !== false ? ['gamma'] : []), ...(cfg.center !== false ? ['beta'] : [])];
  const ts = ctx.weights(keys);
  const { g, name } = ctx;
  const mean = g.op('ReduceMean', [x.name], `${name}/mean`, { axes: [-1], keepdims: 1 });
  const d = g.op('Sub', [x.name, mean], `${name}/centered`);
  const v = g.op('ReduceMean', [g.op('Mul', [d, d], `${name}/sq`)], `${name}/var`, { axes: [-1], keepdims: 1 });
  const sd = g.op('Sqrt', [g.op('Add', [v, g.constant(`${name}/eps`, [], [num(cfg.epsilon, 1e-3)])], `${name}/var_eps`)], `${name}/std`);
  let y = g.op('Div', [d, sd], `${name}/normed`);
  let i = 0;
  if (cfg.scale !== false) y = g.op('Mul', [y, tensorConst(ctx, ts[i++], `${name}/gamma`)], `${name}/gamma_mul`);
  if (cfg.center !== false) y = g.op('Add', [y, tensorConst(ctx, ts[i], `${name}/beta`)], `${name}/beta_add`);
  return { name: y, shape: x.shape };
}

function reshape(ctx: LayerContext, x: Value, target: number[]): Value {
  const y = ctx.g.op('Reshape', [x.name, ctx.g.ints(`${ctx.name}/shape`, [0, ...target])], `${ctx.name}/reshape`);
  const known = target.filter((d) => d !== -1);
  const total = prod(x.shape.slice(1));
  const shape: (number | null)[] = target.map((d) => (d === -1 ? (total === null ? null : total / known.reduce((a, b) => a * b, 1)) : d));
  return { name: y, shape: [x.shape[0], ...shape] };
}

function embedding(ctx: LayerContext, x: Value): Value {
  if (ctx.config.mask_zero === true) {
    throw unsupported(ctx.name, ctx.cls, 'mask_zero=True masks later layers, which the ONNX graph would not do');
  }
  const [w] = ctx.weights(['embeddings']);
  const idx = ctx.g.op('Cast', [x.name], `${ctx.name}/indices`, { to: DataType.INT64 });
  const y = ctx.g.op('Gather', [tensorConst(ctx, w, `${ctx.name}/embeddings`), idx], `${ctx.name}/gather`, { axis: 0 });
  return { name: y, shape: [...x.shape, w.shape[1]] };
}

/** (before, after) amounts per spatial axis from Keras' int / (a, b) / ((a, b), (c, d)) forms. */
function amounts(ctx: LayerContext, v: Json | undefined, rank: number, dflt: number): [number, number][] {
  const err = (): Error => unsupported(ctx.name, ctx.cls, `padding/cropping ${JSON.stringify(v)}`);
  if (v === undefined || v === null) return Array.from({ length: rank }, () => [dflt, dflt]);
  if (typeof v === 'number') return Array.from({ length: rank }, () => [v, v]);
  if (!Array.isArray(v)) throw err();
  if (rank === 1 && v.length === 2 && v.every((x) => typeof x === 'number')) return [[v[0] as number, v[1] as number]];
  if (v.length !== rank) throw err();
  return v.map((p) => {
    if (typeof p === 'number') return [p, p];
    if (Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number')) return [p[0] as number, p[1] as number];
    throw err();
  });
}

/** ZeroPadding1D/2D (Pad with zeros) and Cropping1D/2D (Slice) on the spatial axes. */
function padOrCrop(ctx: LayerContext, x: Value, rank: number, kind: 'pad' | 'crop'): Value {
  const { g, name } = ctx;
  const r = x.shape.length;
  if (r !== rank + 2) throw unsupported(name, ctx.cls, `input of rank ${r}`);
  const first = channelsFirst(ctx) ? 2 : 1;
  const axes = Array.from({ length: rank }, (_, i) => first + i);
  const amt = amounts(ctx, kind === 'pad' ? ctx.config.padding : ctx.config.cropping, rank, kind === 'pad' ? 1 : 0);
  const shape = x.shape.map((d, i) => {
    const k = axes.indexOf(i);
    if (k < 0 || d === null) return d;
    return kind === 'pad' ? d + amt[k][0] + amt[k][1] : d - amt[k][0] - amt[k][1];
  });
  if (kind === 'pad') {
    const pads = new Array<number>(2 * r).fill(0);
    axes.forEach((a, k) => {
      pads[a] = amt[k][0];
      pads[r + a] = amt[k][1];
    });
    return { name: g.op('Pad', [x.name, g.ints(`${name}/pads`, pads)], `${name}/pad`, { mode: 'constant' }), shape };
  }
  const BIG = 2 ** 53 - 1;
  const starts = amt.map((a) => a[0]);
  const ends = amt.map((a) => (a[1] === 0 ? BIG : -a[1]));
  const y = g.op('Slice', [x.name, g.ints(`${name}/starts`, starts), g.ints(`${name}/ends`, ends), g.ints(`${name}/axes`, axes)], `${name}/crop`);
  return { name: y, shape };
}

const IDENTITY = new Set([
  'InputLayer',
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'SpatialDropout3D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
  'Identity',
]);

const MERGE_OPS: Record<string, string> = { Add: 'Sum', Multiply: 'Mul', Average: 'Mean', Maximum: 'Max', Minimum: 'Min' };

/** Converts one (non-container) layer applied to `xs`. */
export function convertLayer(ctx: LayerContext, xs: Value[]): Value[] {
  const { g, name, cls, config: cfg } = ctx;
  const x = xs[0];
  const one = (v: Value): Value[] => [v];
  const multi = cls in MERGE_OPS || cls === 'Subtract' || cls === 'Concatenate' || cls in { LSTM: 1, GRU: 1, SimpleRNN: 1, Bidirectional: 1 };
  if (xs.length !== 1 && !multi) throw unsupported(name, cls, `called on ${xs.length} inputs`);
  if (IDENTITY.has(cls)) return one(x);
  switch (cls) {
    case 'Dense':
      return one(dense(ctx, x));
    case 'TimeDistributed': {
      const inner = cfg.layer as Obj;
      const innerCls = String(inner?.class_name);
      if (innerCls !== 'Dense' && !IDENTITY.has(innerCls) && innerCls !== 'Activation') {
        throw unsupported(name, cls, `wrapped layer ${innerCls} (only Dense, Activation and dropout layers)`);
      }
      return convertLayer({ ...ctx, cls: innerCls, config: (inner.config as Obj) ?? {} }, xs);
    }
    case 'Activation':
      return one({ name: activation(ctx, activationName(cfg.activation), x.name), shape: x.shape });
    case 'ReLU': {
      if (num(cfg.threshold, 0) !== 0) throw unsupported(name, cls, 'a non-zero threshold');
      const slope = num(cfg.negative_slope, 0);
      let y = slope === 0 ? g.op('Relu', [x.name], `${name}/relu`) : g.op('LeakyRelu', [x.name], `${name}/relu`, { alpha: { float: slope } });
      const max = cfg.max_value;
      if (typeof max === 'number') y = g.op('Min', [y, g.constant(`${name}/max`, [], [max])], `${name}/clip`);
      return one({ name: y, shape: x.shape });
    }
    case 'LeakyReLU': {
      const alpha = num(cfg.negative_slope, num(cfg.alpha, 0.3));
      return one({ name: g.op('LeakyRelu', [x.name], `${name}/leaky`, { alpha: { float: alpha } }), shape: x.shape });
    }
    case 'ELU':
      return one({ name: g.op('Elu', [x.name], `${name}/elu`, { alpha: { float: num(cfg.alpha, 1) } }), shape: x.shape });
    case 'PReLU': {
      const [a] = ctx.weights(['alpha']);
      return one({ name: g.op('PRelu', [x.name, tensorConst(ctx, a, `${name}/alpha`)], `${name}/prelu`), shape: x.shape });
    }
    case 'Softmax': {
      const axis = normAxis(ctx, x, cfg.axis, -1);
      return one({ name: g.op('Softmax', [x.name], `${name}/softmax`, { axis }), shape: x.shape });
    }
    case 'BatchNormalization':
      return one(batchNorm(ctx, x));
    case 'LayerNormalization':
      return one(layerNorm(ctx, x));
    case 'Flatten': {
      let v = x;
      if (channelsFirst(ctx) && x.shape.length > 2) {
        const r = x.shape.length;
        const perm = [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
        v = { name: g.op('Transpose', [x.name], `${name}/to_last`, { perm }), shape: perm.map((p) => x.shape[p]) };
      }
      return one(reshape(ctx, v, [-1]));
    }
    case 'Reshape': {
      const t = cfg.target_shape;
      if (!Array.isArray(t) || !t.every((d) => typeof d === 'number')) throw unsupported(name, cls, 'no target_shape');
      return one(reshape(ctx, x, t as number[]));
    }
    case 'Permute': {
      const dims = cfg.dims as number[];
      const perm = [0, ...dims];
      return one({ name: g.op('Transpose', [x.name], `${name}/permute`, { perm }), shape: perm.map((p) => x.shape[p]) });
    }
    case 'RepeatVector': {
      const n = num(cfg.n, 1);
      const u = g.op('Unsqueeze', [x.name, g.ints(`${name}/axis`, [1])], `${name}/unsqueeze`);
      return one({ name: g.op('Tile', [u, g.ints(`${name}/reps`, [1, n, 1])], `${name}/tile`), shape: [x.shape[0], n, ...x.shape.slice(1)] });
    }
    case 'Concatenate': {
      const axis = normAxis(ctx, x, cfg.axis, -1);
      const width = xs.reduce<number | null>((a, v) => (a === null || v.shape[axis] === null ? null : a + v.shape[axis]!), 0);
      return one({
        name: g.op(
          'Concat',
          xs.map((v) => v.name),
          `${name}/concat`,
          { axis },
        ),
        shape: x.shape.map((d, i) => (i === axis ? width : d)),
      });
    }
    case 'Add':
    case 'Multiply':
    case 'Average':
    case 'Maximum':
    case 'Minimum':
      return one({
        name: g.op(
          MERGE_OPS[cls],
          xs.map((v) => v.name),
          `${name}/${MERGE_OPS[cls].toLowerCase()}`,
        ),
        shape: x.shape,
      });
    case 'Subtract':
      return one({ name: g.op('Sub', [xs[0].name, xs[1].name], `${name}/sub`), shape: x.shape });
    case 'Conv1D':
      return one(conv(ctx, x, 1));
    case 'Conv2D':
    case 'DepthwiseConv2D':
      return one(conv(ctx, x, 2));
    case 'MaxPooling1D':
    case 'MaxPool1D':
      return one(pool(ctx, x, 1, 'MaxPool'));
    case 'MaxPooling2D':
    case 'MaxPool2D':
      return one(pool(ctx, x, 2, 'MaxPool'));
    case 'AveragePooling1D':
    case 'AvgPool1D':
      return one(pool(ctx, x, 1, 'AveragePool'));
    case 'AveragePooling2D':
    case 'AvgPool2D':
      return one(pool(ctx, x, 2, 'AveragePool'));
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalAvgPool1D':
    case 'GlobalAvgPool2D':
      return one(globalPool(ctx, x, 'ReduceMean'));
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D':
    case 'GlobalMaxPool1D':
    case 'GlobalMaxPool2D':
      return one(globalPool(ctx, x, 'ReduceMax'));
    case 'Embedding':
      return one(embedding(ctx, x));
    case 'ZeroPadding1D':
    case 'ZeroPadding2D':
      return one(padOrCrop(ctx, x, cls === 'ZeroPadding1D' ? 1 : 2, 'pad'));
    case 'Cropping1D':
    case 'Cropping2D':
      return one(padOrCrop(ctx, x, cls === 'Cropping1D' ? 1 : 2, 'crop'));
    case 'LSTM':
    case 'GRU':
    case 'SimpleRNN':
      return recurrent(ctx, xs, { cls, config: cfg }, null);
    case 'Bidirectional': {
      const inner = cfg.layer as Obj;
      if (cfg.backward_layer) throw unsupported(name, cls, 'a separate backward_layer');
      return recurrent(ctx, xs, { cls: String(inner?.class_name), config: (inner?.config as Obj) ?? {} }, 'bidirectional');
    }
    default:
      throw unsupported(name, cls, 'no ONNX conversion for this layer class');
  }
}
