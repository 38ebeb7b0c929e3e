// FileSource over Node's `fs`, for the CLI and the tests.
import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';
import type { FileSource, FileStat } from './fileSource';

/** Reads files from the local disk. */
export class NodeFileSource implements FileSource {
  async readFile(path: string): Promise<Uint8Array> {
    const buf = await fsp.readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const fh = await fsp.open(path, 'r');
    try {
      const out = new Uint8Array(length);
      const { bytesRead } = await fh.read(out, 0, length, offset);
      return out.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    try {
      const s = await fsp.stat(path);
      return { size: s.size, mtimeMs: s.mtimeMs, isDirectory: s.isDirectory() };
    } catch {
      return null;
    }
  }

  async readDir(path: string): Promise<{ name: string; isDirectory: boolean }[]> {
    const entries = await fsp.readdir(path, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  }

  localPath(path: string): string {
    return nodePath.resolve(path);
  }
}
