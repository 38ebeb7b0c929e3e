// Pickle and joblib files (scikit-learn objects, history pickles), read without executing anything:
// the container is sniffed by magic bytes, loadPickleBytes (joblib.ts) builds inert values from an
// allowlist, and sklearn.ts / historyPickle.ts interpret them.
import { ReadError } from '../../io/errors';
import { baseName, dirName, joinPath, type FileSource } from '../../io/fileSource';
import { historyFromPyValue } from './historyPickle';
import { loadPickleBytes, readZFile, type PickleLoad } from './joblib';
import { arrayFromBytes } from './numpy';
import { summarizeLog } from '../shared/logSummary';
import { NdArray, PyObject, PySideArray, PyTuple, type PyValue } from './pyValue';
import type { BinaryReader, ReaderInput, ReaderResult } from '../reader';
import { findScalers } from './sklearn';
import type { FileError, FileReport, Format, Role } from '../../types';

/** Largest pickle / joblib file read (preprocessing objects are kilobytes to a few MB). */
export const MAX_PICKLE_BYTES = 512 * 1024 * 1024;

/** Names that say "pickle" (also compressed joblib names such as `scaler.pkl.gz`, `model.joblib.z`). */
const PICKLE_NAME = /\.(pkl|pickle|joblib|jbl|jl|sav|p|pck|pcl|pk|dump|gz|z|bz2|xz|lzma|lz4)$/i;
/** Compressed names that are clearly something else. */
const NOT_PICKLE_GZ = /\.(csv|tsv|txt|json|jsonl|tar|h5|hdf5|npy|npz|log|png|jpg)\.(gz|bz2|xz|lz4|z)$/i;
/** Names that say "preprocessing object", so a refused or broken file still counts as the bundle's scaler. */
const SCALER_NAME = /scaler|scaling|scale[-_.]|normali[sz]|standard|minmax|robust|quantile|preproc|transformer|encoder|imputer|pipe/i;

/** Opcodes a protocol 0/1 pickle can start with (no PROTO): MARK, lists, dicts, GLOBAL, NONE, INT... */
const P01_FIRST = new Set([...'(]})cNISVFLlditUTXJKMGqpghi'].map((c) => c.charCodeAt(0)));
/** Opcodes that follow PROTO 2-5 in real pickles (FRAME, containers, globals, constants, memo). */
const AFTER_PROTO = new Set([...[...'(]})cNISVFLlditUTXJKMGqpghiBC'].map((c) => c.charCodeAt(0)), 0x88, 0x89, 0x8a, 0x8c, 0x8d, 0x8e, 0x8f, 0x93, 0x94, 0x95]);

function isPickleName(path: string): boolean {
  const name = baseName(path);
  return PICKLE_NAME.test(name) && !NOT_PICKLE_GZ.test(name);
}

