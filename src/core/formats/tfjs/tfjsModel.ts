// TensorFlow.js model.json (layers and graph models): topology summary, weights manifest, and a
// check that every shard the manifest names exists with the byte size its weights need.
import { reconcileWithWeights, summarizeModelConfig } from '../shared/architecture';
import { findPythonCode } from '../shared/pythonCode';
import { ReadError } from '../../io/errors';
import { dirName, joinPath } from '../../io/fileSource';
import { isObj, type Json } from '../shared/kerasConfig';
import type { JsonReader, ReaderInput, ReaderResult } from '../reader';
import type { FileError, ModelSummary, Shape, TensorInfo, WeightsSummary } from '../../types';

/** Bytes per value of the dtypes a tfjs manifest uses (quantized weights use their `quantization.dtype`). */
export const TFJS_DTYPE_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  int8: 1,
  int16: 2,
  complex64: 8,
};

/** The tfjs converter's default shard size (`--weight_shard_size_bytes`, 4 MiB). */
export const TFJS_DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

/** One weight group of a manifest, validated. */
export interface ManifestGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: string; bytes: number | null }[];
  /** Sum of the weights' byte sizes, null when one has a variable size (string weights). */
  expectedBytes: number | null;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** Validates a `weightsManifest` and computes the byte size of every weight. */
export function parseManifest(manifest: unknown, path: string): ManifestGroup[] {
  if (manifest === undefined) return [];
  if (!Array.isArray(manifest)) throw new ReadError('invalid-tfjs-manifest', `${path}: weightsManifest is not a list`);
  return manifest.map((g, gi): ManifestGroup => {
    const where = `${path}: weightsManifest group ${gi + 1}`;
    if (!isObj(g) || !Array.isArray(g.paths) || !g.paths.every((p) => typeof p === 'string')) {
      throw new ReadError('invalid-tfjs-manifest', `${where} has no list of shard paths`);
    }
    if (!Array.isArray(g.weights)) throw new ReadError('invalid-tfjs-manifest', `${where} has no list of weights`);
    let expected: number | null = 0;
    const weights = g.weights.map((w, wi) => {
      if (!isObj(w) || typeof w.name !== 'string' || !Array.isArray(w.shape)) {
        throw new ReadError('invalid-tfjs-manifest', `${where}, weight ${wi + 1}: needs a name and a shape`);
      }
      if (!w.shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
        throw new ReadError('invalid-tfjs-manifest', `${where}, weight "${w.name}": shape ${JSON.stringify(w.shape)} is not a list of sizes`);
      }
      const dtype = typeof w.dtype === 'string' ? w.dtype : 'float32';
      const q = isObj(w.quantization) && typeof w.quantization.dtype === 'string' ? w.quantization.dtype : null;
      const per = TFJS_DTYPE_BYTES[q ?? dtype];
      const n = (w.shape as number[]).reduce((a, b) => a * b, 1);
      const bytes = per === undefined ? null : n * per;
      expected = expected === null || bytes === null ? null : expected + bytes;
      return { name: w.name, shape: w.shape as number[], dtype, bytes };
    });
    return { paths: g.paths as string[], weights, expectedBytes: expected };
  });
}

/** WeightsSummary of a manifest: layer = the part of a weight name before its last `/`. */
export function manifestWeights(groups: ManifestGroup[]): WeightsSummary {
  const layers: WeightsSummary['layers'] = [];
  const index = new Map<string, TensorInfo[]>();
  let total = 0;
  let bytes = 0;
  for (const g of groups) {
    for (const w of g.weights) {
      const i = w.name.lastIndexOf('/');
      const layer = i < 0 ? w.name : w.name.slice(0, i);
      const tensor = i < 0 ? w.name : w.name.slice(i + 1);
      let ts = index.get(layer);
      if (!ts) {
        ts = [];
        index.set(layer, ts);
        layers.push({ name: layer, tensors: ts });
      }
      ts.push({ name: tensor, shape: w.shape, dtype: w.dtype });
      total += w.shape.reduce((a, b) => a * b, 1);
      bytes += w.bytes ?? 0;
    }
  }
  return { layers, totalParams: total, bytes };
}

