// Turns the HDF5 layouts Keras writes into a WeightsSummary: Keras 1/2 (and Keras 3 legacy .h5)
// `layer_names` / `weight_names`, and Keras 3 `layers/<name>/vars/0..n`. Optimizer state is skipped.
import { reconcileWithWeights, summarizeModelConfig, type SummarizeOptions } from '../shared/architecture';
import { ReadError } from '../../io/errors';
import type { Hdf5File, H5AttrValue, H5DatasetInfo } from '../../codecs/hdf5';
import type { FileError, ModelSummary, TensorInfo, WeightsSummary } from '../../types';

/** Which Keras layout an HDF5 file has. */
export type KerasH5Layout = 'full-model' | 'legacy-weights' | 'keras3-weights' | 'unknown';

/** Absolute HDF5 path of a member of a group. */
export function h5Join(group: string, name: string): string {
  return group === '/' ? `/${name}` : `${group}/${name}`;
}

/** Finds the layout from the root attributes and groups. */
export function detectKerasLayout(f: Hdf5File): KerasH5Layout {
  const rootAttrs = f.attrNames('/');
  if (rootAttrs.includes('model_config') && f.kind('/model_weights') === 'group') return 'full-model';
  if (rootAttrs.includes('layer_names')) return 'legacy-weights';
  if (f.kind('/layers') === 'group') return 'keras3-weights';
  return 'unknown';
}

/** A string attribute, or null when absent or not a string. */
export function stringAttr(f: Hdf5File, path: string, name: string): string | null {
  const v = f.attr(path, name);
  return typeof v === 'string' ? v : null;
}

function stringList(v: H5AttrValue | undefined, what: string, f: Hdf5File): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) {
    // An empty `weight_names` is stored by h5py as an empty float64 array.
    if (v.length === 0) return [];
    if (v.every((x): x is string => typeof x === 'string')) return v;
  }
  throw new ReadError('corrupt-hdf5', `${f.name}: ${what} is not a list of names`);
}

/** Weights summary with totals computed from the layers. */
export function weightsSummary(layers: { name: string; tensors: TensorInfo[] }[], bytes: number): WeightsSummary {
  let totalParams = 0;
  for (const l of layers) for (const t of l.tensors) totalParams += t.shape.reduce((a, b) => a * b, 1);
  return { layers, totalParams, bytes };
}

/**
 * Keras 1/2 layout under `group` (`/model_weights` of a full model, `/` of save_weights): layers in
 * `layer_names` order, tensors in `weight_names` order, named as stored (`dense_1/kernel:0`).
 * A non-empty `top_level_model_weights` (Keras 2.15+/3) is listed last.
 */
export function legacyWeights(f: Hdf5File, group: string): WeightsSummary {
  const names = stringList(f.attr(group, 'layer_names'), `attribute layer_names of ${group}`, f);
  const extra = f.kind(h5Join(group, 'top_level_model_weights')) === 'group' && !names.includes('top_level_model_weights');
  const layers: { name: string; tensors: TensorInfo[] }[] = [];
  let bytes = 0;
  for (const lname of extra ? [...names, 'top_level_model_weights'] : names) {
    const lpath = h5Join(group, lname);
    if (f.kind(lpath) !== 'group') {
      throw new ReadError('corrupt-hdf5', `${f.name}: layer ${lname} is listed in layer_names but has no group ${lpath}`);
    }
    const wnames = stringList(f.attr(lpath, 'weight_names'), `weight_names of layer ${lname}`, f);
    if (lname === 'top_level_model_weights' && wnames.length === 0) continue;
    const tensors: TensorInfo[] = [];
    for (const w of wnames) {
      const wpath = h5Join(lpath, w);
      const info = datasetOfLayer(f, lname, w, wpath);
      tensors.push({ name: w, shape: info.shape, dtype: info.dtype });
      bytes += info.elements * info.itemSize;
    }
    layers.push({ name: lname, tensors });
  }
  return weightsSummary(layers, bytes);
}

