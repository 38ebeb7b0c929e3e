// Inert values the pickle reader builds. Nothing here can run code: a class is only a name.
// Shared contract between pickle.ts / joblib.ts / numpy.ts (which build them) and
// sklearn.ts / historyPickle.ts (which interpret them).

/** A Python tuple. Lists are plain JS arrays. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** Python `bytes` / `bytearray` (and py2 `str` kept as bytes). */
export class PyBytes {
  constructor(readonly data: Uint8Array) {}
}

/** Python set / frozenset. */
export class PySet {
  constructor(
    readonly items: PyValue[],
    readonly frozen: boolean,
  ) {}
}

/** Python `slice(start, stop, step)`. */
export class PySlice {
  constructor(
    readonly start: PyValue,
    readonly stop: PyValue,
    readonly step: PyValue,
  ) {}
}

/** An inert reference to an allowlisted global used as a value (e.g. `numpy.float64` as `dtype=`). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of an allowlisted class (scikit-learn estimator...), with its `__dict__` state. */
export class PyObject {
  constructor(
    /** `module.name` of the class as the pickle names it. */
    readonly className: string,
    /** The BUILD state: normally a str-keyed Map. */
    public state: PyValue,
  ) {}
}

/** A numpy dtype. */
export interface DType {
  /** numpy kind: f float, i int, u uint, b bool, c complex, O object, U unicode, S bytes. */
  kind: 'f' | 'i' | 'u' | 'b' | 'c' | 'O' | 'U' | 'S';
  /** Bytes per item (8 for O). */
  itemsize: number;
  /** '<' little, '>' big, '|' not applicable. */
  byteorder: '<' | '>' | '|';
  /** The spec string numpy used, e.g. `f8`, `U3`, `O8`. */
  str: string;
}

/** A numpy array (or numpy scalar when `scalar` is true), data in C order. */
export class NdArray {
  constructor(
    readonly dtype: DType,
    readonly shape: number[],
    /**
     * Elements in C order: numbers for f/i/u (int64 beyond 2^53 as bigint), booleans for b,
     * strings for U/S (S decoded latin-1), PyValue for O, [re, im] pairs for c.
     */
    readonly data: ArrayLike<number> | (number | bigint)[] | boolean[] | string[] | PyValue[],
    readonly scalar = false,
  ) {}
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/**
 * joblib < 0.10: an array kept in a side file next to the pickle (`NDArrayWrapper`: a .npy file;
 * `ZNDArrayWrapper`: zlib-compressed raw bytes, with the dtype / shape / order from the pickle).
 * Only the file name is read from the pickle; pickleArtifact.ts reads the side file through the
 * FileSource (same folder only, bounded) and puts the array in its place.
 */
export class PySideArray {
  constructor(
    readonly filename: string,
    /** For ZNDArrayWrapper: how to decode the raw bytes; null for a .npy side file. */
    readonly raw: { dtype: DType; shape: number[]; fortran: boolean } | null,
  ) {}
}

/** A Python dict: always a Map, never a plain object (keys may be `__proto__`). */
export type PyDict = Map<PyKey, PyValue>;

/** Hashable keys as they appear in real files. */
export type PyKey = string | number | bigint | boolean | null | PyTuple | PyBytes;

/** Any value the reader can produce. */
export type PyValue =
  null | boolean | number | bigint | string | PyBytes | PyValue[] | PyTuple | PySet | PySlice | PyGlobal | PyObject | NdArray | PySideArray | PyDict;