function startsWith(head: Uint8Array, bytes: number[]): boolean {
  if (head.length < bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (head[i] !== bytes[i]) return false;
  return true;
}

/** What the first bytes say, or null when they are not a pickle / joblib container. */
export function sniffContainer(head: Uint8Array, path: string): 'pickle' | 'compressed' | 'npy' | 'legacy' | null {
  if (head.length < 2) return null;
  const named = isPickleName(path);
  // Protocol 2-5: PROTO n. With a pickle name always; otherwise the next opcode must be plausible too
  // (raw weight shards can start with 0x80 0x02 by chance).
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) {
    if (named || (head.length > 2 && AFTER_PROTO.has(head[2]))) return 'pickle';
    return null;
  }
  if (startsWith(head, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy'; // \x93NUMPY
  // A file without an extension (Keras `history`, `trainHistoryDict`) holding a protocol 0/1 dict,
  // as Python 2's pickle.dump wrote it by default: `(dp0\n` or `}q\x00(`.
  if (
    !named &&
    !baseName(path).includes('.') &&
    (/^\(dp\d{1,6}\n/.test(String.fromCharCode(...head.subarray(0, 12))) || (head[0] === 0x7d && head[1] === 0x71 && head[3] === 0x28))
  )
    return 'pickle';
  if (!named) return null;
  // zlib header (joblib compress='zlib'): CMF 0x78 and a valid FCHECK.
  if (head[0] === 0x78 && ((head[0] << 8) | head[1]) % 31 === 0) return 'compressed';
  if (startsWith(head, [0x1f, 0x8b])) return 'compressed'; // gzip
  if (startsWith(head, [0x42, 0x5a, 0x68])) return 'compressed'; // BZh
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'compressed'; // xz
  if (startsWith(head, [0x04, 0x22, 0x4d, 0x18])) return 'compressed'; // lz4 frame
  if (startsWith(head, [0x5d, 0x00, 0x00])) return 'compressed'; // legacy .lzma
  if (startsWith(head, [0x5a, 0x46])) return 'legacy'; // ZF: joblib < 0.10
  if (P01_FIRST.has(head[0])) return 'pickle'; // protocol 0/1
  return null;
}

/** True when the file's name says it is a preprocessing object. */
export function isScalerName(path: string): boolean {
  return SCALER_NAME.test(baseName(path));
}

function describeTop(v: PyValue): string {
  if (v === null) return 'None';
  if (v instanceof Map) return 'a dict';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof PyTuple) return 'a tuple';
  if (v instanceof NdArray) return v.scalar ? 'a numpy scalar' : `a numpy array ${JSON.stringify(v.shape)}`;
  if (v instanceof PyObject) return `a ${v.className}`;
  return `a ${typeof v}`;
}

/** Turns a PickleLoad into the file's report parts. */
export function resultFromLoad(load: PickleLoad, path: string, npy = false): ReaderResult {
  // A .npy file has no format of its own in the contract: `unknown`, with its pickle report.
  const pickleFormat: Format = npy ? 'unknown' : load.container === 'joblib' ? 'joblib' : 'sklearn-pickle';
  const fallbackRole: Role = isScalerName(path) ? 'scaler' : 'other';
  const pickle = load.report;
  const refused = pickle.refused ?? [];
  if (pickle.verdict !== 'safe' && refused.length) {
    const names = refused.map((r) => `${r.global} (${r.severity ?? pickle.verdict})`);
    const code = pickle.verdict === 'dangerous' ? 'unsafe-pickle' : 'unsupported-pickle';
    const what = pickle.verdict === 'dangerous' ? 'names globals that can run code' : 'names globals this reader does not support';
    // joblib < 0.10 kept arrays in side files (`scaler.pkl_01.npy`) behind NDArrayWrapper / ZNDArrayWrapper.
    const legacy = refused.some((r) => /\.numpy_pickle\.Z?NDArrayWrapper$/.test(r.global))
      ? ' (written by joblib < 0.10, which kept the arrays in side files such as name_01.npy: re-save it with a current joblib)'
      : '';
    return {
      role: fallbackRole,
      format: pickleFormat,
      pickle,
      error: { code, message: `${path}: not loaded: the pickle ${what}: ${names.join(', ')}${legacy}` },
    };
  }
  if (load.error || load.value === null) {
    const e = load.error ?? { code: 'unreadable-pickle', message: 'the pickle gave no value' };
    const message = e.message.startsWith(path) ? e.message : `${path}: ${e.message}`;
    return { role: fallbackRole, format: pickleFormat, pickle, error: { code: e.code, message } };
  }
  const value = load.value;
  const log = historyFromPyValue(value);
  if (log) return { role: 'log', format: 'history-pickle', pickle, log: summarizeLog(log), error: null };
  const scalers = findScalers(value);
  if (scalers.length) {
    // The primary object is the first found (dict values / list items in order); the others ride along.
    const [primary, ...others] = scalers;
    const scaler = others.length ? { ...primary, others } : primary;
    return { role: 'scaler', format: pickleFormat, pickle, scaler, error: null };
  }
  if (fallbackRole === 'scaler') {
    return {
      role: 'scaler',
      format: pickleFormat,
      pickle,
      error: {
        code: 'not-a-scaler',
        message: `${path}: a safe pickle, but it holds no scikit-learn preprocessing object (it holds ${describeTop(value)})`,
      },
    };
  }
  return { role: 'other', format: pickleFormat, pickle, error: null };
}

/** Side files of one joblib < 0.10 pickle: at most this many, this many bytes in all. */
const MAX_SIDE_FILES = 10_000;
const MAX_SIDE_BYTES = 256 * 1024 * 1024;

/** Every PySideArray in a value, with a setter that puts the array in its place (iterative, shared nodes once). */
function sideRefs(root: PyValue): { ref: PySideArray; set: (v: PyValue) => void }[] {
  const out: { ref: PySideArray; set: (v: PyValue) => void }[] = [];
  const seen = new Set<object>();
  const stack: PyValue[] = [root];
  const visit = (v: PyValue, set: (x: PyValue) => void): void => {
    if (v instanceof PySideArray) out.push({ ref: v, set });
    else if (v !== null && typeof v === 'object') stack.push(v);
  };
  while (stack.length && out.length <= MAX_SIDE_FILES) {
    const v = stack.pop()!;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof Map) for (const [k, x] of v) visit(x, (y) => v.set(k, y));
    else if (Array.isArray(v)) v.forEach((x, i) => visit(x, (y) => (v[i] = y)));
    else if (v instanceof PyTuple) v.items.forEach((x, i) => visit(x, (y) => ((v.items as PyValue[])[i] = y)));
    else if (v instanceof PyObject) visit(v.state, (y) => (v.state = y));
    else if (v instanceof NdArray && v.dtype.kind === 'O' && Array.isArray(v.data))
      (v.data as PyValue[]).forEach((x, i) => visit(x, (y) => ((v.data as PyValue[])[i] = y)));
  }
  return out;
}

/**
 * joblib < 0.10 keeps a pickle's arrays in side files named by NDArrayWrapper / ZNDArrayWrapper:
 * reads each (same folder only, bounded) through the FileSource and puts the array in place.
 * Returns the side files (present or not) and the error when one is missing, refused or bad.
 */
async function resolveSideArrays(
  value: PyValue,
  path: string,
  source: FileSource,
): Promise<{ sideFiles: NonNullable<FileReport['sideFiles']>; error: FileError | null }> {
  const refs = sideRefs(value);
  const sideFiles: NonNullable<FileReport['sideFiles']> = [];
  if (!refs.length) return { sideFiles, error: null };
  if (refs.length > MAX_SIDE_FILES) return { sideFiles, error: { code: 'bad-side-file', message: `${path}: more than ${MAX_SIDE_FILES} joblib side files` } };
  const dir = dirName(path);
  let total = 0;
  let error: FileError | null = null;
  for (const { ref, set } of refs) {
    const name = ref.filename;
    if (!/^[^/\\\0]+$/.test(name) || name === '.' || name === '..' || !/\.npy(\.z)?$/i.test(name)) {
      return {
        sideFiles,
        error: {
          code: 'bad-side-file',
          message: `${path}: the joblib < 0.10 wrapper names the side file '${name}', which is not a .npy file in the pickle's own folder: refused, nothing was read`,
        },
      };
    }
    const p = joinPath(dir, name);
    const st = await source.stat(p);
    sideFiles.push({ path: p, present: !!st && !st.isDirectory });
    if (!st || st.isDirectory) {
      error ??= {
        code: 'missing-side-file',
        message: `${path}: written by joblib < 0.10, which keeps arrays in side files, and the side file ${name} is missing beside it`,
      };
      continue;
    }
    if (error) continue;
    total += st.size;
    if (total > MAX_SIDE_BYTES)
      return { sideFiles, error: { code: 'pickle-limit', message: `${path}: its side files hold more than ${MAX_SIDE_BYTES} bytes` } };
    const bytes = await source.readFile(p);
    try {
      if (ref.raw) {
        set(arrayFromBytes(ref.raw.dtype, ref.raw.shape, readZFile(bytes, p), ref.raw.fortran, p));
      } else {
        const load = loadPickleBytes(bytes, { path: p });
        if (load.error || load.report.verdict !== 'safe' || !(load.value instanceof NdArray)) {
          const why =
            load.error?.message ?? (load.report.refused.length ? `it names ${load.report.refused.map((r) => r.global).join(', ')}` : 'it is not a .npy array');
          error = {
            code: load.report.verdict === 'dangerous' ? 'unsafe-pickle' : 'bad-side-file',
            message: `${path}: side file ${name} cannot be used: ${why}`,
          };
          continue;
        }
        set(load.value);
      }
    } catch (e) {
      error = { code: 'bad-side-file', message: `${path}: side file ${name} cannot be read: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  return { sideFiles, error };
}

/** Pickle and joblib files (scikit-learn objects, history pickles), read without executing anything. */
export const pickleArtifactReader: BinaryReader = {
  kind: 'binary',
  name: 'pickleArtifact',
  formats: ['sklearn-pickle', 'joblib', 'history-pickle'],
  fallbackRole: 'scaler',
  sniff: (head, path) => sniffContainer(head, path) !== null,
  read: async (input: ReaderInput): Promise<ReaderResult> => {
    const { path, size, source } = input;
    if (size > MAX_PICKLE_BYTES) {
      throw new ReadError('too-large', `${path}: ${size} bytes is more than the ${MAX_PICKLE_BYTES}-byte limit for pickles`);
    }
    const bytes = await source.readFile(path);
    let load: PickleLoad;
    try {
      load = loadPickleBytes(bytes, { path });
    } catch (e) {
      // loadPickleBytes promises not to throw; if it does, the file still gets a clear error.
      const msg = e instanceof Error ? e.message : String(e);
      throw new ReadError('unreadable-pickle', `${path}: ${msg}`);
    }
    if (load.value !== null) {
      const side = await resolveSideArrays(load.value, path, source);
      if (side.sideFiles.length) {
        if (side.error) {
          return { role: 'scaler', format: 'joblib', pickle: load.report, sideFiles: side.sideFiles, error: side.error };
        }
        return { ...resultFromLoad({ ...load, container: 'joblib' }, path), sideFiles: side.sideFiles };
      }
      if (side.error) return { role: isScalerName(path) ? 'scaler' : 'other', format: 'joblib', pickle: load.report, error: side.error };
    }
    return resultFromLoad(load, path, sniffContainer(input.head, path) === 'npy');
  },
};
