// Sample predictions for a bundle: raw rows → input scaler transform → network → target scaler
// inverse_transform → outputs (either scaler step can be skipped), with a warning for every value
// outside the scaler's training range. Contract: spec/cli-json.md (`predict --json`).
import { ReadError } from '../io/errors';
import { baseName, dirName, type FileSource } from '../io/fileSource';
import { inspectPaths } from '../formats/inspect';
import { readH5ModelValues, readH5WeightValues, readKerasZipValues, type ModelValues } from './kerasWeightValues';
import { initBackend, loadNetwork, type BackendName, type BackendPreference, type Network } from './network';
import { parseCsvInput, parseJsonInput, type InputSchema } from './predictInput';
import { chooseScalers } from './scalerChoice';
import { canInverse, featureRanges, inverseTransform, transform } from './scalerTransform';
import { readTfjsWeightValues } from './tfjsWeights';
import type { FileReport, Scaler } from '../types';

/** A warning about one input value. */
export interface PredictWarning {
  row: number;
  feature: string;
  message: string;
}

/** The `predict --json` document (plus which files were used and how long inference took). */
export interface PredictResult {
  rows: number;
  outputs: number[][];
  scaledInput: boolean;
  unscaledOutput: boolean;
  backend: BackendName;
  warnings: PredictWarning[];
  model: string;
  scaler: string | null;
  targetScaler: string | null;
  inferenceMs: number;
}

/** What to predict and how. */
export interface PredictRequest {
  /** A bundle folder, a model file, or a structure file whose weights lie beside it. */
  target: string;
  /** The input rows: a CSV/JSON file's text (`name` used in messages). */
  input: { text: string; name: string };
  /** Explicit scaler files (else chosen from the bundle). */
  scaler?: string;
  targetScaler?: string;
  /** Skip the input scaler / the target scaler even when the bundle has one. */
  skipScaler?: boolean;
  skipTargetScaler?: boolean;
  backend?: BackendPreference;
  /** Folder holding tfjs-backend-wasm*.wasm. */
  wasmDir?: string;
}

/** Loaded networks by file identity (path, size, mtime), so repeated predictions skip loading. */
const networkCache = new Map<string, Promise<Network>>();


function isModelFile(r: FileReport): boolean {
  return r.role === 'model' && (r.format === 'keras-h5' || r.format === 'keras-zip' || r.format === 'tfjs-layers');
}

async function reportsFor(target: string, source: FileSource): Promise<{ reports: FileReport[]; chosen: FileReport | null }> {
  const st = await source.stat(target);
  if (!st) throw new ReadError('not-found', `${target}: no such file or folder`);
  if (st.isDirectory) return { reports: await inspectPaths([target], source), chosen: null };
  const reports = await inspectPaths([dirName(target)], source);
  return { reports, chosen: reports.find((r) => r.path === target) ?? null };
}

async function modelValues(model: FileReport, reports: FileReport[], source: FileSource): Promise<ModelValues> {
  if (model.format === 'keras-h5') return readH5ModelValues(source, model.path);
  if (model.format === 'keras-zip') return readKerasZipValues(source, model.path);
  const doc = JSON.parse(new TextDecoder().decode(await source.readFile(model.path)));
  if (model.format === 'tfjs-layers') {
    return { config: doc.modelTopology, layers: await readTfjsWeightValues(doc, model.path, source) };
  }
  if (model.format === 'keras-json') {
    const dir = dirName(model.path);
    const weights = reports.filter(
      (r) => r.role === 'weights' && (r.format === 'keras-weights-h5' || r.format === 'keras3-weights-h5') && dirName(r.path) === dir,
    );
    if (!weights.length) throw new ReadError('missing-weights', `${model.path}: no weights file (.h5) beside this structure`);
    const stem = baseName(model.path).replace(/\.json$/i, '');
    const w = weights.find((r) => baseName(r.path).startsWith(stem)) ?? weights[0];
    return { config: doc, layers: await readH5WeightValues(source, w.path, doc) };
  }
  throw new ReadError('not-a-model', `${model.path}: ${model.format} models cannot be run`);
}

/** Why a PyTorch / safetensors file gives no predictions. */
const TORCH_NOT_RUN =
  'PyTorch and safetensors files hold tensors only (TorchScript: code that is never run here); the network is defined by the training code, so no predictions are made. Export it with torch.onnx.export(model, example_input, "model.onnx") to run it.';

