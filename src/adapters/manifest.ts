// Text of a bundle's manifest (model-bundle.json), built by the core's manifest builder.
import type { FileSource } from '../core/fileSource';
import type { Bundle } from '../core/types';

/** The manifest builder of this build, or null while the core has none (src/core/bundle.ts). */
export function manifestBuilder(_source: FileSource): ((bundle: Bundle) => Promise<string>) | null {
  return null;
}
