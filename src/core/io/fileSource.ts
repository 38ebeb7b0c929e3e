// File access used by the core: the CLI implements it with `fs`, the extension with
// `vscode.workspace.fs`, tests with either. Readers never touch `fs` themselves.

/** What the core needs to know of a file or folder. */
export interface FileStat {
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
}

/** Read-only access to files. Paths are as the caller gave them (joined with `/`). */
export interface FileSource {
  /** Reads a whole file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Reads up to `length` bytes from `offset` (fewer at the end of the file). */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array>;
  /** Stat of a file or folder, or null when it does not exist. */
  stat(path: string): Promise<FileStat | null>;
  /** Entries of a folder. */
  readDir(path: string): Promise<{ name: string; isDirectory: boolean }[]>;
  /**
   * A path on the local disk that libraries opening files themselves (h5wasm) may use, or null
   * for virtual / remote-only files (those are then read into memory).
   */
  localPath(path: string): string | null;
  /**
   * Optional: the canonical path of a file or folder with every symbolic link resolved, or null
   * when it does not exist. Readers use it to keep files a model names inside the model's folder.
   */
  realPath?(path: string): Promise<string | null>;
}

/** Joins path segments with `/`, without normalising `..` or making paths absolute. */
export function joinPath(dir: string, name: string): string {
  if (dir === '' || dir === '.') return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

/** The folder part of a `/`-joined path (`.` for a bare name). */
export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return path.slice(0, i);
}

/** The last segment of a `/`-joined path. */
export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}
