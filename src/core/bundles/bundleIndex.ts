// The workspace index: which files exist, what each is, how they group into bundles, and what is
// wrong with each bundle. Reports are cached by path + size + mtime; `update` re-reads only the
// files that changed. Only files whose extension an artifact can have (or none) are opened.
//
// A scan has two phases. The quick one (`quickScan`) lists the folders and reads the first bytes of
// each candidate file (text files only near a binary part, or JSON named like a model): that is
// enough to know which files are artifacts, their likely role, and so the bundles; those bundles
// are `pending` (no findings yet). The deep one (`complete`) sniffs the text files left and reads
// the artifacts (HDF5 metadata, pickles, logs), validating each bundle and reporting progress.
// Size: the two scan phases, the cache and the incremental update share one state (which files are
// known, pending, read); splitting it would expose that state between modules.
import { anchorOf, groupFiles, MANIFEST_NAME, markRecovered, parseManifest, pendingBundle, toBundle, type BundleManifest } from './bundle';
import { toFileError } from '../io/errors';
import { baseName, dirName, joinPath, type FileSource, type FileStat } from '../io/fileSource';
import { globMatcher } from '../io/glob';
import { foreignModelReader, sniffForeign } from '../formats/foreignModel';
import { kerasH5Reader } from '../formats/keras/kerasH5';
import { isScalerName, pickleArtifactReader, sniffContainer } from '../formats/pickle/pickleArtifact';
import { HEAD_BYTES, type BinaryReader } from '../formats/reader';
import { binaryReaders } from '../formats/readers';
import { SAVED_MODEL_NAME, savedModelReader } from '../formats/keras/savedModel';
import { DEFAULT_EXCLUDED_DIRS, inspectFile, MODEL_OR_LOG_JSON, resolveShards, startsAsJson } from '../formats/inspect';
import type { Bundle, FileReport } from '../types';

/** Options of the index. */
export interface BundleIndexOptions {
  /** Folder names to skip besides the defaults (node_modules, .git, virtual environments...). */
  excludeDirs?: string[];
  /** Glob patterns (relative to a root, `**` and `*` supported) of files or folders to skip. */
  excludeGlobs?: string[];
  /** Files larger than this are only sniffed, not parsed (HDF5 is always parsed: only its metadata is read). */
  maxEagerBytes?: number;
  /** Sniff files of every extension (by default only extensions an artifact can have, and none). */
  openAllFiles?: boolean;
  /** How many files (and folders) are read at once (default 16). */
  concurrency?: number;
  /**
   * Hands the thread back to the event loop after this many milliseconds of scanning (a macrotask
   * turn), so that a host shared with other work (the VS Code extension host) stays responsive
   * while a large workspace is read. Off by default (the CLI has nothing else to do).
   */
  sliceMs?: number;
  /**
   * Reads one file's content for the deep phase and updates (default: inspectFile through the
   * source). The extension and the benchmark pass one that reads local files in worker threads;
   * when it fails, the file is read here instead.
   */
  inspect?: (path: string, stat: { size: number; mtimeMs: number }) => Promise<FileReport>;
}

/** Result of a scan or update. */
export interface IndexSnapshot {
  files: FileReport[];
  bundles: Bundle[];
  /**
   * Bundles built from files only sniffed so far (after `quickScan`, while `complete` runs): their
   * parts are listed by the roles the files' first bytes suggest, their findings are not known yet
   * (empty) and `complete` is false. Absent or empty once every file is read.
   */
  pending?: ReadonlySet<Bundle>;
  /** How many files the deep phase still has to read (0 or absent when none). */
  toRead?: number;
}

/** Options of `quickScan`, `complete` and `scan`. */
export interface ScanOptions {
  /** Called with a new snapshot every `progressMs` while a phase runs (not at its end). */
  onProgress?: (snapshot: IndexSnapshot) => void;
  /** Interval of `onProgress` calls (default 250 ms). */
  progressMs?: number;
}

/**
 * Extensions a model artifact can have (the readers' formats, compressed joblib, tfjs shards,
 * loss plots). Files with other extensions are listed by the walk but never opened, unless
 * `openAllFiles` is set; files without an extension (tfjs shards, bare pickles) and TensorBoard
 * event files are always sniffed by content.
 */
