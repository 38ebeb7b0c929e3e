// Normalises Keras 1/2/3 model configs into the Keras 2 form that TensorFlow.js layers accepts
// (see docs formats.md): Keras 3 `module`/`registered_name` wrappers, `batch_shape`, DTypePolicy
// dtypes, `__keras_tensor__` inbound nodes, Keras 1 layer names and arguments. Layers holding Python
// code are refused by name; their code is never looked at.
import { ReadError } from '../io/errors';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** Layer classes that hold Python code or TensorFlow ops with no TensorFlow.js equivalent. */
export const PYTHON_ONLY_LAYERS: ReadonlySet<string> = new Set(['Lambda', 'TFOpLambda', 'SlicingOpLambda', 'KerasLayer', 'TorchModuleWrapper']);

/** Keras 1 layer class names and their Keras 2 successors. */
const KERAS1_CLASSES: Record<string, string> = {
  Convolution1D: 'Conv1D',
  Convolution2D: 'Conv2D',
  Convolution3D: 'Conv3D',
  Deconvolution2D: 'Conv2DTranspose',
  AtrousConvolution2D: 'Conv2D',
  SeparableConvolution2D: 'SeparableConv2D',
};

/** Keras 1 argument names and their Keras 2 successors (per layer, applied when present). */
const KERAS1_ARGS: Record<string, string> = {
  output_dim: 'units',
  nb_filter: 'filters',
  subsample: 'strides',
  subsample_length: 'strides',
  border_mode: 'padding',
  init: 'kernel_initializer',
  inner_init: 'recurrent_initializer',
  W_regularizer: 'kernel_regularizer',
  U_regularizer: 'recurrent_regularizer',
  b_regularizer: 'bias_regularizer',
  W_constraint: 'kernel_constraint',
  b_constraint: 'bias_constraint',
  bias: 'use_bias',
  inner_activation: 'recurrent_activation',
  dropout_W: 'dropout',
  dropout_U: 'recurrent_dropout',
  filter_length: 'kernel_size',
  pool_length: 'pool_size',
  stride: 'strides',
  dim_ordering: 'data_format',
  atrous_rate: 'dilation_rate',
};

const MAX_DEPTH = 200;

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Strips Keras 3 serialization wrappers and turns DTypePolicy objects into dtype strings. */
function stripKeras3(v: Json, depth: number): Json {
  if (depth > MAX_DEPTH) throw new ReadError('not-a-model', 'model config nested too deeply');
  if (Array.isArray(v)) return v.map((x) => stripKeras3(x, depth + 1));
  if (!isObj(v)) return v;
  if (v.class_name === 'DTypePolicy' || v.class_name === 'Policy') {
    const name = isObj(v.config) ? v.config.name : null;
    return typeof name === 'string' && name.includes('float') ? 'float32' : (name ?? 'float32');
  }
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'module' || k === 'registered_name' || k === 'build_config' || k === 'compile_config' || k === 'shared_object_id') continue;
    out[k] = stripKeras3(x, depth + 1);
  }
  return out;
}

/** Keras 3 `{args: [...], kwargs}` inbound node → Keras 2 `[[layer, node, tensor, kwargs], ...]`. */
function convertInboundNode(node: Json): Json {
  if (!isObj(node) || !Array.isArray(node.args)) return node;
  const refs: Json[] = [];
  const collect = (a: Json): void => {
    if (Array.isArray(a)) a.forEach(collect);
    else if (isObj(a) && a.class_name === '__keras_tensor__' && isObj(a.config) && Array.isArray(a.config.keras_history)) {
      const [layer, nodeIndex, tensorIndex] = a.config.keras_history;
      refs.push([layer, nodeIndex, tensorIndex, {}]);
    }
  };
  node.args.forEach(collect);
  return refs;
}

function wrapLayerRefs(v: Json | undefined): Json | undefined {
  // Keras 3 may write a single `[name, 0, 0]` where Keras 2 writes a list of them.
  if (Array.isArray(v) && typeof v[0] === 'string') return [v];
  return v;
}

