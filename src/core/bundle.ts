// Bundles: which files belong together (by folder, common layouts, name stems, or a
// `model-bundle.json` manifest), and the bundles with their findings (checks in ./findings).
// The rules are explained in docs/bundles.md; every finding code has a section there.
import { baseName, dirName, joinPath, type FileSource } from './fileSource';
import { stemOf, validateBundle } from './findings';
import type { Bundle, FileReport, Finding, Role } from './types';

export { stemOf, validateBundle } from './findings';

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
  const manifestRoots = new Set((opts.manifests ?? []).map((m) => m.root));
  for (const r of reports) {
    if (r.role === 'other' || claimed.has(r.path)) continue;
    const a = anchorOf(r.path);
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
      if (g.files.some((f) => f.role === 'model' || f.role === 'structure' || f.role === 'weights' || f.role === 'scaler')) groups.push(g);
    }
  }
  return groups;
}

/** Validates one group: the bundle with its file lists, completeness and findings. */
export function toBundle(g: Group): Bundle {
  const files = emptyFiles();
  for (const f of g.files) if (f.role !== 'other') files[f.role].push(f.path);
  const findings = validateBundle(g.files, g.root);
  // A target scaler alone (y_scaler) does not count: the inputs still have no scaler.
  const hasInputScaler = files.scaler.length > 0 && !findings.some((f) => f.code === 'missing-scaler');
  const complete = hasInputScaler && (files.model.length > 0 || (files.structure.length > 0 && files.weights.length > 0)) && files.log.length > 0;
  return { root: g.root, files, complete, findings };
}

/** Groups and validates: the bundles of a report. */
export function buildBundles(reports: FileReport[], opts: GroupOptions = {}): Bundle[] {
  return groupFiles(reports, opts).map(toBundle);
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
        message: `${f.path} is not the file ${MANIFEST_NAME} recorded (its SHA-256 is ${actual.slice(0, 12)}…, the manifest says ${f.sha256.slice(0, 12)}…): it was replaced or modified after the bundle was written, so the bundle may mix parts of different runs. Restore the original file, or re-write the manifest if the change is intended.`,
        path,
      });
    }
  }
  return out;
}
