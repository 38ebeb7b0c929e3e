// Bundles: which files belong together (by folder, common layouts, name stems, or a
// `model-bundle.json` manifest), and the bundles with their findings (checks in ./findings).
// The rules are explained in docs/bundles.md; every finding code has a section there.
// Size: one module because grouping rules (folders, layouts, stems, checkpoints, manifests) decide
// together which file lands where; split by rule they would have to pass half-built groups around.
import { baseName, dirName, joinPath, type FileSource } from '../io/fileSource';
import { templated } from '../io/messageTemplate';
import { BUNDLE_FINDING_MESSAGES } from './findingMessages';
import { isTorchFile, isUnreadModel, stemOf, validateBundle } from './findings';
import type { Bundle, FileReport, Finding, Role } from '../types';

export { isUnreadModel, stemOf, validateBundle } from './findings';

/** The file that marks a TensorFlow SavedModel folder. */
const SAVED_MODEL_FILE = 'saved_model.pb';

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
  'checkpoint',
  'ckpt',
  'ckpts',
  'weights',
  'scalers',
  'scaler',
  'preprocessing',
  'artifacts',
]);

/** A folder holding one checkpoint (`epoch_05/`, `checkpoint-500/`, `ckpt-3/`): its number is the epoch or step. */
const STEP_FOLDER = /^(?:epochs?|ep|steps?|global_step|iter|iteration|ckpt|checkpoint|cp)[_.-]?(\d+)$/i;

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
  // A TensorFlow SavedModel is a folder (saved_model.pb, variables/...): it sits in its bundle like
  // a file, so it anchors where its folder would (groupFiles keeps it in its own folder when that
  // folder holds other parts).
  if (baseName(path) === SAVED_MODEL_FILE) return anchorOf(dirName(path));
  const dir = dirName(path);
  const parts = dir === '.' ? [] : dir.split('/');
  // The outermost logs-like folder wins: logs/2024-01-01/train/events... -> folder above logs/.
  const logAt = parts.findIndex((p) => LOG_DIRS.has(p.toLowerCase()));
  if (logAt >= 0) return parts.slice(0, logAt).join('/') || (dir.startsWith('/') ? '/' : '.');
  let end = parts.length;
  if (end > 0 && TB_RUN_DIRS.has(parts[end - 1].toLowerCase()) && /events\.out\.tfevents/.test(baseName(path))) end--;
  if (end > 0 && STEP_FOLDER.test(parts[end - 1])) end--;
  if (end > 0 && ARTIFACT_DIRS.has(parts[end - 1].toLowerCase())) end--;
  if (end === parts.length) return dir;
  return parts.slice(0, end).join('/') || (dir.startsWith('/') ? '/' : '.');
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

/** Files grouped into one bundle, before validation. */
export interface Group {
  root: string;
  files: FileReport[];
  manifest: BundleManifest | null;
  /** Paths among `files` that are earlier checkpoints of the bundle's model (oldest epoch first). */
  checkpoints?: string[];
}

/** Folder names whose model files are checkpoints of the model beside (or above) them. */
const CHECKPOINT_DIRS = new Set(['checkpoints', 'checkpoint', 'ckpt', 'ckpts']);
/** Words that make the number after them an epoch or a step (`epoch05`, `step_1000`, `ckpt_010`). */
const STEP_WORD = 'epochs?|ep|e|steps?|global_step|iters?|iteration|it|ckpt|checkpoint|cp';
const STEP_RE = new RegExp(`^(?:${STEP_WORD})$`);
/** Metric names before a number (`val_loss_0.0312`, `acc-0.97`): dropped from the series name with it. */
const METRIC_WORD = '(?:val_|valid_|validation_|train_|test_)?(?:loss|acc|accuracy|mae|mse|rmse|mape|auc|f1|score|metric|r2)';
/** A number standing between separators, or after a step or metric word (`.01`, `-0.40`, `_epoch_12`). */
const NUMBER_TOKEN = new RegExp(`(?<=^|[_.\\- ])(?:(${STEP_WORD}|${METRIC_WORD})[_.\\-=]?)?(\\d+(?:\\.\\d+)?(?:e[-+]?\\d+)?)(?=$|[_.\\- ])`, 'g');
/** Words whose number names a different model, not a checkpoint (`fold_3`, `seed_42`). */
const IDENTITY_WORD = /(?:^|[_.\- ])(?:fold|seed|cv|split|member|ensemble|trial|run|k)[_.-]?$/;
const VARIANT = /(?<=^|[_.\- ])(final|best|last|latest)(?=$|[_.\- ])/g;