/**
 * Checks the shards of every group: each must exist, and the bytes of a group's shards must add up
 * to the sum of its weights' sizes. Per-shard `expectedBytes`: the converter cuts a group's bytes
 * into equal chunks (all but the last), so the chunk size is taken from the group's first shard
 * when it exists and is not the last (else 4 MiB), and the last shard expects the remainder.
 */
export async function checkShards(
  groups: ManifestGroup[],
  input: ReaderInput,
): Promise<{ shards: NonNullable<ReaderResult['shards']>; error: FileError | null }> {
  const dir = dirName(input.path);
  const shards: NonNullable<ReaderResult['shards']> = [];
  let missing: FileError | null = null;
  let short: FileError | null = null;
  for (const [gi, g] of groups.entries()) {
    const paths = g.paths.map((p) => joinPath(dir, p.replace(/^(\.\/)+/, '')));
    const actual: (number | null)[] = [];
    for (const p of paths) {
      const st = await input.source.stat(p);
      actual.push(st && !st.isDirectory ? st.size : null);
    }
    const n = paths.length;
    const exp = g.expectedBytes;
    if (n === 0 && exp !== null && exp > 0 && !missing) {
      missing = {
        code: 'tfjs-shard-missing',
        message: `${input.path}: weightsManifest group ${gi + 1} names no shard for its ${fmt(exp)} bytes of weights`,
      };
    }
    const chunk = n > 1 && actual[0] !== null ? actual[0] : TFJS_DEFAULT_SHARD_BYTES;
    const expectedOf = (i: number): number => {
      if (exp === null) return actual[i] ?? 0;
      if (i < n - 1) return Math.max(0, Math.min(chunk, exp - i * chunk));
      return Math.max(0, exp - (n - 1) * chunk);
    };
    for (const [i, p] of paths.entries()) {
      shards.push({ path: p, expectedBytes: expectedOf(i), actualBytes: actual[i] });
      if (actual[i] === null && !missing) {
        missing = {
          code: 'tfjs-shard-missing',
          message: `${input.path}: weight shard "${g.paths[i]}" (group ${gi + 1}) is missing; the manifest expects ${fmt(expectedOf(i))} bytes in it`,
        };
      }
    }
    if (n > 0 && exp !== null && actual.every((a) => a !== null)) {
      const sum = (actual as number[]).reduce((a, b) => a + b, 0);
      if (sum !== exp && !short) {
        const bad = paths.findIndex((_, i) => actual[i] !== expectedOf(i));
        const j = bad < 0 ? n - 1 : bad;
        short = {
          code: 'tfjs-shard-size',
          message:
            `${input.path}: weight shard "${g.paths[j]}" has ${fmt(actual[j] as number)} bytes where ${fmt(expectedOf(j))} are expected` +
            ` (group ${gi + 1}: its weights need ${fmt(exp)} bytes, its ${n} shard${n === 1 ? '' : 's'} hold ${fmt(sum)})`,
        };
      }
    }
  }
  return { shards, error: missing ?? short };
}

/** Shapes of a graph model signature's tensors (`{dim: [{size: '-1'}, ...]}`; -1 is unknown). */
function signatureShapes(sig: unknown): Shape[] {
  if (!isObj(sig)) return [];
  const out: Shape[] = [];
  for (const t of Object.values(sig)) {
    const dims = isObj(t) && isObj(t.tensorShape) && Array.isArray(t.tensorShape.dim) ? t.tensorShape.dim : null;
    if (!dims) continue;
    out.push(
      dims.map((d) => {
        const v = isObj(d) ? Number(d.size) : NaN;
        return Number.isFinite(v) && v >= 0 ? v : null;
      }),
    );
  }
  return out;
}

