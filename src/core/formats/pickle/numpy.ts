// numpy pieces of the pickle reader: dtypes, arrays from raw bytes (C order out), scalars and the
// .npy header. Pure data transforms: nothing here resolves a name or runs code.
import { ReadError } from '../../io/errors';
import { NdArray, PyBytes, type DType, type PyValue } from './pyValue';

/** The dtype specs we accept (numeric, bool, complex, object, fixed-width str/bytes); no structured/void. */
const SPEC_RE = /^([<>|=]?)(b1|i1|i2|i4|i8|u1|u2|u4|u8|f2|f4|f8|c8|c16|O8?|U\d{1,7}|S\d{1,7})$/;

/** True when this machine stores numbers little-endian (typed-array views are only used then). */
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Parses a numpy dtype spec (`f8`, `<f8`, `|O`, `U3`, `S5`) into a DType; null when not supported. */
export function parseDTypeSpec(spec: string): DType | null {
  const m = SPEC_RE.exec(spec);
  if (!m) return null;
  const order = m[1];
  let body = m[2];
  if (body === 'O') body = 'O8';
  const kind = body[0] as DType['kind'];
  const n = Number(body.slice(1));
  let itemsize = n;
  if (kind === 'U') itemsize = n * 4;
  if (kind === 'O') itemsize = 8;
  if (kind === 'S' || kind === 'U') {
    if (!Number.isSafeInteger(itemsize) || n === 0) return null;
  }
  const single = kind === 'b' || kind === 'O' || kind === 'S' || itemsize === 1;
  let byteorder: DType['byteorder'];
  if (single) byteorder = '|';
  else if (order === '>') byteorder = '>';
  else byteorder = '<';
  return { kind, itemsize, byteorder, str: body };
}

/** numpy's `dtype.str` for a DType (`<f8`, `|O`, `<U3`, `|b1`). */
export function dtypeStr(dt: DType): string {
  if (dt.kind === 'O') return '|O';
  if (dt.kind === 'U') return `${dt.byteorder}U${dt.itemsize / 4}`;
  return `${dt.byteorder}${dt.kind}${dt.itemsize}`;
}

/** Applies the byte-order character of a pickled dtype's state (`<`, `>`, `|`, `=`). */
export function withByteOrder(dt: DType, order: string): DType | null {
  if (order === '|' || order === '=' || order === '<' || order === '>') {
    const single = dt.kind === 'b' || dt.kind === 'O' || dt.kind === 'S' || dt.itemsize === 1;
    if (single) return { ...dt, byteorder: '|' };
    if (order === '>') return { ...dt, byteorder: '>' };
    return { ...dt, byteorder: '<' };
  }
  return null;
}

/** Number of elements of a shape, or null when a dimension is not a safe non-negative integer. */
export function shapeSize(shape: readonly number[]): bigint | null {
  let n = 1n;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) return null;
    n *= BigInt(d);
  }
  return n;
}

/** Byte count of an array of this dtype and shape (BigInt: shape products can be huge in hostile files). */
export function arrayByteLength(dt: DType, shape: readonly number[]): bigint | null {
  const n = shapeSize(shape);
  if (n === null) return null;
  return n * BigInt(dt.itemsize);
}

