// The allowlist pickle VM: simulates the pickle stack machine (protocols 0-5) and builds inert
// PyValues. A global is only ever a name: allowlisted names are interpreted by fixed data-only
// handlers (pickleAllowlist.ts / numpy.ts), every other name is refused and reported. Parsing goes
// on after a refusal so that every global of the file is reported, but no value is handed out.
// Design: docs/pickle-safety.md (opcodes, FRAME rules, limits, handler argument shapes).
// Size: the opcode interpreter is one switch over ~70 opcodes with the stack/memo/frame rules they share;
// splitting the switch would scatter the checks that make it safe (docs/pickle-safety.md).
import { ReadError, toFileError } from '../../io/errors';
import { handlerFor, severityOf, type HandlerKind } from './pickleAllowlist';
import { NdArray, PyBytes, PyGlobal, PyObject, PySet, PySideArray, PySlice, PyTuple, type DType, type PyValue } from './pyValue';
import { arrayByteLength, arrayFromBytes, bufferBytes, dtypeStr, latin1Bytes, parseDTypeSpec, reorderFortran, scalarFromBytes, withByteOrder } from './numpy';
import type { FileError } from '../../types';

/** One refused global (or refused use of an allowlisted one). */
export interface Refusal {
  global: string;
  reason: string;
  offset?: number;
  severity?: 'dangerous' | 'unsupported';
}

/** Limits against hostile inputs (fickling InterpreterLimits defaults, see pickle-safety.md). */
export const PICKLE_LIMITS = {
  /** Opcodes per file (all pickles in it, nested ones included). */
  maxOps: 1_000_000,
  /** Stack items (all marks together). */
  maxStack: 10_000,
  /** Open MARKs. */
  maxMarks: 10_000,
  /** Memo entries per pickle. */
  maxMemo: 100_000,
  /** Nesting depth of the built value. */
  maxDepth: 1000,
  /** Bytes of one LONG4 / LONG text (BigInt conversion cost). */
  maxLongBytes: 4096,
  /** Nodes of the value once shared references are expanded (billion-laughs guard). */
  maxExpanded: 10_000_000,
  /** Refusal entries kept in a report. */
  maxRefusals: 1000,
};

/** What scanning a pickle stream gives. `value` is null unless nothing was refused and no error. */
export interface PickleScan {
  value: PyValue | null;
  globals: string[];
  refused: Refusal[];
  error: FileError | null;
  /** True when joblib NumpyArrayWrapper arrays were read from the stream. */
  sawArrayWrapper: boolean;
  /** With `single`: the offset just after the first pickle's STOP. */
  end?: number;
}

/** Options of scanPickle. */
export interface PickleScanOptions {
  /** Name used in error messages. */
  path?: string;
  /** Words added after offsets in messages, e.g. `in the zlib-decompressed data`. */
  offsetNote?: string;
  /** Offset where the pickle starts (after the header of a .npy object array). */
  start?: number;
  /** Extra allowlisted globals with data-only builders (the torch.save dialect: formats/pickle/torchPickle.ts). */
  extension?: PickleExtension;
  /** Reads only the first pickle: bytes after its STOP are left alone and `end` says where it ended. */
  single?: boolean;
}

/** Thrown by an extension's builders when an allowlisted name is used with arguments of the wrong shape. */
export class PickleRefusal {
  constructor(readonly reason: string) {}
}

/**
 * More allowlisted names for one dialect of pickles (torch.save). Every builder only arranges the
 * data it is given into inert values: nothing is imported or called.
 */
export interface PickleExtension {
  /** Whether the exact `module.name` is allowlisted by the dialect. */
  allows(qualifiedName: string): boolean;
  /** REDUCE / NEWOBJ / INST of an allowed name: an inert value, or a PickleRefusal thrown. */
  call(qualifiedName: string, args: PyValue[], how: 'reduce' | 'newobj' | 'inst'): PyValue;
  /** BUILD on a value: true when the dialect took the state (a PickleRefusal when it is malformed). */
  build?(obj: PyValue, state: PyValue): boolean;
  /** BINPERSID / PERSID: the value a persistent id stands for (torch storages); a PickleRefusal otherwise. */
  persistentLoad?(pid: PyValue): PyValue;
  /** Whether an allowed name may stay in the value as an inert name (storage types). */
  asValue?(qualifiedName: string): boolean;
}

// ---------------------------------------------------------------------------------------------
// Internal stack values (never leave this module).

/** Result of anything that involved a refused global. */
class Refused {}
const REFUSED = new Refused();

/** `_reconstruct(ndarray, (0,), b'b')` before its BUILD. */
class PendingArray {
  result: NdArray | null = null;
}

/** `numpy.dtype(spec, False, True)` (its BUILD sets the byte order). */
class DTypeBox {
  constructor(public dtype: DType) {}
}

/** joblib NumpyArrayWrapper before its BUILD. */
class PendingWrapper {
  result: NdArray | null = null;
}

/** joblib < 0.10 NDArrayWrapper / ZNDArrayWrapper before its BUILD. */
class PendingLegacy {
  result: PySideArray | null = null;
  constructor(readonly compressed: boolean) {}
}

type Item = PyValue | Refused | PendingArray | DTypeBox | PendingWrapper | PendingLegacy;

/** Thrown by handlers when an allowlisted name is used with arguments of the wrong shape. */
class Refusing {
  constructor(readonly reason: string) {}
}

const MODULE_RE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Shared state of one file scan (across trailing and nested pickles). */
class ScanState {
  globals = new Set<string>();
  refused: Refusal[] = [];
  private refusedKeys = new Set<string>();
  ops = 0;
  sawArrayWrapper = false;
  constructor(
    readonly path: string,
    readonly note: string,
    readonly ext: PickleExtension | null = null,
  ) {}
  refuse(global: string, reason: string, offset: number, severity: 'dangerous' | 'unsupported'): void {
    const key = `${global}\u0000${reason}`;
    if (this.refusedKeys.has(key) || this.refused.length >= PICKLE_LIMITS.maxRefusals) return;
    this.refusedKeys.add(key);
    this.refused.push({ global, reason, offset, severity });
  }
  at(offset: number): string {
    return `${this.path}: offset ${offset}${this.note ? ` ${this.note}` : ''}`;
  }
}

function isInt(v: unknown): v is number | bigint {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

function intTuple(v: Item): number[] | null {
  if (!(v instanceof PyTuple)) return null;
  const out: number[] = [];
  for (const x of v.items) {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) return null;
    out.push(x);
  }
  return out;
}

function isHashable(v: Item): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (v instanceof PyTuple) return v.items.every((x) => isHashable(x));
  return v instanceof PyBytes || (v instanceof PySet && v.frozen) || v instanceof PyGlobal || v instanceof Refused;
}