const ARTIFACT_EXT = new Set([
  'h5',
  'hdf5',
  'he5',
  'keras',
  'json',
  'joblib',
  'jbl',
  'pkl',
  'pickle',
  'pck',
  'pcl',
  'p',
  'sav',
  'gz',
  'z',
  'bz2',
  'xz',
  'lzma',
  'lz4',
  'csv',
  'tsv',
  'log',
  'bin',
  'weights',
  'png',
  'jpg',
  'jpeg',
  // models of other frameworks, recognised so that a scaler beside them raises no false alarm
  'pt',
  'pth',
  'onnx',
  'tflite',
  'safetensors',
  'ckpt',
  // torch.save checkpoints named `checkpoint.pth.tar`
  'tar',
]);

/**
 * NumPy arrays (`.npy`) are data, never a bundle part, unless named like a scaler (an object array
 * holding a pickled scaler): only those are opened.
 */
const NUMPY_EXT = new Set(['npy']);

const TFEVENTS = /^events\.out\.tfevents\./;

function extension(path: string): string {
  const i = path.lastIndexOf('.');
  return i < 0 || i < path.lastIndexOf('/') ? '' : path.slice(i + 1).toLowerCase();
}

interface Entry {
  /** Size and mtime the report was made from; -1 for a plain file whose first bytes alone were read. */
  size: number;
  mtimeMs: number;
  report: FileReport;
  /** Bumped on every re-read: bundles whose files kept their versions are not re-validated. */
  version: number;
  /** Only its first bytes were read (quick phase): the report's role and format are provisional. */
  pending?: 'read';
  /** The generation of the last scan that listed the file. */
  seen?: number;
}

/**
 * Text files: training logs, or JSON that may be a model. Workspaces hold many (data, settings), and
 * a log alone forms no bundle: the quick phase opens them only near a binary part or, for JSON,
 * when named like a model (see quickScan).
 */
const TEXT_EXT = new Set(['json', 'csv', 'tsv', 'log']);
/** JSON names that suggest a model (tfjs writes `model.json`; Keras structures are named freely). */
const MODEL_JSON_NAME = /model|arch|struct|topolog|network|graph/i;

/** How many folders up a folder holding only logs looks for the bundle it joins (as groupFiles does). */
const LOG_JOIN_LEVELS = 3;

const UTF8 = new TextDecoder();

/** Strings in the first bytes of an HDF5 file: the root group's attributes Keras writes. */
const H5_MODEL = ascii('model_config');
const H5_WEIGHTS = ['layer_names', 'weight_names', 'keras_version'].map(ascii);
const JSON_TFJS = /"(modelTopology|weightsManifest)"/;
const JSON_GRAPH = /"format"\s*:\s*"graph-model"/;
const JSON_KERAS = /"class_name"/;
const JSON_HISTORY = /"(loss|val_loss|acc|accuracy|val_accuracy|mae|mse|history|epoch)"\s*:/;
const JOBLIB_NAME = /\.(joblib|jbl)(\.(gz|z|bz2|xz|lzma|lz4))?$/i;
/** Class joblib wraps arrays in: in the first bytes of nearly every joblib pickle holding arrays. */
const JOBLIB_WRAPPER = ascii('NumpyArrayWrapper');

/**
 * The role and format a file's first bytes suggest, for the quick phase. Role `other` when only
 * the content can tell (HDF5 without Keras attributes, pickles not named like scalers, JSON without
 * model or history keys): such files wait for the deep phase outside any bundle.
 */
