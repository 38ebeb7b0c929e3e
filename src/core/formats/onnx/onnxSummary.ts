// From a decoded ONNX model to the contract's shapes: layers = nodes (className = op type, params =
// the initializers each consumes, nested graphs as nested layers), inputs and outputs with symbolic
// dims as null, op counts, the default domain's opset, and the preprocessing ops a graph begins with.
import type { LayerSummary, ModelSummary, OnnxSummary, OnnxValueSummary, Shape, TensorInfo, WeightsSummary } from '../../types';
import { dtypeBytes, type OnnxAttribute, type OnnxGraph, type OnnxTensor, type OnnxValueInfo } from './onnxProto';
import type { OnnxModel } from './onnxFile';

/** The ONNX-ML operators skl2onnx writes for scikit-learn preprocessing (not the estimators). */
export const PREPROCESSING_OPS: ReadonlySet<string> = new Set([
  'Scaler',
  'Imputer',
  'OneHotEncoder',
  'Normalizer',
  'Binarizer',
  'LabelEncoder',
  'FeatureVectorizer',
  'DictVectorizer',
  'CategoryMapper',
  'ArrayFeatureExtractor',
  'CastMap',
]);

/** Operators that only move or cast values: they may stand between the inputs and the preprocessing. */
const PASS_THROUGH = new Set(['Cast', 'Identity', 'Reshape', 'Concat', 'Flatten', 'Unsqueeze', 'Squeeze']);

const ML_DOMAIN = 'ai.onnx.ml';

function isPreprocessing(opType: string, domain: string): boolean {
  return domain === ML_DOMAIN && PREPROCESSING_OPS.has(opType);
}

/** Element count of a tensor. */
function count(t: OnnxTensor): number {
  return t.dims.reduce((a, d) => a * d, 1);
}

/** Bytes a tensor's values take (stored size, else its dtype's size). */
export function tensorBytes(t: OnnxTensor): number {
  if (t.storedBytes !== null && t.storedBytes > 0) return t.storedBytes;
  const ext = t.external?.length;
  if (ext !== undefined && /^\d+$/.test(ext)) return Number(ext);
  return dtypeBytes(t.dtype, count(t)) ?? 0;
}

function valueSummary(v: OnnxValueInfo): OnnxValueSummary {
  return {
    name: v.name,
    dtype: v.dtype,
    shape: v.dims ? v.dims.map((d) => (typeof d === 'number' ? d : null)) : null,
    dimParams: v.dims ? v.dims.map((d) => (typeof d === 'string' ? d : null)) : null,
  };
}

/** Every nested graph of a graph's nodes (attributes of type graph / graphs), one level. */
function subgraphsOf(g: OnnxGraph): { attr: string; graph: OnnxGraph }[] {
  const out: { attr: string; graph: OnnxGraph }[] = [];
  for (const n of g.nodes) {
    for (const [name, a] of Object.entries(n.attributes)) {
      if (a.type === 'graph') out.push({ attr: name, graph: a.value });
      else if (a.type === 'graphs') a.value.forEach((graph, i) => out.push({ attr: `${name}[${i}]`, graph }));
    }
  }
  return out;
}

/** Initializers of a graph and of every graph nested in it. */
export function allInitializers(g: OnnxGraph, out: OnnxTensor[] = []): OnnxTensor[] {
  out.push(...g.initializers);
  for (const n of g.nodes)
    for (const a of Object.values(n.attributes)) {
      if (a.type === 'graph') allInitializers(a.value, out);
      else if (a.type === 'graphs') a.value.forEach((s) => allInitializers(s, out));
    }
  return out;
}

function countSubgraphs(g: OnnxGraph): number {
  return subgraphsOf(g).reduce((a, s) => a + 1 + countSubgraphs(s.graph), 0);
}

function graphParams(g: OnnxGraph): number {
  return allInitializers(g).reduce((a, t) => a + count(t), 0);
}

const MAX_ATTR_VALUES = 16;

function attrText(a: OnnxAttribute): number | string | number[] | string[] {
  switch (a.type) {
    case 'float':
    case 'int':
      return a.value;
    case 'string':
      return a.value.length > 200 ? `${a.value.slice(0, 200)}…` : a.value;
    case 'floats':
    case 'ints':
      return a.value.length > MAX_ATTR_VALUES ? `${a.type} ×${a.value.length}` : a.value;
    case 'strings':
      return a.value.length > MAX_ATTR_VALUES ? `strings ×${a.value.length}` : a.value;
    case 'tensor':
      return `tensor ${a.value.dtype}[${a.value.dims.join(', ')}]`;
    case 'tensors':
      return `${a.value.length} tensors`;
    case 'graph':
      return `graph ${a.value.name || '(unnamed)'} (${a.value.nodes.length} nodes)`;
    case 'graphs':
      return `${a.value.length} graphs`;
    default:
      return a.value;
  }
}

