// FileSource over Node's `fs`, for the CLI and the tests.
import { closeSync, constants, fstatSync, openSync, promises as fsp, readdirSync, readSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { ReadError } from './errors';
import * as nodePath from 'node:path';
import type { FileSource, FileStat } from './fileSource';

const SCRATCH = new Uint8Array(64 * 1024);
/** Files up to this size are read with synchronous calls; larger ones off the main thread. */
const SYNC_READ_BYTES = 1024 * 1024;

/**
 * What a folder entry is for a scan: a regular file, a folder, or something to skip (FIFOs,
 * sockets, devices, dangling links, link loops, links to an ancestor folder when following links):
 * opening a FIFO blocks until a writer comes, a device can be endless, a loop never ends.
 */
function entryKind(dir: string, e: Dirent, followLinks: boolean): 'file' | 'dir' | null {
  if (e.isFile()) return 'file';
  if (e.isDirectory()) return 'dir';
  if (!e.isSymbolicLink()) return null;
  const p = `${dir}/${e.name}`;
  try {
    const st = statSync(p);
    if (st.isFile()) return 'file';
    if (!st.isDirectory() || !followLinks) return null;
    // a link to the folder itself or to one above it would make the walk endless
    const target = realpathSync(p);
    const here = realpathSync(dir);
    return here === target || here.startsWith(target.endsWith('/') ? target : `${target}/`) ? null : 'dir';
  } catch {
    return null; // dangling, or a loop the kernel refuses (ELOOP)
  }
}

/** Opens a regular file for reading; anything else (FIFO, device, folder) is refused without blocking. */
function openRegular(path: string): number {
  // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new ReadError(
        'not-a-regular-file',
        `${path}: not a regular file (${st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : 'a device or socket'}); not read`,
      );
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Reads a whole regular file through `fd`, checking that it does not change size while read. */
function readAll(fd: number, path: string): Uint8Array {
  const size = fstatSync(fd).size;
  const out = new Uint8Array(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, out, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  if (got !== size || fstatSync(fd).size !== size) {
    throw new ReadError(
      'file-changed',
      `${path}: the file changed while it was read (${size} bytes, then ${fstatSync(fd).size}); read it again when it is written`,
    );
  }
  return out;
}

/** Reads files from the local disk. */
export class NodeFileSource implements FileSource {
  async readFile(path: string): Promise<Uint8Array> {
    // Small files (most artifacts) are read synchronously: the promise API's thread-pool round
    // trips cost more than the read (docs/scan-performance.md); larger ones off the main thread.
    // Only regular files are read (a FIFO would block); one buffer of the file's size; a file
    // that changes size while read is read once more, then refused with a clear error.
    const fd = openRegular(path);
    let size: number;
    try {
      size = fstatSync(fd).size;
      if (size <= SYNC_READ_BYTES) {
        try {
          return readAll(fd, path);
        } catch (e) {
          if (!(e instanceof ReadError) || e.code !== 'file-changed') throw e;
          return readAll(fd, path);
        }
      }
    } finally {
      closeSync(fd);
    }
    for (let attempt = 0; ; attempt++) {
      const buf = await fsp.readFile(path);
      const now = statSync(path, { throwIfNoEntry: false })?.size;
      if (buf.byteLength === now || attempt === 1) {
        if (buf.byteLength !== now)
          throw new ReadError(
            'file-changed',
            `${path}: the file changed while it was read (${buf.byteLength} bytes read, ${now ?? 'no file'} now); read it again when it is written`,
          );
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      }
    }
  }

  // Small reads and stats are synchronous: for the many tiny calls of a scan, the thread-pool round
  // trip of the promise API costs more than the call itself (measured in test/bench/scanBench.ts).
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const fd = openRegular(path);
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
    let s;
    try {
      s = statSync(path, { throwIfNoEntry: false });
    } catch {
      return null; // a link loop (ELOOP), a name too long: nothing there to read
    }
    return s ? { size: s.size, mtimeMs: s.mtimeMs, isDirectory: s.isDirectory() } : null;
  }

  /**
   * Entries of a folder: regular files and folders only (FIFOs, sockets, devices, dangling links
   * and link loops are left out); with `followLinks`, a symbolic link to a folder counts as a
   * folder unless it leads back to this folder or one above it.
   */
  async readDir(path: string, opts: { followLinks?: boolean } = {}): Promise<{ name: string; isDirectory: boolean }[]> {
    const out: { name: string; isDirectory: boolean }[] = [];
    for (const e of readdirSync(path, { withFileTypes: true })) {
      const kind = entryKind(path, e, opts.followLinks === true);
      if (kind) out.push({ name: e.name, isDirectory: kind === 'dir' });
    }
    return out;
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
