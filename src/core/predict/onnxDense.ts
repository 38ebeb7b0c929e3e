// Keras dense networks (Sequential: InputLayer, Dense, Activation, Dropout) written as an ONNX
// ModelProto in memory (Gemm + activation per layer), so onnxruntime can run them. Other layers are
// not covered: `denseStack` returns null and the network stays on TensorFlow.js.
import { ProtoWriter } from '../codecs/protobufWriter';
import type { LayerValues } from './network';

/** One Dense layer: kernel [inDim, outDim] in C order, optional bias, activation name (Keras'). */
export interface DenseLayer {
  name: string;
  inDim: number;
  outDim: number;
  kernel: Float32Array;
  bias: Float32Array | null;
  activations: string[];
}

/** Keras activations with a single ONNX operator (opset 13). */
const ACTIVATION_OPS: Record<string, string | null> = {
  linear: null,
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  softmax: 'Softmax',
  softplus: 'Softplus',
  softsign: 'Softsign',
  elu: 'Elu',
  selu: 'Selu',
  exponential: 'Exp',
};

interface KerasLayer {
  class_name?: string;
  config?: Record<string, unknown>;
}

function layersOf(config: unknown): KerasLayer[] | null {
  const c = config as { class_name?: string; config?: unknown };
  if (c?.class_name !== 'Sequential') return null;
  const inner = c.config as { layers?: unknown } | unknown[];
  const list = Array.isArray(inner) ? inner : (inner as { layers?: unknown })?.layers;
  return Array.isArray(list) ? (list as KerasLayer[]) : null;
}

function activationName(a: unknown): string | null {
  if (a === undefined || a === null) return 'linear';
  if (typeof a === 'string') return a;
  // Keras 3 may serialise activations as objects
  const o = a as { class_name?: string; config?: { name?: string } };
  return typeof o.config?.name === 'string' ? o.config.name : typeof o.class_name === 'string' ? o.class_name : null;
}

/** Whether the first layer declares a flat input `[batch, features]` (Gemm takes 2-D inputs only). */
function flatInput(list: KerasLayer[]): boolean {
  const c = list[0].config ?? {};
  const shape = (c.batch_input_shape ?? c.batch_shape) as unknown;
  if (Array.isArray(shape)) return shape.length === 2;
  if (Array.isArray(c.input_shape)) return c.input_shape.length === 1;
  return typeof c.input_dim === 'number';
}

/**
 * The network as a stack of dense layers, or null when a layer is not a Dense / Activation /
 * Dropout / InputLayer, an activation has no ONNX operator, or the stored weights do not fit.
 */
export function denseStack(config: unknown, weights: LayerValues[]): DenseLayer[] | null {
  const list = layersOf(config);
  if (!list?.length || !flatInput(list)) return null;
  const byName = new Map(weights.map((l) => [l.name, l]));
  const out: DenseLayer[] = [];
  for (const l of list) {
    const cfg = l.config ?? {};
    switch (l.class_name) {
      case 'InputLayer':
      case 'Dropout':
        continue;
      case 'Activation': {
        const a = activationName(cfg.activation);
        if (!a || !(a in ACTIVATION_OPS) || !out.length) return null;
        out[out.length - 1].activations.push(a);
        continue;
      }
      case 'Dense': {
        const a = activationName(cfg.activation);
        if (!a || !(a in ACTIVATION_OPS)) return null;
        const name = String(cfg.name ?? '');
        const stored = byName.get(name) ?? weights.find((w) => w.name.split('/').includes(name));
        if (!stored) return null;
        const kernel = stored.tensors.find((t) => /kernel|_W$|vars\/0$/.test(t.name)) ?? stored.tensors[0];
        const bias = stored.tensors.find((t) => t !== kernel && t.shape.length === 1) ?? null;
        if (!kernel || kernel.shape.length !== 2 || !(kernel.values instanceof Float32Array)) return null;
        const [inDim, outDim] = kernel.shape;
        if (out.length && out[out.length - 1].outDim !== inDim) return null;
        if (bias && (bias.shape[0] !== outDim || !(bias.values instanceof Float32Array))) return null;
        if (cfg.use_bias !== false && !bias) return null;
        out.push({ name, inDim, outDim, kernel: kernel.values, bias: bias ? (bias.values as Float32Array) : null, activations: [a] });
        continue;
      }
      default:
        return null;
    }
  }
  return out.length ? out : null;
}

function tensor(name: string, dims: number[], values: Float32Array): ProtoWriter {
  const t = new ProtoWriter().packedVarints(1, dims).varint(2, 1).string(8, name);
  return t.bytes(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

function valueInfo(name: string, width: number): ProtoWriter {
  const dimBatch = new ProtoWriter().string(2, 'batch');
  const dimWidth = new ProtoWriter().varint(1, width);
  const shape = new ProtoWriter().message(1, dimBatch).message(1, dimWidth);
  const tensorType = new ProtoWriter().varint(1, 1).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

function node(op: string, inputs: string[], outputs: string[], name: string, attrs: ProtoWriter[] = []): ProtoWriter {
  const n = new ProtoWriter();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, name).string(4, op);
  for (const a of attrs) n.message(5, a);
  return n;
}

/** An ONNX ModelProto (IR 8, opset 13) computing the dense stack: input `x` [batch, in], output `y`. */
export function denseToOnnx(layers: DenseLayer[]): Uint8Array {
  const g = new ProtoWriter();
  let prev = 'x';
  layers.forEach((l, i) => {
    const w = `W${i}`;
    const b = `B${i}`;
    const ins = l.bias ? [prev, w, b] : [prev, w];
    let out = `gemm${i}`;
    g.message(1, node('Gemm', ins, [out], `${l.name || `dense_${i}`}`));
    l.activations.forEach((a, j) => {
      const op = ACTIVATION_OPS[a];
      if (!op) return;
      const next = `act${i}_${j}`;
      const attrs = op === 'Softmax' ? [new ProtoWriter().string(1, 'axis').varint(20, 2).varint(3, 1)] : [];
      g.message(1, node(op, [out], [next], `${l.name}_${a}`, attrs));
      out = next;
    });
    prev = out;
  });
  // the last value is renamed to `y` through Identity (keeps the node outputs unique and simple)
  g.message(1, node('Identity', [prev], ['y'], 'output'));
  g.string(2, 'keras_dense');
  layers.forEach((l, i) => {
    g.message(5, tensor(`W${i}`, [l.inDim, l.outDim], l.kernel));
    if (l.bias) g.message(5, tensor(`B${i}`, [l.outDim], l.bias));
  });
  g.message(11, valueInfo('x', layers[0].inDim));
  g.message(12, valueInfo('y', layers[layers.length - 1].outDim));
  const opset = new ProtoWriter().string(1, '').varint(2, 13);
  return new ProtoWriter().varint(1, 8).string(2, 'model-bundle-inspector').message(7, g).message(8, opset).finish();
}
