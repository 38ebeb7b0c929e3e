// Sample predictions for a bundle: raw rows → input scaler transform → network → target scaler
// inverse_transform → outputs (either scaler step can be skipped), with a warning for every value
// outside the scaler's training range. Contract: spec/cli-json.md (`predict --json`).
import { ReadError } from '../io/errors';
import type { FileSource } from '../io/fileSource';
import { modelValues, pickModel, reportsFor, scalerFrom } from './modelSource';
import { initBackend, loadNetwork, type BackendName, type BackendPreference, type Network } from './network';
import { parseCsvInput, parseJsonInput, type InputSchema } from './predictInput';
import { chooseScalers } from './scalerChoice';
import { canInverse, featureRanges, inverseTransform, transform } from './scalerTransform';
import type { Scaler } from '../types';

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
