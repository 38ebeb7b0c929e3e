// Reads files and folders into FileReports: walks folders, sniffs each file, runs its reader,
// resolves TensorFlow.js shards, and never lets one bad file stop the report.
import { toFileError } from '../io/errors';
import { parsePythonJson } from './logs/historyJson';
import { baseName, dirName, joinPath, type FileSource, type FileStat } from '../io/fileSource';
import { HEAD_BYTES, type FormatReader, type ReaderInput, type ReaderResult } from './reader';
import { binaryReaders, jsonReaders } from './readers';
import type { FileReport } from '../types';

/** Folder names never descended into. */
export const DEFAULT_EXCLUDED_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  '.ipynb_checkpoints',
  'site-packages',
  '.vscode-test',
]);

/** JSON documents larger than this are not parsed (a model.json is kilobytes to a few MB). */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Options of the walk. */
export interface WalkOptions {
  /** Extra folder names to skip. */
  excludeDirs?: Iterable<string>;
  /** Skips a file or folder (and everything under it) when it returns true. */
  skip?: (path: string, isDirectory: boolean) => boolean;
}

/**
 * Lists the files under each path (a file is listed as is), skipping excluded folders and
 * virtual environments (folders holding `pyvenv.cfg`). Iterative: deep trees cannot overflow.
 */
