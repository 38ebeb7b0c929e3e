// Text of a bundle's manifest (model-bundle.json): the core's builder with SHA-256 of each file.
// node:crypto hashes in chunks, so a multi-gigabyte weights file is never held in memory whole.
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import { buildManifest } from '../core/bundles/bundle';
import type { FileSource } from '../core/io/fileSource';
import type { Bundle } from '../core/types';

/** Bytes hashed per read. */
const CHUNK = 8 * 1024 * 1024;

/** SHA-256 (hex) of a file, read through the FileSource in chunks. */
export async function sha256Of(source: FileSource, path: string): Promise<string> {
  const st = await source.stat(path);
  if (!st || st.isDirectory) throw new Error(vscode.l10n.t('{0}: no such file', path));
  const h = createHash('sha256');
  for (let offset = 0; offset < st.size;) {
    const bytes = await source.readRange(path, offset, Math.min(CHUNK, st.size - offset));
    if (bytes.length === 0) break; // the file shrank while it was hashed
    h.update(bytes);
    offset += bytes.length;
  }
  return h.digest('hex');
}

/** The manifest builder: roles of every file of the bundle and their SHA-256. */
export function manifestBuilder(source: FileSource): ((bundle: Bundle) => Promise<string>) | null {
  return (bundle) => buildManifest(bundle, (path) => sha256Of(source, path));
}
