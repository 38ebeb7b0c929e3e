// Fuzz targets for the model readers: PyTorch (zip and legacy containers), safetensors, ONNX.
// Seeds are the fixtures of test/fixtures/torch and test/fixtures/onnx (and a few safetensors
// headers built here); the mutations know each container's structure.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { seedBytes } from './mutate';
import { basename, join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import {
  INTERESTING,
  Rng,
  concat,
  mutateBytes,
  mutateJsonText,
  mutatePickle,
  mutateProtobuf,
  mutateZipDirectory,
  pickleOps,
  putLE,
  readLE,
  stack,
} from './mutate';
import type { FuzzCase, FuzzTarget } from './targets';

const ROOT = join(__dirname, '..', 'fixtures');

function listFiles(dir: string, test: (name: string, head: Uint8Array) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.size < 64 * 1024 && test(n, readFileSync(p).subarray(0, 8))) out.push(p);
    }
  };
  walk(join(ROOT, dir));
  return out;
}

const single = (p: string): FuzzCase => ({
  main: basename(p),
  files: { [basename(p)]: seedBytes(p) },
});
const withMain = (c: FuzzCase, b: Uint8Array): FuzzCase => ({
  main: c.main,
  files: { ...c.files, [c.main]: b },
});
const TORCH = /\.(pt|pth|ckpt)$/;
const isZip = (h: Uint8Array) => h[0] === 0x50 && h[1] === 0x4b;

// ---- torch zip ----

/** The torch-zip seeds' bytes (well-formed zips, safe to unzip). */
const PRISTINE = new WeakSet<Uint8Array>();

/** A torch.save zip: its directory, data.pkl's opcodes, storage sizes, records dropped; rezipped stored. */
export function mutateTorchZip(src: Uint8Array, r: Rng): Uint8Array {
  // fflate's unzipSync can loop forever on a zip whose directory was mutated (case 11444 of
  // seed 11): only the seeds themselves are unzipped; mutants get directory and byte mutations.
  if (!PRISTINE.has(src) || r.chance(0.35)) return stack(src, r, [mutateZipDirectory, mutateZipDirectory, mutateBytes]);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(src);
  } catch {
    return mutateZipDirectory(src, r);
  }
  const names = Object.keys(entries);
  const pkl = names.find((n) => n.endsWith('data.pkl'));
  const storages = names.filter((n) => /\/data\/\d+$/.test(n));
  const k = r.int(10);
  if (pkl && k < 5) entries[pkl] = stack(entries[pkl], r, [mutatePickle, mutatePickle, mutateBytes], 2);
  else if (storages.length && k < 8) {
    const s = r.pick(storages);
    const b = entries[s];
    entries[s] = r.pick([
      () => b.subarray(0, r.int(b.length + 1)),
      () => concat(b, new Uint8Array(1 + r.int(64))),
      () => new Uint8Array(0),
      () => mutateBytes(b, r),
    ])();
    if (r.chance(0.2)) delete entries[s];
  } else if (names.length) {
    const n = r.pick(names);
    if (/byteorder$|version$/.test(n)) entries[n] = strToU8(r.pick(['big', 'middle', '', '99', '3\n', 'little']));
    else delete entries[n];
  }
  // torch writes stored entries; a deflated one is read too (or refused clearly)
  return zipSync(entries, { level: r.chance(0.8) ? 0 : 6 });
}

// ---- torch legacy ----

/** The back-to-back pickles of a legacy torch.save file (magic, protocol, sys_info, object, storage keys) and the raw tail. */
export function legacyParts(b: Uint8Array): { at: number; end: number }[] {
  const parts: { at: number; end: number }[] = [];
  let at = 0;
  while (parts.length < 5 && at < b.length) {
    const ops = pickleOps(b, at);
    const last = ops[ops.length - 1];
    if (!last || b[last.at] !== 0x2e) break; // no STOP: not a whole pickle
    parts.push({ at, end: last.end });
    at = last.end;
  }
  return parts;
}

