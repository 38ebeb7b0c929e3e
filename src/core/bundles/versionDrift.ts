// Version drift: the library versions recorded inside a bundle's artifacts (scikit-learn's
// `_sklearn_version` in pickles, `keras_version` in Keras files, the TensorFlow.js converter's
// version, a Lightning checkpoint's version) against the pins of the workspace (./pins).
// Findings `version-drift` (warning) and `unpinned-dependency` (info); docs/bundles.md.
import { baseName, dirName, joinPath, type FileSource } from '../io/fileSource';
import { isPinFile, readPins, type Pin, type PinFileError } from './pins';
import type { Bundle, FileReport, Finding, Scaler } from '../types';
import { templated } from '../io/messageTemplate';
import { BUNDLE_FINDING_MESSAGES as T } from './findingMessages';

/** Pin files larger than this are not read (a lock file of thousands of packages is a few MB). */
export const MAX_PIN_FILE_BYTES = 16 * 1024 * 1024;

/** A library version recorded in an artifact. */
export interface ArtifactVersion {
  /** Normalised package name (`scikit-learn`, `keras`, `tensorflowjs`, `pytorch-lightning`). */
  package: string;
  version: string;
  file: string;
  /** Where in the file the version is recorded (`_sklearn_version`, `keras_version`...). */
  field: string;
}

/** Packages that provide a recorded version: Keras 2.6-2.15 came with the TensorFlow of the same major.minor. */
const PROVIDERS: Record<string, string[]> = {
  'scikit-learn': ['scikit-learn'],
  keras: ['keras', 'tensorflow', 'tensorflow-cpu', 'tensorflow-gpu', 'tensorflow-macos', 'tensorflow-intel'],
  tensorflowjs: ['tensorflowjs'],
  'pytorch-lightning': ['pytorch-lightning', 'lightning'],
};

/** A version's release numbers (`1.2.1rc1` -> [1, 2, 1]); null when it does not start with a number. */
export function release(v: string): number[] | null {
  const m = /^v?(\d+(?:\.\d+)*)/.exec(v.trim());
  return m ? m[1].split('.').map(Number) : null;
}

