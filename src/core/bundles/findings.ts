// Findings: the stable codes of bundle problems (with their severities and the docs anchor each
// diagnostic links to) and the cross-file checks of one bundle. Each message says what is wrong,
// why it matters and how to fix it; docs/bundles.md has a `## <code>` section for every code.
import { reconcileWithWeights } from '../formats/shared/architecture';
import { baseName, dirName } from '../io/fileSource';
import { chooseScalers, planPreprocessing, TARGET_NAME } from '../predict/scalerChoice';
import { canTransform } from '../predict/scalerTransform';
import { templated, type TemplateArg } from '../io/messageTemplate';
import type { FileReport, Finding, Role, Severity } from '../types';
import { BUNDLE_FINDING_MESSAGES } from './findingMessages';

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
  'missing-side-file': { severities: ['error'], summary: 'a joblib < 0.10 pickle keeps its arrays in side files and one is missing' },
  'preprocessing-unusable': {
    severities: ['error'],
    summary: 'the preprocessing exists but predictions cannot use it (unreadable, or a step that cannot be applied)',
  },
  'foreign-model': { severities: ['info'], summary: 'the model is of another framework (PyTorch, ONNX, TFLite...): listed, not checked' },
  'version-drift': { severities: ['warning'], summary: "a workspace pin names another version than the one that saved the bundle's files" },
  'unpinned-dependency': { severities: ['info'], summary: "the workspace's pin files do not fix the version that saved the bundle's files" },
  'onnx-weights-mismatch': { severities: ['error'], summary: 'an ONNX export and the weights beside it (a state dict) disagree on tensor shapes' },
  'onnx-preprocessing': {
    severities: ['info'],
    summary: 'the ONNX graph begins with its own preprocessing (skl2onnx): the bundle scaler is not applied again',
  },
  'pytorch-module-pickle': { severities: ['warning'], summary: 'a whole pickled PyTorch module (torch.save(model)): needs the training code to load' },
  'torchscript-model': { severities: ['info'], summary: 'a TorchScript archive: its tensors are listed, its code is never run' },
  'recovered-scaler': { severities: ['info'], summary: 'the scaler was recovered from the training data (a .recovery.json records how)' },
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

/** PyTorch and safetensors files: their structure is the training code, so weights alone are a model. */
export function isTorchFile(f: FileReport): boolean {
  return f.format === 'pytorch' || f.format === 'torchscript' || f.format === 'safetensors';
}

/** Names that say "this is the input-side scaler" (`x_scaler`, `scaler_X`, `input_scaler`): a y side is implied. */
const INPUT_NAME = /(^|[^a-z])(x|inputs?)[_.-]?(scaler|scale|norm|normalizer|transformer|preproc)|(scaler|norm|normalizer)[_.-]?(x|inputs?)([^a-z]|$)/i;

/** A finding with a message of its own (shown untranslated: prefer `tableFinding`). */
export function finding(code: FindingCode, severity: Severity, message: string, path: string | null): Finding {
  return { code, severity, message, path };
}

