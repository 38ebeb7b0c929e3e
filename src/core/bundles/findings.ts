// Findings: the stable codes of bundle problems (with their severities and the docs anchor each
// diagnostic links to) and the cross-file checks of one bundle. Each message says what is wrong,
// why it matters and how to fix it; docs/bundles.md has a `## <code>` section for every code.
import { reconcileWithWeights } from '../formats/shared/architecture';
import { baseName, dirName } from '../io/fileSource';
import { chooseScalers, TARGET_NAME } from '../predict/scalerChoice';
import { canTransform } from '../predict/scalerTransform';
import type { FileReport, Finding, Role, Severity } from '../types';

/** Every finding code a bundle can get, with the severities it can have and one line on it. */
export const FINDING_CODES = {
  'missing-scaler': { severities: ['error', 'info'], summary: 'the model has no fitted input scaler beside it' },
  'missing-structure': { severities: ['error', 'warning'], summary: "weights (or a scaler) without the network's structure" },
  'missing-weights': { severities: ['error'], summary: 'a structure without trained weights' },
  'missing-log': { severities: ['info'], summary: 'no training log' },
  'weights-structure-mismatch': { severities: ['error'], summary: 'the weights do not fit the structure (names, order, shapes)' },
  'scaler-input-mismatch': { severities: ['error'], summary: "the scaler's feature count differs from the model's input size" },
  'target-scaler': { severities: ['info'], summary: "a second scaler maps the model's outputs back to target units" },
  'missing-target-scaler': { severities: ['warning'], summary: 'names suggest scaled targets but no target scaler is saved' },
  'tfjs-shard-missing': { severities: ['error'], summary: 'a weight shard named by a tfjs model.json is missing' },
  'tfjs-shard-size': { severities: ['error'], summary: 'tfjs weight shards hold the wrong number of bytes' },
  'unsafe-pickle': { severities: ['error'], summary: 'a pickle names a global that can run code' },
  'unsupported-pickle': { severities: ['warning'], summary: 'a pickle names a class this tool does not read' },
  'unreadable-file': { severities: ['error'], summary: 'a file of the bundle cannot be read' },
  'lambda-layer': { severities: ['warning'], summary: 'layers holding Python code' },
  'keras3-tfjs': { severities: ['info'], summary: 'a Keras 3 config that TensorFlow.js cannot load as saved' },
  'stale-artifact': { severities: ['warning'], summary: 'file times say the parts come from different runs' },
  'manifest-hash-mismatch': { severities: ['error'], summary: "a file's SHA-256 differs from the one its manifest recorded" },
  'foreign-model': { severities: ['info'], summary: 'the model is of another framework (PyTorch, ONNX, TFLite...): listed, not checked' },
} as const satisfies Record<string, { severities: readonly Severity[]; summary: string }>;

/** A finding code of a bundle. */
export type FindingCode = keyof typeof FINDING_CODES;

/** The anchor of a code's section in docs/bundles.md (`#missing-scaler`). */
export function findingDocsAnchor(code: string): string {
  return `#${code.toLowerCase().replace(/[^a-z0-9-]/g, '')}`;
}

/** Training-log stale margin: a log written this long after the newest weights is from a later run. */
export const LOG_AFTER_WEIGHTS_MS = 3600 * 1000;
/** Scaler stale margin: a scaler this much older or newer than the newest weights is from another run. */
export const SCALER_WEIGHTS_GAP_MS = 24 * 3600 * 1000;

type BundleRole = Exclude<Role, 'other'>;

/** The stem of a file name: without extensions and weight/structure suffixes (`model_a.weights.h5` → `model_a`). */
export function stemOf(path: string): string {
  // A SavedModel is named by its folder (my_model/saved_model.pb -> my_model).
  let s = baseName(baseName(path) === 'saved_model.pb' ? dirName(path) : path).toLowerCase();
  s = s.replace(/\.(weights\.h5|h5|hdf5|keras|json|joblib|pkl|pickle|sav|gz|bin|csv|png|jpe?g|pt|pth|onnx|tflite|safetensors|ckpt)$/g, '');
  s = s.replace(/\.(weights|h5)$/, '');
  s = s.replace(/([_.-])(weights|weight|structure|architecture|arch|config|model|scaler|history|log|training_log|loss)$/, '');
  return s;
}

/**
 * A model of another framework (PyTorch, ONNX, TensorFlow Lite, safetensors): recognised, not read.
 * A SavedModel is TensorFlow's own format and counts as a model of the bundle.
 */
export function isUnreadModel(f: FileReport): boolean {
  return f.foreign !== undefined && f.foreign.framework !== 'tf-savedmodel';
}