/** What a file name says about its place in a checkpoint series. */
export interface CheckpointName {
  /** The stem without its epoch, step and metric numbers and without best/last/final (`model_epoch_12` → `model`). */
  key: string;
  /** The epoch or step the name gives (after a step word, else the first bare number), or null. */
  step: number | null;
  /** A `final`, `best` or `last` (`latest`) variant. */
  variant: 'final' | 'best' | 'last' | null;
  /** Whether the name says it is a checkpoint: a step or metric word before a number, a variant, or two numbers. */
  worded: boolean;
}

/**
 * Reads a model file's name as a possible checkpoint: null when its stem has no series number
 * (standing between `_ - .` separators or after a step/metric word: `vgg16` has none) and no
 * best/last/final word.
 */
export function checkpointName(path: string): CheckpointName | null {
  const stem = stemOf(path);
  let key = '';
  let at = 0;
  let stepped: number | null = null;
  let bare: number | null = null;
  let found = 0;
  let worded = false;
  for (const m of stem.matchAll(NUMBER_TOKEN)) {
    const word = m[1];
    if (!word && IDENTITY_WORD.test(stem.slice(0, m.index))) continue;
    found++;
    key += stem.slice(at, m.index);
    at = m.index + m[0].length;
    const value = Number(m[2]);
    if (word) worded = true;
    if (word && STEP_RE.test(word)) stepped ??= value;
    else if (!word) bare ??= value;
  }
  key += stem.slice(at);
  let variant: CheckpointName['variant'] = null;
  key = key.replace(VARIANT, (v) => {
    variant ??= v === 'latest' ? 'last' : (v as 'final' | 'best' | 'last');
    return '';
  });
  if (!found && variant === null) return null;
  key = key.replace(/[_.\- ]+/g, '_').replace(/^_|_$/g, '');
  // Two numbers (`weights.07-0.40`: epoch and metric) are a ModelCheckpoint pattern too.
  return { key, step: stepped ?? bare, variant, worded: worded || variant !== null || found > 1 };
}

/** A unit of a folder (one stem) as a possible member of a checkpoint series. */
interface SeriesUnit {
  stem: string;
  name: CheckpointName | null;
  /** Model-part files of the stem (model, structure, weights but not tfjs shards). */
  files: FileReport[];
  params: number | null;
  mtime: number;
  inCheckpointDir: boolean;
}

/** The main model of a series first: final, best, highest epoch/step, last, newest, then by name. */
function preferMain(a: SeriesUnit, b: SeriesUnit): number {
  const rank = (u: SeriesUnit): number[] => [
    u.name?.variant === 'final' ? 2 : u.name?.variant === 'best' ? 1 : 0,
    u.name?.step ?? -Infinity,
    u.name?.variant === 'last' ? 1 : 0,
    u.mtime,
  ];
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return rb[i] - ra[i];
  return a.stem < b.stem ? 1 : a.stem > b.stem ? -1 : 0;
}

/** Checkpoint order: by epoch/step, then the ones no number orders by file time, then by name. */
function byEpoch(a: SeriesUnit, b: SeriesUnit): number {
  const sa = a.name?.step ?? null;
  const sb = b.name?.step ?? null;
  if (sa !== null && sb !== null && sa !== sb) return sa - sb;
  if ((sa === null) !== (sb === null)) return sa === null ? 1 : -1;
  if (a.mtime !== b.mtime) return a.mtime - b.mtime;
  return a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0;
}

const isModelPart = (f: FileReport): boolean => (f.role === 'model' || f.role === 'structure' || f.role === 'weights') && f.format !== 'tfjs-shard';

/** Two units hold different networks when both parameter counts are known and differ. */
function sameNetwork(a: SeriesUnit, b: SeriesUnit): boolean {
  return a.params === null || b.params === null || a.params === b.params;
}

