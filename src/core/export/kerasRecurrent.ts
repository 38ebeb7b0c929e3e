// Keras LSTM / GRU / SimpleRNN (and Bidirectional around one) as ONNX LSTM / GRU / RNN nodes:
// gate order Keras i,f,c,o -> ONNX i,o,f,c for LSTM (z,r,h for GRU in both), kernels transposed to
// ONNX's [directions, gates*units, inputs], Keras GRU reset_after as linear_before_reset = 1.
import { activationName, unsupported, type Json, type LayerContext, type Obj } from './kerasCommon';
import type { TensorValues } from '../predict/network';
import type { Value } from './onnxGraph';

/** An activation of an ONNX RNN cell, with its alpha / beta when it takes them. */
interface CellActivation {
  name: string;
  alpha?: number;
  beta?: number;
}

/** ONNX RNN activation for a Keras one (linear = Affine 1, 0; hard_sigmoid with Keras 2 or 3 slope). */
function rnnActivation(ctx: LayerContext, v: Json | undefined, dflt: string): CellActivation {
  const a = activationName(v ?? dflt)
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
  const map: Record<string, string> = { sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu', softsign: 'Softsign', softplus: 'Softplus' };
  if (a === 'hard_sigmoid') return { name: 'HardSigmoid', alpha: ctx.keras3 ? 1 / 6 : 0.2, beta: 0.5 };
  if (a === 'linear') return { name: 'Affine', alpha: 1, beta: 0 };
  if (map[a]) return { name: map[a] };
  throw unsupported(ctx.name, ctx.cls, `recurrent activation '${a}' has no ONNX RNN equivalent`);
}

/** Rearranges blocks of `units` columns: Keras gate order -> ONNX gate order, transposed to [gates*units, rows]. */
function gateMatrix(t: TensorValues, units: number, order: number[]): Float32Array {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * cols);
  order.forEach((src, dst) => {
    for (let u = 0; u < units; u++) {
      for (let r = 0; r < rows; r++) out[(dst * units + u) * rows + r] = t.values[r * cols + src * units + u];
    }
  });
  return out;
}

function gateVector(values: ArrayLike<number>, units: number, order: number[], offset = 0): number[] {
  const out: number[] = [];
  for (const src of order) for (let u = 0; u < units; u++) out.push(values[offset + src * units + u]);
  return out;
}

interface RnnSpec {
  op: 'LSTM' | 'GRU' | 'RNN';
  gates: number;
  order: number[];
}

const RNN_SPECS: Record<string, RnnSpec> = {
  // Keras LSTM gates i, f, c, o; ONNX i, o, f, c.
  LSTM: { op: 'LSTM', gates: 4, order: [0, 3, 1, 2] },
  // Keras and ONNX GRU gates both z, r, h.
  GRU: { op: 'GRU', gates: 3, order: [0, 1, 2] },
  SimpleRNN: { op: 'RNN', gates: 1, order: [0] },
};

/** W, R, B of one direction of a Keras recurrent layer, in ONNX layout. */
function rnnDirection(ctx: LayerContext, cfg: Obj, spec: RnnSpec, ts: TensorValues[]): { w: Float32Array; r: Float32Array; b: number[]; units: number } {
  const [k, rk, bias] = ts;
  const units = rk.shape[0];
  if (k.shape.length !== 2 || k.shape[1] !== spec.gates * units) throw unsupported(ctx.name, ctx.cls, `kernel of shape [${k.shape}]`);
  const w = gateMatrix(k, units, spec.order);
  const r = gateMatrix(rk, units, spec.order);
  const zeros = new Array<number>(spec.gates * units).fill(0);
  let b: number[];
  if (!bias) b = [...zeros, ...zeros];
  else if (spec.op === 'GRU' && cfg.reset_after === true && bias.values.length === 2 * spec.gates * units) {
    // reset_after: bias [2, 3u] = input bias, recurrent bias (ONNX linear_before_reset = 1).
    b = [...gateVector(bias.values, units, spec.order, 0), ...gateVector(bias.values, units, spec.order, spec.gates * units)];
  } else if (bias.values.length === spec.gates * units) b = [...gateVector(bias.values, units, spec.order), ...zeros];
  else throw unsupported(ctx.name, ctx.cls, `bias of shape [${bias.shape}]`);
  return { w, r, b, units };
}

