// Architecture summary of a Keras / tfjs-layers model config: layers, output shapes and the
// parameter counts Keras' `model.summary()` prints, and their reconciliation with stored weights.
// Size: summary building, nested models, graph edges and weight reconciliation walk the same layer list.
import { ReadError } from '../../io/errors';
import { MODEL_CLASSES, PYTHON_ONLY_CLASSES, declaredInputShape, isObj, shapeOf, type Json } from './kerasConfig';
import { evalLayer, type LayerContext } from './shapeInference';
import { findPythonCode } from './pythonCode';
import type { LayerSummary, ModelSummary, Shape, TensorInfo, WeightsSummary } from '../../types';

/** Options of summarizeModelConfig. */
export interface SummarizeOptions {
  framework: 'keras' | 'tfjs';
  kerasVersion: string | null;
  backend?: string | null;
}

/** Nested models deeper than this are refused (a hostile file could nest thousands). */
export const MAX_MODEL_DEPTH = 64;

interface Ctx extends LayerContext {
  notes: string[];
  python: Set<string>;
  depth: number;
}

/** One layer spec of a model config. */
interface Spec {
  cls: string;
  name: string;
  cfg: Json;
  raw: Json;
}

/** A model built from a config: its layers and where its tensors end up. */
interface Built {
  className: string;
  layers: LayerSummary[];
  inputShapes: (Shape | null)[];
  outputs: (Shape | null)[];
  total: number;
  nonTrainable: number;
}

/** The evaluation of one layer (its first call). */
interface Evaluated {
  outputs: (Shape | null)[];
  params: number | null;
  nonTrainable: number;
  layers?: LayerSummary[];
  known: boolean;
}

type Ref = [string, number, number];

function notAModel(msg: string): never {
  throw new ReadError('not-a-model', msg);
}

function specOf(v: unknown, i: number): Spec {
  if (!isObj(v) || typeof v.class_name !== 'string') notAModel(`layer #${i + 1} of the config has no class_name`);
  const cfg = isObj(v.config) ? v.config : {};
  const name = typeof cfg.name === 'string' ? cfg.name : typeof v.name === 'string' ? v.name : `${v.class_name}_${i + 1}`;
  return { cls: v.class_name, name, cfg, raw: v };
}

/** The layer list of a model config (Keras 1/2 bare list, or `{layers}`), or null. */
export function configLayers(config: unknown): unknown[] | null {
  if (Array.isArray(config)) return config;
  if (isObj(config) && Array.isArray(config.layers)) return config.layers;
  return null;
}

/** The parts of a model document: class, config, version and backend, tfjs wrapping removed. */
export function unwrapModelDocument(doc: unknown): {
  className: string;
  config: unknown;
  kerasVersion: string | null;
  backend: string | null;
} {
  let d = doc;
  let kerasVersion: string | null = null;
  let backend: string | null = null;
  for (let i = 0; i < 3 && isObj(d); i++) {
    if (typeof d.keras_version === 'string') kerasVersion ??= d.keras_version;
    if (typeof d.backend === 'string') backend ??= d.backend;
    if (isObj(d.modelTopology)) d = d.modelTopology;
    else if (isObj(d.model_config)) d = d.model_config;
    else break;
  }
  if (!isObj(d)) notAModel('not a JSON object');
  if (typeof d.class_name !== 'string') notAModel('no class_name: not a Keras model config');
  if (!configLayers(d.config)) notAModel(`class "${d.class_name}" has no layer list: not a Keras model config`);
  return { className: d.class_name, config: d.config, kerasVersion, backend };
}

function looksKeras1(layers: unknown[]): boolean {
  for (const l of layers) {
    if (!isObj(l) || !isObj(l.config)) continue;
    const c = l.config;
    if ('init' in c || 'W_regularizer' in c || 'nb_filter' in c || 'border_mode' in c) return true;
    if (l.class_name === 'Dense' && 'output_dim' in c) return true;
    if (l.class_name === 'Merge' || l.class_name === 'Convolution2D') return true;
  }
  return false;
}

