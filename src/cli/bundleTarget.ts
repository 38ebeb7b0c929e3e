// The one bundle a deploy command (contract, card) works on: the path's bundle, read like `inspect`.
import { NodeFileSource } from '../core/io/nodeFileSource';
import { buildReport } from '../core/report/report';
import type { Bundle, FileReport, InspectReport } from '../core/types';

/** A command-line problem that is the user's to fix (exit 2, one line on stderr). */
export class TargetError extends Error {}

/** Reads `path` and returns its bundle: the only one, or the one rooted at the path. */
export async function loadBundle(path: string): Promise<{ report: InspectReport; bundle: Bundle; files: FileReport[] }> {
  const source = new NodeFileSource();
  if (!(await source.stat(path))) throw new TargetError(`${path}: no such file or folder`);
  // Pins are searched up to the working folder (the project) when the bundle lies inside it.
  const report = await buildReport([path], source, { verifyHashes: true, pinRoot: process.cwd() });
  const clean = path.replace(/\/+$/, '') || path;
  const bundles = report.bundles.length > 1 ? report.bundles.filter((b) => b.root === clean) : report.bundles;
  if (bundles.length === 0 && report.bundles.length === 0) throw new TargetError(`${path}: no model bundle found (no model, structure, weights or scaler)`);
  if (bundles.length !== 1)
    throw new TargetError(`${path}: holds ${report.bundles.length} bundles (${report.bundles.map((b) => b.root).join(', ')}); name one of them`);
  const bundle = bundles[0];
  const mine = new Set(Object.values(bundle.files).flat());
  return { report, bundle, files: report.files.filter((f) => mine.has(f.path)) };
}
