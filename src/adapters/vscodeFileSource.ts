// FileSource over vscode.workspace.fs, so the core reads local, remote (SSH, WSL, containers) and
// virtual (GitHub Repositories) workspaces alike. Index paths are `uri.path` for `file:` URIs and
// `scheme://authority/path` for every other scheme; pathToUri / uriToPath convert both ways.
import { open } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { FileSource, FileStat } from '../core/fileSource';

const SCHEME_PATH = /^([a-zA-Z][\w+.-]*):\/\/([^/]*)(\/.*)?$/;

/** The index path of a URI (stable, `/`-joined, unencoded). */
export function uriToPath(uri: vscode.Uri): string {
  if (uri.scheme === 'file') return uri.path;
  return `${uri.scheme}://${uri.authority}${uri.path}`;
}

/** The URI of an index path (inverse of uriToPath; Windows drive paths are accepted too). */
export function pathToUri(path: string): vscode.Uri {
  const m = SCHEME_PATH.exec(path);
  if (m && m[1].length > 1) return vscode.Uri.from({ scheme: m[1], authority: m[2], path: m[3] ?? '/' });
  return vscode.Uri.file(path);
}

/** Reads files through vscode.workspace.fs (read-only). */
export class VscodeFileSource implements FileSource {
  async readFile(path: string): Promise<Uint8Array> {
    return vscode.workspace.fs.readFile(pathToUri(path));
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    // workspace.fs has no ranged read: local files go through Node, others are read whole.
    const local = this.localPath(path);
    if (local !== null) {
      // platform exception: `file:` URIs are on this machine (extensionKind workspace), and a ranged
      // read of a multi-gigabyte weights file must not load it whole
      const fh = await open(local, 'r');
      try {
        const out = new Uint8Array(Math.max(0, length));
        const { bytesRead } = await fh.read(out, 0, out.length, offset);
        return out.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    }
    const all = await this.readFile(path);
    return all.subarray(Math.min(offset, all.length), Math.min(offset + length, all.length));
  }

  async stat(path: string): Promise<FileStat | null> {
    try {
      const s = await vscode.workspace.fs.stat(pathToUri(path));
      return { size: s.size, mtimeMs: s.mtime, isDirectory: (s.type & vscode.FileType.Directory) !== 0 };
    } catch {
      return null;
    }
  }

  async readDir(path: string): Promise<{ name: string; isDirectory: boolean }[]> {
    const entries = await vscode.workspace.fs.readDirectory(pathToUri(path));
    // symbolic links to folders are reported as SymbolicLink | Directory; they are walked like folders
    return entries.map(([name, type]) => ({ name, isDirectory: (type & vscode.FileType.Directory) !== 0 }));
  }

  localPath(path: string): string | null {
    const uri = pathToUri(path);
    return uri.scheme === 'file' ? uri.fsPath : null;
  }
}