/** Checkpoint series of a folder: which stems are checkpoints of which owner stem, and their paths. */
interface SeriesSplit {
  /** Member stem → the stem of the bundle it belongs to. */
  memberOf: Map<string, string>;
  /** Owner stem → checkpoint paths, oldest epoch first. */
  checkpoints: Map<string, string[]>;
}

/**
 * Finds checkpoint series among a folder's model stems. A stem is a member when its name has a
 * series number or a best/last/final word and either a word says so (epoch, step, ckpt, a metric),
 * it sits in a `checkpoints/` folder, another stem has the same series name, or its series name is
 * another model's stem; a stem whose files all sit in checkpoint folders is a member too. Members join the model whose stem is their series name, else the only
 * other model of the folder; without one they form their own bundle whose main model is the
 * preferred member (final, best, highest epoch/step, last, newest). A member whose parameter count
 * differs from its owner's is another network and stays on its own.
 */
function findSeries(group: Group, stems: Set<string>): SeriesSplit {
  const memberOf = new Map<string, string>();
  const checkpoints = new Map<string, string[]>();
  const units = new Map<string, SeriesUnit>();
  const partsByStem = new Map<string, FileReport[]>();
  // Stems with a scaler or log of their own (model_1.h5 + model_1_scaler.pkl) are separate models, not checkpoints.
  const withCompanions = new Set<string>();
  for (const f of group.files) {
    const stem = stemOf(f.path);
    if (!stems.has(stem)) continue;
    if (f.role === 'scaler' || f.role === 'log') withCompanions.add(stem);
    if (!isModelPart(f)) continue;
    if (!partsByStem.has(stem)) partsByStem.set(stem, []);
    partsByStem.get(stem)!.push(f);
  }
  for (const stem of stems) {
    const files = partsByStem.get(stem) ?? [];
    const known = files.map((f) => f.model?.totalParams ?? f.weights?.totalParams).find((p) => typeof p === 'number');
    const places = files.map((f) => checkpointPlace(f.path));
    // A model whose files all sit in checkpoint folders is a checkpoint whatever its name (checkpoints/weights.h5).
    const inFolders = places.length > 0 && places.every((p) => p !== null);
    const steps = places.map((p) => p?.step).filter((x): x is number => typeof x === 'number');
    const fromFolder: CheckpointName | null = inFolders ? { key: stem, step: steps.length ? Math.max(...steps) : null, variant: null, worded: true } : null;
    units.set(stem, {
      stem,
      name: files.length ? (checkpointName(files[0].path) ?? fromFolder) : null,
      files,
      params: known ?? null,
      mtime: Math.max(0, ...files.map((f) => f.mtimeMs ?? 0)),
      inCheckpointDir: files.some((f) => checkpointPlace(f.path) !== null),
    });
  }
  const keyCount = new Map<string, number>();
  for (const u of units.values()) if (u.name) keyCount.set(u.name.key, (keyCount.get(u.name.key) ?? 0) + 1);
  const isCandidate = (u: SeriesUnit): boolean =>
    u.name !== null &&
    !withCompanions.has(u.stem) &&
    (u.name.worded || u.inCheckpointDir || (keyCount.get(u.name.key) ?? 0) > 1 || (stems.has(u.name.key) && u.name.key !== u.stem));
  const candidates = [...units.values()].filter(isCandidate);
  const plain = new Map([...units.values()].filter((u) => !isCandidate(u)).map((u) => [u.stem, u]));
  const only = plain.size === 1 ? [...plain.values()][0] : undefined;
  const attached = new Map<string, SeriesUnit[]>();
  const orphans = new Map<string, SeriesUnit[]>();
  const add = (m: Map<string, SeriesUnit[]>, k: string, u: SeriesUnit) => (m.has(k) ? m.get(k)!.push(u) : m.set(k, [u]));
  for (const c of candidates) {
    const owner = plain.get(c.name!.key) ?? only;
    if (owner) {
      if (sameNetwork(c, owner)) add(attached, owner.stem, c);
    } else add(orphans, c.name!.key, c);
  }
  const record = (owner: string, members: SeriesUnit[]) => {
    for (const m of members) memberOf.set(m.stem, owner);
    const paths = [...members].sort(byEpoch).flatMap((m) => [...m.files].sort(byFolderStep).map((f) => f.path));
    if (paths.length) checkpoints.set(owner, paths);
  };
  for (const [ownerStem, members] of attached) {
    const owner = units.get(ownerStem)!;
    // A structure alone (model.json) takes the preferred checkpoint as its weights.
    const needsWeights = !owner.files.some((f) => f.role === 'model' || f.role === 'weights');
    if (needsWeights && members.some((m) => m.files.some((f) => f.role === 'weights'))) {
      const withWeights = members.filter((m) => m.files.some((f) => f.role === 'weights')).sort(preferMain);
      memberOf.set(withWeights[0].stem, ownerStem);
      record(
        ownerStem,
        members.filter((m) => m !== withWeights[0]),
      );
    } else record(ownerStem, members);
  }
  for (const members of orphans.values()) {
    if (members.length < 2) continue;
    const [main, ...rest] = [...members].sort(preferMain);
    record(
      main.stem,
      rest.filter((m) => sameNetwork(m, main)),
    );
  }
  // Same name in checkpoint folders: checkpoints/model.h5 or epoch_05/model.h5 beside model.h5 are
  // checkpoints of it; with no model outside them, the highest epoch/step folder holds the main model.
  for (const u of units.values()) {
    if (memberOf.has(u.stem)) continue;
    const inside = u.files.filter((f) => checkpointPlace(f.path) !== null);
    if (!inside.length) continue;
    const outside = u.files.filter((f) => checkpointPlace(f.path) === null);
    const times = new Map<string, number>();
    for (const f of inside) times.set(dirName(f.path), Math.max(times.get(dirName(f.path)) ?? 0, f.mtimeMs ?? 0));
    let earlier: FileReport[];
    if (outside.length) earlier = inside.filter((f) => outside.some((o) => o.role === f.role));
    else {
      const folders = [...new Set(inside.map((f) => dirName(f.path)))];
      if (folders.length < 2) continue;
      const mainFolder = folders.sort((a, b) => byPlace(times, b, a))[0];
      earlier = inside.filter((f) => dirName(f.path) !== mainFolder);
    }
    const paths = earlier.sort((a, b) => byPlace(times, dirName(a.path), dirName(b.path)) || (a.path < b.path ? -1 : 1)).map((f) => f.path);
    if (paths.length) checkpoints.set(u.stem, [...(checkpoints.get(u.stem) ?? []), ...paths]);
  }
  return { memberOf, checkpoints };
}

