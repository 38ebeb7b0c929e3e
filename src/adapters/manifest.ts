// Text of a bundle's manifest (model-bundle.json), built by the core's manifest builder.
import type { BundleIndex } from '../core/bundleIndex';
import type { FileSource } from '../core/fileSource';
import type { Bundle } from '../core/types';

/** The manifest JSON of a bundle, or null while the core has no manifest builder. */
export function buildManifestText(_bundle: Bundle, _index: BundleIndex, _source: FileSource): Promise<string> | null {
  return null;
}