/** Reorders elements from Fortran order to C order (generic over element containers). */
function fortranToC<T>(src: ArrayLike<T>, shape: readonly number[], make: (n: number) => { [i: number]: T }): { [i: number]: T } {
  const n = src.length;
  const out = make(n);
  const nd = shape.length;
  if (nd <= 1) {
    for (let i = 0; i < n; i++) out[i] = src[i];
    return out;
  }
  // C-order strides of the output.
  const cStride = new Array<number>(nd);
  let s = 1;
  for (let k = nd - 1; k >= 0; k--) {
    cStride[k] = s;
    s *= shape[k];
  }
  const idx = new Array<number>(nd).fill(0);
  // Walk the source in Fortran order: first index varies fastest.
  let dst = 0;
  for (let i = 0; i < n; i++) {
    out[dst] = src[i];
    for (let k = 0; k < nd; k++) {
      idx[k]++;
      dst += cStride[k];
      if (idx[k] < shape[k]) break;
      dst -= cStride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

type NumericArray = Float64Array | Float32Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/** Reads `count` items of a fixed-size numeric kind from bytes, as a view when aligned and little-endian. */
function numericFrom(dt: DType, bytes: Uint8Array, count: number): NumericArray {
  const size = dt.itemsize;
  const ctor = (
    {
      f8: Float64Array,
      f4: Float32Array,
      i1: Int8Array,
      i2: Int16Array,
      i4: Int32Array,
      u1: Uint8Array,
      u2: Uint16Array,
      u4: Uint32Array,
    } as const
  )[`${dt.kind}${size}` as 'f8'];
  const nativeOrder = dt.byteorder === '|' || (dt.byteorder === '<') === HOST_LE;
  if (nativeOrder) {
    if (bytes.byteOffset % size === 0) return new ctor(bytes.buffer, bytes.byteOffset, count);
    return new ctor(bytes.slice(0, count * size).buffer, 0, count);
  }
  // Other byte order: swap into a fresh buffer.
  const copy = bytes.slice(0, count * size);
  for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  return new ctor(copy.buffer, 0, count);
}

/** IEEE half to number. */
function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Most elements decoded into plain JS arrays (bool, int64, complex, str): they cost 8-60 bytes each. */
export const MAX_BOXED_ELEMENTS = 16_000_000;

/** Decodes the elements of a non-object array from raw bytes (in `fortran` order when set) into C order. */
export function arrayFromBytes(dt: DType, shape: number[], bytes: Uint8Array, fortran: boolean, where: string): NdArray {
  const need = arrayByteLength(dt, shape);
  if (need === null || shape.length > 64) throw new ReadError('pickle-bad-array', `${where}: array shape ${JSON.stringify(shape.slice(0, 70))} is not valid`);
  if (BigInt(bytes.length) !== need)
    throw new ReadError('pickle-bad-array', `${where}: array data has ${bytes.length} bytes, shape ${JSON.stringify(shape)} of ${dt.str} needs ${need}`);
  const count = Number(need / BigInt(dt.itemsize));
  const boxed = dt.kind === 'b' || dt.kind === 'c' || dt.kind === 'U' || dt.kind === 'S' || (dt.itemsize === 8 && dt.kind !== 'f');
  if (boxed && count > MAX_BOXED_ELEMENTS)
    throw new ReadError(
      'pickle-limit',
      `${where}: ${dt.str} array of ${count} elements is larger than the ${MAX_BOXED_ELEMENTS} elements read into plain arrays`,
    );
  const le = dt.byteorder !== '>';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let data: NdArray['data'];
  switch (dt.kind) {
    case 'f':
      if (dt.itemsize === 2) {
        const out = new Float32Array(count);
        for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(i * 2, le));
        data = out;
      } else data = numericFrom(dt, bytes, count);
      break;
    case 'i':
    case 'u':
      if (dt.itemsize === 8) {
        const out: (number | bigint)[] = new Array(count);
        for (let i = 0; i < count; i++) {
          const v = dt.kind === 'i' ? view.getBigInt64(i * 8, le) : view.getBigUint64(i * 8, le);
          out[i] = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
        }
        data = out;
      } else data = numericFrom(dt, bytes, count);
      break;
    case 'b': {
      const out: boolean[] = new Array(count);
      for (let i = 0; i < count; i++) out[i] = bytes[i] !== 0;
      data = out;
      break;
    }
    case 'c': {
      const half = dt.itemsize / 2;
      const out: PyValue[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const o = i * dt.itemsize;
        out[i] = half === 8 ? [view.getFloat64(o, le), view.getFloat64(o + 8, le)] : [view.getFloat32(o, le), view.getFloat32(o + 4, le)];
      }
      data = out;
      break;
    }
    case 'U': {
      const chars = dt.itemsize / 4;
      const out: string[] = new Array(count);
      for (let i = 0; i < count; i++) {
        let s = '';
        for (let c = 0; c < chars; c++) {
          const cp = view.getUint32(i * dt.itemsize + c * 4, le);
          if (cp === 0) break;
          if (cp > 0x10ffff) throw new ReadError('pickle-bad-array', `${where}: invalid code point in ${dt.str} array`);
          s += String.fromCodePoint(cp);
        }
        out[i] = s;
      }
      data = out;
      break;
    }
    case 'S': {
      const out: string[] = new Array(count);
      for (let i = 0; i < count; i++) {
        let s = '';
        for (let c = 0; c < dt.itemsize; c++) {
          const b = bytes[i * dt.itemsize + c];
          if (b === 0) break;
          s += String.fromCharCode(b);
        }
        out[i] = s;
      }
      data = out;
      break;
    }
    default:
      throw new ReadError('pickle-bad-array', `${where}: object arrays have no raw byte form`);
  }
  if (fortran && shape.length > 1) data = reorderFortran(data, shape);
  return new NdArray(dt, shape, data);
}

/** Reorders any element container from Fortran to C order, keeping its typed-array type. */
export function reorderFortran(data: NdArray['data'], shape: number[]): NdArray['data'] {
  if (ArrayBuffer.isView(data)) {
    // slice() gives a fresh typed array of the same type and length, filled in C order below.
    const typed = data as Float64Array;
    return fortranToC(typed, shape, () => typed.slice()) as Float64Array;
  }
  return fortranToC(data as PyValue[], shape, (n) => new Array<PyValue>(n)) as PyValue[];
}

/** Decodes a numpy scalar (`numpy.core.multiarray.scalar(dtype, bytes)`). */
export function scalarFromBytes(dt: DType, bytes: Uint8Array, where: string): NdArray {
  if (dt.kind === 'O') throw new ReadError('pickle-bad-array', `${where}: object scalars are not supported`);
  const a = arrayFromBytes(dt, [], bytes, false, where);
  return new NdArray(dt, [], a.data, true);
}

/** Encodes a str of code points 0..255 as bytes (Python `str.encode('latin1')`); null if a char is wider. */
export function latin1Bytes(s: string): Uint8Array | null {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) return null;
    out[i] = c;
  }
  return out;
}