export function mutateTorchLegacy(src: Uint8Array, r: Rng): Uint8Array {
  const parts = legacyParts(src);
  if (parts.length === 0) return mutateBytes(src, r);
  const k = r.int(10);
  if (k === 0) {
    // the magic number (LONG1 after PROTO): a byte of it
    const b = src.slice();
    b[Math.min(b.length - 1, 3 + r.int(10))] ^= 1 << r.int(8);
    return b;
  }
  if (k === 1 && parts.length >= 2) {
    // the protocol version pickle: an int of another value
    const p = parts[1];
    const ops = pickleOps(src, p.at).filter((o) => o.at < p.end);
    const num = ops.find((o) => o.op === 0x4b || o.op === 0x4d || o.op === 0x4a);
    if (num) return putLE(src, num.at + 1, num.end - num.at - 1, r.pick(INTERESTING));
  }
  if (k === 2 && parts.length >= 5) {
    // storage keys: the raw storage records after them cut, grown or their u64 sizes changed
    const tail = parts[4].end;
    const rest = src.subarray(tail);
    if (rest.length >= 8 && r.chance(0.6)) return concat(src.subarray(0, tail), putLE(rest, 0, 8, r.pick([0, 1, 2 ** 31, 2 ** 53, rest.length])));
    return concat(src.subarray(0, tail), rest.subarray(0, r.int(rest.length + 1)));
  }
  if (k === 3) {
    // a part dropped or repeated
    const p = r.pick(parts);
    return r.chance(0.5) ? concat(src.subarray(0, p.at), src.subarray(p.end)) : concat(src.subarray(0, p.end), src.subarray(p.at, p.end), src.subarray(p.end));
  }
  // one of the pickles (mostly the object and the storage keys)
  const p = parts.length >= 4 && r.chance(0.6) ? parts[r.chance(0.7) ? 3 : parts.length - 1] : r.pick(parts);
  const m = stack(src.slice(p.at, p.end), r, [mutatePickle, mutatePickle, mutateBytes], 2);
  return concat(src.subarray(0, p.at), m, src.subarray(p.end));
}

// ---- safetensors ----

