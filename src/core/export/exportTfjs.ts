// `--format tfjs`: a TensorFlow.js layers model (model.json + one weights shard) for the web, with
// the preprocessing folded into the network where the fold is exact in real arithmetic: an affine
// input scaler (StandardScaler, RobustScaler, MinMaxScaler without clip, MaxAbsScaler, Pipelines of
// them) into the first Dense layer of a Sequential model (W' = diag(a) W, b' = b + c W), and an affine
// target scaler's inverse into a final linear Dense layer. Anything else is refused (use ONNX).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ReadError } from '../io/errors';
import type { FileSource } from '../io/fileSource';
import { buildTfjsModel, initBackend } from '../predict/network';
import type { SklearnScaler } from '../formats/pickle/sklearn';
import type { Scaler } from '../types';
import { choosePreprocessing, openBundle, provenance, type ChosenFile, type ExportRequest, type ExportSourceFile } from './exportSources';
import type { ExportFile } from './layout';

export interface TfjsExportResult {
  files: ExportFile[];
  inputShape: (number | null)[];
  scalers: { path: string; class: string }[];
  targetScaler: { path: string; class: string } | null;
  featureNames: string[] | null;
  sources: ExportSourceFile[];
  metadata: Record<string, string>;
}

/** y = a * x + c per feature. */
interface Affine {
  a: number[];
  c: number[];
}

function flag(s: Scaler, name: string, dflt: boolean): boolean {
  const v = (s as SklearnScaler).hyper?.[name];
  return typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : dflt;
}

function vec(s: Scaler, name: string, n: number): number[] {
  const v = s.params[name];
  if (v === undefined) throw new ReadError('incomplete-scaler', `${s.class} has no fitted ${name}`);
  return typeof v === 'number' ? new Array<number>(n).fill(v) : v;
}

function notAffine(path: string, s: Scaler, why: string): ReadError {
  return new ReadError('tfjs-not-foldable', `${path}: ${s.class} ${why}, so it cannot be folded into a Dense layer exactly; export --format onnx instead`);
}

function compose(first: Affine, then: Affine): Affine {
  return { a: first.a.map((a, j) => a * then.a[j]), c: first.c.map((c, j) => c * then.a[j] + then.c[j]) };
}

/** transform (forward) or inverse_transform of a scaler as y = a x + c, or a refusal. */
function affineOf(path: string, s: Scaler, n: number, inverse: boolean): Affine {
  if (s.class === 'Pipeline') {
    const steps = s.steps ?? [];
    const parts = steps.map((step) => affineOf(path, step, n, inverse));
    if (inverse) parts.reverse();
    return parts.reduce((acc, p) => compose(acc, p), { a: new Array<number>(n).fill(1), c: new Array<number>(n).fill(0) });
  }
  const ones = new Array<number>(n).fill(1);
  const zeros = new Array<number>(n).fill(0);
  let center = zeros;
  let scale = ones;
  switch (s.class) {
    case 'StandardScaler':
    case 'RobustScaler': {
      const std = s.class === 'StandardScaler';
      if (flag(s, std ? 'with_mean' : 'with_centering', true)) center = vec(s, std ? 'mean_' : 'center_', n);
      if (flag(s, std ? 'with_std' : 'with_scaling', true))
        scale = vec(s, std && s.params.scale_ === undefined && s.params.std_ !== undefined ? 'std_' : 'scale_', n);
      // forward (x - center) / scale; inverse z * scale + center
      return inverse ? { a: scale, c: center } : { a: scale.map((v) => 1 / v), c: center.map((m, j) => -m / scale[j]) };
    }
    case 'MinMaxScaler': {
      if (!inverse && flag(s, 'clip', false)) throw notAffine(path, s, 'clips its output (clip=True)');
      const sc = vec(s, 'scale_', n);
      const mn = vec(s, 'min_', n);
      return inverse ? { a: sc.map((v) => 1 / v), c: mn.map((m, j) => -m / sc[j]) } : { a: sc, c: mn };
    }
    case 'MaxAbsScaler': {
      const sc = vec(s, 'scale_', n);
      return inverse ? { a: sc, c: zeros } : { a: sc.map((v) => 1 / v), c: zeros };
    }
    default:
      throw notAffine(path, s, 'is not an affine map per feature');
  }
}

function denseWeights(layer: tfl.layers.Layer): { kernel: Float32Array; bias: Float32Array | null; rows: number; cols: number } {
  const ws = layer.getWeights();
  const kernel = ws[0];
  const [rows, cols] = kernel.shape;
  if (rows === undefined || cols === undefined || kernel.shape.length !== 2)
    throw new ReadError('tfjs-not-foldable', `layer '${layer.name}' has a kernel of shape [${kernel.shape}]`);
  return { kernel: kernel.dataSync() as Float32Array, bias: ws[1] ? (ws[1].dataSync() as Float32Array) : null, rows, cols };
}

function chainOf(scalers: ChosenFile[], n: number): Affine {
  return scalers.reduce((acc, s) => compose(acc, affineOf(s.path, s.scaler, n, false)), { a: new Array<number>(n).fill(1), c: new Array<number>(n).fill(0) });
}