/** A finding whose message is the table's template `id` (findingMessages.ts) with `args`: translatable. */
function tableFinding(code: FindingCode, severity: Severity, id: keyof typeof BUNDLE_FINDING_MESSAGES, path: string | null, ...args: TemplateArg[]): Finding {
  return { code, severity, ...templated(BUNDLE_FINDING_MESSAGES[id], ...args), path };
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
      out.push(tableFinding(code, 'error', code, f.path, message));
    } else if (code === 'unsafe-pickle') {
      out.push(tableFinding('unsafe-pickle', 'error', isTorchFile(f) ? 'unsafe-pickle.pytorch' : 'unsafe-pickle', f.path, message));
    } else if (code === 'pytorch-module-pickle') {
      out.push(tableFinding('pytorch-module-pickle', 'warning', 'pytorch-module-pickle', f.path, message));
    } else if (code === 'unsupported-pickle' && isTorchFile(f)) {
      out.push(tableFinding('unsupported-pickle', 'warning', 'unsupported-pickle.pytorch', f.path, message));
    } else if (code === 'missing-side-file') {
      const missing = (f.sideFiles ?? []).filter((s) => !s.present).map((s) => baseName(s.path));
      out.push(
        tableFinding(
          'missing-side-file',
          'error',
          'missing-side-file',
          f.path,
          `${message}${missing.length > 1 ? ` (missing: ${missing.join(', ')})` : ''}`,
          baseName(f.path),
        ),
      );
    } else if (code === 'unsupported-pickle') {
      out.push(tableFinding('unsupported-pickle', 'warning', 'unsupported-pickle', f.path, message));
    } else {
      out.push(tableFinding('unreadable-file', 'error', 'unreadable-file', f.path, message));
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

  const torchFiles = [...models, ...weights].filter(isTorchFile);
  const torchInput = torchFiles.find((f) => f.torch?.input)?.torch?.input ?? null;
  const hasModel = models.length > 0 || (structures.length > 0 && weights.length > 0) || torchFiles.length > 0;
  // Only models of other frameworks: they are listed, and nothing is asked of them that this tool
  // cannot check (their inputs, their logs' format) or that would be Keras advice.
  if (models.length > 0 && models.every(isUnreadModel) && structures.length === 0 && weights.length === 0) {
    const f = models[0];
    out.push(tableFinding('foreign-model', 'info', 'foreign-model', f.path, baseName(f.path), f.foreign!.note.replace(/\.?$/, '.')));
    out.push(...fileTimes(models, scalers, logs));
    return out;
  }
  if (models.length === 0 && structures.length === 0 && weights.length === 0) {
    out.push(tableFinding('missing-structure', 'warning', 'missing-structure.scaler-only', mainPath));
  } else if (models.length === 0 && structures.length === 0 && !weights.every(isTorchFile)) {
    out.push(tableFinding('missing-structure', 'error', 'missing-structure.weights-only', weights[0].path));
  } else if (models.length === 0 && weights.length === 0) {
    out.push(tableFinding('missing-weights', 'error', 'missing-weights', structures[0].path));
  }
  // Only a target scaler (y_scaler) does not scale the inputs: that is a missing scaler too.
  const inputSideScalers = scalers.filter((f) => !TARGET_NAME.test(baseName(f.path)) || !f.scaler);
  // An ONNX graph that begins with preprocessing ops (skl2onnx Scaler, Imputer...) takes raw features.
  const inGraph = m?.onnx?.preprocessing ?? [];
  if (inGraph.length && modelReport) {
    out.push(...onnxPreprocessing(modelReport, inGraph, inputSideScalers));
  }
  if (hasModel && inputSideScalers.length === 0 && !inGraph.length) {
    // Tabular inputs need their scaler; images, sequences, tokens, latent noise (several inputs) and
    // long signals (over 256 values) usually do not, so for them the finding is information only.
    const first = m?.layers?.find((l) => l.className !== 'InputLayer')?.className ?? '';
    const width = lastDim(m?.inputShapes);
    const scalarInputs = m
      ? firstShape(m?.inputShapes)?.length === 2 &&
        m?.inputShapes.length === 1 &&
        width !== null &&
        width <= 256 &&
        !/Embedding|Rescaling|Normalization/.test(first)
      : torchInput?.kind === 'linear' && torchInput.width <= 256;
    out.push(
      tableFinding(
        'missing-scaler',
        scalarInputs ? 'error' : 'info',
        scalarInputs ? (scalers.length ? 'missing-scaler.tabular-target-only' : 'missing-scaler.tabular') : 'missing-scaler.other-inputs',
        mainPath,
      ),
    );
  }
  if (hasModel && logs.length === 0 && !m && torchFiles.length > 0) {
    // A checkpoint holding per-epoch lists (train_losses...) carries its own log.
    if (!torchFiles.some((f) => f.log)) out.push(tableFinding('missing-log', 'info', 'missing-log.pytorch', mainPath));
  } else if (hasModel && logs.length === 0) {
    out.push(tableFinding('missing-log', 'info', m?.framework === 'onnx' ? 'missing-log.onnx' : 'missing-log', mainPath));
  }

  out.push(...structureVsWeights(structures, weights));
  out.push(...onnxVersusWeights(models, weights));
  out.push(...scalerChecks(files, scalers, modelReport));
  if (!modelReport && torchInput) out.push(...torchScalerCheck(scalers, torchInput));
  for (const f of models) {
    if (f.format === 'torchscript' && !f.error) {
      out.push(tableFinding('torchscript-model', 'info', 'torchscript-model', f.path, baseName(f.path), (f.weights?.totalParams ?? 0).toLocaleString('en-US')));
    }
  }

  for (const r of [...models, ...structures]) {
    // Sites at any depth (wrappers, nested models, compile config), found even when no summary was made.
    const sites = r.pythonCode ?? [];
    const py = [...new Set([...(r.model?.pythonOnlyLayers ?? []), ...sites.map((s) => s.kind)])];
    if (py.length) {
      const shown = sites.slice(0, 5).map((s) => s.path);
      const where = shown.length ? `${shown.join('; ')}${sites.length > shown.length ? ` and ${sites.length - shown.length} more` : ''}` : '';
      out.push(
        where
          ? tableFinding('lambda-layer', 'warning', 'lambda-layer.at', r.path, py.join(', '), where)
          : tableFinding('lambda-layer', 'warning', 'lambda-layer', r.path, py.join(', ')),
      );
    }
    if (r.format !== 'tfjs-layers' && r.model?.kerasVersion?.startsWith('3.')) {
      out.push(tableFinding('keras3-tfjs', 'info', 'keras3-tfjs', r.path, r.model.kerasVersion));
    }
  }

  out.push(...fileTimes([...models, ...weights], scalers, logs));
  return out;
}

