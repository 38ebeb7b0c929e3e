// Sample predictions for a bundle: raw rows → input scaler transform → network → target scaler
// inverse_transform → outputs (either scaler step can be skipped), with a warning for every value
// outside the scaler's training range. Contract: spec/cli-json.md (`predict --json`).
import { ReadError } from '../io/errors';
import { baseName, type FileSource } from '../io/fileSource';
import { inspectPaths } from '../formats/inspect';
import { modelValues, pickModel, reportsFor } from './modelSource';
import { initBackend, loadNetwork, type BackendName, type BackendPreference, type Network } from './network';
import { kerasDenseOnOnnx, loadOnnxReport, onnxPreference, onnxPreprocessing } from './onnxPredict';
import type { OnnxBackendName, OnnxNetwork } from './onnxRuntime';
import { parseCsvInput, parseJsonInput, type InputSchema } from './predictInput';
import { planPreprocessing, type ChosenScaler } from './scalerChoice';
import { featureRanges, inverseTransform, transform, uninvertible, untransformable } from './scalerTransform';
import type { SklearnScaler } from '../formats/pickle/sklearn';
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
  /** The TensorFlow.js backend, or for ONNX models the ONNX Runtime build that ran. */
  backend: BackendName | OnnxBackendName;
  warnings: PredictWarning[];
  model: string;
  scaler: string | null;
  targetScaler: string | null;
  inferenceMs: number;
  /** Which preprocessing ran (null: none ran on that side), and each side the user chose to skip. */
  preprocessing: PreprocessingUsed;
  /** Extension: what the pipeline did differently and why (an ONNX graph scaling its inputs itself...). */
  notes?: string[];
}

/** One side's preprocessing as it ran: the file (or `file[key]`), the class, and its steps in order. */
export interface PreprocessingSide {
  path: string;
  class: string;
  steps: string[];
}

/** The `preprocessing` field of `predict --json`. */
export interface PreprocessingUsed {
  input: PreprocessingSide | null;
  target: PreprocessingSide | null;
  /** True when the user skipped that side (--no-scaler / --no-target-scaler) although the bundle has (or may have) one. */
  skipped: { input: boolean; target: boolean };
  /** Warnings about skipped or unverified preprocessing, shown with every result. */
  notes: string[];
}

/** Error codes of predictions refused because of the preprocessing (CLI exit 2). */
export const PREPROCESSING_REFUSALS: ReadonlySet<string> = new Set(['preprocessing-unusable', 'scaler-ambiguous', 'scaler-input-mismatch']);

/** What to predict and how. */
export interface PredictRequest {
  /** A bundle folder, a model file, or a structure file whose weights lie beside it. */
  target: string;
  /** The input rows: a CSV/JSON file's text (`name` used in messages). */
  input: { text: string; name: string };
  /** Explicit scaler files (else chosen from the bundle). */
  scaler?: string;
  /** Several explicit preprocessing files applied in this order (an imputer, then a scaler). */
  scalers?: string[];
  targetScaler?: string;
  /** Skip the input scaler / the target scaler even when the bundle has one. */
  skipScaler?: boolean;
  skipTargetScaler?: boolean;
  backend?: BackendPreference;
  /** Folder holding tfjs-backend-wasm*.wasm. */
  wasmDir?: string;
  /** Folder holding onnxruntime-web's ort-wasm-simd-threaded.{wasm,mjs} (default: `wasmDir` when they are there, else the package's own). */
  onnxWasmDir?: string;
}

/** A network of either engine: TensorFlow.js (Keras / tfjs files) or ONNX Runtime (`.onnx`). */
type Runnable = Pick<Network, 'inputShape' | 'outputShape' | 'dispose'> & { predict(rows: ArrayLike<number>[]): number[][] | Promise<number[][]> };

/** Loaded networks by file identity (path, size, mtime), so repeated predictions skip loading. */
const networkCache = new Map<string, Promise<Runnable>>();