/** Names that say "this is the input-side scaler" (`x_scaler`, `scaler_X`, `input_scaler`): a y side is implied. */
const INPUT_NAME = /(^|[^a-z])(x|inputs?)[_.-]?(scaler|scale|norm|normalizer|transformer|preproc)|(scaler|norm|normalizer)[_.-]?(x|inputs?)([^a-z]|$)/i;

function finding(code: FindingCode, severity: Severity, message: string, path: string | null): Finding {
  return { code, severity, message, path };
}

function firstShape(shapes: (number | null)[][] | undefined): (number | null)[] | null {
  return shapes?.[0] ?? null;
}

/** The last dimension of the first shape (the feature count a scaler sees), when known. */
function lastDim(shapes: (number | null)[][] | undefined): number | null {
  const s = firstShape(shapes);
  return s && s.length >= 2 ? s[s.length - 1] : null;
}

/** All non-batch dimensions multiplied (a scaler fitted on flattened windows sees that many). */
function flatSize(shapes: (number | null)[][] | undefined): number | null {
  const s = firstShape(shapes);
  if (!s || s.length < 2) return null;
  let n = 1;
  for (const d of s.slice(1)) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

function hours(ms: number): number {
  return Math.max(1, Math.round(ms / LOG_AFTER_WEIGHTS_MS));
}

function days(ms: number): number {
  return Math.max(1, Math.round(ms / SCALER_WEIGHTS_GAP_MS));
}

/** Findings for files that could not be read (or were refused): one per file. */
function fileErrorFindings(files: FileReport[]): Finding[] {
  const out: Finding[] = [];
  for (const f of files) {
    if (!f.error) continue;
    const { code, message } = f.error;
    if (code === 'tfjs-shard-missing' || code === 'tfjs-shard-size') {
      out.push(finding(code, 'error', `${message}. The model cannot be loaded until every weight shard is there with its full size: copy the shards listed in its weightsManifest from where the model was converted.`, f.path));
    } else if (code === 'unsafe-pickle') {
      out.push(finding('unsafe-pickle', 'error', `${message}. Loading this file in Python would run that code: do not load it; recreate the scaler from trusted code.`, f.path));
    } else if (code === 'unsupported-pickle') {
      out.push(finding('unsupported-pickle', 'warning', `${message}. Nothing was loaded: this tool reads only known scikit-learn preprocessing classes.`, f.path));
    } else {
      out.push(finding('unreadable-file', 'error', `${message}. The bundle cannot be used as long as this file cannot be read; re-save it from the training code.`, f.path));
    }
  }
  return out;
}

/**
 * The findings of one bundle: unreadable or refused files, missing parts, structure vs weights,
 * scaler vs model sizes, target scalers, Python-only layers, Keras 3 configs and file times.
 */
export function validateBundle(files: FileReport[], root: string): Finding[] {
  const out = fileErrorFindings(files);
  const of = (role: BundleRole) => files.filter((f) => f.role === role);
  const models = of('model');
  const structures = of('structure');
  const weights = of('weights').filter((f) => f.format !== 'tfjs-shard');
  const scalers = of('scaler');
  const logs = of('log');
  const main = models[0] ?? structures[0] ?? weights[0] ?? scalers[0] ?? null;
  const mainPath = main?.path ?? root;
  const modelReport = models.find((m) => m.model) ?? structures.find((s) => s.model);
  const m = modelReport?.model;

  const hasModel = models.length > 0 || (structures.length > 0 && weights.length > 0);
  // Only models of other frameworks: they are listed, and nothing is asked of them that this tool
  // cannot check (their inputs, their logs' format) or that would be Keras advice.
  if (models.length > 0 && models.every(isUnreadModel) && structures.length === 0 && weights.length === 0) {
    const f = models[0];
    out.push(finding('foreign-model', 'info', `${baseName(f.path)}: ${f.foreign!.note.replace(/\.?$/, '.')} The scaler beside it is listed but not checked against the model, and no predictions are made.`, f.path));
    out.push(...fileTimes(models, scalers, logs));
    return out;
  }
  if (models.length === 0 && structures.length === 0 && weights.length === 0) {
    out.push(finding('missing-structure', 'warning', 'This folder holds preprocessing but no model: the scaler is only useful with the network it was fitted for. Save the model beside it (model.save("model.keras")).', mainPath));
  } else if (models.length === 0 && structures.length === 0) {
    out.push(finding('missing-structure', 'error', "Weights without the network's structure cannot be loaded: save it beside them with model.to_json() (or save the full model with model.save()).", weights[0].path));
  } else if (models.length === 0 && weights.length === 0) {
    out.push(finding('missing-weights', 'error', "The network's structure is here but its trained weights are not: save them with model.save_weights(...) (or the full model with model.save()).", structures[0].path));
  }
  // Only a target scaler (y_scaler) does not scale the inputs: that is a missing scaler too.
  const inputSideScalers = scalers.filter((f) => !TARGET_NAME.test(baseName(f.path)) || !f.scaler);
  if (hasModel && inputSideScalers.length === 0) {
    // Tabular inputs need their scaler; images, sequences, tokens, latent noise (several inputs) and
    // long signals (over 256 values) usually do not, so for them the finding is information only.
    const first = m?.layers?.find((l) => l.className !== 'InputLayer')?.className ?? '';
    const width = lastDim(m?.inputShapes);
    const scalarInputs =
      firstShape(m?.inputShapes)?.length === 2 && m?.inputShapes.length === 1 && width !== null && width <= 256 && !/Embedding|Rescaling|Normalization/.test(first);
    out.push(
      finding(
        'missing-scaler',
        scalarInputs ? 'error' : 'info',
        scalarInputs
          ? `No fitted ${scalers.length ? 'input ' : ''}scaler is saved with this model${scalers.length ? ' (only a target scaler)' : ''}: predictions on raw inputs will be wrong, and the scaler cannot be rebuilt without the training data. Save it next to the model with joblib.dump(scaler, "scaler.joblib").`
          : 'No fitted scaler is saved with this model. Its inputs are images, sequences or tokens, which often need none; if training scaled them, save the scaler with joblib.dump(scaler, "scaler.joblib").',
        mainPath,
      ),
    );
  }
  if (hasModel && logs.length === 0) {
    out.push(finding('missing-log', 'info', 'No training log: nothing shows how this model was trained or whether it overfitted. Add keras.callbacks.CSVLogger("training_log.csv") (or save history.history as JSON).', mainPath));
  }

  out.push(...structureVsWeights(structures, weights));
  out.push(...scalerChecks(files, scalers, modelReport));

  for (const r of [...models, ...structures]) {
    // Sites at any depth (wrappers, nested models, compile config), found even when no summary was made.
    const sites = r.pythonCode ?? [];
    const py = [...new Set([...(r.model?.pythonOnlyLayers ?? []), ...sites.map((s) => s.kind)])];
    if (py.length) {
      const shown = sites.slice(0, 5).map((s) => s.path);
      const where = shown.length ? ` at ${shown.join('; ')}${sites.length > shown.length ? ` and ${sites.length - shown.length} more` : ''}` : '';
      out.push(finding('lambda-layer', 'warning', `The model has layers that hold Python code (${py.join(', ')})${where}: it cannot run outside Python (TensorFlow.js, other runtimes), and loading it runs that code. Replace them with built-in layers or a registered custom layer.`, r.path));
    }
    if (r.format !== 'tfjs-layers' && r.model?.kerasVersion?.startsWith('3.')) {
      out.push(finding('keras3-tfjs', 'info', `Saved by Keras ${r.model.kerasVersion}: TensorFlow.js cannot load Keras 3 configs as saved (batch_shape, __keras_tensor__ nodes). This tool converts them; for a web deployment convert with a tfjs converter that supports Keras 3.`, r.path));
    }
  }

  out.push(...fileTimes([...models, ...weights], scalers, logs));
  return out;
}

/** Structure JSON + separate weights: layer names, order and tensor shapes must agree. */
function structureVsWeights(structures: FileReport[], weights: FileReport[]): Finding[] {
  const out: Finding[] = [];
  for (const s of structures) {
    if (!s.model) continue;
    const stem = stemOf(s.path);
    const w = weights.find((x) => x.weights && stemOf(x.path) === stem) ?? weights.find((x) => x.weights);
    if (!w?.weights) continue;
    const notes = reconcileWithWeights({ ...s.model, notes: [] }, w.weights).notes ?? [];
    if (notes.length) {
      out.push(finding('weights-structure-mismatch', 'error', `${baseName(s.path)} and ${baseName(w.path)} do not belong together: ${notes.slice(0, 3).join('; ')}${notes.length > 3 ? ` (and ${notes.length - 3} more)` : ''}. Loading these weights into this structure fails or gives a different network; save both from the same model.`, w.path));
    }
  }
  return out;
}

const REGRESSION_METRIC = /(^|_)(mae|mse|rmse|mape|msle|mean_absolute_error|mean_squared_error|root_mean_squared_error|mean_absolute_percentage_error|r2|r2_score)$/i;
const CLASSIFICATION_METRIC = /acc|auc|precision|recall|f1|crossentropy/i;

/** A training log whose metrics are regression errors (mae, mse...) and not accuracies. */
function isRegressionLog(f: FileReport): boolean {
  const names = Object.keys(f.log?.series ?? {});
  return names.some((n) => REGRESSION_METRIC.test(n)) && !names.some((n) => CLASSIFICATION_METRIC.test(n));
}

/** Scaler sizes vs the model's input and output sizes; target scalers found or missing. */
function scalerChecks(files: FileReport[], scalers: FileReport[], modelReport: FileReport | undefined): Finding[] {
  const out: Finding[] = [];
  const m = modelReport?.model;
  const inputSize = lastDim(m?.inputShapes);
  const flatInput = flatSize(m?.inputShapes);
  const outputSize = lastDim(m?.outputShapes);
  if (!modelReport || inputSize === null) return out;
  const { input, target } = chooseScalers(files, inputSize, outputSize);
  const numeric = scalers.filter((f) => f.scaler && f.scaler.nFeaturesIn !== null);
  const inputSide = numeric.filter((f) => !TARGET_NAME.test(baseName(f.path)));
  if (!input && inputSide.length) {
    const s = inputSide[0];
    const n = s.scaler!.nFeaturesIn;
    // A scaler fitted on flattened windows (timesteps × features) fits a sequence model too.
    if (n !== inputSize && n !== flatInput) {
      out.push(finding('scaler-input-mismatch', 'error', `${baseName(s.path)} was fitted on ${n} features but the model takes ${inputSize}: this scaler belongs to another model or another feature set. Save the scaler fitted on this model's training features.`, s.path));
    }
  }
  let targetPath = target?.path ?? null;
  if (target) {
    out.push(finding('target-scaler', 'info', `${baseName(target.path)} scales the model's targets: predictions are mapped back to target units with its inverse_transform.`, target.path));
  } else if (input && outputSize !== null && outputSize !== inputSize) {
    // No name says "target", but exactly one other scaler is as wide as the model's output.
    const bySize = numeric.filter((f) => f.path !== input.path && !input.path.startsWith(`${f.path}[`) && canTransform(f.scaler!) && f.scaler!.nFeaturesIn === outputSize);
    if (bySize.length === 1) {
      targetPath = bySize[0].path;
      out.push(finding('target-scaler', 'info', `${baseName(targetPath)} was fitted on ${outputSize} feature(s), the size of the model's output: it likely scales the targets, so predictions are mapped back with its inverse_transform. Name it y_scaler (or write a model-bundle.json) to make that explicit.`, targetPath));
    }
  }
  if (!targetPath) {
    // Conservative: only when the input scaler's own name says "x" / "input", implying a y side.
    // and only for regression (a log with error metrics such as mae/mse and no accuracy):
    // classifiers name their feature scaler X_scaler too.
    const named = scalers.find((f) => INPUT_NAME.test(baseName(f.path)));
    if (named && files.some((f) => f.role === 'log' && isRegressionLog(f))) {
      out.push(finding('missing-target-scaler', 'warning', `${baseName(named.path)} is named as the input scaler, which suggests the targets were scaled too, but no target scaler is saved: if training scaled the targets, predictions come out in scaled units and cannot be mapped back. Save it with joblib.dump(y_scaler, "y_scaler.joblib"); if the targets were not scaled, rename the scaler or list it in a model-bundle.json.`, named.path));
    }
  }
  return out;
}

/**
 * File times: a log written more than an hour after the newest weights means those weights are
 * from an older run; a scaler more than a day older or newer than the newest weights was probably
 * fitted in another run. Equal times (a fresh clone) raise nothing.
 */
function fileTimes(weightFiles: FileReport[], scalers: FileReport[], logs: FileReport[]): Finding[] {
  const out: Finding[] = [];
  const weightTimes = weightFiles.map((f) => f.mtimeMs).filter((t): t is number => typeof t === 'number');
  if (!weightTimes.length) return out;
  const newestWeights = Math.max(...weightTimes);
  for (const l of logs) {
    if (l.format === 'image' || typeof l.mtimeMs !== 'number') continue;
    const gap = l.mtimeMs - newestWeights;
    if (gap > LOG_AFTER_WEIGHTS_MS) {
      out.push(finding('stale-artifact', 'warning', `${baseName(l.path)} was written ${hours(gap)} h after the newest weights: the weights may come from an older training run than this log. Save the model at the end of the run that wrote the log.`, l.path));
    }
  }
  for (const s of scalers) {
    if (typeof s.mtimeMs !== 'number') continue;
    const gap = newestWeights - s.mtimeMs;
    if (gap > SCALER_WEIGHTS_GAP_MS) {
      out.push(finding('stale-artifact', 'warning', `${baseName(s.path)} is ${days(gap)} day(s) older than the model's weights: it may have been fitted for an earlier run on other data. Save the scaler in the same run as the model.`, s.path));
    } else if (-gap > SCALER_WEIGHTS_GAP_MS) {
      out.push(finding('stale-artifact', 'warning', `${baseName(s.path)} was written ${days(-gap)} day(s) after the model's weights: it may have been refitted on other data after this model was trained. Save the scaler in the same run as the model.`, s.path));
    }
  }
  return out;
}