function toBig(bytes: Uint8Array): number | bigint {
  // Little-endian two's complement (LONG1 / LONG4).
  if (bytes.length === 0) return 0;
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) n -= 1n << BigInt(bytes.length * 8);
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}

function parseIntText(s: string): number | bigint | null {
  const t = s.trim();
  if (!/^[+-]?\d{1,4096}$/.test(t)) return null;
  const n = BigInt(t);
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}

/** Python `codecs.escape_decode` of a STRING opcode's quoted body. */
function escapeDecode(b: Uint8Array): Uint8Array | null {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    i++;
    if (i >= b.length) return null;
    const e = String.fromCharCode(b[i]);
    const simple: Record<string, number> = { '\\': 0x5c, "'": 0x27, '"': 0x22, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (e === '\n') continue;
    if (Object.prototype.hasOwnProperty.call(simple, e)) out.push(simple[e]);
    else if (e === 'x') {
      const h = String.fromCharCode(b[i + 1] ?? 0, b[i + 2] ?? 0);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
      out.push(parseInt(h, 16));
      i += 2;
    } else if (e >= '0' && e <= '7') {
      let v = 0;
      let k = 0;
      while (k < 3 && i < b.length && b[i] >= 0x30 && b[i] <= 0x37) {
        v = v * 8 + (b[i] - 0x30);
        i++;
        k++;
      }
      i--;
      out.push(v & 0xff);
    } else {
      out.push(0x5c, b[i]);
    }
  }
  return Uint8Array.from(out);
}

/** Python `raw-unicode-escape` decoding (UNICODE opcode). */
function rawUnicodeEscape(b: Uint8Array): string | null {
  let s = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c !== 0x5c) {
      s += String.fromCharCode(c);
      i++;
      continue;
    }
    let j = i;
    while (j < b.length && b[j] === 0x5c) j++;
    const run = j - i;
    const next = b[j];
    if (run % 2 === 1 && (next === 0x75 || next === 0x55)) {
      s += '\\'.repeat(run - 1);
      const len = next === 0x75 ? 4 : 8;
      let hex = '';
      for (let k = 1; k <= len; k++) hex += String.fromCharCode(b[j + k] ?? 0);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return null;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) return null;
      s += String.fromCodePoint(cp);
      i = j + 1 + len;
    } else {
      s += '\\'.repeat(run);
      i = j;
    }
  }
  return s;
}

function pyStr(bytes: Uint8Array): string | PyBytes {
  // py2 `str` (STRING / BINSTRING / SHORT_BINSTRING): text when ASCII, else raw bytes.
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) return new PyBytes(bytes.slice());
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function asText(v: Item): string | null {
  // STACK_GLOBAL operands: str, or an ASCII py2 str (as CPython decodes it).
  return typeof v === 'string' ? v : null;
}

// ---------------------------------------------------------------------------------------------