/** Folds x -> a x + c into the first Dense: W'[i][j] = a[i] W[i][j], b'[j] = b[j] + sum_i c[i] W[i][j]. */
function foldInput(layer: tfl.layers.Layer, f: Affine, path: string): void {
  const { kernel, bias, rows, cols } = denseWeights(layer);
  if (rows !== f.a.length) throw new ReadError('scaler-input-mismatch', `${path}: the preprocessing gives ${f.a.length} features but the model takes ${rows}`);
  if (!bias && f.c.some((c) => c !== 0))
    throw new ReadError('tfjs-not-foldable', `layer '${layer.name}' has no bias to take the scaler's offset; export --format onnx instead`);
  const k = new Float32Array(rows * cols);
  const b = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    let acc = bias ? bias[j] : 0;
    for (let i = 0; i < rows; i++) {
      k[i * cols + j] = f.a[i] * kernel[i * cols + j];
      acc += f.c[i] * kernel[i * cols + j];
    }
    b[j] = acc;
  }
  tf.tidy(() => layer.setWeights(bias ? [tf.tensor2d(k, [rows, cols]), tf.tensor1d(b)] : [tf.tensor2d(k, [rows, cols])]));
}

/** Folds z -> a z + c behind the last linear Dense: W'[i][j] = W[i][j] a[j], b'[j] = b[j] a[j] + c[j]. */
function foldOutput(layer: tfl.layers.Layer, f: Affine): void {
  const { kernel, bias, rows, cols } = denseWeights(layer);
  if (!bias && f.c.some((c) => c !== 0))
    throw new ReadError('tfjs-not-foldable', `layer '${layer.name}' has no bias to take the target scaler's offset; export --format onnx instead`);
  const k = Float32Array.from(kernel, (w, idx) => w * f.a[idx % cols]);
  const b = Float32Array.from({ length: cols }, (_, j) => (bias ? bias[j] : 0) * f.a[j] + f.c[j]);
  tf.tidy(() => layer.setWeights(bias ? [tf.tensor2d(k, [rows, cols]), tf.tensor1d(b)] : [tf.tensor2d(k, [rows, cols])]));
}

function concatBuffers(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out;
}

/** Exports a bundle as a TensorFlow.js layers model in `<name>/` (model.json + group1-shard1of1.bin). */
export async function exportTfjs(req: ExportRequest, source: FileSource, name: string): Promise<TfjsExportResult> {
  const { reports, modelReport, root, values } = await openBundle(req, source);
  await initBackend('cpu');
  const model = await buildTfjsModel(values.config, values.layers);
  try {
    const inputs = model.inputs.map((i) => ({ shape: i.shape }));
    const outShape = model.outputs[0].shape;
    const { scalers, target } = await choosePreprocessing(req, source, reports, inputs, model.outputs.length, outShape.length === 2 ? outShape[1] : null);
    const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
    if (scalers.length) {
      const first = layers[0];
      if (model.getClassName() !== 'Sequential' || first?.getClassName() !== 'Dense') {
        throw new ReadError(
          'tfjs-not-foldable',
          `${scalers[0].path}: the preprocessing can be folded only into the first Dense layer of a Sequential model (this one starts with ${first?.getClassName() ?? 'nothing'}); export --format onnx instead`,
        );
      }
      foldInput(first, chainOf(scalers, denseWeights(first).rows), scalers[0].path);
    }
    if (target) {
      const last = layers[layers.length - 1];
      const act = last?.getClassName() === 'Dense' ? (last.getConfig().activation as string) : null;
      if (model.getClassName() !== 'Sequential' || act !== 'linear') {
        throw new ReadError(
          'tfjs-not-foldable',
          `${target.path}: the target scaler can be folded only into a final Dense layer with a linear activation; export --format onnx instead`,
        );
      }
      const cols = denseWeights(last).cols;
      foldOutput(last, affineOf(target.path, target.scaler, cols, true));
    }
    const { files: sources, metadata, featureNames } = await provenance(req, source, { root, modelReport, reports, scalers, target });
    model.setUserDefinedMetadata({ model_bundles: metadata });
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
      }),
    );
    const art = artifacts as tf.io.ModelArtifacts | null;
    if (!art?.weightData || !art.weightSpecs) throw new ReadError('tfjs-export', 'TensorFlow.js returned no weights');
    const shard = 'group1-shard1of1.bin';
    const doc = {
      format: 'layers-model',
      generatedBy: `model-bundles ${req.toolVersion}`,
      convertedBy: null,
      modelTopology: art.modelTopology,
      weightsManifest: [{ paths: [shard], weights: art.weightSpecs }],
      userDefinedMetadata: { model_bundles: metadata },
    };
    return {
      files: [
        { path: `${name}/model.json`, bytes: new TextEncoder().encode(`${JSON.stringify(doc)}\n`) },
        { path: `${name}/${shard}`, bytes: concatBuffers(art.weightData as ArrayBuffer | ArrayBuffer[]) },
      ],
      inputShape: model.inputs[0].shape,
      scalers: scalers.map((s) => ({ path: s.path, class: s.scaler.class })),
      targetScaler: target ? { path: target.path, class: target.scaler.class } : null,
      featureNames,
      sources,
      metadata,
    };
  } finally {
    model.dispose();
  }
}