/** True when a Keras 1 model's layers say `dim_ordering: 'th'` (its global setting). */
function usesTh(layers: unknown[], depth = 0): boolean {
  for (const l of layers) {
    if (!isObj(l) || !isObj(l.config)) continue;
    if (l.config.dim_ordering === 'th') return true;
    const inner = configLayers(l.config);
    if (inner && depth < 8 && usesTh(inner, depth + 1)) return true;
  }
  return false;
}

function unknownParamsNote(name: string, cls: string): string {
  return `layer "${name}" (${cls}): parameter count not known from the config (input shape unknown or layer class not known); counted as 0`;
}

function evalSpec(spec: Spec, inputs: (Shape | null)[], ctx: Ctx): Evaluated {
  if (PYTHON_ONLY_CLASSES.has(spec.cls)) ctx.python.add(spec.cls);
  if (spec.cls === 'Merge' && Array.isArray(spec.cfg.layers)) return keras1Merge(spec, inputs, ctx);
  const modelConfig = spec.raw.config;
  if (configLayers(modelConfig) && (MODEL_CLASSES.has(spec.cls) || isObj(modelConfig))) {
    const b = buildModel(spec.cls, modelConfig, ctx, inputs);
    return { outputs: b.outputs, params: b.total, nonTrainable: b.nonTrainable, layers: b.layers, known: true };
  }
  const r = evalLayer(spec.cls, spec.cfg, inputs, ctx);
  if (!r.known) ctx.notes.push(`layer "${spec.name}": class "${spec.cls}" is not known; its output shape is a guess`);
  if (r.note) ctx.notes.push(`layer "${spec.name}" (${spec.cls}): ${r.note}`);
  return r;
}

/** A Keras 1 `Merge` inside a Sequential: its config holds the branch models it merges. */
function keras1Merge(spec: Spec, inputs: (Shape | null)[], ctx: Ctx): Evaluated {
  if (ctx.depth >= MAX_MODEL_DEPTH) notAModel(`models nested more than ${MAX_MODEL_DEPTH} deep`);
  ctx.depth++;
  try {
    return mergeBranches(spec, inputs, ctx);
  } finally {
    ctx.depth--;
  }
}

function mergeBranches(spec: Spec, inputs: (Shape | null)[], ctx: Ctx): Evaluated {
  const branches: LayerSummary[] = [];
  const outs: (Shape | null)[] = [];
  let params = 0;
  let nonTrainable = 0;
  for (const [i, b] of (spec.cfg.layers as unknown[]).entries()) {
    const bs = specOf(b, i);
    const r = evalSpec(bs, [inputs[0] ?? null], ctx);
    const l = toSummary(bs, r, [], ctx, spec.cfg.trainable !== false);
    branches.push(l);
    outs.push(r.outputs[0] ?? null);
    params += l.params;
    nonTrainable += l.nonTrainableParams ?? 0;
  }
  const merged = evalLayer('Merge', spec.cfg, outs, ctx);
  return { outputs: merged.outputs, params, nonTrainable, layers: branches, known: true };
}

function toSummary(spec: Spec, rIn: Evaluated, inbound: string[], ctx: Ctx, parentTrainable: boolean): LayerSummary {
  let r = rIn;
  const trainable = parentTrainable && spec.cfg.trainable !== false;
  // A hostile or broken config can imply absurd counts (negative units, 1e308 filters).
  if (r.params !== null && !(Number.isSafeInteger(r.params) && r.params >= 0)) r = { ...r, params: null };
  const params = r.params ?? 0;
  const nonTrainable = trainable ? r.nonTrainable : params;
  const known = r.outputs.filter((s): s is Shape => s !== null);
  const outputShape = r.outputs.length === 1 ? r.outputs[0] : known.length === r.outputs.length && known.length > 0 ? known : null;
  const s: LayerSummary = { name: spec.name, className: spec.cls, outputShape, params, trainable, inbound };
  if (nonTrainable > 0) s.nonTrainableParams = nonTrainable;
  if (r.layers) s.layers = r.layers;
  if (r.params === null) {
    ctx.notes.push(unknownParamsNote(spec.name, spec.cls));
  }
  return s;
}

