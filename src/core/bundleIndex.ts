// The workspace index: which files exist, what each is, how they group into bundles, and what is
// wrong with each bundle. Reports are cached by path + size + mtime; `update` re-reads only the
// files that changed. Only files whose extension an artifact can have (or none) are opened.
import { groupFiles, MANIFEST_NAME, parseManifest, toBundle, type BundleManifest } from './bundle';
import { toFileError } from './errors';
import { baseName, dirName, joinPath, type FileSource } from './fileSource';
import { globMatcher } from './glob';
import { isScalerName, pickleArtifactReader } from './pickleArtifact';
import { HEAD_BYTES } from './reader';
import { binaryReaders } from './readers';
import { DEFAULT_EXCLUDED_DIRS, inspectFile, resolveShards } from './inspect';
import type { Bundle, FileReport } from './types';

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
}

/** Result of a scan or update. */
export interface IndexSnapshot {
  files: FileReport[];
  bundles: Bundle[];
}

/**
 * Extensions a model artifact can have (the readers' formats, compressed joblib, tfjs shards,
 * loss plots). Files with other extensions are listed by the walk but never opened, unless
 * `openAllFiles` is set; files without an extension (tfjs shards, bare pickles) and TensorBoard
 * event files are always sniffed by content.
 */
const ARTIFACT_EXT = new Set([
  'h5', 'hdf5', 'he5', 'keras', 'json', 'joblib', 'jbl', 'pkl', 'pickle', 'pck', 'pcl', 'p', 'sav', 'gz', 'z', 'bz2', 'xz',
  'lzma', 'lz4', 'npy', 'npz', 'csv', 'tsv', 'log', 'bin', 'weights', 'png', 'jpg', 'jpeg',
]);

const TFEVENTS = /^events\.out\.tfevents\./;

function extension(path: string): string {
  const name = baseName(path).toLowerCase();
  const i = name.lastIndexOf('.');
  return i < 0 ? '' : name.slice(i + 1);
}

interface Entry {
  size: number;
  mtimeMs: number;
  report: FileReport;
  /** Bumped on every re-read: bundles whose files kept their versions are not re-validated. */
  version: number;
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
  private roots: string[] = [];
  private current: IndexSnapshot = { files: [], bundles: [] };

  constructor(
    readonly source: FileSource,
    readonly options: BundleIndexOptions = {},
  ) {}

  private skipFor(root: string): (path: string, isDirectory: boolean) => boolean {
    const excluded = globMatcher(this.options.excludeGlobs ?? []);
    const prefix = root.endsWith('/') ? root : `${root}/`;
    return (path: string, isDirectory: boolean) => {
      const rel = path.startsWith(prefix) ? path.slice(prefix.length) : path;
      if (excluded(rel)) return true;
      if (isDirectory || this.options.openAllFiles) return false;
      const ext = extension(path);
      return ext !== '' && !ARTIFACT_EXT.has(ext) && !TFEVENTS.test(baseName(path));
    };
  }

  private setEntry(path: string, entry: Entry): void {
    this.entries.set(path, entry);
    const r = entry.report;
    if (r.role !== 'other' || r.error !== null || r.shards) this.relevant.set(path, entry);
    else this.relevant.delete(path);
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
    if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return;
    if (baseName(path) === MANIFEST_NAME) {
      try {
        const m = parseManifest(new TextDecoder().decode(await this.source.readFile(path)), path);
        if (m) this.manifests.set(path, m);
        else this.manifests.delete(path);
      } catch {
        this.manifests.delete(path);
      }
      this.setEntry(path, { size: st.size, mtimeMs: st.mtimeMs, version: ++this.serial, report: { path, role: 'other', format: 'unknown', error: null, size: st.size, mtimeMs: st.mtimeMs } });
      return;
    }
    let report: FileReport;
    const limit = this.options.maxEagerBytes;
    if (limit !== undefined && st.size > limit) report = await this.sniffOnly(path, st.size, st.mtimeMs);
    else if (await this.plainFile(path)) report = { path, role: 'other', format: 'unknown', error: null, size: st.size, mtimeMs: st.mtimeMs };
    else report = await inspectFile(path, this.source, { explicit: false });
    this.setEntry(path, { size: st.size, mtimeMs: st.mtimeMs, version: ++this.serial, report });
  }

