// FileSource over Node's `fs`, for the CLI and the tests.
import { closeSync, openSync, promises as fsp, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import * as nodePath from 'node:path';
import type { FileSource, FileStat } from './fileSource';

const SCRATCH = new Uint8Array(64 * 1024);
/** Files up to this size are read with one synchronous call. */
const SYNC_READ_BYTES = 1024 * 1024;

/** Whether a symbolic link leads to a folder (false for a dangling link or a loop the kernel refuses). */
function linksToFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Reads files from the local disk. */
export class NodeFileSource implements FileSource {
  async readFile(path: string): Promise<Uint8Array> {
    // Small files (scalers, logs, model.json: most artifacts) are read synchronously: the promise
    // API's four thread-pool round trips cost more than the read (docs/scan-performance.md); a
    // read under SYNC_READ_BYTES blocks the thread for well under a millisecond.
    const small = (statSync(path, { throwIfNoEntry: false })?.size ?? Infinity) <= SYNC_READ_BYTES;
    const buf = small ? readFileSync(path) : await fsp.readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  // Small reads and stats are synchronous: for the many tiny calls of a scan, the thread-pool round
  // trip of the promise API costs more than the call itself (measured in test/bench/scanBench.ts).
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const fd = openSync(path, 'r');
    try {
      // Short reads (file heads) go through one scratch buffer and are copied out at their real
      // length: a scan of many small files then allocates bytes, not 4 KB per file.
      const out = length <= SCRATCH.length ? SCRATCH : new Uint8Array(length);
      const bytesRead = readSync(fd, out, 0, length, offset);
      return out === SCRATCH ? SCRATCH.slice(0, bytesRead) : out.subarray(0, bytesRead);
    } finally {
      closeSync(fd);
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    const s = statSync(path, { throwIfNoEntry: false });
    return s ? { size: s.size, mtimeMs: s.mtimeMs, isDirectory: s.isDirectory() } : null;
  }

  /** Entries of a folder; with `followLinks`, a symbolic link to a folder counts as a folder. */
  async readDir(path: string, opts: { followLinks?: boolean } = {}): Promise<{ name: string; isDirectory: boolean }[]> {
    const entries = readdirSync(path, { withFileTypes: true });
    return entries.map((e) => ({
      name: e.name,
      isDirectory: e.isDirectory() || (opts.followLinks === true && e.isSymbolicLink() && linksToFolder(`${path}/${e.name}`)),
    }));
  }

  localPath(path: string): string {
    return nodePath.resolve(path);
  }

  async realPath(path: string): Promise<string | null> {
    try {
      return realpathSync(path);
    } catch {
      return null;
    }
  }
}