function sequential(className: string, config: unknown, specs: Spec[], ctx: Ctx, callInputs?: (Shape | null)[]): Built {
  const modelCfg = isObj(config) ? config : {};
  const trainable = modelCfg.trainable !== false;
  let declared: Shape | null = null;
  if (specs.length) {
    const f = specs[0];
    declared = declaredInputShape(f.cfg, f.cls);
    if (!declared && isObj(f.raw.build_config)) declared = shapeOf(f.raw.build_config.input_shape);
  }
  declared ??= shapeOf(modelCfg.build_input_shape);
  let cur: Shape | null = declared ?? callInputs?.[0] ?? null;
  const input = cur;
  const layers: LayerSummary[] = [];
  let prev: string | null = null;
  for (const spec of specs) {
    if (spec.cls === 'InputLayer') {
      cur = declaredInputShape(spec.cfg, spec.cls) ?? cur;
      continue;
    }
    const r = evalSpec(spec, [cur], ctx);
    layers.push(toSummary(spec, r, prev ? [prev] : [], ctx, trainable));
    cur = r.outputs[0] ?? null;
    prev = spec.name;
  }
  return finish(className, layers, [input], [cur]);
}

function finish(className: string, layers: LayerSummary[], inputShapes: (Shape | null)[], outputs: (Shape | null)[]): Built {
  let total = 0;
  let nonTrainable = 0;
  for (const l of layers) {
    total += l.params;
    nonTrainable += l.nonTrainableParams ?? 0;
  }
  return { className, layers, inputShapes, outputs, total, nonTrainable };
}

/** The tensors a node reads: Keras 1/2 `[[layer, node, tensor, kwargs?], ...]`, Keras 3 `{args, kwargs}`. */
function nodeRefs(node: unknown): Ref[] {
  const refs: Ref[] = [];
  const asRef = (v: unknown): Ref | null =>
    Array.isArray(v) && typeof v[0] === 'string' ? [v[0], typeof v[1] === 'number' ? v[1] : 0, typeof v[2] === 'number' ? v[2] : 0] : null;
  if (Array.isArray(node)) {
    for (const t of node) {
      const r = asRef(t);
      if (r) refs.push(r);
      // tf.keras TFOpLambda nodes pass more tensors in their kwargs: `{"y": ["dense_1", 0, 0]}`.
      if (Array.isArray(t) && isObj(t[3])) {
        for (const v of Object.values(t[3])) {
          const k = Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number' && typeof v[2] === 'number' ? asRef(v) : null;
          if (k) refs.push(k);
        }
      }
    }
    return refs;
  }
  if (!isObj(node)) return refs;
  const stack: unknown[] = [node.kwargs, node.args];
  let budget = 10000;
  while (stack.length && budget-- > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (isObj(v)) {
      if (v.class_name === '__keras_tensor__' && isObj(v.config)) {
        const r = asRef(v.config.keras_history);
        if (r) refs.push(r);
      } else {
        const vals = Object.values(v);
        for (let i = vals.length - 1; i >= 0; i--) stack.push(vals[i]);
      }
    }
  }
  return refs;
}

/** `input_layers` / `output_layers`: a list of refs, or Keras 3's single ref for one tensor. */
function refList(v: unknown): Ref[] {
  if (!Array.isArray(v)) return [];
  if (typeof v[0] === 'string') return nodeRefs([v]);
  return nodeRefs(v);
}