/** Small safetensors files built here (dtypes, scalar, empty, metadata), beside the fixture. */
function safetensorsSeeds(): FuzzCase[] {
  const make = (name: string, header: Record<string, unknown>, data: number): FuzzCase => {
    let h = JSON.stringify(header);
    while ((8 + h.length) % 8) h += ' ';
    const hb = strToU8(h);
    const b = concat(
      putLE(new Uint8Array(8), 0, 8, hb.length),
      hb,
      new Uint8Array(data).map((_, i) => i * 37),
    );
    return { main: name, files: { [name]: b } };
  };
  return [
    single(join(ROOT, 'torch', 'model.safetensors')),
    make(
      'mixed.safetensors',
      {
        __metadata__: { format: 'pt' },
        'a.weight': { dtype: 'F64', shape: [2, 3], data_offsets: [0, 48] },
        'a.bias': { dtype: 'BF16', shape: [3], data_offsets: [48, 54] },
        'b.idx': { dtype: 'I64', shape: [1], data_offsets: [54, 62] },
        'b.mask': { dtype: 'BOOL', shape: [2], data_offsets: [62, 64] },
        scalar: { dtype: 'U8', shape: [], data_offsets: [64, 65] },
        empty: { dtype: 'F32', shape: [0, 4], data_offsets: [65, 65] },
      },
      65,
    ),
    make('one.safetensors', { w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 16),
  ];
}

const SAFETENSORS_EXTRA = [
  { dtype: 'F32', shape: [1e9, 1e9], data_offsets: [0, 16] },
  { dtype: 'F32', shape: [4], data_offsets: [16, 0] },
  { dtype: 'F32', shape: [4], data_offsets: [0, 2 ** 53] },
  { dtype: 'X99', shape: [1], data_offsets: [0, 1] },
  { dtype: 'F32', shape: [-1], data_offsets: [0, 4] },
  { dtype: 'F32', shape: [2.5], data_offsets: [0, 10] },
  [0, 1e300],
  [-8, 8],
  'F8_E4M3',
];

export function mutateSafetensors(src: Uint8Array, r: Rng): Uint8Array {
  if (src.length < 8) return mutateBytes(src, r);
  const n = readLE(src, 0, 8);
  const k = r.int(10);
  if (k < 2) {
    // the header length: off by some, huge, past the end, zero
    return putLE(src, 0, 8, r.pick([n + 1, n - 1, 0, 1, 2 ** 31, 2 ** 32 + n, 2 ** 53, src.length, src.length - 7, n + 8]));
  }
  if (k < 3) return src.subarray(0, r.int(src.length)); // data (or header) cut
  if (n + 8 > src.length || n > 1 << 20) return mutateBytes(src, r);
  const header = src.subarray(8, 8 + n);
  const data = src.subarray(8 + n);
  if (k < 9) {
    const h = mutateJsonText(header, r, SAFETENSORS_EXTRA);
    return concat(putLE(new Uint8Array(8), 0, 8, h.length), h, data);
  }
  return concat(src.subarray(0, 8 + n), mutateBytes(data.length ? data : Uint8Array.of(0), r));
}

// ---- ONNX ----

function onnxSeeds(): FuzzCase[] {
  const out = listFiles('onnx', (n) => n.endsWith('.onnx')).map(single);
  // the external-data model with its weights file
  const dir = join(ROOT, 'onnx', 'external');
  out.push({
    main: 'model.onnx',
    files: {
      'model.onnx': seedBytes(join(dir, 'model.onnx')),
      'weights.bin': seedBytes(join(dir, 'weights.bin')),
    },
  });
  return out;
}

function indexOf(b: Uint8Array, s: Uint8Array, from = 0): number {
  outer: for (let i = from; i + s.length <= b.length; i++) {
    for (let j = 0; j < s.length; j++) if (b[i + j] !== s[j]) continue outer;
    return i;
  }
  return -1;
}

/** External data references: the location, offset and length strings replaced (protobuf lengths fixed). */
function mutateExternalRef(src: Uint8Array, r: Rng): Uint8Array {
  const keys = ['location', 'offset', 'length', 'checksum'].map((k) => strToU8(k));
  const hits: { key: number; at: number }[] = [];
  keys.forEach((k, key) => {
    for (let at = indexOf(src, k); at >= 0; at = indexOf(src, k, at + 1)) hits.push({ key, at });
  });
  if (!hits.length) return mutateProtobuf(src, r);
  const h = r.pick(hits);
  // StringStringEntryProto: key (field 1) then value (field 2, 0x12 len bytes)
  const v = h.at + keys[h.key].length;
  if (src[v] !== 0x12 || src[v + 1] >= 0x80 || v + 2 + src[v + 1] > src.length) return mutateProtobuf(src, r);
  const len = src[v + 1];
  const value =
    h.key === 0
      ? r.pick(['../../etc/passwd', '/etc/passwd', 'weights.bin\0x', '', 'missing.bin', 'C:\\w.bin', 'weights.bin/..', '.'])
      : r.pick(['-1', '0', '1e3', '99999999999999999999', '18446744073709551615', 'abc', '', '4', '9007199254740993']);
  // same length as the old value, so every enclosing length stays right
  const nv = strToU8(value.padEnd(len, value === '' ? '\0' : value.slice(-1)).slice(0, len));
  const out = src.slice();
  out.set(nv, v + 2);
  return out;
}

function mutateOnnx(c: FuzzCase, r: Rng): FuzzCase {
  const ext = Object.keys(c.files).filter((n) => n !== c.main);
  if (ext.length && r.chance(0.2)) {
    const out = { main: c.main, files: { ...c.files } };
    const s = r.pick(ext);
    if (r.chance(0.3)) delete out.files[s];
    else out.files[s] = c.files[s].subarray(0, r.int(c.files[s].length));
    return out;
  }
  const b = c.files[c.main];
  const m = r.chance(0.15) ? mutateExternalRef(b, r) : stack(b, r, [mutateProtobuf, mutateProtobuf, mutateProtobuf, mutateBytes], 3);
  // the sniffer wants ModelProto.ir_version first: keep it mostly
  return withMain(c, r.chance(0.9) && m[0] !== 0x08 ? concat(b.subarray(0, 2), m.subarray(2)) : m);
}

export const MODEL_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'torch-zip',
    about: 'torch.save zip: central directory, data.pkl opcodes, storage records and sizes, byteorder/version records',
    seeds: () =>
      listFiles('torch', (n, h) => TORCH.test(n) && isZip(h)).map((p) => {
        const c = single(p);
        PRISTINE.add(c.files[c.main]);
        return c;
      }),
    mutate: (c, r) => withMain(c, mutateTorchZip(c.files[c.main], r)),
  },
  {
    name: 'torch-legacy',
    about: 'legacy torch.save: magic number, protocol, sys_info, object pickle, storage keys, raw storages',
    seeds: () => listFiles('torch', (n, h) => TORCH.test(n) && !isZip(h)).map(single),
    mutate: (c, r) => withMain(c, mutateTorchLegacy(c.files[c.main], r)),
  },
  {
    name: 'safetensors',
    about: 'safetensors: header length, JSON header (dtypes, shapes, data_offsets), data cut',
    seeds: safetensorsSeeds,
    mutate: (c, r) => withMain(c, mutateSafetensors(c.files[c.main], r)),
  },
  {
    name: 'onnx',
    about: 'ONNX ModelProto: protobuf fields, lengths, dims, external data references and files',
    seeds: onnxSeeds,
    mutate: mutateOnnx,
  },
];