/** An ONNX model that scales its inputs itself: the scaler beside it is not applied again (predictions say so too). */
function onnxPreprocessing(model: FileReport, nodes: string[], scalers: FileReport[]): Finding[] {
  const s = scalers.find((f) => f.scaler);
  const ops = nodes.join(', ');
  if (!s) return [];
  return [tableFinding('onnx-preprocessing', 'info', 'onnx-preprocessing', model.path, baseName(model.path), ops, baseName(s.path))];
}

/**
 * An ONNX export beside separate weights (a PyTorch state dict...): the tensors both name
 * (torch.onnx.export keeps state-dict keys as initializer names) must have the same shapes. Tensors
 * only one side has are not reported (exporters fold BatchNorm into Conv and rename what they fold).
 */
function onnxVersusWeights(models: FileReport[], weights: FileReport[]): Finding[] {
  const out: Finding[] = [];
  for (const m of models) {
    if (m.model?.framework !== 'onnx' || !m.weights) continue;
    const shapes = new Map<string, number[]>();
    for (const l of m.weights.layers) for (const t of l.tensors) shapes.set(t.name, t.shape);
    for (const w of weights) {
      if (!w.weights) continue;
      let matched = 0;
      const bad: string[] = [];
      for (const l of w.weights.layers) {
        for (const t of l.tensors) {
          const key = l.name ? `${l.name}.${t.name}` : t.name;
          const s = shapes.get(key) ?? shapes.get(t.name);
          if (!s) continue;
          matched++;
          if (s.length !== t.shape.length || s.some((d, i) => d !== t.shape[i]))
            bad.push(`${key} is [${t.shape.join(', ')}] in ${baseName(w.path)} but [${s.join(', ')}] in ${baseName(m.path)}`);
        }
      }
      if (bad.length) {
        out.push(
          tableFinding(
            'onnx-weights-mismatch',
            'error',
            'onnx-weights-mismatch',
            w.path,
            baseName(m.path),
            baseName(w.path),
            `${bad.slice(0, 3).join('; ')}${bad.length > 3 ? ` (and ${bad.length - 3} more)` : ''}`,
            matched,
          ),
        );
      }
    }
  }
  return out;
}

