// Bundles: which files belong together (by folder, common layouts, name stems, or a
// `model-bundle.json` manifest) and what is wrong with each bundle (findings with stable codes).
// The rules are explained in docs/bundles.md; every finding code has a section there.
import { reconcileWithWeights } from './architecture';
import { baseName, dirName, joinPath } from './fileSource';
import { chooseScalers, TARGET_NAME } from './scalerChoice';
import type { Bundle, FileReport, Finding, Role, Severity } from './types';

/** Name of the optional manifest file that overrides guessing. */
export const MANIFEST_NAME = 'model-bundle.json';

/** A parsed manifest: the role of each file (paths relative to the manifest's folder). */
export interface BundleManifest {
  /** Folder holding the manifest (the bundle's root). */
  root: string;
  name?: string;
  files: { path: string; role: Exclude<Role, 'other'>; sha256?: string }[];
}

type BundleRole = Exclude<Role, 'other'>;
const ROLES: readonly BundleRole[] = ['scaler', 'structure', 'weights', 'model', 'log'];

/** Folder names whose files belong to the bundle of the folder above them (logs beside a model...). */
const LOG_DIRS = new Set(['logs', 'log', 'runs', 'tensorboard', 'tb_logs', 'tb', 'history', 'training_logs']);
const TB_RUN_DIRS = new Set(['train', 'validation', 'val', 'eval', 'test']);
const ARTIFACT_DIRS = new Set([
  'saved',
  'saved_model',
  'saved_models',
  'models',
  'model',
  'checkpoints',
  'weights',
  'scalers',
  'scaler',
  'preprocessing',
  'artifacts',
]);

/** Parses a manifest's JSON; returns null when it is not a manifest. */
export function parseManifest(text: string, manifestPath: string): BundleManifest | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { files?: unknown }).files)) return null;
  const root = dirName(manifestPath);
  const files: BundleManifest['files'] = [];
  for (const f of (doc as { files: unknown[] }).files) {
    const e = f as { path?: unknown; role?: unknown; sha256?: unknown };
    if (typeof e?.path !== 'string' || !ROLES.includes(e.role as BundleRole)) continue;
    if (e.path.startsWith('/') || e.path.split('/').includes('..')) continue; // stays inside the bundle
    files.push({ path: e.path, role: e.role as BundleRole, ...(typeof e.sha256 === 'string' ? { sha256: e.sha256 } : {}) });
  }
  const name = (doc as { name?: unknown }).name;
  return { root, files, ...(typeof name === 'string' ? { name } : {}) };
}

/**
 * The folder a file's bundle is anchored at: its own folder, or the folder above a logs/ or runs/
 * folder (at any depth, TensorBoard `train/` and `validation/` runs included), or above a
 * `models/` / `saved/` folder that sits beside other parts.
 */
export function anchorOf(path: string): string {
  const dir = dirName(path);
  const parts = dir === '.' ? [] : dir.split('/');
  // The outermost logs-like folder wins: logs/2024-01-01/train/events... -> folder above logs/.
  const logAt = parts.findIndex((p) => LOG_DIRS.has(p.toLowerCase()));
  if (logAt >= 0) return parts.slice(0, logAt).join('/') || (dir.startsWith('/') ? '/' : '.');
  let end = parts.length;
  if (end > 0 && TB_RUN_DIRS.has(parts[end - 1].toLowerCase()) && /events\.out\.tfevents/.test(baseName(path))) end--;
  if (end > 0 && ARTIFACT_DIRS.has(parts[end - 1].toLowerCase())) end--;
  if (end === parts.length) return dir;
  return parts.slice(0, end).join('/') || (dir.startsWith('/') ? '/' : '.');
}

/** The stem of a file name: without extensions and weight/structure suffixes (`model_a.weights.h5` → `model_a`). */
export function stemOf(path: string): string {
  let s = baseName(path).toLowerCase();
  s = s.replace(/\.(weights\.h5|h5|hdf5|keras|json|joblib|pkl|pickle|sav|gz|bin|csv|png|jpe?g)$/g, '');
  s = s.replace(/\.(weights|h5)$/, '');
  s = s.replace(/([_.-])(weights|weight|structure|architecture|arch|config|model|scaler|history|log|training_log|loss)$/, '');
  return s;
}