function functional(className: string, config: Json, specs: Spec[], ctx: Ctx, callInputs?: (Shape | null)[]): Built {
  const trainable = config.trainable !== false;
  const byName = new Map(specs.map((s) => [s.name, s]));
  const nodes = new Map<string, Ref[][]>();
  for (const s of specs) {
    const inb = Array.isArray(s.raw.inbound_nodes) ? s.raw.inbound_nodes : [];
    nodes.set(s.name, inb.map(nodeRefs));
  }
  const inputRefs = refList(config.input_layers);
  const outputRefs = refList(config.output_layers);
  // Keras 2 counts a nested model's own construction as its node 0, so callers may say node 1
  // for the first call written in the config: shift by the largest overflow seen.
  const offset = new Map<string, number>();
  const allRefs = [...outputRefs, ...[...nodes.values()].flat(2)];
  for (const [l, n] of allRefs) {
    const count = nodes.get(l)?.length ?? 0;
    if (count > 0 && n >= count) offset.set(l, Math.max(offset.get(l) ?? 0, n - count + 1));
  }
  const outs = new Map<string, (Shape | null)[][]>();
  const evals = new Map<string, Evaluated>();
  const inbound = new Map<string, string[]>();
  const missing = new Set<string>();
  for (const s of specs) {
    if (s.cls !== 'InputLayer') continue;
    let shape = declaredInputShape(s.cfg, s.cls);
    const idx = inputRefs.findIndex((r) => r[0] === s.name);
    if (callInputs && idx >= 0 && callInputs[idx]) shape ??= callInputs[idx];
    outs.set(s.name, [[shape]]);
    evals.set(s.name, { outputs: [shape], params: 0, nonTrainable: 0, known: true });
  }
  const resolve = (r: Ref): { ready: boolean; shape: Shape | null } => {
    if (!byName.has(r[0])) {
      if (!missing.has(r[0])) {
        missing.add(r[0]);
        ctx.notes.push(`the config connects to a layer "${r[0]}" that it does not define`);
      }
      return { ready: true, shape: null };
    }
    const arr = outs.get(r[0]);
    const count = Math.max(nodes.get(r[0])?.length ?? 1, 1);
    const idx = Math.min(Math.max(r[1] - (offset.get(r[0]) ?? 0), 0), count - 1);
    const node = arr?.[idx];
    if (!node) return { ready: false, shape: null };
    return { ready: true, shape: node[r[2]] ?? null };
  };
  const pending: { spec: Spec; idx: number; refs: Ref[] }[] = [];
  for (const s of specs) {
    if (s.cls === 'InputLayer') continue;
    const ns = nodes.get(s.name) ?? [];
    ns.forEach((refs, idx) => pending.push({ spec: s, idx, refs }));
    inbound.set(s.name, [...new Set(ns.flat().map((r) => r[0]))]);
  }
  const run = (p: { spec: Spec; idx: number; refs: Ref[] }): void => {
    const inputs = p.refs.map((r) => resolve(r).shape);
    const r = evalSpec(p.spec, inputs, ctx);
    const arr = outs.get(p.spec.name) ?? [];
    arr[p.idx] = r.outputs;
    outs.set(p.spec.name, arr);
    if (p.idx === 0 || !evals.has(p.spec.name)) evals.set(p.spec.name, r);
  };
  // Kahn's algorithm over layer calls: each call waits for the calls producing its inputs.
  const keyOf = (r: Ref): string => {
    const count = Math.max(nodes.get(r[0])?.length ?? 1, 1);
    return `${r[0]}#${Math.min(Math.max(r[1] - (offset.get(r[0]) ?? 0), 0), count - 1)}`;
  };
  const waiting = new Map<string, number[]>();
  const deps = pending.map((p, i) => {
    const keys = new Set(p.refs.filter((r) => byName.has(r[0]) && !outs.has(r[0])).map(keyOf));
    for (const k of keys) waiting.set(k, [...(waiting.get(k) ?? []), i]);
    return keys.size;
  });
  const done = new Array<boolean>(pending.length).fill(false);
  const ready = pending.map((_, i) => i).filter((i) => deps[i] === 0);
  for (let head = 0; head < ready.length; head++) {
    const i = ready[head];
    const p = pending[i];
    run(p);
    done[i] = true;
    for (const w of waiting.get(`${p.spec.name}#${p.idx}`) ?? []) if (--deps[w] === 0) ready.push(w);
  }
  for (const [i, p] of pending.entries()) {
    if (done[i]) continue;
    ctx.notes.push(`layer "${p.spec.name}": its inputs could not be followed (a cycle or a missing layer); shapes unknown`);
    run(p);
  }
  const layers: LayerSummary[] = [];
  for (const s of specs) {
    let r = evals.get(s.name);
    if (!r) {
      // A layer never called in the graph: evaluate it on what it declares.
      r = evalSpec(s, [declaredInputShape(s.cfg, s.cls)], ctx);
    }
    layers.push(toSummary(s, r, inbound.get(s.name) ?? [], ctx, trainable));
  }
  const inputShapes = inputRefs.map((r) => resolve(r).shape);
  const outputs = outputRefs.map((r) => resolve(r).shape);
  return finish(className, layers, inputShapes, outputs);
}

