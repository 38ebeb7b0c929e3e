// The workspace index: which files exist, what each is, how they group into bundles, and what is
// wrong with each bundle. Cached by path + size + mtime; updated incrementally. (Stub: API only.)
import type { FileSource } from './fileSource';
import type { Bundle, FileReport } from './types';

/** Options of the index. */
export interface BundleIndexOptions {
  /** Folder names to skip besides the defaults (node_modules, .git, virtual environments...). */
  excludeDirs?: string[];
  /** Glob patterns (relative to a root, `**` and `*` supported) of files or folders to skip. */
  excludeGlobs?: string[];
  /** Files larger than this are only sniffed and their headers read, not parsed whole. */
  maxEagerBytes?: number;
}

/** Result of a scan or update. */
export interface IndexSnapshot {
  files: FileReport[];
  bundles: Bundle[];
}

/** Keeps FileReports and Bundles of some roots current. */
export class BundleIndex {
  constructor(
    readonly source: FileSource,
    readonly options: BundleIndexOptions = {},
  ) {}

  /** Full scan of the roots (reusing cached reports whose size and mtime did not change). */
  async scan(_roots: string[]): Promise<IndexSnapshot> {
    throw new Error('BundleIndex.scan: not implemented yet');
  }

  /** Re-reads changed or created files, forgets deleted ones, regroups the bundles they touch. */
  async update(_changed: string[], _deleted: string[]): Promise<IndexSnapshot> {
    throw new Error('BundleIndex.update: not implemented yet');
  }

  /** The current state. */
  snapshot(): IndexSnapshot {
    return { files: [], bundles: [] };
  }
}