/**
 * Shape and dtype of a weight a layer names. The dataset is read first and the path's kind asked
 * only when that fails (one HDF5 call instead of two per weight), with the same errors either way.
 */
function datasetOfLayer(f: Hdf5File, lname: string, w: string, wpath: string): H5DatasetInfo {
  try {
    return f.dataset(wpath);
  } catch (e) {
    if (f.kind(wpath) !== 'dataset') {
      throw new ReadError('corrupt-hdf5', `${f.name}: layer ${lname} names weight ${w} but has no dataset ${wpath}`);
    }
    throw e;
  }
}

/** Shape and dtype of `path` when it is a dataset, else null (the kind asked only when reading fails). */
function datasetIfAny(f: Hdf5File, path: string): H5DatasetInfo | null {
  try {
    return f.dataset(path);
  } catch (e) {
    if (f.kind(path) !== 'dataset') return null;
    throw e;
  }
}

/** Compares names so that embedded numbers sort by value (`vars/2` before `vars/10`). */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = /^\d+$/.test(pa[i]);
    const nb = /^\d+$/.test(pb[i]);
    if (na && nb) return Number(pa[i]) - Number(pb[i]) || (pa[i] < pb[i] ? -1 : 1);
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Deepest nesting of Keras 3 groups followed (a hostile file could nest without end). */
const MAX_KERAS3_DEPTH = 64;

function keras3Tensors(f: Hdf5File, gpath: string, rel: string, out: TensorInfo[], acc: { bytes: number }, depth: number): void {
  if (depth > MAX_KERAS3_DEPTH) throw new ReadError('corrupt-hdf5', `${f.name}: groups nested deeper than ${MAX_KERAS3_DEPTH} at ${gpath}`);
  const members = f.keys(gpath);
  if (members.includes('vars') && f.kind(h5Join(gpath, 'vars')) === 'group') {
    const vpath = h5Join(gpath, 'vars');
    // Numeric order, never the alphabetical listing (vars/10 < vars/2).
    const vars = f.keys(vpath).sort(naturalCompare);
    for (const v of vars) {
      const p = h5Join(vpath, v);
      const info = datasetIfAny(f, p);
      if (info === null) continue;
      out.push({ name: `${rel}vars/${v}`, shape: info.shape, dtype: info.dtype });
      acc.bytes += info.elements * info.itemSize;
    }
  }
  for (const m of [...members].sort(naturalCompare)) {
    if (m === 'vars' || m === 'layers') continue;
    const p = h5Join(gpath, m);
    if (f.kind(p) === 'group') keras3Tensors(f, p, `${rel}${m}/`, out, acc, depth + 1);
  }
}

function collectKeras3Layers(
  f: Hdf5File,
  layersPath: string,
  prefix: string,
  out: { name: string; path: string; tensors: TensorInfo[] }[],
  acc: { bytes: number },
  depth: number,
): void {
  if (depth > MAX_KERAS3_DEPTH) throw new ReadError('corrupt-hdf5', `${f.name}: layers nested deeper than ${MAX_KERAS3_DEPTH} at ${layersPath}`);
  for (const key of [...f.keys(layersPath)].sort(naturalCompare)) {
    const g = h5Join(layersPath, key);
    if (f.kind(g) !== 'group') continue;
    const tensors: TensorInfo[] = [];
    keras3Tensors(f, g, '', tensors, acc, depth + 1);
    const vpath = h5Join(g, 'vars');
    const named = f.kind(vpath) === 'group' ? stringAttr(f, vpath, 'name') : null;
    if (tensors.length) out.push({ name: named ?? prefix + key, path: prefix + key, tensors });
    const sub = h5Join(g, 'layers');
    if (f.kind(sub) === 'group') collectKeras3Layers(f, sub, `${prefix}${key}/`, out, acc, depth + 1);
  }
}

/** One layer of a Keras 3 weights file, with the group path it was found under. */
export interface Keras3Layer {
  name: string;
  /** Group path below `layers/` (`dense_1`, `sequential/dense`), as Keras derives it. */
  path: string;
  tensors: TensorInfo[];
}

