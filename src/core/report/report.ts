// The whole pipeline for a set of paths: read every file, group into bundles, validate.
import { buildBundles, MANIFEST_NAME, parseManifest, verifyManifestHashes, type BundleManifest } from '../bundles/bundle';
import { versionDriftFindings } from '../bundles/versionDrift';
import { baseName, dirName, type FileSource } from '../io/fileSource';
import { inspectPaths, type WalkOptions } from '../formats/inspect';
import type { InspectReport } from '../types';

/** The tool's version, printed in reports. */
export const TOOL_VERSION = '0.1.0';

/** Options of buildReport. */
export interface ReportOptions extends WalkOptions {
  /** Check the SHA-256 that manifests record against the files (reads them whole: for `check`). */
  verifyHashes?: boolean;
  /**
   * The folder up to which pin files (requirements.txt, pyproject.toml...) are searched above a
   * bundle, for absolute paths (the CLI's working folder, the workspace folder). Default: the path
   * the bundle was found under; relative paths always go up to `.`.
   */
  pinRoot?: string;
}

/** Reads the paths and returns the `inspect --json` document (files, bundles with findings). */
export async function buildReport(paths: string[], source: FileSource, opts: ReportOptions = {}): Promise<InspectReport> {
  const files = await inspectPaths(paths, source, opts);
  const manifests: BundleManifest[] = [];
  for (const f of files) {
    if (baseName(f.path) !== MANIFEST_NAME) continue;
    const m = parseManifest(new TextDecoder().decode(await source.readFile(f.path)), f.path);
    if (m) {
      manifests.push(m);
      f.error = null; // a manifest is not a model: no "not-a-model" error for it
    }
  }
  const bundles = buildBundles(files, { manifests });
  if (opts.verifyHashes) {
    for (const m of manifests) {
      const b = bundles.find((x) => x.root === m.root);
      if (b) b.findings.push(...(await verifyManifestHashes(m, source)));
    }
  }
  // Version drift: the pins of the workspace (the bundle's folder up to the path it was found
  // under; `.` for relative paths) against the versions its files record.
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const b of bundles) {
    const own = Object.values(b.files)
      .flat()
      .map((p) => byPath.get(p))
      .filter((f) => f !== undefined);
    b.findings.push(...(await versionDriftFindings(own, b.root, await scanRootOf(b.root, paths, source, opts.pinRoot), source)));
  }
  return { tool: { name: 'model-bundles', version: TOOL_VERSION }, files, bundles };
}

/** The folder a bundle was found under: `.` for relative paths, else the given folder (a file's folder). */
async function scanRootOf(root: string, paths: string[], source: FileSource, pinRoot?: string): Promise<string> {
  if (!root.startsWith('/')) return '.';
  const top = pinRoot?.replace(/\/+$/, '');
  if (top && (root === top || root.startsWith(`${top}/`))) return top;
  let best = root;
  for (const p of paths) {
    const dir = (await source.stat(p))?.isDirectory ? p.replace(/\/+$/, '') || '/' : dirName(p);
    if ((root === dir || root.startsWith(`${dir}/`)) && dir.length < best.length) best = dir;
  }
  return best;
}
