// The workspace index: which files exist, what each is, how they group into bundles, and what is
// wrong with each bundle. Reports are cached by path + size + mtime; `update` re-reads only the
// files that changed. Files whose names say source code or text are not opened at all.
import { buildBundles, MANIFEST_NAME, parseManifest, type BundleManifest } from './bundle';
import { toFileError } from './errors';
import { baseName, type FileSource } from './fileSource';
import { globMatcher } from './glob';
import { HEAD_BYTES } from './reader';
import { binaryReaders } from './readers';
import { inspectFile, resolveShards, walkPaths } from './inspect';
import type { Bundle, FileReport } from './types';

/** Options of the index. */
export interface BundleIndexOptions {
  /** Folder names to skip besides the defaults (node_modules, .git, virtual environments...). */
  excludeDirs?: string[];
  /** Glob patterns (relative to a root, `**` and `*` supported) of files or folders to skip. */
  excludeGlobs?: string[];
  /** Files larger than this are only sniffed, not parsed (HDF5 is always parsed: only its metadata is read). */
  maxEagerBytes?: number;
  /** How many files are read at once. */
  concurrency?: number;
}

/** Result of a scan or update. */
export interface IndexSnapshot {
  files: FileReport[];
  bundles: Bundle[];
}

/**
 * Extensions of files that are never model artifacts (source code, text, documents): skipped
 * without opening them. Everything else is sniffed by content.
 */
const NOT_ARTIFACT = new Set([
  'py', 'ipynb', 'md', 'txt', 'rst', 'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'html', 'htm', 'css', 'scss', 'yml', 'yaml', 'toml',
  'ini', 'cfg', 'lock', 'c', 'h', 'cc', 'cpp', 'hpp', 'java', 'kt', 'go', 'rs', 'rb', 'php', 'sh', 'bat', 'ps1', 'xml', 'svg',
  'gitignore', 'gitattributes', 'license', 'r', 'jl', 'swift', 'm', 'mm', 'sql', 'tex', 'pdf', 'docx', 'xlsx', 'pptx', 'zip_',
]);

function extension(path: string): string {
  const name = baseName(path).toLowerCase();
  const i = name.lastIndexOf('.');
  return i < 0 ? '' : name.slice(i + 1);
}

interface Entry {
  size: number;
  mtimeMs: number;
  report: FileReport;
}

/** Keeps FileReports and Bundles of some roots current. */
export class BundleIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly manifests = new Map<string, BundleManifest>();
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
      return !isDirectory && NOT_ARTIFACT.has(extension(path)) && baseName(path) !== MANIFEST_NAME;
    };
  }

  /** Reads one file unless its cached report is still valid (same size and mtime). */
  private async refreshFile(path: string): Promise<void> {
    const st = await this.source.stat(path);
    if (!st || st.isDirectory) {
      this.entries.delete(path);
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
      this.entries.set(path, { size: st.size, mtimeMs: st.mtimeMs, report: { path, role: 'other', format: 'unknown', error: null, size: st.size, mtimeMs: st.mtimeMs } });
      return;
    }
    let report: FileReport;
    const limit = this.options.maxEagerBytes;
    if (limit !== undefined && st.size > limit) report = await this.sniffOnly(path, st.size, st.mtimeMs);
    else report = await inspectFile(path, this.source, { explicit: false });
    this.entries.set(path, { size: st.size, mtimeMs: st.mtimeMs, report });
  }

  /** A large file: HDF5 is still read (metadata only); others get the role and format their content shows. */
  private async sniffOnly(path: string, size: number, mtimeMs: number): Promise<FileReport> {
    try {
      const head = await this.source.readRange(path, 0, HEAD_BYTES);
      const r = binaryReaders.find((x) => x.sniff(head, path));
      if (!r) return { path, role: 'other', format: 'unknown', error: null, size, mtimeMs };
      if (r.name === 'kerasH5') return inspectFile(path, this.source, { explicit: false });
      return { path, role: r.fallbackRole, format: r.formats[0], error: null, size, mtimeMs };
    } catch (e) {
      return { path, role: 'other', format: 'unknown', error: toFileError(e), size, mtimeMs };
    }
  }

  private async refreshAll(paths: string[]): Promise<void> {
    const n = Math.max(1, this.options.concurrency ?? 8);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length) {
        const p = paths[next++];
        await this.refreshFile(p);
      }
    };
    await Promise.all(Array.from({ length: Math.min(n, paths.length) }, worker));
  }

  private async walk(root: string): Promise<string[]> {
    return walkPaths([root], this.source, { excludeDirs: this.options.excludeDirs, skip: this.skipFor(root) });
  }

  private rebuild(): IndexSnapshot {
    const reports = [...this.entries.values()].map((e) => e.report);
    resolveShards(reports);
    const files = reports.filter((r) => r.role !== 'other' || r.error !== null).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    this.current = { files, bundles: buildBundles(files, { manifests: [...this.manifests.values()] }) };
    return this.current;
  }

  /** Full scan of the roots (reusing cached reports whose size and mtime did not change). */
  async scan(roots: string[]): Promise<IndexSnapshot> {
    this.roots = [...roots];
    const seen = new Set<string>();
    for (const root of roots) {
      const st = await this.source.stat(root);
      if (!st) continue;
      const paths = st.isDirectory ? await this.walk(root) : [root];
      for (const p of paths) seen.add(p);
      await this.refreshAll(paths);
    }
    for (const p of [...this.entries.keys()]) if (!seen.has(p)) this.entries.delete(p);
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
      for (const p of [...this.entries.keys()]) if (p === d || p.startsWith(prefix)) this.entries.delete(p);
      for (const p of [...this.manifests.keys()]) if (p === d || p.startsWith(prefix)) this.manifests.delete(p);
    }
    const files: string[] = [];
    for (const c of changed) {
      const root = this.rootOf(c);
      const st = await this.source.stat(c);
      if (!st) {
        this.entries.delete(c);
        this.manifests.delete(c);
        continue;
      }
      if (st.isDirectory) files.push(...(await walkPaths([c], this.source, { excludeDirs: this.options.excludeDirs, skip: this.skipFor(root ?? c) })));
      else if (!this.skipFor(root ?? '')(c, false) || this.entries.has(c)) files.push(c);
    }
    // A tfjs model.json checks its shards when read: re-read it when one of its shards changed or went.
    const touched = new Set([...changed, ...deleted]);
    for (const [p, e] of this.entries) {
      if (e.report.shards?.some((s) => touched.has(s.path)) && !files.includes(p)) {
        this.entries.delete(p);
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
