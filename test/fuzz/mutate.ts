// Seeded PRNG and the byte-level and structure-aware mutations the fuzz targets combine.
// Every mutation is a pure function of (input, rng): a case is reproduced from (seed, target, index).
import { readFileSync } from 'node:fs';
import { maskedCrc32c as crc32cMasked } from '../../src/core/codecs/crc32c';

/**
 * A seed file's bytes as a plain Uint8Array. Not a Buffer: Buffer#slice() is a view, so the
 * mutations' `src.slice()` copies would write into the seed itself, and a case would then depend
 * on the cases run before it (found while adding the torch targets).
 */
export function seedBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** A seeded random source (mulberry32). */
export class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The seed of case `index` of target `name` in a campaign seeded `seed` (FNV-1a mix). */
export function caseSeed(seed: number, name: string, index: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (const c of `${name}#${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

/** Values that break length and size fields. */
export const INTERESTING = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
export { concat };

/** Writes `v` little-endian in `n` bytes at `at` (a copy). */
export function putLE(b: Uint8Array, at: number, n: number, v: number | bigint): Uint8Array {
  const out = b.slice();
  let x = BigInt.asUintN(n * 8, BigInt(v));
  for (let i = 0; i < n && at + i < out.length; i++) {
    out[at + i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export function readLE(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + (b[at + i] ?? 0);
  return v;
}

/** Generic byte mutations: flips, truncation, insertion, deletion, duplication, interesting ints. */
export function mutateBytes(src: Uint8Array, r: Rng): Uint8Array {
  if (src.length === 0) return Uint8Array.of(r.int(256));
  const at = r.int(src.length);
  switch (r.int(8)) {
    case 0: {
      const b = src.slice();
      for (let i = 0, n = 1 + r.int(8); i < n; i++) b[r.int(b.length)] ^= 1 << r.int(8);
      return b;
    }
    case 1:
      return src.slice(0, at);
    case 2: {
      const ins = new Uint8Array(1 + r.int(16)).map(() => r.int(256));
      return concat(src.subarray(0, at), ins, src.subarray(at));
    }
    case 3:
      return concat(src.subarray(0, at), src.subarray(Math.min(src.length, at + 1 + r.int(64))));
    case 4: {
      const len = 1 + r.int(Math.min(256, src.length - at));
      const chunk = src.subarray(at, at + len);
      const reps = 1 + r.int(8);
      return concat(src.subarray(0, at), ...Array<Uint8Array>(reps).fill(chunk), src.subarray(at));
    }
    case 5:
      return putLE(src, at, r.pick([1, 2, 4, 8]), r.pick(INTERESTING) + (r.chance(0.3) ? r.int(3) - 1 : 0));
    case 6: {
      const b = src.slice();
      b[at] = r.pick([0, 0xff, 0x7f, 0x80, 0x2e, 0x28, 0x0a, 0x22]);
      return b;
    }
    default: {
      // splice a chunk of the file elsewhere
      const from = r.int(src.length);
      const chunk = src.slice(from, from + 1 + r.int(128));
      return concat(src.subarray(0, at), chunk, src.subarray(Math.min(src.length, at + chunk.length)));
    }
  }
}

/** Applies 1..n mutations picked among `fns`. */
export function stack(src: Uint8Array, r: Rng, fns: ((b: Uint8Array, r: Rng) => Uint8Array)[], n = 3): Uint8Array {
  let b = src;
  for (let i = 0, k = 1 + r.int(n); i < k; i++) b = r.pick(fns)(b, r);
  return b;
}

// ---- pickle ----

/** Argument sizes of pickle opcodes: fixed byte counts, or a length prefix of n bytes, or a line. */
type Arg = { fixed: number } | { len: 1 | 4 | 8 } | { line: number };
const OPS = new Map<number, Arg>([
  [0x80, { fixed: 1 }],
  [0x95, { fixed: 8 }],
  [0x4a, { fixed: 4 }],
  [0x4b, { fixed: 1 }],
  [0x4d, { fixed: 2 }],
  [0x47, { fixed: 8 }],
  [0x71, { fixed: 1 }],
  [0x72, { fixed: 4 }],
  [0x68, { fixed: 1 }],
  [0x6a, { fixed: 4 }],
  [0x82, { fixed: 1 }],
  [0x83, { fixed: 2 }],
  [0x84, { fixed: 4 }],
  [0x8a, { len: 1 }],
  [0x8b, { len: 4 }],
  [0x54, { len: 4 }],
  [0x55, { len: 1 }],
  [0x58, { len: 4 }],
  [0x8c, { len: 1 }],
  [0x8d, { len: 8 }],
  [0x42, { len: 4 }],
  [0x43, { len: 1 }],
  [0x8e, { len: 8 }],
  [0x96, { len: 8 }],
  [0x63, { line: 2 }],
  [0x69, { line: 2 }],
  [0x49, { line: 1 }],
  [0x4c, { line: 1 }],
  [0x46, { line: 1 }],
  [0x53, { line: 1 }],
  [0x56, { line: 1 }],
  [0x70, { line: 1 }],
  [0x67, { line: 1 }],
  [0x50, { line: 1 }],
]);
/** Every opcode byte CPython knows (and a few it does not). */
const OPCODES = [...'(.0123FIJKLMNPQRSTUVXabcdeghijlopqrstu}])']
  .map((c) => c.charCodeAt(0))
  .concat([
    0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
    0x00,
  ]);

interface Op {
  at: number;
  op: number;
  /** Offset and size of the length prefix, when the opcode has one. */
  lenAt?: number;
  lenSize?: number;
  end: number;
}

/** Splits a pickle into opcodes (stops at STOP, at the first unknown byte or at the end). */
export function pickleOps(b: Uint8Array, from = 0): Op[] {
  const ops: Op[] = [];
  let i = from;
  while (i < b.length && ops.length < 100_000) {
    const op = b[i];
    const arg = OPS.get(op);
    let end = i + 1;
    const o: Op = { at: i, op, end };
    if (arg && 'fixed' in arg) end += arg.fixed;
    else if (arg && 'len' in arg) {
      o.lenAt = i + 1;
      o.lenSize = arg.len;
      end += arg.len + readLE(b, i + 1, arg.len);
    } else if (arg && 'line' in arg) {
      for (let k = 0; k < arg.line; k++) {
        const nl = b.indexOf(0x0a, end);
        end = nl < 0 ? b.length : nl + 1;
      }
    }
    o.end = Math.min(end, b.length);
    ops.push(o);
    i = o.end;
    if (op === 0x2e) break;
  }
  return ops;
}

/** Structure-aware pickle mutations: opcodes swapped, lengths inflated, nesting, memo, frames. */
export function mutatePickle(src: Uint8Array, r: Rng): Uint8Array {
  const ops = pickleOps(src);
  if (ops.length === 0) return mutateBytes(src, r);
  const o = r.pick(ops);
  switch (r.int(9)) {
    case 0: {
      // a length field: huge, off by one, zero
      const withLen = ops.filter((x) => x.lenAt !== undefined);
      const t = withLen.length ? r.pick(withLen) : o;
      if (t.lenAt === undefined) return mutateBytes(src, r);
      const cur = readLE(src, t.lenAt, t.lenSize!);
      const v = r.pick([cur + 1, cur - 1, 0, cur * 2, 0x7fffffff, 0xffffffff, 2 ** 40, 2 ** 53, src.length]);
      return putLE(src, t.lenAt, t.lenSize!, Math.max(0, v));
    }
    case 1: {
      const b = src.slice();
      b[o.at] = r.pick(OPCODES);
      return b;
    }
    case 2:
      // delete one opcode
      return concat(src.subarray(0, o.at), src.subarray(o.end));
    case 3: {
      // duplicate a run of opcodes
      const j = Math.min(ops.length - 1, ops.indexOf(o) + r.int(6));
      const run = src.subarray(o.at, ops[j].end);
      return concat(src.subarray(0, o.end), ...Array<Uint8Array>(1 + r.int(4)).fill(run), src.subarray(o.end));
    }
    case 4: {
      // deep nesting: MARK / EMPTY_LIST / EMPTY_DICT runs
      const n = r.pick([10, 1000, 20000, 200000]);
      const fill = new Uint8Array(n).fill(r.pick([0x28, 0x5d, 0x7d, 0x29]));
      return concat(src.subarray(0, o.at), fill, src.subarray(o.at));
    }
    case 5: {
      // memo games: GET of a missing index, PUT over, DUP floods
      const ins = r.pick([
        Uint8Array.of(0x68, r.int(256)),
        Uint8Array.of(0x71, r.int(4)),
        Uint8Array.of(0x6a, 0xff, 0xff, 0xff, 0x7f),
        new Uint8Array(r.pick([50, 5000])).fill(0x32),
        Uint8Array.of(0x94),
      ]);
      return concat(src.subarray(0, o.at), ins, src.subarray(o.at));
    }
    case 6: {
      // a FRAME whose length lies, or a nested FRAME
      const frames = ops.filter((x) => x.op === 0x95);
      if (frames.length && r.chance(0.7)) return putLE(src, r.pick(frames).at + 1, 8, r.pick([0, 1, 9, 2 ** 31, 2 ** 50, src.length * 4]));
      return concat(src.subarray(0, o.at), putLE(Uint8Array.of(0x95, 0, 0, 0, 0, 0, 0, 0, 0), 1, 8, r.int(64)), src.subarray(o.at));
    }
    case 7:
      // cut right inside an opcode's argument
      return src.subarray(0, o.at + 1 + r.int(Math.max(1, o.end - o.at)));
    default:
      return mutateBytes(src, r);
  }
}

// ---- JSON ----

type J = unknown;

function jsonNodes(v: J, out: { parent: Record<string, J> | J[]; key: string | number }[] = [], depth = 0): typeof out {
  if (depth > 60 || out.length > 5000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => (out.push({ parent: v, key: i }), jsonNodes(x, out, depth + 1)));
  else if (v && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      out.push({ parent: v as Record<string, J>, key: k });
      jsonNodes((v as Record<string, J>)[k], out, depth + 1);
    }
  }
  return out;
}

const WEIRD: J[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -1e308,
  2 ** 53 + 1,
  0.5,
  1e9,
  '',
  'x',
  '../../etc/passwd',
  '/abs/path',
  [],
  {},
  [null],
  [-1],
  [1e9, 1e9, 1e9],
  'float16',
  'int8',
  'string',
  'complex64',
  '__proto__',
];

/** Structure-aware JSON mutation of a parsed document: types swapped, keys dropped, depth, size. */
export function mutateJsonValue(doc: J, r: Rng, extra: J[] = []): J {
  const d = structuredClone(doc);
  const nodes = jsonNodes(d);
  if (nodes.length === 0) return r.pick(WEIRD);
  const n = r.pick(nodes);
  const p = n.parent as Record<string | number, J>;
  switch (r.int(8)) {
    case 0:
      if (Array.isArray(p)) p.splice(n.key as number, 1);
      else delete p[n.key];
      break;
    case 1:
      p[n.key] = r.pick([...WEIRD, ...extra]);
      break;
    case 2: {
      // deep nesting
      let v: J = p[n.key];
      for (let i = 0, k = r.pick([50, 500, 5000]); i < k; i++) v = r.chance(0.5) ? [v] : { class_name: 'Sequential', config: { layers: [v] } };
      p[n.key] = v;
      break;
    }
    case 3: {
      // size: repeat a value many times
      const k = r.pick([100, 10000, 100000]);
      p[n.key] = Array<J>(k).fill(p[n.key]);
      break;
    }
    case 4: {
      // swap with another node's value
      const m = r.pick(nodes);
      const t = p[n.key];
      p[n.key] = (m.parent as Record<string | number, J>)[m.key];
      (m.parent as Record<string | number, J>)[m.key] = t;
      break;
    }
    case 5:
      if (typeof p[n.key] === 'number') p[n.key] = r.pick([-(p[n.key] as number), (p[n.key] as number) * 1e6, NaN, 0, 1.5]);
      else if (typeof p[n.key] === 'string') p[n.key] = (p[n.key] as string) + r.pick(['_x', '\u0000', '"', '/../x', 'é']);
      else p[n.key] = r.pick(WEIRD);
      break;
    case 6:
      if (!Array.isArray(p)) {
        p[
          r.pick(['__proto__', 'constructor', 'class_name', 'config', 'layers', 'weightsManifest', 'modelTopology', 'inbound_nodes', 'shape', 'dtype', 'paths'])
        ] = r.pick([...WEIRD, ...extra]);
      } else p.push(r.pick(nodes).parent);
      break;
    default: {
      // duplicate an element (a layer, a weight entry)
      if (Array.isArray(p)) p.splice(n.key as number, 0, structuredClone(p[n.key]));
      else p[`${n.key}_2`] = p[n.key];
    }
  }
  return d;
}

/** How many values printing `v` writes (shared values counted each time), up to `limit`. */
function jsonCount(v: J, limit: number): number {
  let n = 0;
  const todo: J[] = [v];
  while (todo.length && n < limit) {
    const x = todo.pop();
    n++;
    const kids = Array.isArray(x) ? x : x && typeof x === 'object' ? Object.values(x) : [];
    if (n + todo.length + kids.length >= limit) return limit;
    for (const y of kids) todo.push(y);
  }
  return n;
}

/** A JSON text, mutated either as a value (mostly) or as bytes. */
export function mutateJsonText(src: Uint8Array, r: Rng, extra: J[] = []): Uint8Array {
  if (r.chance(0.2)) return mutateBytes(src, r);
  let doc: J;
  try {
    doc = JSON.parse(new TextDecoder().decode(src).replace(/\bNaN\b|-?\bInfinity\b/g, 'null'));
  } catch {
    return mutateBytes(src, r);
  }
  let text: string;
  try {
    let v = doc;
    for (let i = 0, k = 1 + r.int(3); i < k; i++) v = mutateJsonValue(v, r, extra);
    // shared values repeated inside repeated values print to gigabytes: count before printing
    if (jsonCount(v, 1_000_000) >= 1_000_000) return mutateBytes(src, r);
    text = JSON.stringify(v);
    // keep cases cheap to make: a mutant of many MB says nothing a 4 MB one does not
    if (text.length > 4 * 1024 * 1024) return mutateBytes(src, r);
  } catch {
    // a mutant nested too deep to clone or print: mutate its bytes instead
    return mutateBytes(src, r);
  }
  if (r.chance(0.1)) text = text.replace(/null/g, () => r.pick(['NaN', 'Infinity', '-Infinity', 'null']));
  return new TextEncoder().encode(text);
}

// ---- CSV ----

/** CSV mutations: lines dropped, doubled, cut, columns added or removed, odd values, line ends. */
export function mutateCsv(src: Uint8Array, r: Rng): Uint8Array {
  if (r.chance(0.15)) return mutateBytes(src, r);
  const text = new TextDecoder().decode(src);
  const lines = text.split('\n');
  const i = r.int(lines.length);
  const sep = text.includes(';') ? ';' : ',';
  switch (r.int(9)) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, ...Array<string>(r.pick([1, 10, 1000])).fill(lines[i]));
      break;
    case 2:
      lines[i] = lines[i].slice(0, r.int(lines[i].length + 1));
      break;
    case 3:
      lines[i] += sep + r.pick(['1', '', 'x', 'nan', '"a,b"', '1e309']);
      break;
    case 4: {
      const cells = lines[i].split(sep);
      cells[r.int(cells.length)] = r.pick(['', 'nan', 'inf', '-inf', '1e309', '-0', '"', '""', '"x\ny"', 'epoch', '9'.repeat(400), '0x10', ' 1 ']);
      lines[i] = cells.join(sep);
      break;
    }
    case 5:
      lines.splice(i, 0, lines[0]);
      break;
    case 6:
      return new TextEncoder().encode((r.chance(0.5) ? '\ufeff' : '') + lines.join(r.pick(['\r\n', '\r', '\n\n'])));
    case 7:
      lines[i] = lines[i].split(sep).slice(0, r.int(4)).join(sep);
      break;
    default:
      lines.push(...Array<string>(r.pick([100, 20000])).fill(lines[lines.length - 2] ?? '1,2'));
  }
  return new TextEncoder().encode(lines.join('\n'));
}

// ---- protobuf (wire format) ----

interface PbField {
  at: number;
  tagEnd: number;
  wire: number;
  /** Offset of the length varint (wire type 2). */
  lenAt?: number;
  dataAt: number;
  end: number;
}

function varint(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let mul = 1;
  let i = at;
  while (i < b.length && i - at < 10) {
    const x = b[i++];
    v += (x & 0x7f) * mul;
    mul *= 128;
    if (!(x & 0x80)) return [v, i];
  }
  return [-1, i];
}

export function encodeVarint(v: number): Uint8Array {
  const out: number[] = [];
  let x = v;
  do {
    let byte = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) byte |= 0x80;
    out.push(byte);
  } while (x > 0 && out.length < 10);
  return Uint8Array.from(out);
}

/** The fields of a protobuf message, recursing into length-delimited ones that parse. */
export function pbFields(b: Uint8Array, from = 0, to = b.length, depth = 0, out: PbField[] = []): PbField[] {
  let i = from;
  while (i < to && out.length < 20000) {
    const [tag, t] = varint(b, i);
    if (tag <= 0) break;
    const wire = tag & 7;
    const f: PbField = { at: i, tagEnd: t, wire, dataAt: t, end: t };
    if (wire === 0) f.end = varint(b, t)[1];
    else if (wire === 1) f.end = t + 8;
    else if (wire === 5) f.end = t + 4;
    else if (wire === 2) {
      const [len, d] = varint(b, t);
      if (len < 0 || d + len > to) break;
      f.lenAt = t;
      f.dataAt = d;
      f.end = d + len;
    } else break;
    if (f.end > to) break;
    out.push(f);
    if (wire === 2 && depth < 8) pbFields(b, f.dataAt, f.end, depth + 1, out);
    i = f.end;
  }
  return out;
}

/** Protobuf mutations: lengths that lie, wire types swapped, varints overlong, fields repeated. */
export function mutateProtobuf(src: Uint8Array, r: Rng, from = 0): Uint8Array {
  const fields = pbFields(src, from);
  if (fields.length === 0) return mutateBytes(src, r);
  const f = r.pick(fields);
  switch (r.int(6)) {
    case 0: {
      const withLen = fields.filter((x) => x.lenAt !== undefined);
      const t = withLen.length ? r.pick(withLen) : f;
      if (t.lenAt === undefined) return mutateBytes(src, r);
      const len = t.end - t.dataAt;
      const v = r.pick([len + 1, len - 1, 0, 2 ** 31, 2 ** 35, src.length * 2]);
      return concat(src.subarray(0, t.lenAt), encodeVarint(Math.max(0, v)), src.subarray(t.dataAt));
    }
    case 1: {
      const b = src.slice();
      b[f.tagEnd - 1] = (b[f.tagEnd - 1] & ~7) | r.pick([0, 1, 2, 3, 4, 5, 6, 7]);
      return b;
    }
    case 2:
      return concat(src.subarray(0, f.dataAt), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), src.subarray(f.end));
    case 3:
      return concat(src.subarray(0, f.end), ...Array<Uint8Array>(r.pick([2, 100])).fill(src.subarray(f.at, f.end)), src.subarray(f.end));
    case 4:
      return concat(src.subarray(0, f.at), src.subarray(f.end));
    default:
      return mutateBytes(src, r);
  }
}

// ---- TFRecord (tfevents) ----

/** Records of a TFRecord file: [offset, data length]. */
export function tfRecords(b: Uint8Array): { at: number; len: number }[] {
  const out: { at: number; len: number }[] = [];
  let i = 0;
  while (i + 12 <= b.length) {
    const len = readLE(b, i, 8);
    if (i + 16 + len > b.length) break;
    out.push({ at: i, len });
    i += 16 + len;
  }
  return out;
}

function frame(data: Uint8Array): Uint8Array {
  const head = putLE(new Uint8Array(12), 0, 8, data.length);
  const h = putLE(head, 8, 4, crc32cMasked(head.subarray(0, 8)));
  return concat(h, data, putLE(new Uint8Array(4), 0, 4, crc32cMasked(data)));
}

/** tfevents mutations: record data mutated as protobuf with CRCs recomputed (deep) or lengths/CRCs broken. */
export function mutateTfevents(src: Uint8Array, r: Rng): Uint8Array {
  const recs = tfRecords(src);
  if (recs.length === 0) return mutateBytes(src, r);
  const rec = r.pick(recs);
  const data = src.subarray(rec.at + 12, rec.at + 12 + rec.len);
  const before = src.subarray(0, rec.at);
  const after = src.subarray(rec.at + 16 + rec.len);
  switch (r.int(6)) {
    case 0:
    case 1:
      return concat(before, frame(mutateProtobuf(data, r)), after);
    case 2:
      // length that lies, with its CRC right (so the reader trusts it)
      return concat(
        before,
        (() => {
          const head = putLE(new Uint8Array(12), 0, 8, r.pick([0, rec.len + 1, 2 ** 31, 2 ** 40, 2 ** 53 - 1]));
          return putLE(head, 8, 4, crc32cMasked(head.subarray(0, 8)));
        })(),
        data,
        src.subarray(rec.at + 12 + rec.len),
      );
    case 3:
      return concat(before, ...Array<Uint8Array>(r.pick([2, 50, 2000])).fill(src.subarray(rec.at, rec.at + 16 + rec.len)), after);
    case 4:
      return putLE(src, rec.at + 12 + rec.len, 4, r.int(2 ** 32));
    default:
      return mutateBytes(src, r);
  }
}

// ---- zip ----

/** Offset of the end-of-central-directory record, or -1. */
export function eocdAt(b: Uint8Array): number {
  for (let i = b.length - 22; i >= Math.max(0, b.length - 65557); i--) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 5 && b[i + 3] === 6) return i;
  }
  return -1;
}

/** Zip directory mutations: entry counts, sizes, offsets, name lengths, methods, CRCs, flags. */
export function mutateZipDirectory(src: Uint8Array, r: Rng): Uint8Array {
  const e = eocdAt(src);
  if (e < 0) return mutateBytes(src, r);
  const cdOff = readLE(src, e + 16, 4);
  const cds: number[] = [];
  for (let i = cdOff; i + 46 <= e && cds.length < 1000;) {
    if (readLE(src, i, 4) !== 0x02014b50) break;
    cds.push(i);
    i += 46 + readLE(src, i + 28, 2) + readLE(src, i + 30, 2) + readLE(src, i + 32, 2);
  }
  const v = () => r.pick([0, 1, 0xffff, 0xffffffff, 0x7fffffff, src.length, src.length + 1, r.int(src.length)]);
  if (cds.length === 0 || r.chance(0.2)) {
    // EOCD: entries, directory size / offset, comment length
    const field = r.pick([
      [8, 2],
      [10, 2],
      [12, 4],
      [16, 4],
      [20, 2],
    ] as const);
    return putLE(src, e + field[0], field[1], v());
  }
  const c = r.pick(cds);
  const lh = readLE(src, c + 42, 4);
  const field = r.pick([
    [10, 2],
    [16, 4],
    [20, 4],
    [24, 4],
    [28, 2],
    [30, 2],
    [42, 4],
    [8, 2],
  ] as const);
  if (r.chance(0.3) && lh + 30 <= src.length) {
    // the local header instead
    const lf = r.pick([
      [8, 2],
      [14, 4],
      [18, 4],
      [22, 4],
      [26, 2],
      [28, 2],
      [6, 2],
    ] as const);
    return putLE(src, lh + lf[0], lf[1], field[0] === 10 ? r.pick([0, 8, 12, 14, 99]) : v());
  }
  return putLE(src, c + field[0], field[1], field[0] === 10 ? r.pick([0, 8, 12, 14, 93, 99]) : v());
}

// ---- HDF5 ----

const H5_SIGS = ['OHDR', 'OCHK', 'TREE', 'HEAP', 'SNOD', 'GCOL', 'FRHP', 'FHDB', 'BTHD', 'BTLF', 'FSHD', 'SMTB'].map((s) => new TextEncoder().encode(s));

function findAll(b: Uint8Array, sig: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = b.indexOf(sig[0]); i >= 0 && out.length < 500; i = b.indexOf(sig[0], i + 1)) {
    if (sig.every((x, k) => b[i + k] === x)) out.push(i);
  }
  return out;
}

/**
 * HDF5 mutations: bytes near object headers and B-tree/heap signatures, addresses pointed past the
 * end, small integers (dims, sizes, counts) made huge, the superblock's end-of-file address.
 */
export function mutateHdf5(src: Uint8Array, r: Rng): Uint8Array {
  switch (r.int(6)) {
    case 0:
    case 1: {
      const hits = findAll(src, r.pick(H5_SIGS));
      if (!hits.length) return mutateBytes(src, r);
      const at = r.pick(hits) + 4 + r.int(64);
      return r.chance(0.5)
        ? putLE(src, at, r.pick([1, 2, 4, 8]), r.pick(INTERESTING))
        : (() => {
            const b = src.slice();
            b[at] ^= 1 << r.int(8);
            return b;
          })();
    }
    case 2: {
      // an 8-byte value that looks like an address or a dim: past the end, huge, zero
      const cands: number[] = [];
      for (let i = 0; i + 8 <= src.length && cands.length < 4000; i += 8) {
        const x = readLE(src, i, 8);
        if (x > 0 && x < src.length) cands.push(i);
      }
      if (!cands.length) return mutateBytes(src, r);
      return putLE(src, r.pick(cands), 8, r.pick([0, src.length, src.length + 8, 2 ** 32, 2 ** 48, 2n ** 64n - 1n, 2n ** 63n]));
    }
    case 3: {
      // small 4-byte ints (dims in v1 dataspaces, message sizes, counts)
      const cands: number[] = [];
      for (let i = 0; i + 4 <= src.length && cands.length < 4000; i += 4) {
        const x = readLE(src, i, 4);
        if (x > 1 && x < 4096) cands.push(i);
      }
      if (!cands.length) return mutateBytes(src, r);
      return putLE(src, r.pick(cands), 4, r.pick([0, 0xffffffff, 0x7fffffff, 0x10000, 1]));
    }
    case 4: {
      // superblock end-of-file / base addresses (v0: at 8+16.., v2/3: after 12 bytes)
      const at = r.pick([24, 32, 40, 48, 56, 12, 20, 28]);
      return putLE(src, at, 8, r.pick([0, 1, src.length - 1, src.length * 2, 2 ** 40]));
    }
    default:
      return mutateBytes(src, r);
  }
}