function buildModel(className: string, config: unknown, ctx: Ctx, callInputs?: (Shape | null)[]): Built {
  if (ctx.depth >= MAX_MODEL_DEPTH) notAModel(`models nested more than ${MAX_MODEL_DEPTH} deep`);
  const list = configLayers(config);
  if (!list) notAModel(`model "${className}" has no layer list`);
  ctx.depth++;
  try {
    const specs = list.map(specOf);
    const isFunctional =
      isObj(config) && (Array.isArray(config.input_layers) || specs.some((s) => Array.isArray(s.raw.inbound_nodes) && s.raw.inbound_nodes.length > 0));
    return isFunctional && className !== 'Sequential'
      ? functional(className, config as Json, specs, ctx, callInputs)
      : sequential(className, config, specs, ctx, callInputs);
  } finally {
    ctx.depth--;
  }
}

/**
 * Summarises a model config as Keras writes it: the `to_json()` document
 * (`{class_name, config, keras_version?, backend?}`), an HDF5 `model_config`, a Keras 3
 * `config.json`, or a tfjs `modelTopology` (`{model_config, ...}` or the config itself).
 * Throws ReadError('not-a-model') when it is not a model config.
 */
export function summarizeModelConfig(config: unknown, opts: SummarizeOptions): ModelSummary {
  const doc = unwrapModelDocument(config);
  const kerasVersion = opts.kerasVersion ?? doc.kerasVersion;
  const list = configLayers(doc.config) ?? [];
  const keras1 = kerasVersion ? /^1\./.test(kerasVersion) : looksKeras1(list);
  const ctx: Ctx = {
    keras1,
    preResetAfter: kerasVersion !== null && /^2\.(0\.|1\.[0-2]$)/.test(kerasVersion),
    channelsFirst: keras1 && usesTh(list),
    framework: opts.framework,
    notes: [],
    python: new Set(),
    depth: 0,
    wrapperDepth: 0,
  };
  const b = buildModel(doc.className, doc.config, ctx);
  // Python-only layers at any depth (wrappers, nested models, custom objects), not only those walked.
  for (const s of findPythonCode(config)) if (PYTHON_ONLY_CLASSES.has(s.kind)) ctx.python.add(s.kind);
  const shapes = (xs: (Shape | null)[]): Shape[] => xs.filter((s): s is Shape => s !== null);
  const summary: ModelSummary = {
    framework: opts.framework,
    kerasVersion,
    className: doc.className,
    layers: b.layers,
    inputShapes: shapes(b.inputShapes),
    outputShapes: shapes(b.outputs),
    totalParams: b.total,
    trainableParams: b.total - b.nonTrainable,
    nonTrainableParams: b.nonTrainable,
    backend: opts.backend ?? doc.backend,
    pythonOnlyLayers: [...ctx.python],
  };
  if (b.outputs.some((s) => s === null)) ctx.notes.push('some output shapes could not be inferred from the config');
  if (ctx.notes.length) summary.notes = [...new Set(ctx.notes)];
  return summary;
}

// ---- reconciliation with stored weights ----

/** Number of values of a tensor. */
function size(t: TensorInfo): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

/** The last part of a tensor name without `:0` (`dense_1/kernel:0` -> `kernel`). */
function shortName(name: string): string {
  const n = name.replace(/:\d+$/, '');
  const i = n.lastIndexOf('/');
  return i < 0 ? n : n.slice(i + 1);
}

const MOVING = /(^|[_/])(moving_mean|moving_variance|running_mean|running_std|moving_avg|moving_var)(:\d+)?$/;