function cmp(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether a PEP 440 specifier set (`>=1.0,<2`, `==1.2.*`, `~=1.2.1`) admits a version (release numbers only). */
export function admits(spec: string, version: string): boolean {
  const v = release(version);
  if (!v) return false;
  for (const clause of spec.split(',').filter(Boolean)) {
    const m = /^(===|==|!=|~=|<=|>=|<|>)?(.+)$/.exec(clause);
    if (!m) return false;
    const op = m[1] ?? '==';
    const wildcard = m[2].endsWith('.*');
    const w = release(m[2].replace(/\.\*$/, ''));
    if (!w) return false;
    const prefix = (): boolean => w.every((x, i) => (v[i] ?? 0) === x);
    const c = cmp(v, w);
    const ok =
      op === '==' || op === '==='
        ? wildcard
          ? prefix()
          : c === 0
        : op === '!='
          ? wildcard
            ? !prefix()
            : c !== 0
          : op === '~='
            ? c >= 0 && w.slice(0, -1).every((x, i) => v[i] === x)
            : op === '<='
              ? c <= 0
              : op === '>='
                ? c >= 0
                : op === '<'
                  ? c < 0
                  : c > 0;
    if (!ok) return false;
  }
  return true;
}

/**
 * The one `major.minor` a specifier set allows, or null when it allows several (or any): an exact
 * `==X.Y.Z` (or `==X.Y.*`), `~=X.Y.Z`, or `>=X.Y.a,<X.(Y+1)`.
 */
export function pinnedMajorMinor(spec: string): string | null {
  let lower: number[] | null = null;
  let upper: { v: number[]; inclusive: boolean } | null = null;
  for (const clause of spec.split(',').filter(Boolean)) {
    const m = /^(===|==|~=|<=|>=|<|>)(.+)$/.exec(clause);
    if (!m) continue;
    const wild = m[2].endsWith('.*');
    const v = release(m[2].replace(/\.\*$/, ''));
    if (!v) continue;
    if ((m[1] === '==' || m[1] === '===') && v.length >= 2) return `${v[0]}.${v[1]}`;
    if ((m[1] === '==' || m[1] === '===') && !wild) return `${v[0]}.0`;
    if (m[1] === '~=' && v.length >= 3) return `${v[0]}.${v[1]}`;
    if (m[1] === '>=' || m[1] === '>') lower = v;
    if (m[1] === '<' || m[1] === '<=') upper = { v, inclusive: m[1] === '<=' };
  }
  if (!lower || !upper) return null;
  const [lM, lm = 0] = lower;
  const [uM, um = 0, up = 0] = upper.v;
  const sameMinor = uM === lM && (um === lm || (um === lm + 1 && up === 0 && !upper.inclusive && upper.v.slice(2).every((x) => x === 0)));
  return sameMinor ? `${lM}.${lm}` : null;
}

function majorMinor(version: string): string | null {
  const r = release(version);
  return r ? `${r[0]}.${r[1] ?? 0}` : null;
}

function allScalers(s: Scaler): Scaler[] {
  const x = s as Scaler & { others?: Scaler[]; inner?: Record<string, Scaler> };
  return [s, ...(s.steps ?? []).flatMap(allScalers), ...(x.others ?? []).flatMap(allScalers), ...Object.values(x.inner ?? {}).flatMap(allScalers)];
}

/** The versions a bundle's files record (one per file and package). */
export function artifactVersions(files: FileReport[]): ArtifactVersion[] {
  const out: ArtifactVersion[] = [];
  const add = (v: ArtifactVersion) => {
    if (!out.some((o) => o.file === v.file && o.package === v.package)) out.push(v);
  };
  for (const f of files) {
    if (f.error) continue;
    if (f.scaler)
      for (const s of allScalers(f.scaler))
        if (s.sklearnVersion) add({ package: 'scikit-learn', version: s.sklearnVersion, file: f.path, field: '_sklearn_version' });
    if (f.model?.kerasVersion) add({ package: 'keras', version: f.model.kerasVersion, file: f.path, field: 'keras_version' });
    const by = f.model?.convertedBy;
    const conv = by ? /converter\s+v?(\d[\w.]*)/i.exec(by) : null;
    if (conv) add({ package: 'tensorflowjs', version: conv[1], file: f.path, field: 'convertedBy' });
    const kerasBy = by ? /^keras\s+v?(\d[\w.]*)/i.exec(by) : null;
    if (kerasBy) add({ package: 'keras', version: kerasBy[1], file: f.path, field: 'generatedBy' });
    // A Lightning checkpoint's `pytorch-lightning_version`, when the weights reader provides it.
    const versions = (f.weights as { checkpoint?: { versions?: Record<string, unknown> } } | undefined)?.checkpoint?.versions;
    for (const [k, v] of Object.entries(versions ?? {})) {
      if (/lightning/i.test(k) && typeof v === 'string') add({ package: 'pytorch-lightning', version: v, file: f.path, field: k });
    }
  }
  return out;
}

/**
 * Folders whose pin files apply to a bundle: its root and those above it, up to `stopAt`
 * (inclusive; `.` for relative paths). A root outside `stopAt` gets its own folder only.
 */
export function pinFolders(root: string, stopAt: string): string[] {
  const out = [root];
  const inside =
    stopAt === '.'
      ? !root.startsWith('/') && root !== '..' && !root.startsWith('../')
      : root === stopAt || root.startsWith(stopAt.endsWith('/') ? stopAt : `${stopAt}/`);
  if (!inside) return out;
  let d = root;
  while (d !== stopAt && d !== '.' && d !== '/') {
    d = dirName(d);
    out.push(d);
  }
  return out;
}

/** Pins found in some folders (nearest folder first), with the files that could not be read. */
export async function collectPins(folders: string[], source: FileSource): Promise<{ pins: Pin[]; files: string[]; errors: PinFileError[] }> {
  const pins: Pin[] = [];
  const files: string[] = [];
  const errors: PinFileError[] = [];
  for (const dir of folders) {
    let entries: { name: string; isDirectory: boolean }[];
    try {
      entries = await source.readDir(dir);
    } catch {
      continue;
    }
    for (const e of entries.filter((x) => !x.isDirectory && isPinFile(x.name)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = joinPath(dir, e.name);
      files.push(path);
      try {
        const st = await source.stat(path);
        if (st && st.size > MAX_PIN_FILE_BYTES)
          throw new Error(`${path}: ${st.size} bytes, too large for a pin file (over ${MAX_PIN_FILE_BYTES / 1024 / 1024} MiB); not read`);
        const text = new TextDecoder('utf-8', { fatal: true }).decode(await source.readFile(path));
        pins.push(...readPins(path, text));
      } catch (err) {
        errors.push({ file: path, message: (err as Error).message.startsWith(path) ? (err as Error).message : `${path}: ${(err as Error).message}` });
      }
    }
  }
  return { pins, files, errors };
}

function where(p: Pin): string {
  return p.line ? `${p.file} (line ${p.line})` : p.file;
}

const HOW: Record<string, string> = {
  'scikit-learn':
    'scikit-learn warns (InconsistentVersionWarning) that unpickling an estimator saved by another version is unsupported and may break or give different results',
  keras: 'Keras files saved by another version may not load, or load with other defaults',
  tensorflowjs: 'the converter of another version may write a model the pinned tooling reads differently',
  'pytorch-lightning': 'Lightning may refuse or migrate a checkpoint written by another version',
};

/**
 * The drift findings of a bundle from its artifact versions and the pins that apply to it. No
 * finding when no pin file applies (nothing to compare with); an unreadable pin file gives an
 * `unpinned-dependency` information naming it.
 */
export function driftFindings(versions: ArtifactVersion[], pins: Pin[], pinFiles: string[], errors: PinFileError[]): Finding[] {
  const out: Finding[] = [];
  if (pinFiles.length === 0) return out;
  for (const e of errors) {
    out.push({ code: 'unpinned-dependency', severity: 'info', ...templated(T['unpinned-dependency.unreadable'], e.message), path: e.file });
  }
  const byPackage = new Map<string, ArtifactVersion[]>();
  for (const v of versions) byPackage.set(v.package, [...(byPackage.get(v.package) ?? []), v]);
  for (const [pkg, recorded] of byPackage) {
    const providers = PROVIDERS[pkg] ?? [pkg];
    const distinct = [...new Set(recorded.map((r) => r.version))];
    for (const version of distinct) {
      const arts = recorded.filter((r) => r.version === version);
      const names = arts.map((a) => baseName(a.file)).join(', ');
      const mm = majorMinor(version);
      // TensorFlow provides Keras 2.6-2.15 of its own major.minor; other Keras versions come only from `keras`.
      const kerasFromTf = pkg === 'keras' && mm !== null && /^2\.([6-9]|1[0-5])$/.test(mm);
      const relevant = pins.filter((p) => providers.includes(p.name) && (p.name === pkg || pkg !== 'keras' || kerasFromTf));
      let exact = false;
      const ranges: Finding[] = [];
      for (const p of relevant) {
        const pinnedMM = pinnedMajorMinor(p.spec);
        const shown = `${p.name}${p.written && /^[0-9^~*]/.test(p.written) ? ` ${p.written}` : p.written}`;
        if (pinnedMM !== null ? pinnedMM !== mm : p.spec !== '' && !admits(p.spec, version)) {
          out.push({
            code: 'version-drift',
            severity: 'warning',
            ...templated(
              T[arts.length > 1 ? 'version-drift.many' : 'version-drift.one'],
              names,
              pkg,
              version,
              arts[0].field,
              where(p),
              `${shown}${pinnedMM ? ` (${pinnedMM})` : ''}`,
              HOW[pkg] ?? 'files saved by another version may behave differently',
              p.name,
            ),
            path: arts[0].file,
          });
          exact = true; // the pin is reported as drift; no "unpinned" on top of it
        } else if (pinnedMM !== null) exact = true;
        else {
          ranges.push({
            code: 'unpinned-dependency',
            severity: 'info',
            ...templated(
              T[arts.length > 1 ? 'unpinned-dependency.range-many' : 'unpinned-dependency.range-one'],
              where(p),
              p.spec ? shown : `any version of ${p.name}`,
              version,
              names,
              p.name,
            ),
            path: p.file,
            ...(p.line ? { line: p.line } : {}),
          });
        }
      }
      // A range beside an exact pin (pyproject.toml's range, its lock file's version) is fine.
      if (!exact) out.push(...ranges);
      if (ranges.length) exact = true;
      if (!exact) {
        out.push({
          code: 'unpinned-dependency',
          severity: 'info',
          ...templated(
            T[arts.length > 1 ? 'unpinned-dependency.none-many' : 'unpinned-dependency.none-one'],
            names,
            pkg,
            version,
            arts[0].field,
            pinFiles.map(baseName).join(', '),
            providers.length > 1 ? providers.slice(0, 2).join(' or ') : pkg,
          ),
          path: arts[0].file,
        });
      }
    }
  }
  return out;
}

/** Reads the pins that apply to a bundle (its root up to `stopAt`) and returns its drift findings. */
export async function versionDriftFindings(files: FileReport[], root: string, stopAt: string, source: FileSource): Promise<Finding[]> {
  const versions = artifactVersions(files);
  if (versions.length === 0) return [];
  const { pins, files: pinFiles, errors } = await collectPins(pinFolders(root, stopAt), source);
  return driftFindings(versions, pins, pinFiles, errors);
}

/** The finding codes this module adds (replaced, not duplicated, when findings are refreshed). */
export const DRIFT_CODES: ReadonlySet<string> = new Set(['version-drift', 'unpinned-dependency']);

/**
 * Refreshes the drift findings of validated bundles in place (for an index whose bundle objects
 * live on between snapshots): removes the previous `version-drift` / `unpinned-dependency`
 * findings of each bundle and adds the current ones. `stopAt` gives the folder up to which pins
 * apply (the workspace folder); bundles in `skip` (not validated yet) are left alone. Pin folders
 * are read once per call.
 */
export async function refreshDriftFindings(
  bundles: readonly Bundle[],
  files: readonly FileReport[],
  stopAt: (root: string) => string,
  source: FileSource,
  skip: ReadonlySet<Bundle> = new Set(),
): Promise<void> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const cache = new Map<string, Promise<{ pins: Pin[]; files: string[]; errors: PinFileError[] }>>();
  const folderPins = (dir: string) => {
    if (!cache.has(dir)) cache.set(dir, collectPins([dir], source));
    return cache.get(dir)!;
  };
  for (const b of bundles) {
    if (skip.has(b)) continue;
    const own = Object.values(b.files)
      .flat()
      .map((p) => byPath.get(p))
      .filter((f): f is FileReport => f !== undefined);
    const versions = artifactVersions(own);
    let found: Finding[] = [];
    if (versions.length) {
      const parts = await Promise.all(pinFolders(b.root, stopAt(b.root)).map(folderPins));
      found = driftFindings(
        versions,
        parts.flatMap((p) => p.pins),
        parts.flatMap((p) => p.files),
        parts.flatMap((p) => p.errors),
      );
    }
    const kept = b.findings.filter((f) => !DRIFT_CODES.has(f.code));
    b.findings.splice(0, b.findings.length, ...kept, ...found);
  }
}