function graphSummary(topology: Json, weights: WeightsSummary, signature: unknown): ModelSummary {
  const nodes = Array.isArray(topology.node) ? topology.node.filter(isObj) : [];
  const ops: Record<string, number> = {};
  const consumed = new Set<string>();
  const inputs: string[] = [];
  const inputShapes: Shape[] = [];
  for (const n of nodes) {
    const op = typeof n.op === 'string' ? n.op : '?';
    ops[op] = (ops[op] ?? 0) + 1;
    if (Array.isArray(n.input)) {
      for (const i of n.input) if (typeof i === 'string') consumed.add(i.replace(/^\^/, '').replace(/:\d+$/, ''));
    }
    if (op === 'Placeholder' && typeof n.name === 'string') {
      inputs.push(n.name);
      const attr = isObj(n.attr) && isObj(n.attr.shape) && isObj(n.attr.shape.shape) ? n.attr.shape.shape : null;
      if (attr && Array.isArray(attr.dim)) {
        inputShapes.push(
          attr.dim.map((d) => {
            const v = isObj(d) ? Number(d.size) : NaN;
            return Number.isFinite(v) && v >= 0 ? v : null;
          }),
        );
      }
    }
  }
  const outputs = nodes.map((n) => (typeof n.name === 'string' ? n.name : '')).filter((name) => name !== '' && !consumed.has(name));
  return {
    framework: 'tfjs',
    kerasVersion: null,
    className: 'GraphModel',
    layers: [],
    inputShapes,
    outputShapes: signatureShapes(isObj(signature) ? signature.outputs : null),
    totalParams: weights.totalParams,
    trainableParams: weights.totalParams,
    nonTrainableParams: 0,
    graph: { nodes: nodes.length, ops, inputs, outputs },
  };
}

function isGraph(value: Json): boolean {
  if (value.format === 'graph-model') return true;
  return isObj(value.modelTopology) && Array.isArray(value.modelTopology.node);
}

/** TensorFlow.js model.json (layers and graph models). */
export const tfjsModelReader: JsonReader = {
  kind: 'json',
  name: 'tfjsModel',
  formats: ['tfjs-layers', 'tfjs-graph'],
  fallbackRole: 'model',
  sniffJson(value: unknown): boolean {
    if (!isObj(value)) return false;
    if (value.format === 'graph-model' || value.format === 'layers-model') return true;
    return isObj(value.modelTopology) && (Array.isArray(value.weightsManifest) || value.weightsManifest === undefined);
  },
  async readJson(value: unknown, input: ReaderInput): Promise<ReaderResult> {
    if (!isObj(value)) throw new ReadError('not-a-model', `${input.path}: not a TensorFlow.js model`);
    const graph = isGraph(value);
    const format = graph ? 'tfjs-graph' : 'tfjs-layers';
    const groups = parseManifest(value.weightsManifest, input.path);
    const weights = manifestWeights(groups);
    const { shards, error } = await checkShards(groups, input);
    const topology = isObj(value.modelTopology) ? value.modelTopology : null;
    let model: ModelSummary;
    if (graph) {
      model = graphSummary(topology ?? {}, weights, value.signature);
    } else {
      if (!topology) throw new ReadError('not-a-model', `${input.path}: a layers model without modelTopology`);
      const kv = typeof topology.keras_version === 'string' ? topology.keras_version : null;
      const backend = typeof topology.backend === 'string' ? topology.backend : null;
      try {
        model = summarizeModelConfig(topology, { framework: 'tfjs', kerasVersion: kv, backend });
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        const message = `${input.path}: modelTopology: ${e.message}`;
        // A topology that cannot be summarised still says where its Python code is.
        const sites = findPythonCode(value);
        if (sites.length) return { role: 'model', format, weights, shards, error: { code: e.code, message }, pythonCode: sites };
        throw new ReadError(e.code, message);
      }
      if (groups.length) model = reconcileWithWeights(model, weights);
    }
    // Which converter (or tfjs-layers version) wrote the file, when it says so.
    const by = typeof value.convertedBy === 'string' ? value.convertedBy : typeof value.generatedBy === 'string' ? value.generatedBy : null;
    if (by) model.convertedBy = by;
    const sites = findPythonCode(value);
    return { role: 'model', format, model, weights, shards, error, ...(sites.length ? { pythonCode: sites } : {}) };
  },
};