export function provisionalRole(head: Uint8Array, path: string, reader: BinaryReader | null, text?: string): Pick<FileReport, 'role' | 'format' | 'foreign'> {
  // Other frameworks' models and SavedModels: their kind is known from the first bytes already.
  if (reader === savedModelReader)
    return { role: 'model', format: 'unknown', foreign: { framework: 'tf-savedmodel', note: 'TensorFlow SavedModel (not read yet)' } };
  if (reader === foreignModelReader) {
    const kind = sniffForeign(head, path);
    const framework = kind ?? 'onnx';
    return { role: 'model', format: 'unknown', foreign: { framework, note: `${framework} model (not read yet)` } };
  }
  if (reader === kerasH5Reader) {
    if (containsBytes(head, H5_MODEL)) return { role: 'model', format: 'keras-h5' };
    if (/\.weights\.h5$/i.test(path)) return { role: 'weights', format: 'keras3-weights-h5' };
    if (H5_WEIGHTS.some((w) => containsBytes(head, w))) return { role: 'weights', format: 'keras-weights-h5' };
    return { role: 'other', format: 'unknown' };
  }
  if (reader === pickleArtifactReader) {
    const container = sniffContainer(head, path);
    if (container === 'npy' || !isScalerName(path)) return { role: 'other', format: 'unknown' };
    const joblib = container === 'compressed' || JOBLIB_NAME.test(path) || containsBytes(head, JOBLIB_WRAPPER);
    return { role: 'scaler', format: joblib ? 'joblib' : 'sklearn-pickle' };
  }
  if (reader) return { role: reader.fallbackRole, format: reader.formats[0] };
  text ??= UTF8.decode(head);
  if (JSON_GRAPH.test(text)) return { role: 'model', format: 'tfjs-graph' };
  if (JSON_TFJS.test(text)) return { role: 'model', format: 'tfjs-layers' };
  if (JSON_KERAS.test(text)) return { role: 'structure', format: 'keras-json' };
  if (JSON_HISTORY.test(text)) return { role: 'log', format: 'history-json' };
  return { role: 'other', format: 'unknown' };
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Whether `needle` occurs in `hay` (first-byte scan; the heads searched are a few KB). */
function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0];
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first); i >= 0 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return true;
  }
  return false;
}

/** Folders deeper than this below a root are not walked (symbolic link loops). */
const MAX_DEPTH = 48;

function depthBelow(root: string, dir: string): number {
  let n = 0;
  for (let i = root.length; i < dir.length; i++) if (dir.charCodeAt(i) === 47) n++;
  return n;
}

/** Runs `work` on every item with at most `n` in flight; `work` may add items (a folder walk). */
async function pool<T>(items: T[], n: number, work: (item: T, push: (more: T) => void) => Promise<void>): Promise<void> {
  let next = 0;
  let active = 0;
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const push = (more: T): void => {
      items.push(more);
      pump();
    };
    const pump = (): void => {
      if (failed) return;
      while (active < n && next < items.length) {
        const item = items[next++];
        active++;
        work(item, push).then(
          () => {
            active--;
            if (next >= items.length && active === 0) resolve();
            else pump();
          },
          (e: unknown) => {
            failed = true;
            reject(e);
          },
        );
      }
      if (next >= items.length && active === 0) resolve();
    };
    pump();
  });
}

/** Keeps FileReports and Bundles of some roots current. */
export class BundleIndex {
  private readonly entries = new Map<string, Entry>();
  /** The entries that can matter to a bundle (not `other`, or with an error, or naming tfjs shards). */
  private readonly relevant = new Map<string, Entry>();
  private readonly manifests = new Map<string, BundleManifest>();
  /** Validated bundles by root, with the signature (files, versions, roles) they were built from. */
  private readonly bundleCache = new Map<string, { signature: string; bundle: Bundle }>();
  /** Folders known to be (or not be) virtual environments (holding `pyvenv.cfg`). */
  private readonly venvDirs = new Map<string, boolean>();
  private serial = 0;
  /** Bumped by every quickScan: a deep phase of an older scan stops. */
  private generation = 0;
  /** Text files the quick phase listed but did not open (no entry yet): the deep phase sniffs them. */
  private deferred = new Set<string>();
  private roots: string[] = [];
  private current: IndexSnapshot = { files: [], bundles: [] };

  constructor(
    readonly source: FileSource,
    readonly options: BundleIndexOptions = {},
  ) {}

  private skipFor(root: string): (path: string, isDirectory: boolean) => boolean {
    const globs = this.options.excludeGlobs ?? [];
    const excluded = globs.length ? globMatcher(globs) : null;
    const prefix = root.endsWith('/') ? root : `${root}/`;
    return (path: string, isDirectory: boolean) => {
      if (excluded && excluded(path.startsWith(prefix) ? path.slice(prefix.length) : path)) return true;
      if (isDirectory || this.options.openAllFiles) return false;
      const ext = extension(path);
      if (ext === '' || ARTIFACT_EXT.has(ext)) return false;
      if (NUMPY_EXT.has(ext)) return !isScalerName(path);
      if (ext === 'pb') return baseName(path) !== SAVED_MODEL_NAME; // a SavedModel, not other protobufs
      return !TFEVENTS.test(baseName(path));
    };
  }

