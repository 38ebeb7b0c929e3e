// joblib / pickle containers: compression and container by magic bytes, then the allowlist pickle VM
// (pickle.ts). Nothing from the file is ever executed; a value is handed out only for a safe file.
import { unzipSync } from 'fflate';
import { decompress, decompressCap, sniffCompression } from '../../codecs/decompress';
import { ReadError, toFileError } from '../../io/errors';
import { arrayFromBytes, parseNpyHeader } from './numpy';
import { scanPickle, type PickleScan, type Refusal } from './pickle';
import { NdArray, type PyValue } from './pyValue';
import type { FileError, PickleReport } from '../../types';

/** What loading a pickle or joblib file gives. `value` is null unless the verdict is `safe` and no error. */
export interface PickleLoad {
  value: PyValue | null;
  report: PickleReport;
  error: FileError | null;
  /** `joblib` when the stream holds NumpyArrayWrapper arrays or was compressed the joblib way. */
  container: 'pickle' | 'joblib';
  /** Compression found by magic bytes, or null. */
  compression: 'zlib' | 'gzip' | 'bz2' | 'lzma' | 'xz' | 'lz4' | null;
}

/** Options of loadPickleBytes. */
export interface PickleLoadOptions {
  /** Name used in error messages. */
  path?: string;
}

/** What a file's first bytes say it is (for the dispatcher's sniffing and for loadPickleBytes). */
export type PickleContainer = 'pickle' | 'npy' | 'zip' | 'joblib-legacy' | 'zlib' | 'gzip' | 'bz2' | 'lzma' | 'xz' | 'lz4';

/** Opcodes a protocol 0/1 pickle (no PROTO) plausibly starts with. */
const P0_FIRST = new Set([...'(c]})NISVXJKLMFGTUi'].map((c) => c.charCodeAt(0)));