  /**
   * True when no reader claims the file's first bytes and they do not start JSON: the dispatcher
   * would call it unknown, so it is not handed over (saves its second stat on the many plain files).
   */
  private async plainFile(path: string): Promise<boolean> {
    try {
      const head = await this.source.readRange(path, 0, HEAD_BYTES);
      if (binaryReaders.some((r) => r.sniff(head, path))) return false;
      let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
      while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
      return head[i] !== 0x7b && head[i] !== 0x5b; // { or [
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

  private get concurrency(): number {
    return Math.max(1, this.options.concurrency ?? 16);
  }

  private async refreshAll(paths: string[]): Promise<void> {
    await pool([...paths], this.concurrency, (p) => this.refreshFile(p));
  }

  private excludedDirs(): Set<string> {
    return new Set([...DEFAULT_EXCLUDED_DIRS, ...(this.options.excludeDirs ?? [])]);
  }

  /**
   * Lists the files under a folder with several folders read at once (the walk is I/O bound),
   * skipping excluded folders, virtual environments (folders holding `pyvenv.cfg`) and globs.
   */
  private async walk(start: string, root: string = start, onFile?: (path: string) => Promise<void>): Promise<string[]> {
    const excluded = this.excludedDirs();
    const skip = this.skipFor(root);
    const out: string[] = [];
    // One pool for folders and (with onFile) files: reading starts while the walk goes on.
    type Item = { dir: string } | { file: string };
    await pool<Item>([{ dir: start }], this.concurrency, async (item, push) => {
      if ('file' in item) return onFile!(item.file);
      const dir = item.dir;
      const entries = await this.source.readDir(dir);
      const venv = dir !== root && entries.some((e) => !e.isDirectory && e.name === 'pyvenv.cfg');
      this.venvDirs.set(dir, venv);
      if (venv) return;
      for (const e of entries) {
        const p = joinPath(dir, e.name);
        if (skip(p, e.isDirectory)) continue;
        if (e.isDirectory) {
          if (!excluded.has(e.name)) push({ dir: p });
        } else {
          out.push(p);
          if (onFile) push({ file: p });
        }
      }
    });
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
   * roles changed since the last time (cross-file checks are the costly part).
   */
  private rebuild(): IndexSnapshot {
    // resolveShards marks shard files as weights: done on copies, the cached reports stay as read.
    const reports = [...this.relevant.values()].map((e) => e.report);
    const shardCopies = new Map<string, FileReport>();
    for (const r of reports) {
      for (const sh of r.shards ?? []) {
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
    const bundles = groups.map((g) => {
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
    this.bundleCache.clear();
    for (const [k, v] of kept) this.bundleCache.set(k, v);
    this.current = { files, bundles };
    return this.current;
  }

  /** Full scan of the roots (reusing cached reports whose size and mtime did not change). */
  async scan(roots: string[]): Promise<IndexSnapshot> {
    this.roots = [...roots];
    this.venvDirs.clear();
    const seen = new Set<string>();
    for (const root of roots) {
      const st = await this.source.stat(root);
      if (!st) continue;
      const paths = st.isDirectory ? await this.walk(root, root, (p) => this.refreshFile(p)) : [root];
      for (const p of paths) seen.add(p);
      if (!st.isDirectory) await this.refreshAll(paths);
    }
    for (const p of [...this.entries.keys()]) if (!seen.has(p)) this.deleteEntry(p);
    for (const p of [...this.manifests.keys()]) if (!seen.has(p)) this.manifests.delete(p);
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