/** Reads an explicitly chosen scaler file (`file`, or `file[key]` for one object of a dict / list). */
async function scalerFrom(path: string, source: FileSource, side: 'input' | 'target'): Promise<Scaler> {
  const flag = side === 'input' ? '--scaler' : '--target-scaler';
  let file = path;
  let key: string | null = null;
  const m = /^(.*)\[([^\]]+)\]$/.exec(path);
  if (!(await source.stat(path)) && m) {
    file = m[1];
    key = m[2];
  }
  if (!(await source.stat(file))) throw new ReadError('preprocessing-unusable', `${path}: ${flag}: no such file`);
  const r = (await inspectPaths([file], source))[0];
  if (!r) throw new ReadError('preprocessing-unusable', `${path}: ${flag}: not a file this tool reads`);
  if (r.error) throw new ReadError('preprocessing-unusable', `${r.error.message.startsWith(file) ? r.error.message : `${file}: ${r.error.message}`}`);
  if (!r.scaler) throw new ReadError('preprocessing-unusable', `${file}: not a scikit-learn preprocessing object`);
  const all = [r.scaler, ...((r.scaler as SklearnScaler).others ?? [])] as SklearnScaler[];
  if (key !== null) {
    const s = all.find((x) => x.path === key);
    if (!s)
      throw new ReadError('preprocessing-unusable', `${path}: ${file} holds no object at ${key} (it holds ${all.map((x) => x.path ?? '(top)').join(', ')})`);
    return s;
  }
  if (all.length > 1) {
    throw new ReadError(
      'scaler-ambiguous',
      `${file} holds several preprocessing objects (${all.map((x) => `${file}[${x.path}]`).join(', ')}): name one with ${flag} '${file}[key]'`,
    );
  }
  return r.scaler;
}

/** The steps of a scaler as they run, e.g. `std (StandardScaler) on [0, 2]`. */
function stepList(s: Scaler): string[] {
  const steps = s.steps ?? [];
  if (!steps.length) return [s.class];
  return steps.map((st) => {
    const x = st as SklearnScaler;
    const cols = x.columns ? ` on [${x.columns.map((c) => (typeof c === 'number' ? String(c) : JSON.stringify(c))).join(', ')}]` : '';
    return `${x.name ?? '?'} (${x.class})${cols}`;
  });
}

function sideOf(c: ChosenScaler | null): PreprocessingSide | null {
  return c ? { path: c.path, class: c.scaler.class, steps: stepList(c.scaler) } : null;
}

/** Runs a preprocessing step; any failure becomes a `preprocessing-unusable` refusal naming the file. */
function applying<T>(path: string, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ReadError) throw new ReadError('preprocessing-unusable', `${path}: ${what} failed: ${e.message}`);
    throw e;
  }
}

/** True when every value reaches an imputer before anything else (so missing inputs are filled, never fed on). */
function imputesFirst(s: Scaler): boolean {
  if (s.class === 'SimpleImputer' || s.class === 'Imputer') {
    // Only an imputer of NaN fills what an empty cell becomes (missing_values=-1 would pass NaN on).
    const mv = (s as SklearnScaler).hyper?.missing_values;
    return mv === undefined || mv === null || (typeof mv === 'number' && Number.isNaN(mv)) || (typeof mv === 'string' && mv.toLowerCase() === 'nan');
  }
  if (s.class === 'Pipeline') return !!s.steps?.length && imputesFirst(s.steps[0]);
  if (s.class === 'ColumnTransformer' || s.class === 'FeatureUnion') {
    const steps = (s.steps ?? []).filter((x) => x.class !== 'drop');
    return steps.length > 0 && steps.every(imputesFirst);
  }
  return false;
}

function featureSchema(scaler: Scaler | null, inputSize: number | null): InputSchema {
  return { featureNames: scaler?.featureNames ?? null, nFeatures: scaler?.nFeaturesIn ?? inputSize, allowMissing: scaler ? imputesFirst(scaler) : false };
}