/** Files of one name in several checkpoint folders: by the folder's epoch/step, then time, then path. */
function byFolderStep(a: FileReport, b: FileReport): number {
  const sa = checkpointPlace(a.path)?.step ?? -1;
  const sb = checkpointPlace(b.path)?.step ?? -1;
  return sa - sb || (a.mtimeMs ?? 0) - (b.mtimeMs ?? 0) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/** Where a file sits among checkpoint folders: null outside them, else the epoch/step its folder names. */
function checkpointPlace(path: string): { step: number | null } | null {
  const dir = dirName(path);
  const last = baseName(dir);
  const step = STEP_FOLDER.exec(last);
  if (step) return { step: Number(step[1]) };
  return CHECKPOINT_DIRS.has(last.toLowerCase()) ? { step: null } : null;
}

/** Orders two checkpoint folders: by the epoch/step they name (none first), then by their files' newest time. */
function byPlace(times: Map<string, number>, a: string, b: string): number {
  if (a === b) return 0;
  const sa = checkpointPlace(`${a}/x`)?.step ?? null;
  const sb = checkpointPlace(`${b}/x`)?.step ?? null;
  if (sa !== sb) return sa === null ? -1 : sb === null ? 1 : sa - sb;
  return (times.get(a) ?? 0) - (times.get(b) ?? 0) || (a < b ? -1 : 1);
}

/** Splits a folder's files into one group per model when several models share the folder. */
function splitByModel(group: Group): Group[] {
  const units = group.files.filter((f) => f.role === 'model' || (f.role === 'structure' && f.format !== 'tfjs-shard'));
  const structureless = group.files.filter((f) => f.role === 'weights' && f.format !== 'tfjs-shard');
  const stems = new Set(units.map((u) => stemOf(u.path)));
  for (const w of structureless) if (!units.some((u) => stemOf(u.path) === stemOf(w.path))) stems.add(stemOf(w.path));
  // One model and no checkpoints/ folder: nothing to split or collapse.
  if (stems.size === 0 || (stems.size === 1 && !group.files.some((f) => checkpointPlace(f.path) !== null))) return [group];
  // Checkpoint series (model.h5 + checkpoints/weights.01-0.40.hdf5...) collapse into one bundle.
  const { memberOf, checkpoints } = findSeries(group, stems);
  for (const m of memberOf.keys()) stems.delete(m);
  const withCheckpoints = (g: Group, stem: string): Group => (checkpoints.has(stem) ? { ...g, checkpoints: checkpoints.get(stem) } : g);
  if (stems.size <= 1) return [withCheckpoints(group, [...stems][0] ?? '')];
  const sorted = [...stems].sort((a, b) => b.length - a.length);
  const byStem = new Map<string, FileReport[]>(sorted.map((s) => [s, []]));
  const shared: FileReport[] = [];
  for (const f of group.files) {
    const name = baseName(f.path).toLowerCase();
    const stem = memberOf.get(stemOf(f.path)) ?? stemOf(f.path);
    const own = byStem.has(stem) ? stem : sorted.find((s) => s.length > 0 && name.includes(s));
    if (own !== undefined && (f.role !== 'weights' || f.format !== 'tfjs-shard')) byStem.get(own)!.push(f);
    else if (f.format === 'tfjs-shard') {
      const owner = group.files.find((m) => m.shards?.some((s) => s.path === f.path));
      const ownerStem = owner ? (memberOf.get(stemOf(owner.path)) ?? stemOf(owner.path)) : undefined;
      if (ownerStem && byStem.has(ownerStem)) byStem.get(ownerStem)!.push(f);
      else shared.push(f);
    } else shared.push(f);
  }
  return sorted
    .filter((s) => byStem.get(s)!.length > 0)
    .map((s) => withCheckpoints({ root: joinPath(group.root, s), files: [...byStem.get(s)!, ...shared], manifest: null }, s));
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
      files.push(
        r
          ? { ...r, role: e.role }
          : {
              path: p,
              role: e.role,
              format: 'unknown',
              error: { code: 'not-found', message: `${p}: listed in ${joinPath(m.root, MANIFEST_NAME)} but missing` },
            },
      );
    }
    groups.push({ root: m.root, files, manifest: m });
  }
  const byAnchor = new Map<string, FileReport[]>();
  const manifestRoots = new Set((opts.manifests ?? []).map((m) => m.root));
  // A SavedModel folder that also holds other parts (saved beside model.h5 in one folder) stays there.
  const partDirs = new Map<string, number>();
  for (const r of reports) if (r.role !== 'other') partDirs.set(dirName(r.path), (partDirs.get(dirName(r.path)) ?? 0) + 1);
  const anchorFor = (path: string): string => (baseName(path) === SAVED_MODEL_FILE && (partDirs.get(dirName(path)) ?? 0) > 1 ? dirName(path) : anchorOf(path));
  for (const r of reports) {
    if (r.role === 'other' || claimed.has(r.path)) continue;
    const a = anchorFor(r.path);
    // A manifest's folder holds only what it lists: files it leaves out are left out on purpose.
    if (manifestRoots.has(a)) continue;
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
      // Models of other frameworks alone are no bundle (a PyTorch repository is not a broken Keras one):
      // PyTorch / safetensors files make one with a scaler beside them.
      if (
        g.files.some(
          (f) =>
            (f.role === 'model' && !isUnreadModel(f) && !isTorchFile(f)) ||
            f.role === 'structure' ||
            (f.role === 'weights' && !isTorchFile(f)) ||
            f.role === 'scaler',
        )
      )
        groups.push(g);
    }
  }
  return groups;
}

