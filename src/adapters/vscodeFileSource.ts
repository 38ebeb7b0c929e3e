// FileSource over vscode.workspace.fs, so the core reads local, remote (SSH, WSL, containers) and
// virtual (GitHub Repositories) workspaces alike. Index paths are `uri.path` for `file:` URIs and
// `scheme://authority/path` for every other scheme; pathToUri / uriToPath convert both ways.
import * as vscode from 'vscode';
import type { FileSource, FileStat } from '../core/io/fileSource';
import { NodeFileSource } from '../core/io/nodeFileSource';

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

/**
 * Reads files (read-only): `file:` URIs through Node, every other scheme (remote, virtual) through
 * vscode.workspace.fs. Platform exception: the extension runs where the files are (extensionKind
 * workspace), so a `file:` URI is on this machine; Node's synchronous calls make a scan's many small
 * reads and stats several times cheaper than the promise-based workspace.fs (measured by
 * test/bench/scanBench.ts: quick phase 2x `find` against 5x), and give ranged reads, which
 * workspace.fs lacks (a multi-gigabyte weights file must not be loaded whole to read its header).
 */
export class VscodeFileSource implements FileSource {
  private readonly node = new NodeFileSource();

  async readFile(path: string): Promise<Uint8Array> {
    const local = this.localPath(path);
    return local !== null ? this.node.readFile(local) : vscode.workspace.fs.readFile(pathToUri(path));
  }

  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    const local = this.localPath(path);
    if (local !== null) return this.node.readRange(local, offset, length);
    // workspace.fs has no ranged read: non-local files are read whole
    const all = await vscode.workspace.fs.readFile(pathToUri(path));
    return all.subarray(Math.min(offset, all.length), Math.min(offset + length, all.length));
  }

  async stat(path: string): Promise<FileStat | null> {
    const local = this.localPath(path);
    if (local !== null) return this.node.stat(local);
    try {
      const s = await vscode.workspace.fs.stat(pathToUri(path));
      return { size: s.size, mtimeMs: s.mtime, isDirectory: (s.type & vscode.FileType.Directory) !== 0 };
    } catch {
      return null;
    }
  }

  async readDir(path: string): Promise<{ name: string; isDirectory: boolean }[]> {
    const local = this.localPath(path);
    // symbolic links to folders are walked like folders (as workspace.fs reports them)
    if (local !== null) return this.node.readDir(local, { followLinks: true });
    const entries = await vscode.workspace.fs.readDirectory(pathToUri(path));
    // symbolic links to folders are reported as SymbolicLink | Directory; they are walked like folders
    return entries.map(([name, type]) => ({ name, isDirectory: (type & vscode.FileType.Directory) !== 0 }));
  }

  localPath(path: string): string | null {
    const uri = pathToUri(path);
    return uri.scheme === 'file' ? uri.fsPath : null;
  }
}
