// joblib / pickle containers: compression by magic bytes, then the pickle VM. (Stub: API only.)
import type { PyValue } from './pyValue';
import type { FileError, PickleReport } from './types';

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

/** Reads a pickle / joblib file's bytes without executing anything. Never throws on bad input. */
export function loadPickleBytes(_bytes: Uint8Array, _opts: PickleLoadOptions = {}): PickleLoad {
  throw new Error('loadPickleBytes: not implemented yet');
}