/** Reverses axis 1 (time) of a batch-first tensor. */
function reverseTime(ctx: LayerContext, x: string): string {
  const g = ctx.g;
  return g.op(
    'Slice',
    [
      x,
      g.ints(`${ctx.name}/rev_start`, [-1]),
      g.ints(`${ctx.name}/rev_end`, [-(2 ** 53 - 1)]),
      g.ints(`${ctx.name}/rev_axis`, [1]),
      g.ints(`${ctx.name}/rev_step`, [-1]),
    ],
    `${ctx.name}/reverse`,
  );
}

/**
 * LSTM / GRU / SimpleRNN (and Bidirectional around one) as one ONNX LSTM/GRU/RNN node over the
 * batch-first input transposed to time-first. Outputs: the layer's output, then its states when
 * return_state is set.
 */
export function recurrent(ctx: LayerContext, xs: Value[], inner: { cls: string; config: Obj }, bidi: string | null): Value[] {
  const [x, ...states] = xs;
  const cfg = inner.config;
  const spec = RNN_SPECS[inner.cls];
  if (!spec) throw unsupported(ctx.name, ctx.cls, `wrapped layer ${inner.cls}`);
  if (x.shape.length !== 3) throw unsupported(ctx.name, ctx.cls, `input of rank ${x.shape.length} (expected batch, time, features)`);
  if (cfg.stateful === true) {
    throw unsupported(ctx.name, ctx.cls, 'stateful=True carries its state from one call to the next, which the exported (stateless) model would not');
  }
  const useBias = cfg.use_bias !== false;
  const keys = ['kernel', 'recurrent_kernel', ...(useBias ? ['bias'] : [])];
  const dirs = bidi ? 2 : 1;
  const all = ctx.weights(bidi ? [...keys, ...keys] : keys);
  const parts = Array.from({ length: dirs }, (_, d) => rnnDirection(ctx, cfg, spec, all.slice(d * keys.length, (d + 1) * keys.length)));
  const units = parts[0].units;
  const inSize = x.shape[2] ?? parts[0].w.length / (spec.gates * units);
  const g = ctx.g;
  const cat = (arrays: ArrayLike<number>[]): number[] => arrays.flatMap((a) => Array.from(a));
  const W = g.constant(`${ctx.name}/W`, [dirs, spec.gates * units, inSize], cat(parts.map((p) => p.w)));
  const R = g.constant(`${ctx.name}/R`, [dirs, spec.gates * units, units], cat(parts.map((p) => p.r)));
  const B = g.constant(`${ctx.name}/B`, [dirs, 2 * spec.gates * units], cat(parts.map((p) => p.b)));
  const goBack = cfg.go_backwards === true;
  const direction = bidi ? 'bidirectional' : goBack ? 'reverse' : 'forward';
  const act = rnnActivation(ctx, cfg.activation, 'tanh');
  const rec = rnnActivation(ctx, cfg.recurrent_activation, 'hard_sigmoid');
  const one = spec.op === 'LSTM' ? [rec, act, act] : spec.op === 'GRU' ? [rec, act] : [act];
  const acts = bidi ? [...one, ...one] : one;
  const attrs: Record<string, number | string | string[] | { floats: number[] }> = { hidden_size: units, direction, activations: acts.map((a) => a.name) };
  // activation_alpha / _beta are consumed in order by the activations that take them (onnxruntime);
  // only HardSigmoid and Affine occur here, and both take one alpha and one beta.
  if (acts.some((a) => a.alpha !== undefined)) {
    attrs.activation_alpha = { floats: acts.filter((a) => a.alpha !== undefined).map((a) => a.alpha!) };
    attrs.activation_beta = { floats: acts.filter((a) => a.beta !== undefined).map((a) => a.beta!) };
  }
  // Keras GRU reset_after=True (TF2's default) applies the reset gate after the recurrent matmul.
  if (spec.op === 'GRU') attrs.linear_before_reset = cfg.reset_after === true ? 1 : 0;
  const xt = g.op('Transpose', [x.name], `${ctx.name}/time_first`, { perm: [1, 0, 2] });
  const nOut = spec.op === 'LSTM' ? 3 : 2;
  // Initial states given as further inputs (Keras `initial_state=`): [h] or [h, c] per direction.
  const perDir = spec.op === 'LSTM' ? 2 : 1;
  const inputs = [xt, W, R, B];
  if (states.length) {
    if (states.length !== perDir * dirs) throw unsupported(ctx.name, ctx.cls, `${states.length} initial states (expected ${perDir * dirs})`);
    const stack = (k: number, tag: string): string => {
      const parts = Array.from({ length: dirs }, (_, d) =>
        g.op('Unsqueeze', [states[d * perDir + k].name, g.ints(`${ctx.name}/${tag}${d}_axis`, [0])], `${ctx.name}/${tag}${d}`),
      );
      return parts.length === 1 ? parts[0] : g.op('Concat', parts, `${ctx.name}/${tag}`, { axis: 0 });
    };
    inputs.push('', stack(0, 'initial_h'));
    if (perDir === 2) inputs.push(stack(1, 'initial_c'));
  }
  const outs = g.node(spec.op, inputs, `${ctx.name}/${spec.op.toLowerCase()}`, attrs, nOut);
  const seq = cfg.return_sequences === true;
  const T = x.shape[1];
  const N = x.shape[0];
  /** Per-direction batch-first output of the sequence Y [T, D, N, H] or a state [D, N, H]. */
  const dirOut = (v: string, isSeq: boolean, d: number, tag: string): string => {
    let y = v;
    if (dirs === 2) {
      const axis = isSeq ? 1 : 0;
      y = g.op('Slice', [v, g.ints(`${tag}/s`, [d]), g.ints(`${tag}/e`, [d + 1]), g.ints(`${tag}/a`, [axis])], `${tag}/dir`);
    }
    y = g.op('Squeeze', [y, g.ints(`${tag}/axis`, [isSeq ? 1 : 0])], `${tag}/squeeze`);
    if (isSeq) {
      y = g.op('Transpose', [y], `${tag}/batch_first`, { perm: [1, 0, 2] });
      if (goBack && !bidi) y = reverseTime(ctx, y);
    }
    return y;
  };
  const merge = (ys: string[], tag: string): string => {
    if (ys.length === 1) return ys[0];
    const mode = String((ctx.config.merge_mode as string | null) ?? 'concat');
    if (mode === 'concat') return g.op('Concat', ys, tag, { axis: -1 });
    if (mode === 'sum') return g.op('Add', ys, tag);
    if (mode === 'mul') return g.op('Mul', ys, tag);
    if (mode === 'ave') return g.op('Mul', [g.op('Add', ys, `${tag}/sum`), g.constant(`${tag}/half`, [], [0.5])], tag);
    throw unsupported(ctx.name, ctx.cls, `merge_mode '${mode}'`);
  };
  const width = bidi && String(ctx.config.merge_mode ?? 'concat') === 'concat' ? 2 * units : units;
  const main = merge(
    Array.from({ length: dirs }, (_, d) => dirOut(seq ? outs[0] : outs[1], seq, d, `${ctx.name}/out${d}`)),
    `${ctx.name}/output`,
  );
  const result: Value[] = [{ name: main, shape: seq ? [N, T, width] : [N, width] }];
  if (cfg.return_state === true) {
    const states = spec.op === 'LSTM' ? [outs[1], outs[2]] : [outs[1]];
    for (let d = 0; d < dirs; d++) {
      states.forEach((s, i) => result.push({ name: dirOut(s, false, d, `${ctx.name}/state${d}_${i}`), shape: [N, units] }));
    }
  }
  return result;
}