function shapeOf(v: OnnxValueInfo | undefined): Shape | null {
  return v?.dims ? v.dims.map((d) => (typeof d === 'number' ? d : null)) : null;
}

/** Unique names of a graph's nodes (ONNX allows empty or repeated names). */
function nodeNames(g: OnnxGraph): string[] {
  const seen = new Set<string>();
  return g.nodes.map((n, i) => {
    let name = n.name || `${n.opType}_${i}`;
    if (seen.has(name)) name = `${name}#${i}`;
    seen.add(name);
    return name;
  });
}

/** The layers of a graph: one per node. */
export function graphLayers(g: OnnxGraph, depth = 0): LayerSummary[] {
  const init = new Map(g.initializers.map((t) => [t.name, t]));
  const values = new Map<string, OnnxValueInfo>();
  for (const v of [...g.valueInfo, ...g.outputs, ...g.inputs]) if (!values.has(v.name)) values.set(v.name, v);
  const names = nodeNames(g);
  const producer = new Map<string, string>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, names[i])));
  return g.nodes.map((n, i) => {
    let params = 0;
    for (const inp of n.inputs) {
      const t = init.get(inp);
      if (t) params += count(t);
    }
    const nested: LayerSummary[] = [];
    for (const [attr, a] of Object.entries(n.attributes)) {
      const graphs = a.type === 'graph' ? [[attr, a.value] as const] : a.type === 'graphs' ? a.value.map((s, j) => [`${attr}[${j}]`, s] as const) : [];
      for (const [label, sub] of graphs) {
        const p = graphParams(sub);
        params += p;
        nested.push({
          name: label,
          className: 'Graph',
          outputShape: sub.outputs.length === 1 ? shapeOf(sub.outputs[0]) : sub.outputs.map((o) => shapeOf(o) ?? []),
          params: p,
          trainable: true,
          inbound: [],
          layers: depth < 8 ? graphLayers(sub, depth + 1) : [],
        });
      }
    }
    const outs = n.outputs.map((o) => shapeOf(values.get(o)));
    const layer: LayerSummary = {
      name: names[i],
      className: n.opType,
      outputShape: outs.length === 1 ? outs[0] : outs.every((s) => s === null) ? null : outs.map((s) => s ?? []),
      params,
      trainable: true,
      inbound: [...new Set(n.inputs.map((x) => producer.get(x)).filter((x): x is string => x !== undefined && x !== names[i]))],
    };
    if (n.domain && n.domain !== 'ai.onnx') layer.domain = n.domain;
    if (isPreprocessing(n.opType, n.domain)) layer.preprocessing = true;
    const attrs = Object.entries(n.attributes).filter(([, a]) => a.type !== 'graph' && a.type !== 'graphs');
    if (attrs.length) layer.attributes = Object.fromEntries(attrs.map(([k, a]) => [k, attrText(a)]));
    layer.io = { inputs: n.inputs, outputs: n.outputs };
    if (nested.length) layer.layers = nested;
    return layer;
  });
}

/**
 * The preprocessing nodes the graph begins with: walking from the graph's inputs through
 * pass-through ops (Cast, Reshape, Concat...), the ai.onnx.ml preprocessing ops met before any
 * other op. Empty when the network takes raw values through another op first.
 */
export function leadingPreprocessing(g: OnnxGraph): string[] {
  const names = nodeNames(g);
  const init = new Set(g.initializers.map((t) => t.name));
  const ready = new Set(g.inputs.map((v) => v.name).filter((n) => !init.has(n)));
  const found: string[] = [];
  let changed = true;
  const done = new Set<number>();
  while (changed) {
    changed = false;
    g.nodes.forEach((n, i) => {
      if (done.has(i)) return;
      const dataInputs = n.inputs.filter((x) => x && !init.has(x));
      if (!dataInputs.length || !dataInputs.every((x) => ready.has(x))) return;
      const pre = isPreprocessing(n.opType, n.domain);
      if (!pre && !PASS_THROUGH.has(n.opType)) return;
      done.add(i);
      changed = true;
      if (pre) found.push(names[i]);
      // values after a preprocessing op are preprocessed; pass-through ops keep walking
      n.outputs.forEach((o) => ready.add(o));
    });
  }
  return found;
}