/** A group's own files (earlier checkpoints apart) and its file lists by role. */
function partsOf(g: Group): { own: FileReport[]; files: Bundle['files']; checkpoints: string[] } {
  const files = emptyFiles();
  // Earlier checkpoints are listed apart and get no findings: the bundle is checked against its main model.
  const earlier = new Set(g.checkpoints ?? []);
  const own = earlier.size ? g.files.filter((f) => !earlier.has(f.path)) : g.files;
  for (const f of own) if (f.role !== 'other') files[f.role].push(f.path);
  return { own, files, checkpoints: [...earlier] };
}

/**
 * A group whose files are not all read yet (the quick phase of a workspace scan): its parts by the
 * roles first bytes suggest, no findings, not complete.
 */
export function pendingBundle(g: Group): Bundle {
  const { files, checkpoints } = partsOf(g);
  return { root: g.root, files, complete: false, findings: [], ...(checkpoints.length ? { checkpoints } : {}) };
}

/** Validates one group: the bundle with its file lists, completeness and findings. */
export function toBundle(g: Group): Bundle {
  const { own, files, checkpoints } = partsOf(g);
  const findings = validateBundle(own, g.root);
  // A target scaler alone (y_scaler) does not count: the inputs still have no scaler.
  const hasInputScaler = files.scaler.length > 0 && !findings.some((f) => f.code === 'missing-scaler');
  const torch = own.some(isTorchFile);
  const hasLog = files.log.length > 0 || (torch && own.some((f) => isTorchFile(f) && f.log));
  const complete = hasInputScaler && (files.model.length > 0 || (files.structure.length > 0 && files.weights.length > 0) || torch) && hasLog;
  const sideFiles = own
    .filter((f) => f.role === 'scaler' && f.sideFiles?.length)
    .map((f) => ({ scaler: f.path, files: f.sideFiles!.map((s) => s.path), missing: f.sideFiles!.filter((s) => !s.present).map((s) => s.path) }));
  return { root: g.root, files, complete, findings, ...(checkpoints.length ? { checkpoints } : {}), ...(sideFiles.length ? { sideFiles } : {}) };
}