function emptyFiles(): Bundle['files'] {
  return { scaler: [], structure: [], weights: [], model: [], log: [] };
}

function hasModelParts(f: Bundle['files']): boolean {
  return f.model.length + f.structure.length + f.weights.length > 0;
}

/** Options of groupBundles. */
export interface GroupOptions {
  manifests?: BundleManifest[];
}

interface Group {
  root: string;
  files: FileReport[];
  manifest: BundleManifest | null;
}

/** Splits a folder's files into one group per model when several models share the folder. */
function splitByModel(group: Group): Group[] {
  const units = group.files.filter((f) => f.role === 'model' || (f.role === 'structure' && f.format !== 'tfjs-shard'));
  const structureless = group.files.filter((f) => f.role === 'weights' && f.format !== 'tfjs-shard');
  const stems = new Set(units.map((u) => stemOf(u.path)));
  for (const w of structureless) if (!units.some((u) => stemOf(u.path) === stemOf(w.path))) stems.add(stemOf(w.path));
  if (stems.size <= 1) return [group];
  const sorted = [...stems].sort((a, b) => b.length - a.length);
  const byStem = new Map<string, FileReport[]>(sorted.map((s) => [s, []]));
  const shared: FileReport[] = [];
  for (const f of group.files) {
    const name = baseName(f.path).toLowerCase();
    const stem = stemOf(f.path);
    const own = byStem.has(stem) ? stem : sorted.find((s) => s.length > 0 && name.includes(s));
    if (own !== undefined && (f.role !== 'weights' || f.format !== 'tfjs-shard')) byStem.get(own)!.push(f);
    else if (f.format === 'tfjs-shard') {
      const owner = group.files.find((m) => m.shards?.some((s) => s.path === f.path));
      const ownerStem = owner ? stemOf(owner.path) : undefined;
      if (ownerStem && byStem.has(ownerStem)) byStem.get(ownerStem)!.push(f);
      else shared.push(f);
    } else shared.push(f);
  }
  return sorted
    .filter((s) => byStem.get(s)!.length > 0)
    .map((s) => ({ root: joinPath(group.root, s), files: [...byStem.get(s)!, ...shared], manifest: null }));
}

/**
 * Groups files into bundles: manifests first (their files belong to them and nowhere else), then
 * by anchor folder, then split by model stem when a folder holds several models. Files of role
 * `other` are never bundled; a group without a model, structure, weights or scaler is not a bundle.
 */
export function groupFiles(reports: FileReport[], opts: GroupOptions = {}): Group[] {
  const byPath = new Map(reports.map((r) => [r.path, r]));
  const claimed = new Set<string>();
  const groups: Group[] = [];
  for (const m of opts.manifests ?? []) {
    const files: FileReport[] = [];
    for (const e of m.files) {
      const p = joinPath(m.root, e.path);
      claimed.add(p);
      const r = byPath.get(p);
      files.push(r ? { ...r, role: e.role } : { path: p, role: e.role, format: 'unknown', error: { code: 'not-found', message: `${p}: listed in ${joinPath(m.root, MANIFEST_NAME)} but missing` } });
    }
    groups.push({ root: m.root, files, manifest: m });
  }
  const byAnchor = new Map<string, FileReport[]>();
  for (const r of reports) {
    if (r.role === 'other' || claimed.has(r.path)) continue;
    const a = anchorOf(r.path);
    if (!byAnchor.has(a)) byAnchor.set(a, []);
    byAnchor.get(a)!.push(r);
  }
  // A folder holding only logs (TensorBoard's `Graph/`, a timestamped run folder) joins the nearest
  // folder above it (up to three levels) that holds model parts or a scaler.
  const hasParts = (files: FileReport[]) => files.some((f) => f.role !== 'log');
  for (const [anchor, files] of [...byAnchor]) {
    if (hasParts(files)) continue;
    let up = anchor;
    for (let i = 0; i < 3 && up !== '.' && up !== '/'; i++) {
      up = dirName(up);
      const target = byAnchor.get(up);
      if (target && hasParts(target)) {
        target.push(...files);
        byAnchor.delete(anchor);
        break;
      }
    }
  }
  for (const [root, files] of [...byAnchor].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (const g of splitByModel({ root, files, manifest: null })) {
      if (g.files.some((f) => f.role === 'model' || f.role === 'structure' || f.role === 'weights' || f.role === 'scaler')) groups.push(g);
    }
  }
  return groups;
}