/** Values of the tensors that never train (BatchNormalization moving statistics, Normalization). */
function nonTrainableOf(className: string, tensors: TensorInfo[]): number {
  if (className === 'Normalization') return tensors.reduce((a, t) => a + size(t), 0);
  let n = 0;
  let named = false;
  for (const t of tensors) {
    if (MOVING.test(t.name.replace(/:\d+$/, ''))) {
      n += size(t);
      named = true;
    }
  }
  const anonymous = tensors.length > 0 && tensors.every((t) => /^(vars\/)?\d+$/.test(t.name) || /^\d+$/.test(shortName(t.name)));
  if (!named && anonymous && /BatchNormalization$/.test(className) && tensors.length >= 2) {
    // Keras 3 stores [gamma?, beta?, moving_mean, moving_variance] as vars/0..n: the last two.
    const sorted = [...tensors].sort((a, b) => Number(shortName(a.name)) - Number(shortName(b.name)));
    n = size(sorted[sorted.length - 1]) + size(sorted[sorted.length - 2]);
  }
  return n;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** Result of reconciling one list of layers (a model or a nested model). */
interface Reconciled {
  layers: LayerSummary[];
  notes: string[];
  resolved: Set<string>;
}

/** Tensors of a nested model grouped by inner layer (`conv2d_1/kernel:0` -> `conv2d_1`), or null. */
function innerGroups(owner: string, tensors: TensorInfo[]): { name: string; tensors: TensorInfo[] }[] | null {
  const groups = new Map<string, TensorInfo[]>();
  for (const t of tensors) {
    const rel = t.name.startsWith(`${owner}/`) ? t.name.slice(owner.length + 1) : t.name;
    const i = rel.indexOf('/');
    if (i <= 0) return null;
    const g = rel.slice(0, i);
    groups.set(g, [...(groups.get(g) ?? []), { ...t, name: rel }]);
  }
  return [...groups].map(([name, ts]) => ({ name, tensors: ts }));
}

/** Layers inside nested models, by name, with their path (`sequential/inner_dense`); unique names only. */
function nestedPaths(layers: LayerSummary[]): Map<string, string> {
  const top = new Set(layers.map((l) => l.name));
  const out = new Map<string, string>();
  const dup = new Set<string>();
  const stack: { l: LayerSummary; path: string; depth: number }[] = layers.map((l) => ({ l, path: l.name, depth: 0 }));
  while (stack.length) {
    const { l, path, depth } = stack.pop()!;
    if (depth > 0 && !top.has(l.name)) {
      if (out.has(l.name)) dup.add(l.name);
      out.set(l.name, path);
    }
    if (depth < MAX_MODEL_DEPTH) for (const c of l.layers ?? []) stack.push({ l: c, path: `${path}/${c.name}`, depth: depth + 1 });
  }
  for (const d of dup) out.delete(d);
  return out;
}

function reconcileLayers(layersIn: LayerSummary[], weightLayers: { name: string; tensors: TensorInfo[] }[], prior: string[], where: string): Reconciled {
  const notes: string[] = [];
  const resolved = new Set<string>();
  const byName = new Map<string, TensorInfo[]>();
  for (const l of weightLayers) byName.set(l.name, [...(byName.get(l.name) ?? []), ...l.tensors]);
  const used = new Set<string>();
  // Layers whose weights sit in a flat list (Keras 1 `dense_1_W`, tfjs `dense_1/kernel`).
  const names = layersIn.map((l) => l.name).sort((a, b) => b.length - a.length);
  const byPrefix = new Map<string, { group: string; t: TensorInfo }[]>();
  const nested = nestedPaths(layersIn);
  for (const [group, ts] of byName) {
    if (names.includes(group)) continue;
    for (const t of ts) {
      // `dense_1_W` (Keras 1), `bidirectional_1/forward_lstm_1` + `kernel` (tfjs), `model/dense` (TF2 names).
      const full = t.name.startsWith(`${group}/`) ? t.name : `${group}/${t.name}`;
      let owner = names.find((n) => t.name.startsWith(`${n}_`) || t.name.startsWith(`${n}/`));
      let named = t;
      if (!owner) {
        owner = names.find((n) => full.startsWith(`${n}/`));
        if (owner) named = { ...t, name: full };
      }
      owner ??= names.find((n) => group.endsWith(`/${n}`));
      // Keras 3 files name a nested model's inner layers on their own (`inner_dense`).
      const deep = owner ? undefined : nested.get(group);
      if (deep) {
        owner = deep.slice(0, deep.indexOf('/'));
        named = { ...t, name: `${deep}/${t.name}` };
      }
      if (owner) byPrefix.set(owner, [...(byPrefix.get(owner) ?? []), { group, t: named }]);
    }
  }
  const layers = layersIn.map((l): LayerSummary => {
    let tensors = byName.get(l.name);
    if (tensors) used.add(l.name);
    else if (byPrefix.has(l.name)) tensors = byPrefix.get(l.name)!.map((f) => f.t);
    const label = `layer "${where}${l.name}" (${l.className})`;
    if (!tensors) {
      if (l.params > 0) {
        notes.push(`${label} needs ${plural(l.params, 'parameter')} but the weights hold nothing for it: loading these weights into this model would fail`);
      }
      return l;
    }
    const p = tensors.reduce((a, t) => a + size(t), 0);
    let nt = l.trainable ? nonTrainableOf(l.className, tensors) : p;
    const unknownNote = unknownParamsNote(l.name, l.className);
    const wasUnknown = prior.includes(unknownNote);
    if (wasUnknown) resolved.add(unknownNote);
    if (wasUnknown && tensors.length === 0) {
      notes.push(`${label} has no stored weights: the model was probably saved before it was built (no input shape)`);
    } else if (!wasUnknown && p !== l.params) {
      const shapes = tensors.map((t) => `${shortName(t.name)} ${JSON.stringify(t.shape)}`).join(', ');
      notes.push(
        `${label}: the config implies ${plural(l.params, 'parameter')}, the weights hold ${plural(p, 'value')} (${shapes}); the weights were probably saved from a different model`,
      );
    }
    const out: LayerSummary = { ...l, params: p };
    if (l.layers?.length) {
      const groups = innerGroups(l.name, tensors);
      if (groups) {
        const inner = reconcileLayers(l.layers, groups, prior, `${where}${l.name}/`);
        out.layers = inner.layers;
        inner.resolved.forEach((n) => resolved.add(n));
        if (l.trainable) nt = inner.layers.reduce((a, x) => a + (x.nonTrainableParams ?? 0), 0);
        // A mismatch inside a nested model is already told by the note on the model itself.
        if (wasUnknown || p === l.params) notes.push(...inner.notes);
      }
    }
    if (nt > 0) out.nonTrainableParams = nt;
    else delete out.nonTrainableParams;
    return out;
  });
  for (const [group, ts] of byName) {
    if (used.has(group)) continue;
    const claimed = [...byPrefix.values()].flat().filter((f) => f.group === group).length;
    if (claimed === ts.length) continue;
    const p = ts.reduce((a, t) => a + size(t), 0);
    if (p === 0) continue;
    notes.push(`the weights hold a layer "${where}${group}" (${plural(p, 'value')}) that the model config does not have; it is not counted in the totals`);
  }
  return { layers, notes, resolved };
}

/**
 * Makes the weights the truth: per-layer params taken from the stored tensors, totals recomputed,
 * and a note (ModelSummary.notes) for every disagreement between config and weights.
 */
export function reconcileWithWeights(summary: ModelSummary, weights: WeightsSummary): ModelSummary {
  const r = reconcileLayers(summary.layers, weights.layers, summary.notes ?? [], '');
  let total = 0;
  let nonTrainable = 0;
  for (const l of r.layers) {
    total += l.params;
    nonTrainable += l.nonTrainableParams ?? 0;
  }
  const kept = (summary.notes ?? []).filter((n) => !r.resolved.has(n));
  const allNotes = [...new Set([...kept, ...r.notes])];
  const out: ModelSummary = {
    ...summary,
    layers: r.layers,
    totalParams: total,
    trainableParams: total - nonTrainable,
    nonTrainableParams: nonTrainable,
  };
  if (allNotes.length) out.notes = allNotes;
  else delete out.notes;
  return out;
}