function tensorInfo(t: OnnxTensor): TensorInfo {
  return { name: t.name, shape: t.dims, dtype: t.dtype };
}

/** The initializers grouped by the node that first consumes them (weights of the model). */
export function weightsOf(g: OnnxGraph): WeightsSummary {
  const names = nodeNames(g);
  const init = new Map(g.initializers.map((t) => [t.name, t]));
  const used = new Set<string>();
  const layers: WeightsSummary['layers'] = [];
  g.nodes.forEach((n, i) => {
    const tensors: TensorInfo[] = [];
    for (const x of n.inputs) {
      const t = init.get(x);
      if (t && !used.has(x)) {
        used.add(x);
        tensors.push(tensorInfo(t));
      }
    }
    for (const s of subgraphsOf({ ...g, nodes: [n] }))
      for (const t of allInitializers(s.graph)) tensors.push(tensorInfo({ ...t, name: `${s.attr}/${t.name}` }));
    if (tensors.length) layers.push({ name: names[i], tensors });
  });
  const unused = g.initializers.filter((t) => !used.has(t.name));
  if (unused.length) layers.push({ name: '(not consumed by a top-level node)', tensors: unused.map(tensorInfo) });
  const all = allInitializers(g);
  return { layers, totalParams: all.reduce((a, t) => a + count(t), 0), bytes: all.reduce((a, t) => a + tensorBytes(t), 0) };
}

/** The external data files named by the initializers, with the bytes each must hold at least. */
export function externalFiles(g: OnnxGraph): OnnxSummary['externalData'] {
  const byFile = new Map<string, { tensors: number; bytes: number }>();
  for (const t of allInitializers(g)) {
    if (!t.external) continue;
    const loc = t.external.location ?? '';
    const e = byFile.get(loc) ?? { tensors: 0, bytes: 0 };
    e.tensors++;
    e.bytes = Math.max(e.bytes, Number(t.external.offset ?? 0) + tensorBytes(t));
    byFile.set(loc, e);
  }
  return [...byFile].map(([location, e]) => ({ location, ...e }));
}

/** The architecture summary of a decoded model. */
export function summariseOnnx(m: OnnxModel): ModelSummary {
  const g = m.graph;
  const init = new Set(g.initializers.map((t) => t.name));
  // IR < 4 lists initializers among the graph inputs: those are weights, not inputs.
  const inputs = g.inputs.filter((v) => !init.has(v.name));
  const layers = graphLayers(g);
  const opTypes: Record<string, number> = {};
  for (const n of g.nodes) opTypes[n.opType] = (opTypes[n.opType] ?? 0) + 1;
  const defaultOpset = m.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  const all = allInitializers(g);
  const total = all.reduce((a, t) => a + count(t), 0);
  const onnx: OnnxSummary = {
    irVersion: m.irVersion,
    opsets: m.opsets,
    producerName: m.producerName || null,
    producerVersion: m.producerVersion || null,
    domain: m.domain || null,
    modelVersion: m.modelVersion,
    metadata: m.metadata,
    graphName: g.name,
    inputs: inputs.map(valueSummary),
    outputs: g.outputs.map(valueSummary),
    initializers: all.length,
    initializerBytes: all.reduce((a, t) => a + tensorBytes(t), 0),
    externalData: externalFiles(g),
    subgraphs: countSubgraphs(g),
    preprocessing: leadingPreprocessing(g),
    functions: m.functions,
  };
  const notes: string[] = [];
  if (onnx.preprocessing.length) {
    notes.push(`The graph begins with preprocessing (${onnx.preprocessing.join(', ')}): it takes raw feature values and scales them itself.`);
  }
  if (g.sparseInitializers) notes.push(`${g.sparseInitializers} sparse initializer(s) are not counted in the parameters.`);
  const summary: ModelSummary = {
    framework: 'onnx',
    kerasVersion: null,
    className: g.name || 'Graph',
    layers,
    inputShapes: inputs.map((v) => shapeOf(v) ?? []),
    outputShapes: g.outputs.map((v) => shapeOf(v) ?? []),
    totalParams: total,
    // ONNX does not mark parameters as trainable: every initializer counts as a parameter.
    trainableParams: total,
    nonTrainableParams: 0,
    opsetVersion: defaultOpset ? defaultOpset.version : null,
    opTypes,
    onnx,
  };
  if (notes.length) summary.notes = notes;
  return summary;
}