/** Groups and validates: the bundles of a report. */
export function buildBundles(reports: FileReport[], opts: GroupOptions = {}): Bundle[] {
  return markRecovered(
    groupFiles(reports, opts).map(toBundle),
    reports.map((r) => r.path),
  );
}

/**
 * Marks scalers that `model-bundles recover-scaler` rebuilt: a scaler file with a sibling
 * `<name>.recovery.json` among `paths` gets a `recovered-scaler` info finding (new Bundle objects).
 */
export function markRecovered(bundles: Bundle[], paths: Iterable<string>): Bundle[] {
  const records = new Set<string>();
  for (const p of paths) if (p.endsWith('.recovery.json')) records.add(p.slice(0, -'.recovery.json'.length));
  if (!records.size) return bundles;
  return bundles.map((b) => {
    const rec = b.files.scaler.filter((s) => records.has(s.replace(/\.[^./]+$/, '')));
    if (!rec.length) return b;
    const found = rec.map((s) => ({
      code: 'recovered-scaler',
      severity: 'info' as const,
      ...templated(BUNDLE_FINDING_MESSAGES['recovered-scaler'], baseName(s), baseName(s).replace(/\.[^.]+$/, '')),
      path: s,
    }));
    return { ...b, findings: [...b.findings, ...found] };
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

/** SHA-256 (hex) of some bytes, with the Web Crypto API (Node ≥ 18, browsers, VS Code web). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Checks the SHA-256 a manifest records for its files (reads each listed file whole: for `check`
 * or an explicit command, not for every scan). One `manifest-hash-mismatch` error per file whose
 * bytes changed since the manifest was written.
 */
export async function verifyManifestHashes(manifest: BundleManifest, source: FileSource): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const f of manifest.files) {
    if (!f.sha256) continue;
    const path = joinPath(manifest.root, f.path);
    let actual: string;
    try {
      actual = await sha256Hex(await source.readFile(path));
    } catch {
      continue; // a missing or unreadable file has its own finding
    }
    if (actual !== f.sha256.toLowerCase()) {
      out.push({
        code: 'manifest-hash-mismatch',
        severity: 'error',
        ...templated(BUNDLE_FINDING_MESSAGES['manifest-hash-mismatch'], f.path, MANIFEST_NAME, actual.slice(0, 12), f.sha256.slice(0, 12)),
        path,
      });
    }
  }
  return out;
}