/** Raw bytes of a pickled buffer value: bytes / bytearray, or a latin-1 str (py2 pickles, `encoding='latin1'`). */
export function bufferBytes(v: PyValue): Uint8Array | null {
  if (v instanceof PyBytes) return v.data;
  if (typeof v === 'string') return latin1Bytes(v);
  return null;
}

/** What a .npy header says. */
export interface NpyHeader {
  dtype: DType;
  fortran: boolean;
  shape: number[];
  /** Offset of the data (or of the pickle for object arrays). */
  dataOffset: number;
}

/** Parses the .npy header (magic, version, a Python dict literal read by a tiny literal parser). */
export function parseNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) throw new ReadError('npy-bad-header', `${where}: not a .npy file`);
  const major = bytes[6];
  let len: number;
  let start: number;
  if (major === 1) {
    len = bytes[8] | (bytes[9] << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new ReadError('npy-bad-header', `${where}: truncated .npy header`);
    len = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 0x1000000;
    start = 12;
  } else throw new ReadError('npy-bad-header', `${where}: .npy version ${major} is not supported`);
  if (start + len > bytes.length) throw new ReadError('npy-bad-header', `${where}: .npy header length ${len} at offset 8 exceeds the file`);
  let text = '';
  for (let i = start; i < start + len; i++) text += String.fromCharCode(bytes[i]);
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape)
    throw new ReadError(
      'npy-bad-header',
      `${where}: .npy header at offset ${start} is not a plain descr/fortran_order/shape dict (structured dtypes are not supported)`,
    );
  const dtype = parseDTypeSpec(descr[1]);
  if (!dtype) throw new ReadError('npy-bad-header', `${where}: .npy dtype '${descr[1]}' is not supported`);
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d{1,15}$/.test(s) ? Number(s) : NaN));
  if (dims.some((d) => !Number.isSafeInteger(d))) throw new ReadError('npy-bad-header', `${where}: .npy shape (${shape[1]}) is not valid`);
  return { dtype, fortran: fortran[1] === 'True', shape: dims, dataOffset: start + len };
}