function normalizeLayer(layer: Obj, depth: number, path: string): Obj {
  let cls = String(layer.class_name ?? '');
  const config: Obj = isObj(layer.config) ? { ...layer.config } : {};
  const name = String(config.name ?? layer.name ?? cls);
  if (PYTHON_ONLY_LAYERS.has(cls)) {
    throw new ReadError('python-only-layer', `layer '${name}' (${cls}) holds Python code or TensorFlow ops that cannot run outside Python; it was not run`);
  }
  if (KERAS1_CLASSES[cls]) cls = KERAS1_CLASSES[cls];
  if (cls === 'Merge') {
    throw new ReadError('unsupported-layer', `layer '${name}' is a Keras 1 Merge layer, which TensorFlow.js cannot load`);
  }
  for (const [oldName, newName] of Object.entries(KERAS1_ARGS)) {
    if (oldName === 'output_dim' && cls === 'Embedding') continue; // Embedding keeps output_dim in Keras 2
    if (oldName in config && !(newName in config)) {
      config[newName] = config[oldName];
      delete config[oldName];
    }
  }
  if ('nb_row' in config && 'nb_col' in config) {
    config.kernel_size = [config.nb_row, config.nb_col];
    delete config.nb_row;
    delete config.nb_col;
  }
  if (config.data_format === 'tf') config.data_format = 'channels_last';
  if (config.data_format === 'th') config.data_format = 'channels_first';
  if ('batch_shape' in config && !('batch_input_shape' in config)) {
    config.batch_input_shape = config.batch_shape;
    delete config.batch_shape;
  }
  if ('input_dim' in config && !('batch_input_shape' in config) && cls !== 'Embedding') {
    config.batch_input_shape = [null, config.input_dim];
  }
  // Initialisers, regularisers and constraints do not matter for inference (weights are set after
  // loading) and Keras 3 names some that TensorFlow.js does not know: neutralise them.
  for (const k of Object.keys(config)) {
    if (k.endsWith('_initializer')) config[k] = { class_name: 'Zeros', config: {} };
    else if (k.endsWith('_regularizer') || k.endsWith('_constraint')) config[k] = null;
  }
  delete config.seed;
  const out: Obj = { class_name: cls, config };
  if (typeof layer.name === 'string') out.name = layer.name;
  if (Array.isArray(layer.inbound_nodes)) out.inbound_nodes = layer.inbound_nodes.map(convertInboundNode);
  if (cls === 'Bidirectional' || cls === 'TimeDistributed') {
    if (isObj(config.layer)) config.layer = normalizeLayer(config.layer, depth + 1, `${path}/${name}`);
    if (isObj(config.backward_layer)) config.backward_layer = normalizeLayer(config.backward_layer, depth + 1, `${path}/${name}`);
  }
  if (cls === 'Sequential' || cls === 'Model' || cls === 'Functional') {
    const inner = normalizeModel({ class_name: cls, config: layer.config ?? null }, depth + 1);
    out.config = inner.config;
    out.class_name = cls === 'Functional' ? 'Model' : cls;
  }
  return out;
}

function normalizeModel(model: Obj, depth: number): Obj {
  if (depth > MAX_DEPTH) throw new ReadError('not-a-model', 'model config nested too deeply');
  const cls = String(model.class_name ?? '');
  let config = model.config;
  if (cls === 'Sequential') {
    const layers = Array.isArray(config) ? config : isObj(config) && Array.isArray(config.layers) ? config.layers : null;
    if (!layers) throw new ReadError('not-a-model', 'Sequential config without layers');
    const name = isObj(config) && typeof config.name === 'string' ? config.name : 'sequential';
    return {
      class_name: 'Sequential',
      config: { name, layers: layers.filter(isObj).map((l) => normalizeLayer(l, depth + 1, name)) },
    };
  }
  if (cls === 'Model' || cls === 'Functional') {
    if (!isObj(config) || !Array.isArray(config.layers)) throw new ReadError('not-a-model', `${cls} config without layers`);
    const name = typeof config.name === 'string' ? config.name : 'model';
    config = {
      ...config,
      name,
      layers: config.layers.filter(isObj).map((l) => normalizeLayer(l, depth + 1, name)),
      input_layers: wrapLayerRefs(config.input_layers) ?? [],
      output_layers: wrapLayerRefs(config.output_layers) ?? [],
    };
    return { class_name: 'Model', config };
  }
  throw new ReadError('not-a-model', `a model config must be Sequential, Model or Functional, not '${cls}'`);
}

/**
 * Turns a Keras model config (a `to_json()` document, an HDF5 `model_config`, a Keras 3
 * `config.json`, or a tfjs `modelTopology`) into a topology `tf.models.modelFromJSON` accepts.
 * Throws ReadError `python-only-layer` naming the first layer that only Python can run.
 */
export function toTfjsTopology(config: unknown): Record<string, unknown> {
  let doc = stripKeras3(config as Json, 0);
  if (isObj(doc) && isObj(doc.model_config)) doc = doc.model_config;
  if (!isObj(doc)) throw new ReadError('not-a-model', 'model config is not a JSON object');
  const model = normalizeModel(doc, 0);
  return { ...model, keras_version: '2.13.1', backend: 'tensorflow' };
}