export async function walkPaths(paths: string[], source: FileSource, opts: WalkOptions = {}): Promise<string[]> {
  const excluded = new Set([...DEFAULT_EXCLUDED_DIRS, ...(opts.excludeDirs ?? [])]);
  const out: string[] = [];
  for (const root of paths) {
    const st = await source.stat(root);
    if (!st) throw new Error(`${root}: no such file or folder`);
    if (!st.isDirectory) {
      out.push(root);
      continue;
    }
    const stack = [root];
    while (stack.length) {
      const dir = stack.pop()!;
      const entries = (await source.readDir(dir)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (dir !== root && entries.some((e) => !e.isDirectory && e.name === 'pyvenv.cfg')) continue;
      const subdirs: string[] = [];
      for (const e of entries) {
        const p = joinPath(dir, e.name);
        if (opts.skip?.(p, e.isDirectory)) continue;
        if (e.isDirectory) {
          if (!excluded.has(e.name)) subdirs.push(p);
        } else out.push(p);
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
    }
  }
  return out;
}

/** Whether the first bytes (after a BOM and blanks) open a JSON object or array. */
export function startsAsJson(head: Uint8Array): boolean {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  return head[i] === 0x7b /* { */ || head[i] === 0x5b; /* [ */
}

function decodeJson(bytes: Uint8Array): unknown {
  // Python's json.dumps writes NaN / Infinity, which JSON.parse refuses: parsePythonJson maps them.
  return parsePythonJson(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
}

function unknownFile(): ReaderResult {
  return { role: 'other', format: 'unknown' };
}

/**
 * Keys or values in the first bytes of a JSON document that one of the JSON readers can claim
 * (Keras / tfjs configs, numeric lists of a history, pandas `{"0": 0.5, ...}` columns, lists of
 * per-epoch records such as Hugging Face's `log_history`). Used to skip parsing the other JSON files a
 * folder scan meets (package.json, settings...).
 */
export const MODEL_OR_LOG_JSON =
  /"(class_name|modelTopology|weightsManifest|model_config|keras_version|history|log_history|format)"|:\s*\[\s*(-?[\d.]|NaN|null|-?Infinity|")|:\s*\{\s*"\d+"\s*:\s*(-?[\d.]|NaN|null|-?Infinity)|^\uFEFF?\s*[[{]\s*(\{|"\d+"\s*:\s*\{)\s*"[^"\n]{1,200}"\s*:\s*(-?[\d.]|NaN|null|-?Infinity)/;

/** Options of inspectFile. */
export interface InspectOptions {
  /**
   * The user named this file (true, the default) or a folder scan found it (false). Only named files
   * get errors for being JSON that is not a model; found ones are simply not artifacts.
   */
  explicit?: boolean;
  /** The file's stat when the caller has just taken it (saves a second one). */
  stat?: FileStat;
}

/** Reads one file with the reader its content asks for. Never throws. */
export async function inspectFile(path: string, source: FileSource, opts: InspectOptions = {}): Promise<FileReport> {
  const explicit = opts.explicit ?? true;
  const st = opts.stat ?? (await source.stat(path));
  if (!st) {
    return { path, role: 'other', format: 'unknown', error: { code: 'not-found', message: `${path}: no such file` } };
  }
  const report: FileReport = { path, role: 'other', format: 'unknown', error: null, size: st.size, mtimeMs: st.mtimeMs };
  let reader: FormatReader | null = null;
  try {
    const head = await source.readRange(path, 0, HEAD_BYTES);
    const input: ReaderInput = { path, size: st.size, head, source };
    let result: ReaderResult | null = null;
    const binary = binaryReaders.find((r) => r.sniff(head, path));
    if (binary) {
      reader = binary;
      result = await binary.read(input);
    } else if (startsAsJson(head) && st.size <= MAX_JSON_BYTES && (explicit || MODEL_OR_LOG_JSON.test(new TextDecoder().decode(head)))) {
      let value: unknown;
      try {
        value = decodeJson(await source.readFile(path));
      } catch (e) {
        value = undefined;
        if (explicit && /\.json$/i.test(path)) {
          result = {
            role: 'other',
            format: 'unknown',
            error: { code: 'invalid-json', message: `${path}: not valid JSON (${(e as Error).message})` },
          };
        }
      }
      if (value !== undefined) {
        const json = jsonReaders.find((r) => r.sniffJson(value, path));
        if (json) {
          reader = json;
          result = await json.readJson(value, input);
        } else if (explicit && /\.json$/i.test(path)) {
          result = {
            role: 'other',
            format: 'unknown',
            error: {
              code: 'not-a-model',
              message: `${path}: JSON that is neither a Keras/TensorFlow.js model nor a training history`,
            },
          };
        }
      }
    }
    Object.assign(report, result ?? unknownFile());
    if (report.error === undefined) report.error = null;
  } catch (e) {
    const err = toFileError(e);
    report.error = { code: err.code, message: err.message.startsWith(path) ? err.message : `${path}: ${err.message}` };
    if (reader) {
      report.role = reader.fallbackRole;
      report.format = reader.formats[0];
    }
  }
  return report;
}

/**
 * Marks TensorFlow.js weight shards: every file named in a tfjs model.json's manifest becomes
 * role `weights`, format `tfjs-shard` (whatever its name or content). Side files of a joblib < 0.10
 * pickle (`scaler.pkl_01.npy`) are part of that scaler: they become role `other` without an error.
 */
export function resolveShards(reports: FileReport[]): void {
  const byPath = new Map(reports.map((r) => [r.path, r]));
  for (const r of reports) {
    for (const s of r.sideFiles ?? []) {
      const side = byPath.get(s.path);
      if (!side || side === r) continue;
      side.role = 'other';
      side.format = 'unknown';
      side.error = null;
      delete side.scaler;
      delete side.pickle;
      delete side.log;
    }
    if (!r.shards) continue;
    for (const s of r.shards) {
      const shard = byPath.get(s.path);
      if (!shard) continue;
      shard.role = 'weights';
      shard.format = 'tfjs-shard';
      shard.error = null;
      delete shard.log;
      delete shard.pickle;
      delete shard.scaler;
      delete shard.foreign;
    }
  }
}

/**
 * For a file given alone that no reader claimed: if a sibling `.json` is a tfjs model whose
 * manifest names it, read that sibling so the shard is resolved.
 */
async function findShardOwners(report: FileReport, source: FileSource, seen: Set<string>): Promise<FileReport[]> {
  const dir = dirName(report.path);
  let entries: { name: string; isDirectory: boolean }[];
  try {
    entries = await source.readDir(dir);
  } catch {
    return [];
  }
  const owners: FileReport[] = [];
  for (const e of entries) {
    if (e.isDirectory || !/\.json$/i.test(e.name)) continue;
    const p = joinPath(dir, e.name);
    if (seen.has(p)) continue;
    const r = await inspectFile(p, source);
    if (r.shards?.some((s) => s.path === report.path)) owners.push(r);
  }
  return owners;
}

/** Reads every file under the given paths. Files come out in walk order. */
export async function inspectPaths(paths: string[], source: FileSource, opts: WalkOptions = {}): Promise<FileReport[]> {
  const files = await walkPaths(paths, source, opts);
  const named = new Set(paths);
  const reports: FileReport[] = [];
  for (const f of files) reports.push(await inspectFile(f, source, { explicit: named.has(f) }));
  resolveShards(reports);
  const seen = new Set(files);
  for (const r of reports) {
    if (r.format !== 'unknown' || r.error) continue;
    const owners = await findShardOwners(r, source, seen);
    if (owners.length) resolveShards([...owners, r]);
  }
  return reports;
}

/** The name of a file without its folder (re-exported for readers' messages). */
export { baseName };
