// The whole pipeline for a set of paths: read every file, group into bundles, validate.
import type { FileSource } from './fileSource';
import { inspectPaths, type WalkOptions } from './inspect';
import type { Bundle, FileReport, InspectReport, Role } from './types';
import { dirName } from './fileSource';

/** The tool's version, printed in reports. */
export const TOOL_VERSION = '0.1.0';

/** Simple per-folder grouping (placeholder until the bundle rules land). */
function groupByFolder(files: FileReport[]): Bundle[] {
  const groups = new Map<string, Bundle>();
  for (const f of files) {
    if (f.role === 'other') continue;
    const root = dirName(f.path);
    let b = groups.get(root);
    if (!b) {
      b = { root, files: { scaler: [], structure: [], weights: [], model: [], log: [] }, complete: false, findings: [] };
      groups.set(root, b);
    }
    b.files[f.role as Exclude<Role, 'other'>].push(f.path);
  }
  for (const b of groups.values()) {
    const f = b.files;
    b.complete = f.scaler.length > 0 && (f.model.length > 0 || (f.structure.length > 0 && f.weights.length > 0)) && f.log.length > 0;
  }
  return [...groups.values()];
}

/** Reads the paths and returns the `inspect --json` document. */
export async function buildReport(paths: string[], source: FileSource, opts: WalkOptions = {}): Promise<InspectReport> {
  const files = await inspectPaths(paths, source, opts);
  return { tool: { name: 'model-bundles', version: TOOL_VERSION }, files, bundles: groupByFolder(files) };
}