/** One pickle (from PROTO/first opcode to STOP) run over `bytes` from `pos`. */
class Machine {
  private stack: Item[] = [];
  private marks: number[] = [];
  private memo = new Map<number, Item>();
  private frameEnd: number | null = null;
  private opStart = 0;

  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    private readonly st: ScanState,
    private readonly nested: boolean,
  ) {}

  private fail(code: string, what: string, offset = this.opStart): never {
    throw new ReadError(code, `${this.st.at(offset)}: ${what}`);
  }

  /** Reserves n bytes of argument, checking the file end and the current frame end. */
  private take(n: number): number {
    const p = this.pos;
    if (this.frameEnd !== null && p + n > this.frameEnd)
      this.fail('pickle-frame', `opcode argument of ${n} bytes at offset ${p} straddles the FRAME ending at ${this.frameEnd}`);
    if (n > this.bytes.length - p)
      this.fail('pickle-truncated', `argument of ${n} bytes at offset ${p} runs past the end of the data (${this.bytes.length - p} bytes left)`);
    this.pos = p + n;
    return p;
  }

  private takeBig(n: bigint): number {
    const left = BigInt((this.frameEnd ?? this.bytes.length) - this.pos);
    if (n > left) {
      if (this.frameEnd !== null && n <= BigInt(this.bytes.length - this.pos))
        this.fail('pickle-frame', `argument of ${n} bytes at offset ${this.pos} straddles the FRAME ending at ${this.frameEnd}`);
      this.fail('pickle-truncated', `length ${n} at offset ${this.opStart + 1} exceeds the ${this.bytes.length - this.pos} bytes left`);
    }
    return this.take(Number(n));
  }

  private u8(): number {
    return this.bytes[this.take(1)];
  }
  private u16(): number {
    const p = this.take(2);
    return this.bytes[p] | (this.bytes[p + 1] << 8);
  }
  private u32(): number {
    const p = this.take(4);
    const b = this.bytes;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
  }
  private i32(): number {
    const p = this.take(4);
    const b = this.bytes;
    return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  }
  private u64(): bigint {
    const lo = BigInt(this.u32());
    const hi = BigInt(this.u32());
    return (hi << 32n) | lo;
  }
  private readBytes(n: number): Uint8Array {
    const p = this.take(n);
    return this.bytes.subarray(p, p + n);
  }
  private line(): Uint8Array {
    const end = this.frameEnd ?? this.bytes.length;
    const nl = this.bytes.indexOf(0x0a, this.pos);
    if (nl < 0 || nl >= end) {
      if (this.frameEnd !== null && nl >= 0) this.fail('pickle-frame', `text argument at offset ${this.pos} straddles the FRAME ending at ${this.frameEnd}`);
      this.fail('pickle-truncated', `text argument at offset ${this.pos} has no end of line`);
    }
    const out = this.bytes.subarray(this.pos, nl);
    this.pos = nl + 1;
    return out;
  }
  /** A printable-ASCII text argument; `global` for GLOBAL / INST names (error code pickle-bad-global). */
  private asciiLine(global = false): string {
    const b = this.line();
    let s = '';
    for (let i = 0; i < b.length; i++) {
      if (b[i] > 0x7e || b[i] < 0x20)
        this.fail(global ? 'pickle-bad-global' : 'pickle-malformed', `non-ASCII or control byte 0x${b[i].toString(16)} in a text argument`);
      s += String.fromCharCode(b[i]);
    }
    return s;
  }
  private utf8(b: Uint8Array): string {
    try {
      return utf8.decode(b);
    } catch {
      this.fail('pickle-malformed', 'string is not valid UTF-8');
    }
  }

  private push(v: Item): void {
    if (this.stack.length >= PICKLE_LIMITS.maxStack) this.fail('pickle-limit', `stack depth exceeds ${PICKLE_LIMITS.maxStack}`);
    this.stack.push(v);
  }
  private floor(): number {
    return this.marks.length ? this.marks[this.marks.length - 1] : 0;
  }
  private pop(): Item {
    if (this.stack.length <= this.floor()) this.fail('pickle-malformed', 'stack underflow');
    return this.stack.pop() as Item;
  }
  private top(): Item {
    if (this.stack.length <= this.floor()) this.fail('pickle-malformed', 'stack underflow');
    return this.stack[this.stack.length - 1];
  }
  private popMark(): Item[] {
    if (!this.marks.length) this.fail('pickle-malformed', 'no MARK on the stack');
    const m = this.marks.pop() as number;
    return this.stack.splice(m);
  }
  private memoPut(i: number, v: Item): void {
    if (!this.memo.has(i) && this.memo.size >= PICKLE_LIMITS.maxMemo) this.fail('pickle-limit', `memo exceeds ${PICKLE_LIMITS.maxMemo} entries`);
    this.memo.set(i, v);
  }
  private memoGet(i: number): void {
    if (!this.memo.has(i)) this.fail('pickle-malformed', `memo key ${i} was never stored`);
    let v = this.memo.get(i) as Item;
    if ((v instanceof PendingArray || v instanceof PendingWrapper || v instanceof PendingLegacy) && v.result) v = v.result;
    this.push(v);
  }

  /** Resolves a global name: records it, pushes a PyGlobal when allowlisted, else refuses. */
  private global(module: string, name: string): void {
    if (!MODULE_RE.test(module) || !DOTTED_NAME_RE.test(name))
      this.fail('pickle-bad-global', `global ${JSON.stringify(module)} ${JSON.stringify(name)} is not a valid module / name`);
    const q = `${module}.${name}`;
    this.st.globals.add(q);
    if (!NAME_RE.test(name)) {
      // A dotted name is resolved by a getattr chain at load time (fickling GHSA-5j3x-jp52-966f): an evasion, so dangerous.
      this.st.refuse(q, `dotted name '${name}' resolves attributes at load time`, this.opStart, 'dangerous');
      this.push(REFUSED);
      return;
    }
    if (handlerFor(q) === undefined && !this.st.ext?.allows(q)) {
      const legacy = /^(sklearn\.externals\.)?joblib\.numpy_pickle$/.test(module) && /^Z?NDArrayWrapper$/.test(name);
      const reason = legacy ? 'joblib < 0.10 array wrapper (arrays in side files) is not supported' : 'not on the allowlist';
      this.st.refuse(q, reason, this.opStart, severityOf(module, name));
      this.push(REFUSED);
      return;
    }
    this.push(new PyGlobal(module, name));
  }

  /** Calls a handler; records a refusal when the arguments do not have the exact shape. */
  private call(fn: Item, args: Item[], how: 'reduce' | 'newobj' | 'inst'): Item {
    if (fn instanceof Refused) return REFUSED;
    if (!(fn instanceof PyGlobal)) this.fail('pickle-malformed', 'call of a value that is not a class or function');
    const q = fn.qualifiedName;
    if (args.some((a) => a instanceof Refused)) return REFUSED;
    const ext = this.st.ext;
    if (handlerFor(q) === undefined && ext?.allows(q)) {
      if (this.st.refused.length) return REFUSED;
      try {
        return ext.call(q, args as PyValue[], how);
      } catch (e) {
        if (!(e instanceof PickleRefusal)) throw e;
        this.st.refuse(q, e.reason, this.opStart, 'unsupported');
        return REFUSED;
      }
    }
    const kind = handlerFor(q) as HandlerKind;
    // Once anything was refused nothing more is built: only dtypes and joblib wrappers still run,
    // because the length of the raw array bytes to skip depends on them.
    if (this.st.refused.length && kind !== 'dtype' && kind !== 'arrayWrapper') return REFUSED;
    try {
      return this.handle(kind, q, args, how);
    } catch (e) {
      if (e instanceof Refusing) {
        this.st.refuse(q, e.reason, this.opStart, 'unsupported');
        return REFUSED;
      }
      throw e;
    }
  }

  private handle(kind: HandlerKind, q: string, a: Item[], how: 'reduce' | 'newobj' | 'inst'): Item {
    const where = this.st.at(this.opStart);
    if (how !== 'reduce') {
      if (a.length !== 0) throw new Refusing(`${how === 'newobj' ? 'NEWOBJ' : 'INST/OBJ'} with arguments`);
      if (kind === 'sklearn' || kind === 'sklearnData') return new PyObject(q, null);
      if (kind === 'arrayWrapper' && how === 'newobj') {
        if (this.nested) throw new Refusing('NumpyArrayWrapper inside a nested array pickle');
        return new PendingWrapper();
      }
      if (kind === 'orderedDict') return new Map();
      if (kind === 'legacyWrapper') return new PendingLegacy(q.endsWith('.ZNDArrayWrapper'));
      throw new Refusing(`${q} cannot be instantiated this way`);
    }
    switch (kind) {
      case 'reconstruct': {
        const [sub, shape, tag] = a;
        const tagOk = tag === 'b' || (tag instanceof PyBytes && tag.data.length === 1 && tag.data[0] === 0x62);
        const shapeOk = shape instanceof PyTuple && shape.items.length === 1 && shape.items[0] === 0;
        if (a.length !== 3 || !(sub instanceof PyGlobal) || handlerFor(sub.qualifiedName) !== 'ndarray' || !shapeOk || !tagOk)
          throw new Refusing('_reconstruct arguments must be exactly (numpy.ndarray, (0,), b"b")');
        return new PendingArray();
      }
      case 'frombuffer': {
        const [buf, dt, shapeV, order] = a;
        const shape = intTuple(shapeV as Item);
        const data = buf instanceof PyBytes ? buf.data : null;
        if (a.length !== 4 || !data || !(dt instanceof DTypeBox) || !shape || (order !== 'C' && order !== 'F'))
          throw new Refusing('_frombuffer arguments must be (bytes, dtype, shape, "C"|"F")');
        if (dt.dtype.kind === 'O') throw new Refusing('_frombuffer of an object dtype');
        return arrayFromBytes(dt.dtype, shape, data, order === 'F', where);
      }
      case 'scalar': {
        const [dt, raw] = a;
        const data = bufferBytes(raw as PyValue);
        if (a.length !== 2 || !(dt instanceof DTypeBox) || !data) throw new Refusing('scalar arguments must be (dtype, bytes)');
        if (dt.dtype.kind === 'O') throw new Refusing('object scalars are not supported');
        return scalarFromBytes(dt.dtype, data, where);
      }
      case 'dtype': {
        const [spec, align, copy] = a;
        // Python 2 numpy wrote the flags as ints 0 / 1 (`dtype('f8', 0, 1)`).
        const flagOk = (x: Item): boolean => typeof x === 'boolean' || x === 0 || x === 1;
        if (a.length !== 3 || typeof spec !== 'string' || !flagOk(align) || !flagOk(copy)) throw new Refusing('dtype arguments must be (str, bool, bool)');
        const dt = parseDTypeSpec(spec);
        if (!dt || /^[<>|=]/.test(spec)) throw new Refusing(`dtype '${spec}' is not supported (structured, void or unknown)`);
        return new DTypeBox(dt);
      }
      case 'codecsEncode': {
        const [s, enc] = a;
        if (a.length !== 2 || typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1'))
          throw new Refusing('_codecs.encode arguments must be (str, "latin1")');
        const b = latin1Bytes(s);
        if (!b) throw new Refusing('_codecs.encode of a character beyond latin-1');
        return new PyBytes(b);
      }
      case 'reconstructor': {
        const [cls, base, state] = a;
        if (
          a.length !== 3 ||
          !(cls instanceof PyGlobal) ||
          (handlerFor(cls.qualifiedName) !== 'sklearn' &&
            handlerFor(cls.qualifiedName) !== 'sklearnData' &&
            handlerFor(cls.qualifiedName) !== 'legacyWrapper') ||
          !(base instanceof PyGlobal) ||
          handlerFor(base.qualifiedName) !== 'object' ||
          state !== null
        )
          throw new Refusing('_reconstructor arguments must be (allowlisted class, object, None)');
        if (handlerFor(cls.qualifiedName) === 'legacyWrapper') return new PendingLegacy(cls.name === 'ZNDArrayWrapper');
        return new PyObject(cls.qualifiedName, null);
      }
      case 'slice': {
        if (a.length !== 3 || !a.every((x) => x === null || isInt(x))) throw new Refusing('slice arguments must be three ints or None');
        return new PySlice(a[0] as PyValue, a[1] as PyValue, a[2] as PyValue);
      }
      case 'orderedDict':
        if (a.length !== 0) throw new Refusing('OrderedDict with arguments');
        return new Map();
      case 'ufuncReconstruct': {
        // Old numpy: _ufunc_reconstruct(module, name) imports module and takes name; here only a name
        // that is itself an allowlisted ufunc becomes its inert reference. Nothing is imported.
        const [mod, name] = a;
        const target = typeof mod === 'string' && typeof name === 'string' ? `${mod}.${name}` : '';
        if (a.length !== 2 || !MODULE_RE.test(String(mod)) || !NAME_RE.test(String(name)) || handlerFor(target) !== 'ufunc')
          throw new Refusing('_ufunc_reconstruct arguments must name an allowlisted numpy ufunc');
        this.st.globals.add(target);
        return new PyGlobal(mod as string, name as string);
      }
      default:
        throw new Refusing(`${q} is not callable`);
    }
  }

  /** BUILD: sets the state of the object on top of the stack. */
  private build(): void {
    const state = this.pop();
    const obj = this.top();
    if (obj instanceof Refused || state instanceof Refused) return;
    const where = this.st.at(this.opStart);
    const i = this.stack.length - 1;
    if (obj instanceof PyObject && (handlerFor(obj.className) === 'sklearn' || handlerFor(obj.className) === 'sklearnData')) {
      if (obj.state !== null) return this.refuseBuild(obj.className, 'second BUILD of the same object');
      if (!(state instanceof Map) || ![...state.keys()].every((k) => typeof k === 'string'))
        return this.refuseBuild(obj.className, 'BUILD state is not a str-keyed dict');
      for (const k of state.keys() as Iterable<string>)
        if (!NAME_RE.test(k) || /^__.*__$/.test(k))
          return this.refuseBuild(obj.className, `BUILD state key ${JSON.stringify(k)} is not a plain attribute name`);
      obj.state = state;
      return;
    }
    if (obj instanceof DTypeBox) {
      const t = state instanceof PyTuple ? state.items : null;
      const ok =
        t &&
        (t.length === 8 || t.length === 9) &&
        (t[0] === 3 || t[0] === 4) &&
        typeof t[1] === 'string' &&
        t[2] === null &&
        t[3] === null &&
        t[4] === null &&
        isInt(t[5]) &&
        isInt(t[6]) &&
        isInt(t[7]) &&
        (t.length === 8 || t[8] === null);
      const dt = ok ? withByteOrder(obj.dtype, t[1] as string) : null;
      const elsize = ok ? Number(t[5]) : 0;
      if (!dt || (elsize !== -1 && elsize !== dt.itemsize))
        return this.refuseBuild('numpy.dtype', 'dtype state must be (3, byteorder, None, None, None, elsize, alignment, flags)');
      obj.dtype = dt;
      return;
    }
    if (obj instanceof PendingArray) {
      const t = state instanceof PyTuple ? state.items : null;
      const shape = t ? intTuple(t[1]) : null;
      const dt = t?.[2];
      const fortran = t?.[3];
      if (!t || t.length !== 5 || t[0] !== 1 || !shape || !(dt instanceof DTypeBox) || (typeof fortran !== 'boolean' && fortran !== 0 && fortran !== 1))
        return this.refuseBuild('numpy.core.multiarray._reconstruct', 'array state must be (1, shape, dtype, is_fortran, data)');
      const f = fortran === true || fortran === 1;
      let nd: NdArray;
      if (dt.dtype.kind === 'O') {
        const list = t[4];
        const n = arrayByteLength(dt.dtype, shape);
        if (!Array.isArray(list) || n === null || BigInt(list.length * 8) !== n)
          return this.refuseBuild('numpy.core.multiarray._reconstruct', 'object array data must be a list of shape-product length');
        const items = list.slice();
        nd = new NdArray(dt.dtype, shape, f && shape.length > 1 ? reorderFortran(items, shape) : items);
      } else {
        const data = bufferBytes(t[4] as PyValue);
        if (!data) return this.refuseBuild('numpy.core.multiarray._reconstruct', 'array data must be bytes');
        nd = arrayFromBytes(dt.dtype, shape, data, f, where);
      }
      obj.result = nd;
      this.stack[i] = nd;
      return;
    }
    if (obj instanceof PendingWrapper) {
      this.stack[i] = this.readWrapperArray(obj, state);
      return;
    }
    if (obj instanceof PendingLegacy) {
      const side = legacySideArray(obj.compressed, state);
      if (typeof side === 'string')
        return this.refuseBuild(obj.compressed ? 'joblib.numpy_pickle.ZNDArrayWrapper' : 'joblib.numpy_pickle.NDArrayWrapper', side);
      obj.result = side;
      this.stack[i] = side;
      return;
    }
    if (this.st.ext?.build && !(obj instanceof PendingArray) && !(obj instanceof DTypeBox)) {
      try {
        if (this.st.ext.build(obj, state as PyValue)) return;
      } catch (e) {
        if (!(e instanceof PickleRefusal)) throw e;
        return this.refuseBuild(obj instanceof PyObject ? obj.className : 'BUILD', e.reason);
      }
    }
    this.fail('pickle-malformed', 'BUILD on a value that has no allowlisted state');
  }

  private refuseBuild(global: string, reason: string): void {
    this.st.refuse(global, reason, this.opStart, 'unsupported');
    this.stack[this.stack.length - 1] = REFUSED;
  }

  /** joblib: the array bytes (or a nested pickle for object arrays) follow the wrapper's BUILD. */
  private readWrapperArray(w: PendingWrapper, state: Item): Item {
    const q = 'joblib.numpy_pickle.NumpyArrayWrapper';
    if (!(state instanceof Map)) {
      this.st.refuse(q, 'state is not a dict', this.opStart, 'unsupported');
      this.fail('pickle-malformed', 'NumpyArrayWrapper state is not a dict: the array bytes that follow cannot be skipped');
    }
    const get = (k: string): Item => (state.has(k) ? (state.get(k) as Item) : undefined) as Item;
    const sub = get('subclass');
    const shape = intTuple(get('shape'));
    const order = get('order');
    const dt = get('dtype');
    const align = get('numpy_array_alignment_bytes');
    const keysOk = [...state.keys()].every(
      (k) => typeof k === 'string' && ['subclass', 'shape', 'order', 'dtype', 'allow_mmap', 'numpy_array_alignment_bytes'].includes(k),
    );
    if (!keysOk || !shape || (order !== 'C' && order !== 'F') || !(dt instanceof DTypeBox) || (align !== undefined && !isInt(align)))
      this.fail('pickle-malformed', 'NumpyArrayWrapper state must hold subclass, shape, order, dtype (and allow_mmap, numpy_array_alignment_bytes)');
    const subOk = sub instanceof PyGlobal && handlerFor(sub.qualifiedName) === 'ndarray';
    if (!subOk && !(sub instanceof Refused)) this.st.refuse(q, 'subclass must be numpy.ndarray', this.opStart, 'unsupported');
    this.st.sawArrayWrapper = true;
    // The array bytes are written outside any frame: the current frame must be used up.
    if (this.frameEnd !== null) {
      if (this.pos !== this.frameEnd) this.fail('pickle-frame', `array data at offset ${this.pos} starts inside the FRAME ending at ${this.frameEnd}`);
      this.frameEnd = null;
    }
    if (dt.dtype.kind === 'O') {
      const m = new Machine(this.bytes, this.pos, this.st, true);
      const v = m.run();
      this.pos = m.pos;
      if (!subOk || v instanceof Refused) return REFUSED;
      if (!(v instanceof NdArray)) {
        this.st.refuse(q, 'nested object-array pickle is not an array', this.opStart, 'unsupported');
        return REFUSED;
      }
      w.result = v;
      return v;
    }
    if (align !== undefined) {
      const pad = this.u8();
      if (pad > 64) this.fail('pickle-malformed', `array padding of ${pad} bytes is not a joblib alignment padding`);
      const p = this.take(pad);
      for (let k = 0; k < pad; k++) if (this.bytes[p + k] !== 0xff) this.fail('pickle-malformed', `array padding byte at ${p + k} is not 0xff`);
    }
    const n = arrayByteLength(dt.dtype, shape);
    if (n === null) this.fail('pickle-malformed', 'array shape is not valid');
    const start = this.takeBig(n);
    if (!subOk || this.st.refused.length) return REFUSED;
    const nd = arrayFromBytes(dt.dtype, shape, this.bytes.subarray(start, start + Number(n)), order === 'F', this.st.at(start));
    w.result = nd;
    return nd;
  }

  /** Runs opcodes until STOP; returns the top value (internal items included). */
  run(): Item {
    const b = this.bytes;
    const first = this.pos;
    for (;;) {
      if (this.frameEnd !== null && this.pos >= this.frameEnd) this.frameEnd = null;
      if (++this.st.ops > PICKLE_LIMITS.maxOps) this.fail('pickle-limit', `more than ${PICKLE_LIMITS.maxOps} opcodes`, this.pos);
      this.opStart = this.pos;
      if (this.pos >= b.length) this.fail('pickle-truncated', 'pickle ends without STOP', this.pos);
      const op = b[this.take(1)];
      switch (op) {
        case 0x80: {
          // PROTO: only as the first opcode.
          const v = this.u8();
          if (this.opStart !== first) this.fail('pickle-malformed', 'PROTO is not the first opcode');
          if (v > 5) this.fail('pickle-malformed', `unsupported pickle protocol ${v}`);
          break;
        }
        case 0x95: {
          // FRAME
          if (this.frameEnd !== null) this.fail('pickle-frame', `FRAME opens inside the FRAME ending at ${this.frameEnd}`);
          const n = this.u64();
          if (n > BigInt(b.length - this.pos)) this.fail('pickle-truncated', `FRAME length ${n} exceeds the ${b.length - this.pos} bytes left`);
          this.frameEnd = this.pos + Number(n);
          break;
        }
        case 0x2e: {
          // STOP
          const v = this.pop();
          if (this.frameEnd !== null && this.pos !== this.frameEnd) this.fail('pickle-frame', `STOP before the end of the FRAME ending at ${this.frameEnd}`);
          // Like CPython, items left below the top (and open MARKs) are ignored; they were scanned all the same.
          return v;
        }
        case 0x28: // MARK
          if (this.marks.length >= PICKLE_LIMITS.maxMarks) this.fail('pickle-limit', `more than ${PICKLE_LIMITS.maxMarks} open MARKs`);
          this.marks.push(this.stack.length);
          break;
        case 0x30: // POP
          if (this.stack.length > this.floor()) this.stack.pop();
          else this.popMark();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.push(this.top());
          break;
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x49: {
          // INT (incl. I00 / I01 booleans)
          const s = this.asciiLine();
          if (s === '00' || s === '01') this.push(s === '01');
          else {
            const v = parseIntText(s);
            if (v === null) this.fail('pickle-malformed', `INT argument '${s.slice(0, 40)}' is not an integer`);
            this.push(v);
          }
          break;
        }
        case 0x4c: {
          // LONG
          const s = this.asciiLine();
          if (s.length > PICKLE_LIMITS.maxLongBytes) this.fail('pickle-limit', 'LONG argument is too long');
          const v = parseIntText(s.endsWith('L') ? s.slice(0, -1) : s);
          if (v === null) this.fail('pickle-malformed', 'LONG argument is not an integer');
          this.push(v);
          break;
        }
        case 0x4a: // BININT
          this.push(this.i32());
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.push(this.u16());
          break;
        case 0x8a: // LONG1
          this.push(toBig(this.readBytes(this.u8())));
          break;
        case 0x8b: {
          // LONG4
          const n = this.i32();
          if (n < 0) this.fail('pickle-malformed', 'negative LONG4 length');
          if (n > PICKLE_LIMITS.maxLongBytes) this.fail('pickle-limit', `LONG4 of ${n} bytes`);
          this.push(toBig(this.readBytes(n)));
          break;
        }
        case 0x46: {
          // FLOAT
          const s = this.asciiLine().trim();
          let v: number;
          if (/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/.test(s)) v = Number(s);
          else if (/^[+-]?inf(inity)?$/i.test(s)) v = s.startsWith('-') ? -Infinity : Infinity;
          else if (/^[+-]?nan$/i.test(s)) v = NaN;
          else this.fail('pickle-malformed', `FLOAT argument '${s.slice(0, 40)}' is not a number`);
          this.push(v);
          break;
        }
        case 0x47: {
          // BINFLOAT (big-endian)
          const p = this.take(8);
          this.push(new DataView(b.buffer, b.byteOffset + p, 8).getFloat64(0, false));
          break;
        }
        case 0x53: {
          // STRING: quoted, escape-decoded py2 str
          const raw = this.line();
          const q = raw[0];
          if (raw.length < 2 || (q !== 0x27 && q !== 0x22) || raw[raw.length - 1] !== q) this.fail('pickle-malformed', 'STRING argument is not quoted');
          const d = escapeDecode(raw.subarray(1, raw.length - 1));
          if (!d) this.fail('pickle-malformed', 'STRING argument has a bad escape');
          this.push(pyStr(d));
          break;
        }
        case 0x54: {
          // BINSTRING
          const n = this.i32();
          if (n < 0) this.fail('pickle-malformed', 'negative BINSTRING length');
          this.push(pyStr(this.readBytes(n)));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          this.push(pyStr(this.readBytes(this.u8())));
          break;
        case 0x56: {
          // UNICODE (raw-unicode-escape)
          const s = rawUnicodeEscape(this.line());
          if (s === null) this.fail('pickle-malformed', 'UNICODE argument has a bad escape');
          this.push(s);
          break;
        }
        case 0x58: // BINUNICODE
          this.push(this.utf8(this.readBytes(this.u32())));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.utf8(this.readBytes(this.u8())));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.utf8(this.bytes8()));
          break;
        case 0x42: // BINBYTES
          this.push(new PyBytes(this.readBytes(this.u32())));
          break;
        case 0x43: // SHORT_BINBYTES
          this.push(new PyBytes(this.readBytes(this.u8())));
          break;
        case 0x8e: // BINBYTES8
          this.push(new PyBytes(this.bytes8()));
          break;
        case 0x96: // BYTEARRAY8
          this.push(new PyBytes(this.bytes8()));
          break;
        case 0x29: // EMPTY_TUPLE
          this.push(new PyTuple([]));
          break;
        case 0x74: // TUPLE
          this.push(new PyTuple(this.popMark() as PyValue[]));
          break;
        case 0x85:
        case 0x86:
        case 0x87: {
          // TUPLE1-3
          const n = op - 0x84;
          const items: Item[] = [];
          for (let k = 0; k < n; k++) items.unshift(this.pop());
          this.push(new PyTuple(items as PyValue[]));
          break;
        }
        case 0x5d: // EMPTY_LIST
          this.push([]);
          break;
        case 0x6c: // LIST
          this.push(this.popMark() as PyValue[]);
          break;
        case 0x61: {
          // APPEND
          const v = this.pop();
          const l = this.top();
          if (l instanceof Refused) break;
          if (!Array.isArray(l)) this.fail('pickle-malformed', 'APPEND to a value that is not a list');
          l.push(v as PyValue);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          const l = this.top();
          if (l instanceof Refused) break;
          if (!Array.isArray(l)) this.fail('pickle-malformed', 'APPENDS to a value that is not a list');
          for (const v of items) l.push(v as PyValue);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.push(new Map());
          break;
        case 0x64: {
          // DICT
          const items = this.popMark();
          if (items.length % 2) this.fail('pickle-malformed', 'DICT with an odd number of items');
          const m = new Map();
          this.setItems(m, items);
          this.push(m);
          break;
        }
        case 0x73: {
          // SETITEM
          const v = this.pop();
          const k = this.pop();
          const d = this.top();
          if (d instanceof Refused) break;
          if (!(d instanceof Map)) this.fail('pickle-malformed', 'SETITEM on a value that is not a dict');
          this.setItems(d, [k, v]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          const d = this.top();
          if (items.length % 2) this.fail('pickle-malformed', 'SETITEMS with an odd number of items');
          if (d instanceof Refused) break;
          if (!(d instanceof Map)) this.fail('pickle-malformed', 'SETITEMS on a value that is not a dict');
          this.setItems(d, items);
          break;
        }
        case 0x8f: // EMPTY_SET
          this.push(new PySet([], false));
          break;
        case 0x90: {
          // ADDITEMS
          const items = this.popMark();
          const s = this.top();
          if (s instanceof Refused) break;
          if (!(s instanceof PySet) || s.frozen) this.fail('pickle-malformed', 'ADDITEMS on a value that is not a set');
          for (const v of items) {
            if (!isHashable(v)) this.fail('pickle-malformed', 'unhashable set item');
            s.items.push(v as PyValue);
          }
          break;
        }
        case 0x91: {
          // FROZENSET
          const items = this.popMark();
          if (!items.every(isHashable)) this.fail('pickle-malformed', 'unhashable frozenset item');
          this.push(new PySet(items as PyValue[], true));
          break;
        }
        case 0x70: {
          // PUT
          const s = this.asciiLine();
          if (!/^\d{1,9}$/.test(s)) this.fail('pickle-malformed', 'PUT index is not a number');
          this.memoPut(Number(s), this.top());
          break;
        }
        case 0x71: // BINPUT
          this.memoPut(this.u8(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memoPut(this.u32(), this.top());
          break;
        case 0x94: // MEMOIZE
          this.memoPut(this.memo.size, this.top());
          break;
        case 0x67: {
          // GET
          const s = this.asciiLine();
          if (!/^\d{1,9}$/.test(s)) this.fail('pickle-malformed', 'GET index is not a number');
          this.memoGet(Number(s));
          break;
        }
        case 0x68: // BINGET
          this.memoGet(this.u8());
          break;
        case 0x6a: // LONG_BINGET
          this.memoGet(this.u32());
          break;
        case 0x63: {
          // GLOBAL
          const module = this.asciiLine(true);
          const name = this.asciiLine(true);
          this.global(module, name);
          break;
        }
        case 0x93: {
          // STACK_GLOBAL: operands from the simulated stack, both str.
          const name = this.pop();
          const module = this.pop();
          const m = asText(module);
          const n = asText(name);
          if (m === null || n === null) {
            this.st.refuse('<unresolved STACK_GLOBAL>', 'STACK_GLOBAL operands are not both str', this.opStart, 'dangerous');
            this.push(REFUSED);
          } else this.global(m, n);
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          const fn = this.pop();
          if (args instanceof Refused) {
            this.push(REFUSED);
            break;
          }
          if (!(args instanceof PyTuple)) {
            if (fn instanceof PyGlobal) this.st.refuse(fn.qualifiedName, 'REDUCE arguments are not a tuple', this.opStart, 'unsupported');
            this.push(REFUSED);
            break;
          }
          this.push(this.call(fn, args.items, 'reduce'));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.pop();
          const cls = this.pop();
          if (!(args instanceof PyTuple) && !(args instanceof Refused)) this.fail('pickle-malformed', 'NEWOBJ arguments are not a tuple');
          this.push(args instanceof Refused ? REFUSED : this.call(cls, args.items, 'newobj'));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX: kwargs must be empty
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          if (args instanceof Refused || kwargs instanceof Refused) this.push(REFUSED);
          else if (!(args instanceof PyTuple) || !(kwargs instanceof Map)) this.fail('pickle-malformed', 'NEWOBJ_EX arguments are not (tuple, dict)');
          else if (kwargs.size) {
            if (cls instanceof PyGlobal) this.st.refuse(cls.qualifiedName, 'NEWOBJ_EX with keyword arguments', this.opStart, 'unsupported');
            this.push(REFUSED);
          } else this.push(this.call(cls, args.items, 'newobj'));
          break;
        }
        case 0x69: {
          // INST: global from the text arguments, arguments from the mark.
          const module = this.asciiLine(true);
          const name = this.asciiLine(true);
          const args = this.popMark();
          this.global(module, name);
          const cls = this.pop();
          this.push(this.call(cls, args, 'inst'));
          break;
        }
        case 0x6f: {
          // OBJ: class and arguments from the mark.
          const items = this.popMark();
          if (!items.length) this.fail('pickle-malformed', 'OBJ without a class');
          this.push(this.call(items[0], items.slice(1), 'inst'));
          break;
        }
        case 0x62: // BUILD
          this.build();
          break;
        case 0x51: // BINPERSID: only a dialect that knows its persistent ids (torch storages) reads them.
          if (this.st.ext?.persistentLoad) {
            const pid = this.pop();
            if (pid instanceof Refused || this.st.refused.length) {
              this.push(REFUSED);
              break;
            }
            try {
              this.push(this.st.ext.persistentLoad(pid as PyValue));
            } catch (e) {
              if (!(e instanceof PickleRefusal)) throw e;
              this.st.refuse('<persistent id>', e.reason, this.opStart, 'unsupported');
              this.push(REFUSED);
            }
            break;
          }
          this.fail('pickle-unsupported-opcode', 'persistent-id opcode BINPERSID (external object loading) is refused');
          break;
        case 0x50: // PERSID
          this.fail('pickle-unsupported-opcode', 'persistent-id opcode PERSID (external object loading) is refused');
          break;
        case 0x82:
        case 0x83:
        case 0x84:
          this.fail('pickle-unsupported-opcode', 'EXT opcode (copyreg extension registry: a hidden global) is refused');
          break;
        case 0x97:
        case 0x98:
          this.fail('pickle-unsupported-opcode', 'out-of-band buffer opcode (NEXT_BUFFER / READONLY_BUFFER) is refused');
          break;
        default:
          this.fail('pickle-malformed', `unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  }

  /** Bytes of a u64 length (BINBYTES8, BINUNICODE8, BYTEARRAY8), checked before any allocation. */
  private bytes8(): Uint8Array {
    const n = this.u64();
    const p = this.takeBig(n);
    return this.bytes.subarray(p, p + Number(n));
  }

  private setItems(d: Map<unknown, unknown>, items: Item[]): void {
    for (let k = 0; k < items.length; k += 2) {
      if (!isHashable(items[k])) this.fail('pickle-malformed', 'unhashable dict key');
      d.set(items[k], items[k + 1]);
    }
  }
}

/**
 * The side-file reference of a joblib < 0.10 wrapper from its BUILD state, or the reason it is refused.
 * NDArrayWrapper: {filename, subclass: numpy.ndarray, allow_mmap}; ZNDArrayWrapper: {filename,
 * init_args: (numpy.ndarray, (0,), 'b'), state: (1, shape, dtype, is_fortran)}.
 */
function legacySideArray(compressed: boolean, state: Item): PySideArray | string {
  if (!(state instanceof Map)) return 'state is not a dict';
  const get = (k: string): Item => (state.has(k) ? (state.get(k) as Item) : undefined) as Item;
  const allowed = compressed ? ['filename', 'init_args', 'state'] : ['filename', 'subclass', 'allow_mmap'];
  if (![...state.keys()].every((k) => typeof k === 'string' && allowed.includes(k))) return `state keys must be ${allowed.join(', ')}`;
  const filename = get('filename');
  if (typeof filename !== 'string' || filename.length === 0 || filename.length > 255) return 'filename must be a short str';
  if (!compressed) {
    const sub = get('subclass');
    if (!(sub instanceof PyGlobal) || handlerFor(sub.qualifiedName) !== 'ndarray') return 'subclass must be numpy.ndarray';
    return new PySideArray(filename, null);
  }
  const init = get('init_args');
  const st = get('state');
  const ia = init instanceof PyTuple ? init.items : null;
  const tagOk = ia && (ia[2] === 'b' || (ia[2] instanceof PyBytes && ia[2].data.length === 1 && ia[2].data[0] === 0x62));
  const zeroShape = ia?.[1] instanceof PyTuple && ia[1].items.length === 1 && ia[1].items[0] === 0;
  if (!ia || ia.length !== 3 || !(ia[0] instanceof PyGlobal) || handlerFor(ia[0].qualifiedName) !== 'ndarray' || !zeroShape || !tagOk)
    return 'init_args must be (numpy.ndarray, (0,), "b")';
  const t = st instanceof PyTuple ? (st.items as Item[]) : null;
  const shape = t ? intTuple(t[1]) : null;
  const dt = t?.[2];
  const f = t?.[3];
  if (!t || t.length !== 4 || t[0] !== 1 || !shape || !(dt instanceof DTypeBox) || (typeof f !== 'boolean' && f !== 0 && f !== 1))
    return 'state must be (1, shape, dtype, is_fortran)';
  if (dt.dtype.kind === 'O') return 'object arrays in compressed side files are not supported';
  return new PySideArray(filename, { dtype: dt.dtype, shape, fortran: f === true || f === 1 });
}

/** Replaces internal items, refuses globals that may not be values, checks depth (<=1000) and cycles; iterative. */
function finalize(root: Item, st: ScanState): PyValue {
  const onPath = new Set<object>();
  const fix = (v: Item): Item => {
    if (v instanceof PendingArray || v instanceof PendingWrapper || v instanceof PendingLegacy) {
      if (!v.result) throw new ReadError('pickle-malformed', `${st.path}: an array is used before its state was set`);
      return v.result;
    }
    if (v instanceof DTypeBox) return new PyObject('numpy.dtype', dtypeStr(v.dtype));
    if (v instanceof PyGlobal) {
      const k = handlerFor(v.qualifiedName);
      if (k !== 'typeRef' && k !== 'sklearn' && k !== 'ufunc' && !st.ext?.asValue?.(v.qualifiedName))
        st.refuse(v.qualifiedName, 'may not appear as a value', 0, 'unsupported');
    }
    return v;
  };
  const kids = (v: object): { n: number; get(i: number): Item; set(i: number, x: Item): void } | null => {
    if (Array.isArray(v)) return { n: v.length, get: (i) => v[i], set: (i, x) => (v[i] = x as PyValue) };
    if (v instanceof PyTuple || v instanceof PySet) {
      const a = v.items as Item[];
      return { n: a.length, get: (i) => a[i], set: (i, x) => (a[i] = x) };
    }
    if (v instanceof Map) {
      const keys = [...v.keys()];
      return {
        n: keys.length * 2,
        get: (i) => (i % 2 ? v.get(keys[i >> 1]) : keys[i >> 1]),
        set: (i, x) => {
          if (i % 2) v.set(keys[i >> 1], x);
          else throw new ReadError('pickle-malformed', `${st.path}: a dict key is an unfinished object`);
        },
      };
    }
    if (v instanceof PyObject) return { n: 1, get: () => v.state, set: (_i, x) => (v.state = x as PyValue) };
    if (v instanceof NdArray && v.dtype.kind === 'O' && Array.isArray(v.data)) {
      const a = v.data as Item[];
      return { n: a.length, get: (i) => a[i], set: (i, x) => (a[i] = x) };
    }
    return null;
  };
  const top = fix(root);
  if (top === null || typeof top !== 'object') return top as PyValue;
  // Post-order walk: depth and expanded size (shared nodes counted once per reference) per node.
  const done = new Map<object, { depth: number; size: number }>();
  const stack: { node: object; k: NonNullable<ReturnType<typeof kids>>; i: number; depth: number; size: number }[] = [];
  const tooDeep = (): never => {
    throw new ReadError('pickle-limit', `${st.path}: value nesting exceeds ${PICKLE_LIMITS.maxDepth} levels`);
  };
  const addSize = (f: { size: number }, n: number): void => {
    f.size += n;
    if (f.size > PICKLE_LIMITS.maxExpanded)
      throw new ReadError(
        'pickle-expansion',
        `${st.path}: shared references expand the value to more than ${PICKLE_LIMITS.maxExpanded} nodes (billion-laughs pattern)`,
      );
  };
  const enter = (node: object): void => {
    const k = kids(node);
    if (!k) {
      done.set(node, { depth: 1, size: 1 });
      if (stack.length) addSize(stack[stack.length - 1], 1);
      return;
    }
    onPath.add(node);
    stack.push({ node, k, i: 0, depth: 1, size: 1 });
    if (stack.length > PICKLE_LIMITS.maxDepth) tooDeep();
  };
  enter(top);
  while (stack.length) {
    const f = stack[stack.length - 1];
    if (f.i >= f.k.n) {
      stack.pop();
      onPath.delete(f.node);
      done.set(f.node, { depth: f.depth, size: f.size });
      if (stack.length) {
        const p = stack[stack.length - 1];
        p.depth = Math.max(p.depth, f.depth + 1);
        addSize(p, f.size);
      }
      continue;
    }
    const idx = f.i++;
    const raw = f.k.get(idx);
    const c = fix(raw);
    if (c !== raw) f.k.set(idx, c);
    if (c === null || typeof c !== 'object') {
      addSize(f, 1);
      continue;
    }
    if (onPath.has(c)) throw new ReadError('pickle-cycle', `${st.path}: the value refers to itself (cyclic structure)`);
    const d = done.get(c);
    if (d !== undefined) {
      f.depth = Math.max(f.depth, d.depth + 1);
      if (f.depth > PICKLE_LIMITS.maxDepth) tooDeep();
      addSize(f, d.size);
      continue;
    }
    enter(c);
  }
  return top as PyValue;
}

/**
 * Scans (and, when everything is allowlisted, builds) the pickle stream in `bytes`: the first
 * pickle, then any further pickles after its STOP (all scanned; bytes that are not a clean pickle
 * are an error). joblib NumpyArrayWrapper arrays and nested object-array pickles are followed.
 */
export function scanPickle(bytes: Uint8Array, opts: PickleScanOptions = {}): PickleScan {
  const st = new ScanState(opts.path ?? '<pickle>', opts.offsetNote ?? '', opts.extension ?? null);
  let end: number | undefined;
  let error: FileError | null = null;
  let value: PyValue | null = null;
  try {
    const m = new Machine(bytes, opts.start ?? 0, st, false);
    const root: Item = m.run();
    let pos = m.pos;
    end = m.pos;
    while (!opts.single && pos < bytes.length) {
      const trailing = new Machine(bytes, pos, st, false);
      try {
        trailing.run();
      } catch (e) {
        const fe = toFileError(e);
        throw new ReadError('pickle-trailing-data', `${st.at(pos)}: ${bytes.length - pos} bytes after STOP are not a clean pickle (${fe.message})`);
      }
      pos = trailing.pos;
    }
    if (!st.refused.length) {
      const v = finalize(root, st);
      if (!st.refused.length) value = v;
    }
  } catch (e) {
    error = e instanceof ReadError ? toFileError(e) : { code: 'pickle-internal', message: `${st.path}: could not be read (${toFileError(e).message})` };
  }
  return {
    value: error ? null : value,
    globals: [...st.globals],
    refused: st.refused,
    error,
    sawArrayWrapper: st.sawArrayWrapper,
    ...(opts.single ? { end } : {}),
  };
}