  private setEntry(path: string, entry: Entry): void {
    entry.seen = this.generation;
    this.entries.set(path, entry);
    const r = entry.report;
    if (r.role !== 'other' || r.error !== null || r.shards) this.relevant.set(path, entry);
    else this.relevant.delete(path);
  }

  /**
   * Runs one file's work; an error the source throws (a link loop, permissions) becomes that file's
   * report instead of stopping the scan.
   */
  private async safely(path: string, work: (path: string) => Promise<void>): Promise<void> {
    try {
      await work(path);
    } catch (e) {
      const report: FileReport = { path, role: 'other', format: 'unknown', error: toFileError(e) };
      this.setEntry(path, { size: -2, mtimeMs: -2, version: ++this.serial, report });
    }
  }

  private deleteEntry(path: string): void {
    this.entries.delete(path);
    this.relevant.delete(path);
  }

  /** Reads one file unless its cached report is still valid (same size and mtime). */
  private async refreshFile(path: string): Promise<void> {
    const st = await this.source.stat(path);
    if (!st || st.isDirectory) {
      this.deleteEntry(path);
      this.manifests.delete(path);
      return;
    }
    const cached = this.entries.get(path);
    if (cached && !cached.pending && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return;
    await this.readDeep(path, st);
    // A file caught half-written (a checkpoint being saved) reads as broken: when it is still
    // changing a moment later, it is read again, so it is not reported broken until the next batch.
    let last = st;
    for (let attempt = 0; attempt < 3 && this.entries.get(path)?.report.error; attempt++) {
      await new Promise((r) => setTimeout(r, 25));
      const now = await this.source.stat(path);
      if (!now || now.isDirectory || (now.size === last.size && now.mtimeMs === last.mtimeMs)) break;
      last = now;
      await this.readDeep(path, now);
    }
  }

  /**
   * Quick phase for one file: keeps a valid cached report; otherwise reads the first bytes. A file
   * they show to be no artifact is done, without a stat in the quick phase (the stat would cost
   * about what the sniff does): the deep phase gives it its cache key later, calling this `keyed`
   * (stat first, then sniff). A candidate artifact is stat'ed and left pending for the deep phase.
   */
  private async sniffFile(path: string, keyed = false): Promise<void> {
    const cached = this.entries.get(path);
    let st: FileStat | null = null;
    if ((cached && cached.size >= 0) || keyed) {
      st = await this.source.stat(path);
      if (!st || st.isDirectory) {
        this.deleteEntry(path);
        this.manifests.delete(path);
        return;
      }
      if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return;
    }
    if (baseName(path) === MANIFEST_NAME) return this.refreshFile(path);
    let head: Uint8Array;
    try {
      head = await this.source.readRange(path, 0, HEAD_BYTES);
    } catch {
      return this.markPending(path, { role: 'other', format: 'unknown' }, st); // the deep phase says why
    }
    const reader = binaryReaders.find((r) => r.sniff(head, path)) ?? null;
    const text = !reader && startsAsJson(head) ? UTF8.decode(head) : null;
    if (!reader && !(text !== null && MODEL_OR_LOG_JSON.test(text))) {
      // Still plain: keep the entry (and its version), with the stat taken before the read as its key.
      if (cached && cached.size < 0 && !cached.pending) {
        if (st) Object.assign(cached, { size: st.size, mtimeMs: st.mtimeMs, report: { ...cached.report, size: st.size, mtimeMs: st.mtimeMs } });
        return;
      }
      const report: FileReport = { path, role: 'other', format: 'unknown', error: null, ...(st ? { size: st.size, mtimeMs: st.mtimeMs } : {}) };
      this.setEntry(path, { size: st?.size ?? -1, mtimeMs: st?.mtimeMs ?? -1, version: ++this.serial, report });
      return;
    }
    await this.markPending(path, provisionalRole(head, path, reader, text ?? undefined), st);
  }

  private async markPending(path: string, guess: Pick<FileReport, 'role' | 'format' | 'foreign'>, known: FileStat | null): Promise<void> {
    const st = known ?? (await this.source.stat(path));
    if (!st || st.isDirectory) {
      this.deleteEntry(path);
      return;
    }
    const report: FileReport = { path, ...guess, error: null, size: st.size, mtimeMs: st.mtimeMs };
    this.setEntry(path, { size: st.size, mtimeMs: st.mtimeMs, version: ++this.serial, report, pending: 'read' });
  }

  /** Reads a file's content into its report (the deep phase, and updates). */
  private async readDeep(path: string, st: { size: number; mtimeMs: number }, sniffed = false): Promise<void> {
    if (baseName(path) === MANIFEST_NAME) {
      try {
        const m = parseManifest(new TextDecoder().decode(await this.source.readFile(path)), path);
        if (m) this.manifests.set(path, m);
        else this.manifests.delete(path);
      } catch {
        this.manifests.delete(path);
      }
      this.setEntry(path, {
        size: st.size,
        mtimeMs: st.mtimeMs,
        version: ++this.serial,
        report: { path, role: 'other', format: 'unknown', error: null, size: st.size, mtimeMs: st.mtimeMs },
      });
      return;
    }
    let report: FileReport;
    const limit = this.options.maxEagerBytes;
    if (limit !== undefined && st.size > limit) report = await this.sniffOnly(path, st.size, st.mtimeMs);
    else if (!sniffed && (await this.plainFile(path))) report = { path, role: 'other', format: 'unknown', error: null, size: st.size, mtimeMs: st.mtimeMs };
    else report = await this.inspectOne(path, st);
    this.setEntry(path, { size: st.size, mtimeMs: st.mtimeMs, version: ++this.serial, report });
  }

  private async inspectOne(path: string, st: { size: number; mtimeMs: number }): Promise<FileReport> {
    const inline = (): Promise<FileReport> => inspectFile(path, this.source, { explicit: false, stat: { ...st, isDirectory: false } });
    if (!this.options.inspect) return inline();
    try {
      return await this.options.inspect(path, st);
    } catch {
      return inline(); // the reader in the worker went away: read it here
    }
  }

  /**
   * True when no reader claims the file's first bytes and they do not start JSON: the dispatcher
   * would call it unknown, so it is not handed over (saves its second stat on the many plain files).
   */
  private async plainFile(path: string): Promise<boolean> {
    try {
      const head = await this.source.readRange(path, 0, HEAD_BYTES);
      return !binaryReaders.some((r) => r.sniff(head, path)) && !startsAsJson(head);
    } catch {
      return false; // the dispatcher reports why it cannot be read
    }
  }

  /**
   * A file over maxEagerBytes: HDF5 and scaler-named pickles are still read; others get the role
   * and format their first bytes show, without content (checks needing it are skipped, not guessed).
   */
  private async sniffOnly(path: string, size: number, mtimeMs: number): Promise<FileReport> {
    try {
      const head = await this.source.readRange(path, 0, HEAD_BYTES);
      const r = binaryReaders.find((x) => x.sniff(head, path));
      if (!r) return { path, role: 'other', format: 'unknown', error: null, size, mtimeMs };
      // HDF5: only metadata is read. A pickle named like a scaler is read whole (up to the pickle
      // reader's own limit): its safety verdict must not depend on its size.
      if (r.name === 'kerasH5' || (r.name === pickleArtifactReader.name && isScalerName(path))) {
        return inspectFile(path, this.source, { explicit: false });
      }
      // Another large pickle (a data set, a forest) is not taken for a scaler without reading it.
      const role = r.name === pickleArtifactReader.name ? 'other' : r.fallbackRole;
      return { path, role, format: r.formats[0], error: null, size, mtimeMs };
    } catch (e) {
      return { path, role: 'other', format: 'unknown', error: toFileError(e), size, mtimeMs };
    }
  }

  private sliceStart = Date.now();

  /** Yields to the event loop when the current slice of work is over (see `sliceMs`). */
  private async breathe(): Promise<void> {
    const slice = this.options.sliceMs;
    if (slice === undefined || Date.now() - this.sliceStart < slice) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.sliceStart = Date.now();
  }

  private get concurrency(): number {
    return Math.max(1, this.options.concurrency ?? 16);
  }

  private async refreshAll(paths: string[]): Promise<void> {
    await pool([...paths], this.concurrency, (p) => this.safely(p, (q) => this.refreshFile(q)));
  }

  private excludedDirs(): Set<string> {
    return new Set([...DEFAULT_EXCLUDED_DIRS, ...(this.options.excludeDirs ?? [])]);
  }

  /**
   * Lists the files under a folder with several folders read at once (the walk is I/O bound),
   * skipping excluded folders, virtual environments (folders holding `pyvenv.cfg`) and globs.
   * `onFile` runs on each file as its folder is listed (one after the other within a folder: a
   * promise per file would cost more than the file's own work on a local disk).
   */
  private async walk(start: string, root: string = start, onFile?: (path: string) => Promise<void>): Promise<string[]> {
    const excluded = this.excludedDirs();
    const skip = this.skipFor(root);
    const out: string[] = [];
    await pool<string>([start], this.concurrency, async (dir, push) => {
      // A symbolic link loop (a/b -> a) would nest without end: folders this deep are not walked.
      if (depthBelow(root, dir) > MAX_DEPTH) return;
      await this.breathe();
      let entries: { name: string; isDirectory: boolean }[];
      try {
        entries = await this.source.readDir(dir);
      } catch {
        return; // an unreadable folder (permissions, vanished meanwhile) is skipped, the walk goes on
      }
      const venv = dir !== root && entries.some((e) => !e.isDirectory && e.name === 'pyvenv.cfg');
      this.venvDirs.set(dir, venv);
      if (venv) return;
      for (const e of entries) {
        const p = joinPath(dir, e.name);
        if (skip(p, e.isDirectory)) continue;
        if (e.isDirectory) {
          if (!excluded.has(e.name)) push(p);
        } else {
          out.push(p);
          if (onFile) {
            await this.breathe();
            await this.safely(p, onFile);
          }
        }
      }
    });
    return out;
  }

  /** Whether a changed path lies in an excluded folder or a virtual environment under its root. */
  private async isExcluded(path: string, root: string | null): Promise<boolean> {
    const excluded = this.excludedDirs();
    const base = root ?? dirName(path);
    const rel = path.startsWith(`${base}/`) ? path.slice(base.length + 1) : baseName(path);
    const parts = rel.split('/');
    if (parts.slice(0, -1).some((p) => excluded.has(p))) return true;
    let dir = base;
    for (const part of parts.slice(0, -1)) {
      dir = joinPath(dir, part);
      let venv = this.venvDirs.get(dir);
      if (venv === undefined) {
        venv = (await this.source.stat(joinPath(dir, 'pyvenv.cfg'))) !== null;
        this.venvDirs.set(dir, venv);
      }
      if (venv) return true;
    }
    return false;
  }

  /**
   * Regroups every file (cheap) and re-validates only the bundles whose files, their versions or
   * roles changed since the last time (cross-file checks are the costly part). A group holding a
   * file not read yet is listed as pending, without validation.
   */
  private rebuild(): IndexSnapshot {
    // resolveShards marks shard files as weights: done on copies, the cached reports stay as read.
    const reports = [...this.relevant.values()].map((e) => e.report);
    const shardCopies = new Map<string, FileReport>();
    for (const r of reports) {
      for (const sh of [...(r.shards ?? []), ...(r.sideFiles ?? [])]) {
        const e = this.entries.get(sh.path);
        if (e && !shardCopies.has(sh.path)) shardCopies.set(sh.path, { ...e.report });
      }
    }
    const all = [...reports.filter((r) => !shardCopies.has(r.path)), ...shardCopies.values()];
    resolveShards(all);
    const files = all.filter((r) => r.role !== 'other' || r.error !== null).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const groups = groupFiles(files, { manifests: [...this.manifests.values()] });
    const kept = new Map<string, { signature: string; bundle: Bundle }>();
    const seenRoots = new Map<string, number>();
    const pending = new Set<Bundle>();
    const validated = groups.map((g) => {
      if (g.files.some((f) => this.entries.get(f.path)?.pending)) {
        const b = pendingBundle(g);
        pending.add(b);
        return b;
      }
      // Two groups can share a root (a folder `a/m` beside models `a/m_*.h5` split by stem): key by occurrence.
      const n = seenRoots.get(g.root) ?? 0;
      seenRoots.set(g.root, n + 1);
      const key = n === 0 ? g.root : `${g.root}\u0000${n}`;
      const signature = g.files
        .map((f) => `${f.path}\u0000${this.entries.get(f.path)?.version ?? -1}\u0000${f.role}\u0000${f.format}\u0000${f.error?.code ?? ''}`)
        .join('\u0001');
      const cached = this.bundleCache.get(key);
      const entry = cached && cached.signature === signature ? cached : { signature, bundle: toBundle(g) };
      kept.set(key, entry);
      return entry.bundle;
    });
    const allPaths = all.map((r) => r.path);
    const bundles = validated.map((b) => (pending.has(b) ? b : markRecovered([b], allPaths)[0]));
    this.bundleCache.clear();
    for (const [k, v] of kept) this.bundleCache.set(k, v);
    let toRead = this.deferred.size;
    for (const e of this.entries.values()) if (e.pending) toRead++;
    this.current = toRead ? { files, bundles, pending, toRead } : { files, bundles };
    return this.current;
  }

  /**
   * Full scan of the roots: `quickScan`, then `complete` (reusing cached reports whose size and
   * mtime did not change).
   */
  async scan(roots: string[], opts: ScanOptions = {}): Promise<IndexSnapshot> {
    await this.quickScan(roots, opts);
    return this.complete(opts);
  }

  /**
   * Quick phase of a scan: lists the roots and sniffs every candidate file's first bytes. The
   * snapshot has the bundles those bytes suggest, pending (see IndexSnapshot.pending) until
   * `complete` has read them. `onProgress` gets the bundles found so far during a long walk.
   */
  async quickScan(roots: string[], opts: ScanOptions = {}): Promise<IndexSnapshot> {
    const generation = ++this.generation;
    // In a very large workspace the walk itself takes seconds: the bundles found so far are shown
    // every `progressMs` (files not listed yet keep their last reports until the walk ends).
    const every = opts.progressMs ?? 250;
    let last = Date.now();
    const progress = (): void => {
      if (opts.onProgress && Date.now() - last >= every) {
        last = Date.now();
        opts.onProgress(this.rebuild());
      }
    };
    this.roots = [...roots];
    this.venvDirs.clear();
    this.deferred = new Set();
    // Binary candidates are sniffed as the walk lists them; text files (JSON, CSV...) wait. Entries
    // still listed get this scan's stamp: the others are of files that went.
    const text: string[] = [];
    const onFile = (p: string): Promise<void> => {
      progress();
      const e = this.entries.get(p);
      if (e) e.seen = generation;
      else if (TEXT_EXT.has(extension(p))) {
        text.push(p);
        return Promise.resolve();
      }
      return this.sniffFile(p);
    };
    for (const root of roots) {
      const st = await this.source.stat(root);
      if (!st) continue;
      if (st.isDirectory) await this.walk(root, root, onFile);
      else await this.safely(root, (p) => this.refreshFile(p));
      const e = this.entries.get(root);
      if (e) e.seen = generation;
    }
    for (const [p, e] of [...this.entries]) {
      if (e.seen === generation) continue;
      this.deleteEntry(p);
      this.manifests.delete(p);
    }
    for (const p of [...this.manifests.keys()]) if (!this.entries.has(p)) this.manifests.delete(p);
    // JSON named like a model is sniffed first (it can be a bundle on its own), then every text file
    // near a part; the others (data, settings, logs far from any model) in the deep phase.
    const rest: string[] = [];
    for (const p of text) {
      await this.breathe();
      if (MODEL_JSON_NAME.test(baseName(p)) && extension(p) === 'json') await this.safely(p, (q) => this.sniffFile(q));
      else rest.push(p);
    }
    const near = this.nearParts();
    for (const p of rest) {
      await this.breathe();
      if (near(p)) await this.safely(p, (q) => this.sniffFile(q));
      else this.deferred.add(p);
    }
    return this.rebuild();
  }

  /**
   * Whether a text file could join a bundle: its anchor folder, or one up to LOG_JOIN_LEVELS above
   * it, is the anchor of a file that is (or may turn out to be) a part, or lies under a manifest.
   */
  private nearParts(): (path: string) => boolean {
    const anchors = new Set<string>();
    for (const [p, e] of this.entries) {
      if (e.pending === 'read' || (e.report.role !== 'other' && e.report.role !== 'log') || e.report.error) anchors.add(anchorOf(p));
    }
    const manifestRoots = [...this.manifests.values()].map((m) => (m.root.endsWith('/') ? m.root : `${m.root}/`));
    // A text file's anchor depends on its folder only: one answer per folder.
    const byDir = new Map<string, boolean>();
    const nearDir = (dir: string, path: string): boolean => {
      if (manifestRoots.some((r) => path.startsWith(r))) return true;
      let a = anchorOf(path);
      for (let i = 0; i <= LOG_JOIN_LEVELS; i++) {
        if (anchors.has(a)) return true;
        const up = dirName(a);
        if (up === a) break;
        a = up;
      }
      return false;
    };
    return (path: string) => {
      const dir = dirName(path);
      let near = byDir.get(dir);
      if (near === undefined) byDir.set(dir, (near = nearDir(dir, path)));
      return near;
    };
  }

  /**
   * Deep phase: reads every file the quick phase left pending and validates the bundles, with a
   * snapshot to `onProgress` now and then. Stops early (returning the snapshot so far) when another
   * scan starts meanwhile.
   */
  async complete(opts: ScanOptions = {}): Promise<IndexSnapshot> {
    const generation = this.generation;
    // The sniffed artifacts first (they complete bundles), then the text files not opened yet.
    const todo = [...this.entries].filter(([, e]) => e.pending).map(([p]) => p);
    todo.push(...this.deferred);
    const every = opts.progressMs ?? 250;
    let last = Date.now();
    await pool(todo, this.concurrency, async (path) => {
      if (this.generation !== generation) return;
      await this.breathe();
      if (this.generation !== generation) return;
      if (this.deferred.delete(path) && !this.entries.has(path)) await this.safely(path, (p) => this.sniffFile(p, true));
      const e = this.entries.get(path);
      if (e?.pending === 'read') await this.safely(path, (p) => this.readDeep(p, e, true));
      if (opts.onProgress && Date.now() - last >= every) {
        last = Date.now();
        opts.onProgress(this.rebuild());
      }
    });
    // Plain files sniffed without a stat get their cache key now (stat, then sniff again: a file
    // written meanwhile is seen with its new content), so that the next scan only stats them.
    const unkeyed = [...this.entries].filter(([, e]) => e.size < 0 && !e.pending).map(([p]) => p);
    await pool(unkeyed, this.concurrency, async (path) => {
      await this.breathe();
      if (this.generation === generation && this.entries.get(path)?.size === -1) await this.safely(path, (p) => this.sniffFile(p, true));
    });
    return this.rebuild();
  }

  private rootOf(path: string): string | null {
    return this.roots.find((r) => path === r || path.startsWith(r.endsWith('/') ? r : `${r}/`)) ?? null;
  }

  /** Re-reads changed or created files (a folder: everything under it), forgets deleted ones, regroups. */
  async update(changed: string[], deleted: string[]): Promise<IndexSnapshot> {
    for (const d of deleted) {
      const prefix = d.endsWith('/') ? d : `${d}/`;
      if (this.entries.has(d)) this.deleteEntry(d);
      else for (const p of [...this.entries.keys()]) if (p.startsWith(prefix)) this.deleteEntry(p);
      for (const p of [...this.manifests.keys()]) if (p === d || p.startsWith(prefix)) this.manifests.delete(p);
    }
    const files: string[] = [];
    for (const c of changed) {
      const root = this.rootOf(c);
      if (await this.isExcluded(c, root)) continue;
      const st = await this.source.stat(c);
      if (!st) {
        this.deleteEntry(c);
        this.manifests.delete(c);
        continue;
      }
      if (st.isDirectory) files.push(...(await this.walk(c, root ?? c)));
      else if (!this.skipFor(root ?? dirName(c))(c, false) || this.entries.has(c)) files.push(c);
    }
    // A tfjs model.json checks its shards when read: re-read it when one of its shards changed or went.
    const touched = new Set([...changed, ...deleted]);
    for (const [p, e] of this.relevant) {
      if (e.report.shards?.some((s) => touched.has(s.path)) && !files.includes(p)) {
        this.deleteEntry(p);
        files.push(p);
      }
    }
    await this.refreshAll(files);
    return this.rebuild();
  }

  /** The current state. */
  snapshot(): IndexSnapshot {
    return this.current;
  }
}