function pickModel(reports: FileReport[], chosen: FileReport | null, target: string): FileReport {
  if (chosen) {
    if (isModelFile(chosen) || chosen.format === 'keras-json') return chosen;
    if (chosen.foreign) throw new ReadError('not-a-model', `${target}: ${chosen.foreign.note}`);
    if (chosen.torch) throw new ReadError('not-a-model', `${target}: ${TORCH_NOT_RUN}`);
    throw new ReadError('not-a-model', `${target}: a ${chosen.format} file is not a runnable model (give the model or the bundle folder)`);
  }
  const model = reports.find(isModelFile) ?? reports.find((r) => r.format === 'keras-json' && !r.error);
  // A SavedModel or another framework's model is listed but cannot be run: say so, not "no model".
  const foreign = reports.find((r) => r.role === 'model' && r.foreign);
  if (!model && foreign) throw new ReadError('not-a-model', `${foreign.path}: ${foreign.foreign!.note}`);
  // PyTorch / safetensors weights: the network is the training code, which is never run here.
  const torch = reports.find((r) => r.torch);
  if (!model && torch) throw new ReadError('not-a-model', `${torch.path}: ${TORCH_NOT_RUN}`);
  if (!model) throw new ReadError('missing-structure', `${target}: no model (full-model .h5, .keras, tfjs model.json, or structure JSON + weights) found`);
  return model;
}

async function scalerFrom(path: string, source: FileSource): Promise<Scaler> {
  const r = (await inspectPaths([path], source))[0];
  if (r.error) throw new ReadError(r.error.code, r.error.message);
  if (!r.scaler) throw new ReadError('not-a-scaler', `${path}: not a scikit-learn preprocessing object`);
  return r.scaler;
}

function featureSchema(scaler: Scaler | null, inputSize: number | null): InputSchema {
  return { featureNames: scaler?.featureNames ?? null, nFeatures: scaler?.nFeaturesIn ?? inputSize };
}

function formatNumber(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** Runs the prediction pipeline. Throws ReadError with a clear message on any bad input. */
export async function predict(req: PredictRequest, source: FileSource): Promise<PredictResult> {
  const { reports, chosen } = await reportsFor(req.target, source);
  const modelReport = pickModel(reports, chosen, req.target);
  const st = await source.stat(modelReport.path);
  const key = `${modelReport.path}|${st?.size}|${st?.mtimeMs}`;
  const backend = await initBackend(req.backend ?? 'auto', req.wasmDir);
  let netPromise = networkCache.get(key);
  if (!netPromise) {
    netPromise = modelValues(modelReport, reports, source).then((v) => loadNetwork(v.config, v.layers));
    networkCache.set(key, netPromise);
    netPromise.catch(() => networkCache.delete(key));
  }
  const net = await netPromise;
  const inputSize = net.inputShape.length === 2 ? net.inputShape[1] : null;
  const outputSize = net.outputShape.length === 2 ? net.outputShape[1] : null;

  let scalerFile: string | null = null;
  let scaler: Scaler | null = null;
  let targetFile: string | null = null;
  let target: Scaler | null = null;
  const auto = chooseScalers(reports, inputSize, outputSize);
  if (!req.skipScaler) {
    if (req.scaler) {
      scaler = await scalerFrom(req.scaler, source);
      scalerFile = req.scaler;
    } else if (auto.input) {
      ({ scaler, path: scalerFile } = auto.input);
    }
    if (scaler && inputSize !== null && scaler.nFeaturesIn !== null && scaler.nFeaturesIn !== inputSize) {
      throw new ReadError(
        'scaler-input-mismatch',
        `${scalerFile}: the scaler takes ${scaler.nFeaturesIn} features but the model takes ${inputSize}`,
      );
    }
  }
  if (!req.skipTargetScaler) {
    if (req.targetScaler) {
      target = await scalerFrom(req.targetScaler, source);
      targetFile = req.targetScaler;
    } else if (auto.target && auto.target.path !== scalerFile) {
      ({ scaler: target, path: targetFile } = auto.target);
    }
    if (target && !canInverse(target)) throw new ReadError('unsupported-transform', `${targetFile}: ${target.class} has no inverse_transform`);
  }

  const schema = featureSchema(scaler, inputSize);
  const text = req.input.text;
  const looksJson = /^\s*[[{]/.test(text);
  const rows = looksJson ? parseJsonInput(JSON.parse(text), schema, req.input.name) : parseCsvInput(text, schema, req.input.name);
  const names = schema.featureNames ?? Array.from({ length: rows[0]?.length ?? 0 }, (_, j) => `x${j}`);
  const warnings: PredictWarning[] = [];
  const ranges = scaler ? featureRanges(scaler) : null;
  if (ranges) {
    rows.forEach((row, i) =>
      row.forEach((v, j) => {
        const r = ranges[j];
        if (r && (v < r.min || v > r.max)) {
          warnings.push({
            row: i,
            feature: names[j],
            message: `value ${formatNumber(v)} outside the training range ${formatNumber(r.min)}..${formatNumber(r.max)}`,
          });
        }
      }),
    );
  }
  const scaled = scaler ? transform(scaler, rows) : rows;
  const t0 = performance.now();
  const raw = net.predict(scaled.map((r) => Float32Array.from(r)));
  const inferenceMs = performance.now() - t0;
  const outputs = target ? inverseTransform(target, raw) : raw;
  return {
    rows: rows.length,
    outputs,
    scaledInput: scaler !== null,
    unscaledOutput: target !== null,
    backend,
    warnings,
    model: modelReport.path,
    scaler: scalerFile,
    targetScaler: targetFile,
    inferenceMs,
  };
}