function finding(code: string, severity: Severity, message: string, path: string | null): Finding {
  return { code, severity, message, path };
}

function inputRank(r: FileReport | undefined): number | null {
  const s = r?.model?.inputShapes?.[0];
  return s ? s.length : null;
}

function lastDim(shapes: (number | null)[][] | undefined): number | null {
  const s = shapes?.[0];
  return s && s.length === 2 ? s[1] : null;
}

const HOUR = 3600 * 1000;

/** The findings of one bundle (cross-file checks). */
export function validateBundle(files: FileReport[], root: string): Finding[] {
  const out: Finding[] = [];
  const of = (role: BundleRole) => files.filter((f) => f.role === role);
  const models = of('model');
  const structures = of('structure');
  const weights = of('weights').filter((f) => f.format !== 'tfjs-shard');
  const scalers = of('scaler');
  const logs = of('log');
  const main = models[0] ?? structures[0] ?? weights[0] ?? scalers[0] ?? null;
  const mainPath = main?.path ?? null;
  const modelReport = models.find((m) => m.model) ?? structures.find((s) => s.model);

  for (const f of files) {
    if (!f.error) continue;
    if (f.error.code === 'tfjs-shard-missing' || f.error.code === 'tfjs-shard-size') {
      out.push(finding(f.error.code, 'error', `${f.error.message}. The model cannot be loaded until every weight shard is there with its full size: copy the shards listed in its weightsManifest from where the model was converted.`, f.path));
    } else if (f.error.code === 'unsafe-pickle') {
      out.push(finding('unsafe-pickle', 'error', `${f.error.message}. Loading this file in Python would run that code: do not load it; recreate the scaler from trusted code.`, f.path));
    } else if (f.error.code === 'unsupported-pickle') {
      out.push(finding('unsupported-pickle', 'warning', `${f.error.message}. Nothing was loaded: this tool reads only known scikit-learn preprocessing classes.`, f.path));
    } else {
      out.push(finding('unreadable-file', 'error', `${f.error.message}. The bundle cannot be used as long as this file cannot be read; re-save it from the training code.`, f.path));
    }
  }

  const hasModel = models.length > 0 || (structures.length > 0 && weights.length > 0);
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
    const m = modelReport?.model;
    const first = m?.layers?.find((l) => l.className !== 'InputLayer')?.className ?? '';
    const width = lastDim(m?.inputShapes);
    const scalarInputs =
      inputRank(modelReport) === 2 && m?.inputShapes.length === 1 && width !== null && width <= 256 && !/Embedding|Rescaling|Normalization/.test(first);
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

  // Structure JSON + separate weights: layer names, order and shapes must agree.
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

  // Scaler size vs the model's input size.
  const inputSize = lastDim(modelReport?.model?.inputShapes);
  const outputSize = lastDim(modelReport?.model?.outputShapes);
  if (modelReport && inputSize !== null) {
    const { input, target } = chooseScalers(files, inputSize, outputSize);
    const numeric = scalers.filter((f) => f.scaler && f.scaler.nFeaturesIn !== null);
    const inputSide = numeric.filter((f) => !TARGET_NAME.test(baseName(f.path)));
    if (!input && inputSide.length) {
      const s = inputSide[0];
      if (s.scaler!.nFeaturesIn !== inputSize) {
        out.push(finding('scaler-input-mismatch', 'error', `${baseName(s.path)} was fitted on ${s.scaler!.nFeaturesIn} features but the model takes ${inputSize}: this scaler belongs to another model or another feature set. Save the scaler fitted on this model's training features.`, s.path));
      }
    }
    if (target) {
      out.push(finding('target-scaler', 'info', `${baseName(target.path)} scales the model's targets: predictions are mapped back to target units with its inverse_transform.`, target.path));
    }
  }

  for (const m of [...models, ...structures]) {
    const py = m.model?.pythonOnlyLayers ?? [];
    if (py.length) {
      out.push(finding('lambda-layer', 'warning', `The model has layers that hold Python code (${py.join(', ')}): it cannot run outside Python (TensorFlow.js, other runtimes), and loading it runs that code. Replace them with built-in layers or a registered custom layer.`, m.path));
    }
    if (m.format !== 'tfjs-layers' && m.model?.kerasVersion?.startsWith('3.')) {
      out.push(finding('keras3-tfjs', 'info', `Saved by Keras ${m.model.kerasVersion}: TensorFlow.js cannot load Keras 3 configs as saved (batch_shape, __keras_tensor__ nodes). This tool converts them; for a web deployment convert with a tfjs converter that supports Keras 3.`, m.path));
    }
  }

  // File times: a log written long after the weights means the weights are from an older run.
  const weightTimes = [...models, ...weights].map((f) => f.mtimeMs).filter((t): t is number => typeof t === 'number');
  const newestWeights = weightTimes.length ? Math.max(...weightTimes) : null;
  if (newestWeights !== null) {
    for (const l of logs) {
      if (l.format === 'image' || typeof l.mtimeMs !== 'number') continue;
      if (l.mtimeMs - newestWeights > HOUR) {
        out.push(finding('stale-artifact', 'warning', `${baseName(l.path)} was written ${Math.round((l.mtimeMs - newestWeights) / HOUR)} h after the newest weights: the weights may come from an older training run than this log. Save the model at the end of the run that wrote the log.`, l.path));
      }
    }
    for (const s of scalers) {
      if (typeof s.mtimeMs !== 'number') continue;
      if (newestWeights - s.mtimeMs > 24 * HOUR) {
        out.push(finding('stale-artifact', 'warning', `${baseName(s.path)} is ${Math.round((newestWeights - s.mtimeMs) / (24 * HOUR))} day(s) older than the model's weights: it may have been fitted for an earlier run on other data. Save the scaler in the same run as the model.`, s.path));
      }
    }
  }
  void root;
  return out;
}