/**
 * Keras 3 `*.weights.h5`: every `layers/<name>` group holding variables, nested `layers/`
 * followed, tensors named `vars/0`... in numeric order. A layer is named by its `vars` group's
 * `name` attribute (recent Keras 3) or else by its group path. The `optimizer/` group is skipped.
 */
export function keras3Layers(f: Hdf5File): { layers: Keras3Layer[]; bytes: number } {
  const out: Keras3Layer[] = [];
  const acc = { bytes: 0 };
  collectKeras3Layers(f, '/layers', '', out, acc, 0);
  return { layers: out, bytes: acc.bytes };
}

/** Keras 3 weights as a WeightsSummary (layers in natural order of their groups). */
export function keras3Weights(f: Hdf5File): WeightsSummary {
  const { layers, bytes } = keras3Layers(f);
  return weightsSummary(
    layers.map((l) => ({ name: l.name, tensors: l.tensors })),
    bytes,
  );
}

/** Keras' `naming.to_snake_case` (the name a Keras 3 file gives a layer's group). */
export function toSnakeCase(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]+/g, '');
  s = s.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  return s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * The group names Keras 3 gives a list of layers of these classes (`Dense`, `Dense`, `Dropout`
 * give `dense`, `dense_1`, `dropout`).
 */
export function keras3GroupNames(classNames: string[]): string[] {
  const used = new Map<string, number>();
  return classNames.map((c) => {
    const base = toSnakeCase(c);
    const n = used.get(base);
    if (n === undefined) {
      used.set(base, 0);
      return base;
    }
    used.set(base, n + 1);
    return `${base}_${n + 1}`;
  });
}

/**
 * Orders (and, where a file stores no names, renames) Keras 3 weight layers as a config lists its
 * layers: matched by layer name, else by the group name Keras derives from the class.
 */
export function orderKeras3ByConfig(layers: Keras3Layer[], config: { name: string; className: string }[]): Keras3Layer[] {
  const pos = new Map(config.map((c, i) => [c.name, i]));
  const groups = keras3GroupNames(config.map((c) => c.className));
  const byGroup = new Map(groups.map((g, i) => [g, i]));
  const keyed = layers.map((l, i) => {
    let p = pos.get(l.name);
    let name = l.name;
    if (p === undefined) {
      const g = byGroup.get(l.path);
      if (g !== undefined) {
        p = g;
        name = config[g].name;
      }
    }
    return { layer: { ...l, name }, key: p ?? config.length + i };
  });
  keyed.sort((a, b) => a.key - b.key);
  return keyed.map((k) => k.layer);
}

/** Model summary of a config reconciled with its weights, or why there is none. */
export interface ModelAttempt {
  model?: ModelSummary;
  error?: FileError;
}

/**
 * Summarises a Keras config and reconciles it with the stored weights. While the architecture
 * module is not there yet (it throws "not implemented"), the model is left out without an error;
 * any other failure leaves the model out and says why (the weights are reported either way).
 */
export function modelFromConfig(config: unknown, opts: SummarizeOptions, weights: WeightsSummary | undefined, path: string): ModelAttempt {
  try {
    const summary = summarizeModelConfig(config, opts);
    return { model: weights ? reconcileWithWeights(summary, weights) : summary };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/not implemented/i.test(msg)) return {};
    const code = e instanceof ReadError ? e.code : 'bad-model-config';
    return { error: { code, message: msg.startsWith(path) ? msg : `${path}: model config: ${msg}` } };
  }
}

/** Parses a JSON text Keras wrote (Python's NaN / Infinity become null). */
export function parseKerasJson(text: string, what: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(text.replace(/-?\b(?:Infinity|NaN)\b/g, 'null'));
    } catch (e) {
      throw new ReadError('invalid-json', `${path}: ${what} is not valid JSON (${(e as Error).message})`);
    }
  }
}