/** A PyTorch / safetensors model: the input scaler's feature count against its first Linear / Conv / RNN input width. */
function torchScalerCheck(scalers: FileReport[], input: NonNullable<NonNullable<FileReport['torch']>['input']>): Finding[] {
  const s = scalers.find((f) => f.scaler && f.scaler.nFeaturesIn !== null && !TARGET_NAME.test(baseName(f.path)));
  const n = s?.scaler?.nFeaturesIn;
  if (!s || n === null || n === undefined || n === input.width) return [];
  const kind = input.kind === 'linear' ? 'Linear' : input.kind === 'conv' ? 'Conv' : 'RNN';
  const what = input.kind === 'conv' ? 'input channels' : 'input features';
  return [
    tableFinding(
      'scaler-input-mismatch',
      'error',
      'scaler-input-mismatch.pytorch',
      s.path,
      baseName(s.path),
      n,
      input.width,
      what,
      kind,
      input.layer || '(root)',
    ),
  ];
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
      const first = notes.slice(0, 3).join('; ');
      if (notes.length > 3)
        out.push(
          tableFinding(
            'weights-structure-mismatch',
            'error',
            'weights-structure-mismatch.more',
            w.path,
            baseName(s.path),
            baseName(w.path),
            first,
            notes.length - 3,
          ),
        );
      else out.push(tableFinding('weights-structure-mismatch', 'error', 'weights-structure-mismatch', w.path, baseName(s.path), baseName(w.path), first));
    }
  }
  return out;
}

const REGRESSION_METRIC =
  /(^|_)(mae|mse|rmse|mape|msle|mean_absolute_error|mean_squared_error|root_mean_squared_error|mean_absolute_percentage_error|r2|r2_score)$/i;
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
  const plan = planPreprocessing(files, inputSize, outputSize);
  for (const issue of [plan.inputIssue, plan.targetIssue]) {
    if (issue?.code !== 'preprocessing-unusable') continue;
    const file = issue.path.replace(/\[[^\]]*\]$/, '');
    out.push(
      tableFinding(
        'preprocessing-unusable',
        'error',
        issue.side === 'input' ? 'preprocessing-unusable.input' : 'preprocessing-unusable.target',
        file,
        issue.detail,
      ),
    );
  }
  const numeric = scalers.filter((f) => f.scaler && f.scaler.nFeaturesIn !== null);
  const inputSide = numeric.filter((f) => !TARGET_NAME.test(baseName(f.path)));
  if (!input && inputSide.length) {
    const s = inputSide[0];
    const n = s.scaler!.nFeaturesIn;
    // A scaler fitted on flattened windows (timesteps × features) fits a sequence model too.
    if (n !== inputSize && n !== flatInput) {
      out.push(tableFinding('scaler-input-mismatch', 'error', 'scaler-input-mismatch', s.path, baseName(s.path), String(n), inputSize));
    }
  }
  let targetPath = target?.path ?? null;
  if (target) {
    out.push(tableFinding('target-scaler', 'info', 'target-scaler.named', target.path, baseName(target.path)));
  } else if (input && outputSize !== null && outputSize !== inputSize) {
    // No name says "target", but exactly one other scaler is as wide as the model's output.
    const bySize = numeric.filter(
      (f) => f.path !== input.path && !input.path.startsWith(`${f.path}[`) && canTransform(f.scaler!) && f.scaler!.nFeaturesIn === outputSize,
    );
    if (bySize.length === 1) {
      targetPath = bySize[0].path;
      out.push(tableFinding('target-scaler', 'info', 'target-scaler.by-size', targetPath, baseName(targetPath), outputSize));
    }
  }
  if (!targetPath) {
    // Conservative: only when the input scaler's own name says "x" / "input", implying a y side.
    // and only for regression (a log with error metrics such as mae/mse and no accuracy):
    // classifiers name their feature scaler X_scaler too.
    const named = scalers.find((f) => INPUT_NAME.test(baseName(f.path)));
    if (named && files.some((f) => f.role === 'log' && isRegressionLog(f))) {
      out.push(tableFinding('missing-target-scaler', 'warning', 'missing-target-scaler', named.path, baseName(named.path)));
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
      out.push(tableFinding('stale-artifact', 'warning', 'stale-artifact.log-after-weights', l.path, baseName(l.path), hours(gap)));
    }
  }
  for (const s of scalers) {
    if (typeof s.mtimeMs !== 'number') continue;
    const gap = newestWeights - s.mtimeMs;
    if (gap > SCALER_WEIGHTS_GAP_MS) {
      out.push(tableFinding('stale-artifact', 'warning', 'stale-artifact.scaler-older', s.path, baseName(s.path), days(gap)));
    } else if (-gap > SCALER_WEIGHTS_GAP_MS) {
      out.push(tableFinding('stale-artifact', 'warning', 'stale-artifact.scaler-newer', s.path, baseName(s.path), days(-gap)));
    }
  }
  return out;
}