/** Groups and validates: the bundles of a report. */
export function buildBundles(reports: FileReport[], opts: GroupOptions = {}): Bundle[] {
  return groupFiles(reports, opts).map((g) => {
    const files = emptyFiles();
    for (const f of g.files) if (f.role !== 'other') files[f.role].push(f.path);
    const complete = files.scaler.length > 0 && (files.model.length > 0 || (files.structure.length > 0 && files.weights.length > 0)) && files.log.length > 0;
    return { root: g.root, files, complete, findings: validateBundle(g.files, g.root) };
  });
}

/** CI exit code of `check`: 1 when a finding is an error (with `strict`, also a warning), else 0. */
export function checkExitCode(bundles: Bundle[], strict: boolean): 0 | 1 {
  return bundles.some((b) => b.findings.some((f) => f.severity === 'error' || (strict && f.severity === 'warning'))) ? 1 : 0;
}

/** Builds the manifest text of a bundle; `hash` gives each file's SHA-256 (hex) when wanted. */
export async function buildManifest(bundle: Bundle, hash?: (path: string) => Promise<string>): Promise<string> {
  const all = ROLES.flatMap((r) => bundle.files[r]);
  // A folder with several models gives bundles rooted at `folder/stem`: paths stay relative to the folder.
  const root = all.every((p) => p.startsWith(`${bundle.root}/`)) ? bundle.root : dirName(bundle.root);
  const files: { path: string; role: BundleRole; sha256?: string }[] = [];
  for (const role of ROLES) {
    for (const p of bundle.files[role]) {
      const rel = p.startsWith(`${root}/`) ? p.slice(root.length + 1) : p;
      files.push({ path: rel, role, ...(hash ? { sha256: await hash(p) } : {}) });
    }
  }
  return `${JSON.stringify({ $schema: 'model-bundle/v1', name: baseName(root), files }, null, 2)}\n`;
}

/** Whether a bundle has a model part (for callers that only care about model bundles). */
export function isModelBundle(b: Bundle): boolean {
  return hasModelParts(b.files);
}