function formatNumber(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** Which preprocessing runs on each side, or a refusal (ReadError) naming the file, step and reason. */
async function choosePreprocessing(
  req: PredictRequest,
  reports: FileReport[],
  source: FileSource,
  inputSize: number | null,
  outputSize: number | null,
  inGraph: { model: string; ops: string[] } | null = null,
): Promise<{ input: ChosenScaler | null; targetChoice: ChosenScaler | null; notes: string[]; engineNotes: string[] }> {
  const plan = planPreprocessing(reports, inputSize, outputSize);
  const notes: string[] = [];
  const engineNotes: string[] = [];
  let input: ChosenScaler | null = null;
  let targetChoice: ChosenScaler | null = null;
  if (req.skipScaler) {
    const had = plan.input?.path ?? plan.inputIssue?.path ?? null;
    if (had)
      notes.push(
        `input preprocessing skipped on request (--no-scaler): ${had} was not applied, so the network got raw inputs; if it was trained on scaled inputs these outputs are wrong.`,
      );
  } else if (req.scaler || req.scalers?.length) {
    const files = req.scalers?.length ? req.scalers : [req.scaler!];
    const steps: SklearnScaler[] = [];
    for (const f of files) {
      const s = await scalerFrom(f, source, 'input');
      const gap = untransformable(s);
      if (gap) throw new ReadError('preprocessing-unusable', `${f}: cannot be applied: ${gap.step}: ${gap.reason}`);
      steps.push({ ...(s as SklearnScaler), name: baseName(f) });
    }
    const chained: Scaler =
      steps.length === 1
        ? steps[0]
        : { class: 'Pipeline', module: '', sklearnVersion: null, nFeaturesIn: steps[0].nFeaturesIn, featureNames: steps[0].featureNames, params: {}, steps };
    input = { scaler: chained, path: files.join(' + ') };
  } else if (inGraph) {
    // An ONNX graph that begins with preprocessing (skl2onnx Scaler...) scales its inputs itself.
    const had = plan.input?.path ?? plan.inputIssue?.path ?? null;
    if (had)
      engineNotes.push(
        `${baseName(inGraph.model)} begins with its own preprocessing (${inGraph.ops.join(', ')}): ${baseName(had)} was not applied again, the raw rows went to the model.`,
      );
  } else if (plan.inputIssue) {
    throw new ReadError(plan.inputIssue.code, plan.inputIssue.message);
  } else input = plan.input;
  if (input && inputSize !== null && input.scaler.nFeaturesIn !== null && input.scaler.nFeaturesIn !== inputSize) {
    throw new ReadError('scaler-input-mismatch', `${input.path}: the scaler takes ${input.scaler.nFeaturesIn} features but the model takes ${inputSize}`);
  }
  if (req.skipTargetScaler) {
    const had = plan.target?.path ?? plan.targetIssue?.path ?? null;
    if (had) notes.push(`target scaler skipped on request (--no-target-scaler): ${had} was not applied, so outputs are in the network's (scaled) units.`);
  } else if (req.targetScaler) {
    targetChoice = { scaler: await scalerFrom(req.targetScaler, source, 'target'), path: req.targetScaler };
    const gap = uninvertible(targetChoice.scaler);
    if (gap) throw new ReadError('preprocessing-unusable', `${req.targetScaler}: cannot map outputs back: ${gap.step}: ${gap.reason}`);
  } else if (plan.targetIssue) {
    throw new ReadError(plan.targetIssue.code, plan.targetIssue.message);
  } else if (plan.target && plan.target.path !== input?.path) targetChoice = plan.target;
  return { input, targetChoice, notes, engineNotes };
}

/** The feature count of a (batch, features) shape list's first shape, else null. */
function flatWidth(shapes: (number | null)[][] | undefined): number | null {
  const sh = shapes?.[0];
  return shapes?.length === 1 && sh && sh.length === 2 ? sh[1] : null;
}

/** Runs the prediction pipeline. Throws ReadError with a clear message on any bad input. */
export async function predict(req: PredictRequest, source: FileSource): Promise<PredictResult> {
  const { reports, chosen } = await reportsFor(req.target, source);
  const modelReport = pickModel(reports, chosen, req.target);
  const isOnnx = modelReport.format === 'onnx';
  const ops = isOnnx ? onnxPreprocessing(modelReport) : [];
  const inGraph = ops.length ? { model: modelReport.path, ops } : null;
  // Plan the preprocessing first (sizes from the model's report), so a refusal costs no network load.
  const reportIn = flatWidth(modelReport.model?.inputShapes);
  const reportOut = flatWidth(modelReport.model?.outputShapes);
  let pre = reportIn !== null ? await choosePreprocessing(req, reports, source, reportIn, reportOut, inGraph) : null;
  const st = await source.stat(modelReport.path);
  const onnxPref = onnxPreference(req.backend);
  const key = `${modelReport.path}|${st?.size}|${st?.mtimeMs}|${isOnnx ? onnxPref : req.backend === 'wasm' || req.backend === 'cpu' ? 'tfjs' : 'auto'}`;
  let backend: BackendName | OnnxBackendName = isOnnx ? 'onnxruntime-web' : await initBackend(req.backend ?? 'auto', req.wasmDir);
  let netPromise = networkCache.get(key);
  if (!netPromise) {
    netPromise = isOnnx
      ? onnxWasmDir(req, source).then((dir) => loadOnnxReport(modelReport, source, onnxPref, dir))
      : modelValues(modelReport, reports, source).then(async (v) => {
          // Dense Keras networks run on onnxruntime-node when it loads (measured faster, docs/onnx.md),
          // unless a TensorFlow.js backend was asked for by name.
          const viaOnnx = req.backend === 'wasm' || req.backend === 'cpu' ? null : await kerasDenseOnOnnx(v.config, v.layers);
          return viaOnnx ?? loadNetwork(v.config, v.layers);
        });
    networkCache.set(key, netPromise);
    netPromise.catch(() => networkCache.delete(key));
  }
  const net = await netPromise;
  if ('backend' in net) backend = (net as OnnxNetwork).backend;
  const inputSize = net.inputShape.length === 2 ? net.inputShape[1] : null;
  const outputSize = net.outputShape.length === 2 ? net.outputShape[1] : null;
  if (!pre || inputSize !== reportIn || outputSize !== reportOut) pre = await choosePreprocessing(req, reports, source, inputSize, outputSize, inGraph);
  const { input, targetChoice, notes } = pre;
  const engineNotes: string[] = [...((net as Partial<OnnxNetwork>).notes ?? []), ...pre.engineNotes];
  if (input && inputSize !== null && input.scaler.nFeaturesIn !== null && input.scaler.nFeaturesIn !== inputSize) {
    throw new ReadError('scaler-input-mismatch', `${input.path}: the scaler takes ${input.scaler.nFeaturesIn} features but the model takes ${inputSize}`);
  }
  const scaler = input?.scaler ?? null;
  const scalerFile = input?.path ?? null;
  const target = targetChoice?.scaler ?? null;
  const targetFile = targetChoice?.path ?? null;

  const schema = featureSchema(scaler, inputSize);
  const text = req.input.text;
  const looksJson = /^\s*[[{]/.test(text);
  const rows = looksJson ? parseJsonInput(JSON.parse(text), schema, req.input.name, notes) : parseCsvInput(text, schema, req.input.name, notes);
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
  const scaled = scaler ? applying(scalerFile!, 'transform', () => transform(scaler, rows)) : rows;
  const t0 = performance.now();
  // ONNX models may take float64: their rows keep full precision (a float32 model rounds them itself)
  const raw = await net.predict(scaled.map((r) => ('backend' in net ? Float64Array.from(r) : Float32Array.from(r))));
  const inferenceMs = performance.now() - t0;
  const outputs = target ? applying(targetFile!, 'inverse_transform', () => inverseTransform(target, raw)) : raw;
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
    preprocessing: {
      input: sideOf(input),
      target: sideOf(targetChoice),
      skipped: { input: req.skipScaler === true, target: req.skipTargetScaler === true },
      notes,
    },
    ...(engineNotes.length ? { notes: engineNotes } : {}),
  };
}

/** Where onnxruntime-web finds its wasm: the request's folder when the files are there, else its own package. */
async function onnxWasmDir(req: PredictRequest, source: FileSource): Promise<string | undefined> {
  if (req.onnxWasmDir) return req.onnxWasmDir;
  if (req.wasmDir && (await source.stat(`${req.wasmDir.replace(/\/+$/, '')}/ort-wasm-simd-threaded.wasm`))) return req.wasmDir;
  return undefined;
}