/** Sniffs a pickle-family container from its first bytes; null when it is not one. */
export function sniffPickleContainer(head: Uint8Array): PickleContainer | null {
  if (head.length >= 2 && head[0] === 0x5a && head[1] === 0x46) return 'joblib-legacy';
  const c = sniffCompression(head);
  if (c) return c;
  if (head.length >= 6 && head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY') return 'npy';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4) return 'zip';
  if (head.length >= 2 && head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return 'pickle';
  if (head.length >= 2 && P0_FIRST.has(head[0]) && plausibleP0(head)) return 'pickle';
  return null;
}

/** Text files can start with the same letters as protocol 0/1 opcodes: check the first argument's shape. */
function plausibleP0(head: Uint8Array): boolean {
  let text = '';
  for (let i = 0; i < Math.min(head.length, 256); i++) text += String.fromCharCode(head[i]);
  switch (text[0]) {
    case 'c':
    case 'i':
      return /^[ci][A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/.test(text);
    case 'I':
    case 'L':
      return /^[IL][-+]?\d+L?\n/.test(text);
    case 'F':
      return /^F[-+]?(\d|\.\d|inf|nan)[\w.+-]*\n/.test(text);
    case 'S':
      return /^S['"]/.test(text);
    case 'V':
      return /^V[^\n]*\n/.test(text);
    case 'N':
      return text[1] === '.' || text[1] === 'p' || text[1] === 'q' || text[1] === '\x94';
    case '(':
      return P0_FIRST.has(head[1]) || 'dlt'.includes(text[1]);
    default:
      return true;
  }
}

/** A ReadError as is; anything else (a bug) still becomes an error naming the file. */
function fileError(e: unknown, path: string): FileError {
  if (e instanceof ReadError) return toFileError(e);
  return { code: 'pickle-internal', message: `${path}: could not be read (${toFileError(e).message})` };
}

function verdictOf(refused: Refusal[], error: FileError | null): PickleReport['verdict'] {
  if (refused.some((r) => r.severity === 'dangerous')) return 'dangerous';
  if (refused.length || error) return 'unsupported';
  return 'safe';
}

function result(
  scan: Pick<PickleScan, 'value' | 'globals' | 'refused' | 'error'>,
  container: PickleLoad['container'],
  compression: PickleLoad['compression'],
): PickleLoad {
  const verdict = verdictOf(scan.refused, scan.error);
  return {
    value: verdict === 'safe' && !scan.error ? scan.value : null,
    report: { verdict, globals: scan.globals, refused: scan.refused },
    error: scan.error,
    container,
    compression,
  };
}

/** .npy: numeric arrays from the raw data; object arrays through the pickle VM. */
function loadNpy(bytes: Uint8Array, path: string): PickleLoad {
  let h;
  try {
    h = parseNpyHeader(bytes, path);
  } catch (e) {
    return result({ value: null, globals: [], refused: [], error: fileError(e, path) }, 'pickle', null);
  }
  if (h.dtype.kind === 'O') {
    const scan = scanPickle(bytes, { path, start: h.dataOffset });
    if (scan.value !== null && !(scan.value instanceof NdArray) && !scan.error)
      scan.error = { code: 'npy-bad-data', message: `${path}: the object-array pickle at offset ${h.dataOffset} does not hold an array` };
    return result(scan, 'pickle', null);
  }
  try {
    const value = arrayFromBytes(h.dtype, h.shape, bytes.subarray(h.dataOffset), h.fortran, `${path}: offset ${h.dataOffset}`);
    return result({ value, globals: [], refused: [], error: null }, 'pickle', null);
  } catch (e) {
    return result({ value: null, globals: [], refused: [], error: fileError(e, path) }, 'pickle', null);
  }
}

/** Zip containers (PyTorch, .npz, .skops) are not loaded; their pickle and .npy members are scanned for the report. */
function scanZip(bytes: Uint8Array, path: string): PickleLoad {
  const globals: string[] = [];
  const refused: Refusal[] = [];
  const cap = decompressCap(bytes.length);
  let members: Record<string, Uint8Array> = {};
  let error: FileError = {
    code: 'unsupported-container',
    message: `${path}: zip containers (PyTorch, .npz, .skops) are not loaded; their pickle members were only scanned`,
  };
  try {
    let total = 0;
    members = unzipSync(bytes, {
      filter: (f) => {
        const ok = /\.(pkl|pickle|npy)$/i.test(f.name) && f.originalSize <= cap - total;
        if (ok) total += f.originalSize;
        return ok;
      },
    });
  } catch (e) {
    error = { code: 'unsupported-container', message: `${path}: zip container could not be scanned (${toFileError(e).message})` };
  }
  for (const [name, data] of Object.entries(members)) {
    const where = `${path}!${name}`;
    const s = /\.npy$/i.test(name) ? loadNpy(data, where).report : scanPickle(data, { path: where });
    for (const g of s.globals) if (!globals.includes(g)) globals.push(g);
    refused.push(...s.refused);
  }
  return result({ value: null, globals, refused, error }, 'pickle', null);
}

/** Length of the header of a joblib < 0.10 zfile: 'ZF' and the data length in hex, padded to 19 characters. */
const ZFILE_HEADER = 2 + 19;

/**
 * The data of a joblib < 0.10 zfile (compressed pickle or ZNDArrayWrapper side file): checks the
 * 'ZF' prefix and the hex length (joblib <= 0.8.4 wrote one more space), inflates within the cap.
 */
export function readZFile(bytes: Uint8Array, path: string): Uint8Array {
  if (bytes.length < ZFILE_HEADER || bytes[0] !== 0x5a || bytes[1] !== 0x46)
    throw new ReadError('joblib-legacy', `${path}: not a joblib < 0.10 zfile (no 'ZF' header)`);
  const text = String.fromCharCode(...bytes.subarray(2, ZFILE_HEADER)).trim();
  if (!/^0x[0-9a-f]{1,16}L?$/i.test(text)) throw new ReadError('joblib-legacy', `${path}: zfile length field '${text}' at offset 2 is not hex`);
  const length = parseInt(text.replace(/L$/i, ''), 16);
  const start = bytes[ZFILE_HEADER] === 0x20 ? ZFILE_HEADER + 1 : ZFILE_HEADER;
  if (length > decompressCap(bytes.length)) throw new ReadError('pickle-limit', `${path}: zfile says ${length} bytes, more than the decompression limit`);
  const data = decompress(bytes.subarray(start), 'zlib', path);
  if (data.length !== length) throw new ReadError('joblib-legacy', `${path}: zfile holds ${data.length} bytes but its header says ${length}`);
  return data;
}

/** Reads a pickle / joblib file's bytes without executing anything. Never throws on bad input. */
export function loadPickleBytes(bytes: Uint8Array, opts: PickleLoadOptions = {}): PickleLoad {
  const path = opts.path ?? '<pickle>';
  try {
    const kind = sniffPickleContainer(bytes.subarray(0, 16));
    if (kind === 'joblib-legacy') {
      // joblib < 0.10 compressed pickle (write_zfile): 'ZF', the length in hex padded to 19 characters, zlib data.
      let inner: Uint8Array;
      try {
        inner = readZFile(bytes, path);
      } catch (e) {
        return result({ value: null, globals: [], refused: [], error: fileError(e, path) }, 'joblib', 'zlib');
      }
      return result(scanPickle(inner, { path, offsetNote: 'of the zlib-decompressed data' }), 'joblib', 'zlib');
    }
    if (kind === 'npy') return loadNpy(bytes, path);
    if (kind === 'zip') return scanZip(bytes, path);
    if (kind === 'zlib' || kind === 'gzip' || kind === 'bz2' || kind === 'lzma' || kind === 'xz' || kind === 'lz4') {
      let inner: Uint8Array;
      try {
        inner = decompress(bytes, kind, path);
      } catch (e) {
        return result({ value: null, globals: [], refused: [], error: fileError(e, path) }, 'joblib', kind);
      }
      const scan = scanPickle(inner, { path, offsetNote: `of the ${kind}-decompressed data` });
      return result(scan, 'joblib', kind);
    }
    const scan = scanPickle(bytes, { path });
    return result(scan, scan.sawArrayWrapper ? 'joblib' : 'pickle', null);
  } catch (e) {
    return result({ value: null, globals: [], refused: [], error: fileError(e, path) }, 'pickle', null);
  }
}
