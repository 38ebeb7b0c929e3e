// Writes a fitted scaler as a pickle that `pickle.load` / `joblib.load` turn into the scikit-learn
// object, with the layout scikit-learn's own `pickle.dumps(scaler, protocol=4)` has: the class by
// STACK_GLOBAL, NEWOBJ with no arguments, then BUILD with the instance dict (BaseEstimator's
// __setstate__ takes it, `_sklearn_version` included). numpy arrays as numpy pickles them:
// `numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')` then BUILD with
// `(1, shape, dtype, is_fortran, data)`; an int64 scalar as `numpy.core.multiarray.scalar(dtype, bytes)`.
// Only data opcodes and these four globals are written; no frames (they are optional).
import type { FittedScaler } from './fitScaler';
import type { PyOut } from './pyValues';

class Out {
  private buf = new Uint8Array(4096);
  len = 0;
  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  byte(...bs: number[]): void {
    this.grow(bs.length);
    for (const b of bs) this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  u32(n: number): void {
    this.byte(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const OP = {
  PROTO: 0x80,
  STOP: 0x2e,
  MARK: 0x28,
  NONE: 0x4e,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  BININT: 0x4a,
  BININT1: 0x4b,
  LONG1: 0x8a,
  BINFLOAT: 0x47,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE: 0x58,
  SHORT_BINBYTES: 0x43,
  BINBYTES: 0x42,
  EMPTY_TUPLE: 0x29,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  TUPLE: 0x74,
  EMPTY_LIST: 0x5d,
  APPENDS: 0x65,
  EMPTY_DICT: 0x7d,
  SETITEMS: 0x75,
  STACK_GLOBAL: 0x93,
  REDUCE: 0x52,
  BUILD: 0x62,
  NEWOBJ: 0x81,
} as const;

const utf8 = new TextEncoder();

function str(o: Out, s: string): void {
  const b = utf8.encode(s);
  if (b.length < 256) o.byte(OP.SHORT_BINUNICODE, b.length);
  else {
    o.byte(OP.BINUNICODE);
    o.u32(b.length);
  }
  o.bytes(b);
}

function bytes(o: Out, b: Uint8Array): void {
  if (b.length < 256) o.byte(OP.SHORT_BINBYTES, b.length);
  else {
    o.byte(OP.BINBYTES);
    o.u32(b.length);
  }
  o.bytes(b);
}

function int(o: Out, n: number): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`cannot pickle the integer ${n}`);
  if (n >= 0 && n < 256) o.byte(OP.BININT1, n);
  else if (n >= -0x80000000 && n <= 0x7fffffff) {
    o.byte(OP.BININT);
    o.u32(n >>> 0);
  } else {
    // LONG1: little-endian two's complement, minimal length.
    let v = BigInt(n);
    const out: number[] = [];
    for (;;) {
      const b = Number(v & 0xffn);
      out.push(b);
      v >>= 8n;
      if ((v === 0n && (b & 0x80) === 0) || (v === -1n && (b & 0x80) !== 0)) break;
    }
    o.byte(OP.LONG1, out.length, ...out);
  }
}

function float(o: Out, x: number): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, false);
  o.byte(OP.BINFLOAT);
  o.bytes(b);
}

function global(o: Out, module: string, name: string): void {
  str(o, module);
  str(o, name);
  o.byte(OP.STACK_GLOBAL);
}

function dtype(o: Out, spec: 'f8' | 'i8' | 'O8'): void {
  global(o, 'numpy', 'dtype');
  str(o, spec);
  o.byte(OP.NEWFALSE, OP.NEWTRUE, OP.TUPLE3, OP.REDUCE);
  o.byte(OP.MARK, OP.BININT1, 3);
  str(o, spec === 'O8' ? '|' : '<');
  o.byte(OP.NONE, OP.NONE, OP.NONE);
  int(o, -1);
  int(o, -1);
  int(o, spec === 'O8' ? 63 : 0);
  o.byte(OP.TUPLE, OP.BUILD);
}

function ndarray(o: Out, spec: 'f8' | 'i8' | 'O8', n: number, data: () => void): void {
  global(o, 'numpy.core.multiarray', '_reconstruct');
  global(o, 'numpy', 'ndarray');
  o.byte(OP.BININT1, 0, OP.TUPLE1);
  bytes(o, Uint8Array.of(0x62));
  o.byte(OP.TUPLE3, OP.REDUCE);
  o.byte(OP.MARK, OP.BININT1, 1);
  int(o, n);
  o.byte(OP.TUPLE1);
  dtype(o, spec);
  o.byte(OP.NEWFALSE);
  data();
  o.byte(OP.TUPLE, OP.BUILD);
}

function numericBytes(data: number[], kind: 'f8' | 'i8'): Uint8Array {
  const b = new Uint8Array(8 * data.length);
  const dv = new DataView(b.buffer);
  data.forEach((x, i) => (kind === 'f8' ? dv.setFloat64(8 * i, x, true) : dv.setBigInt64(8 * i, BigInt(x), true)));
  return b;
}

function value(o: Out, v: PyOut): void {
  switch (v.t) {
    case 'none':
      o.byte(OP.NONE);
      return;
    case 'bool':
      o.byte(v.v ? OP.NEWTRUE : OP.NEWFALSE);
      return;
    case 'int':
      int(o, v.v);
      return;
    case 'float':
      float(o, v.v);
      return;
    case 'str':
      str(o, v.v);
      return;
    case 'tuple':
      if (v.items.length === 0) o.byte(OP.EMPTY_TUPLE);
      else if (v.items.length <= 3) {
        v.items.forEach((x) => value(o, x));
        o.byte([OP.TUPLE1, OP.TUPLE2, OP.TUPLE3][v.items.length - 1]);
      } else {
        o.byte(OP.MARK);
        v.items.forEach((x) => value(o, x));
        o.byte(OP.TUPLE);
      }
      return;
    case 'list':
      o.byte(OP.EMPTY_LIST);
      if (v.items.length) {
        o.byte(OP.MARK);
        v.items.forEach((x) => value(o, x));
        o.byte(OP.APPENDS);
      }
      return;
    case 'f8':
    case 'i8': {
      const kind = v.t;
      ndarray(o, kind, v.data.length, () => bytes(o, numericBytes(v.data, kind)));
      return;
    }
    case 'objstr':
      ndarray(o, 'O8', v.data.length, () => value(o, { t: 'list', items: v.data.map((s) => ({ t: 'str', v: s })) }));
      return;
    case 'i8scalar':
      global(o, 'numpy.core.multiarray', 'scalar');
      dtype(o, 'i8');
      bytes(o, numericBytes([v.v], 'i8'));
      o.byte(OP.TUPLE2, OP.REDUCE);
      return;
  }
}

/** The pickle (protocol 4) of a fitted scaler, `_sklearn_version` last as scikit-learn writes it. */
export function pickleScaler(f: FittedScaler, sklearnVersion: string): Uint8Array {
  const o = new Out();
  o.byte(OP.PROTO, 4);
  global(o, f.module, f.cls);
  o.byte(OP.EMPTY_TUPLE, OP.NEWOBJ, OP.EMPTY_DICT, OP.MARK);
  for (const [k, v] of f.state) {
    str(o, k);
    value(o, v);
  }
  str(o, '_sklearn_version');
  str(o, sklearnVersion);
  o.byte(OP.SETITEMS, OP.BUILD, OP.STOP);
  return o.result();
}
