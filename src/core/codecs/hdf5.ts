// Small read-only wrapper over h5wasm. Why h5wasm: it is the HDF5 C library itself (every layout
// Keras writes, any superblock version, compact/dense attributes) and its Node build opens a file
// by path, so listing a 500 MB weights file reads only its metadata (measured: docs/hdf5-choice.md).
// Files with no local path (virtual workspaces, the weights inside a .keras zip) are copied into
// the in-memory file system of h5wasm's ESM build instead.
import { ReadError } from '../io/errors';
import { baseName, type FileSource } from '../io/fileSource';
import { checkGlobalHeaps } from './hdf5Guard';

type H5Module = typeof import('h5wasm');
type H5Metadata = import('h5wasm').Metadata;

/** HDF5 file signature. */
export const HDF5_MAGIC = Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a);

/** Where an HDF5 signature may sit (0, then a user block of 512, 1024, 2048... bytes). */
export function hdf5SignatureOffset(head: Uint8Array): number | null {
  for (let off = 0; off + HDF5_MAGIC.length <= head.length; off = off === 0 ? 512 : off * 2) {
    let ok = true;
    for (let i = 0; i < HDF5_MAGIC.length && ok; i++) ok = head[off + i] === HDF5_MAGIC[i];
    if (ok) return off;
  }
  return null;
}

/** A value of an HDF5 attribute, turned into plain data (strings without NUL padding). */
export type H5AttrValue = string | number | boolean | string[] | number[] | null;

/** Shape and element type of a dataset, read without its data. */
export interface H5DatasetInfo {
  shape: number[];
  /** numpy-style name: `float32`, `int64`, `uint8`, `bool`, `string`, or `other`. */
  dtype: string;
  /** Bytes of one element. */
  itemSize: number;
  /** Number of elements (product of the shape). */
  elements: number;
}

/** What an HDF5 path names. */
export type H5Kind = 'group' | 'dataset' | 'other' | 'missing';

/** Numbers read out of a dataset. */
export type H5Numbers =
  Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** Largest attribute value read (a Keras model_config is kilobytes to a few MB). */
export const MAX_ATTRIBUTE_BYTES = 64 * 1024 * 1024;
/** Largest dataset read into memory by readDataset unless the caller allows more. */
export const MAX_DATASET_BYTES = 512 * 1024 * 1024;
/** Largest file copied into memory when it has no local path. */
export const MAX_IN_MEMORY_HDF5_BYTES = 1024 * 1024 * 1024;

// h5wasm's H5T class numbers (H5Tpublic.h).
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_ENUM = 8;

let nodeLib: Promise<H5Module> | null = null;
let memLib: Promise<H5Module> | null = null;

async function initLib(load: () => Promise<H5Module>): Promise<H5Module> {
  // Emscripten refuses to start when a browser-like `navigator` exists (Electron, Node 21+ define
  // one); h5wasm's README hides it during start-up.
  const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  if (nav?.configurable) Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true });
  // Emscripten binds console.error once, at start-up, and prints "Aborted(...)" before throwing an
  // error with the same text (which the reader reports as corrupt-hdf5): the module gets a
  // console.error without those lines; the global one is restored right after.
  const consoleError = console.error;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Aborted(')) return;
    consoleError.apply(console, args);
  };
  try {
    const lib = await load();
    const mod = await lib.ready;
    // Turn the C library's error stack into thrown errors instead of stderr noise.
    mod.activate_throwing_error_handler();
    return lib;
  } finally {
    console.error = consoleError;
    if (nav?.configurable) Object.defineProperty(globalThis, 'navigator', nav);
  }
}

function loadNodeLib(): Promise<H5Module> {
  // @ts-expect-error h5wasm/node exists only in package.json `exports`, which moduleResolution "node" does not read; its types are those of 'h5wasm'.
  nodeLib ??= initLib(() => import('h5wasm/node') as Promise<H5Module>);
  return nodeLib;
}

function loadMemLib(): Promise<H5Module> {
  memLib ??= initLib(() => import('h5wasm'));
  return memLib;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** The last, most specific line of an HDF5 error stack (`truncated file: eof = ...`). */
function hdf5Reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // A trap or abort() inside the C library (malformed metadata it did not check).
  if ((e instanceof Error && e.name === 'RuntimeError') || /^Aborted\(/.test(text)) {
    return `malformed HDF5 metadata stopped the HDF5 library (${text.slice(0, 120)})`;
  }
  const lines = text.split('\n').filter((l) => /#\d+:/.test(l));
  const last = lines[lines.length - 1];
  if (!last) return text.split('\n')[0].slice(0, 300);
  const m = /\(\):\s*(.*)$/.exec(last);
  return (m ? m[1] : last).trim().slice(0, 300);
}

function stripNul(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

function plain(v: unknown): H5AttrValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return stripNul(v);
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const arr = v as unknown as ArrayLike<number | bigint>;
    const out: number[] = [];
    for (let i = 0; i < arr.length; i++) out.push(Number(arr[i]));
    return out;
  }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return (v as string[]).map(stripNul);
    if (v.every((x) => typeof x === 'number' || typeof x === 'bigint')) return v.map((x) => Number(x));
    return v.map((x) => (typeof x === 'string' ? stripNul(x) : String(x)));
  }
  return null;
}

function dtypeName(m: H5Metadata): string {
  if (m.type === H5T_FLOAT) return `float${m.size * 8}`;
  if (m.type === H5T_INTEGER) return `${m.signed ? 'int' : 'uint'}${m.size * 8}`;
  if (m.type === H5T_STRING) return 'string';
  if (m.type === H5T_ENUM) {
    const names = Object.keys(m.enum_type?.members ?? {});
    if (names.length === 2 && names.includes('FALSE') && names.includes('TRUE')) return 'bool';
    return 'enum';
  }
  return 'other';
}

/** An open HDF5 file: groups, attributes, dataset shapes, and dataset values on demand. */
export class Hdf5File {
  private closed = false;
  /** Attribute names by object path: the file is read-only, so each list is asked for once. */
  private readonly attrNameCache = new Map<string, string[]>();
  /** What each path asked about names (same reason). */
  private readonly kindCache = new Map<string, H5Kind>();

  constructor(
    private readonly lib: H5Module,
    private readonly file: InstanceType<H5Module['File']>,
    /** The path used in messages. */
    readonly name: string,
    /** File size in bytes (bounds every read). */
    readonly size: number,
    private readonly cleanup: () => void,
  ) {}

  private get mod() {
    return this.lib.Module;
  }

  private fail(what: string, e: unknown): never {
    throw new ReadError('corrupt-hdf5', `${this.name}: cannot read ${what}: ${hdf5Reason(e)}`);
  }

  /** Whether `path` (absolute, `/`-separated) is a group, a dataset, something else, or absent. */
  kind(path: string): H5Kind {
    let k = this.kindCache.get(path);
    if (k === undefined) {
      k = this.askKind(path);
      this.kindCache.set(path, k);
    }
    return k;
  }

  private askKind(path: string): H5Kind {
    let t: number;
    try {
      t = this.mod.get_type(this.file.file_id, path);
    } catch {
      return 'missing';
    }
    if (t === this.mod.H5G_GROUP) return 'group';
    if (t === this.mod.H5G_DATASET) return 'dataset';
    return t < 0 ? 'missing' : 'other';
  }

  /** Names of a group's members, as the file lists them (alphabetical for Keras files). */
  keys(path: string): string[] {
    try {
      return this.mod.get_names(this.file.file_id, path, false);
    } catch (e) {
      this.fail(`the members of ${path}`, e);
    }
  }

  /** Names of the attributes of a group or dataset. */
  attrNames(path: string): string[] {
    const known = this.attrNameCache.get(path);
    if (known) return known;
    try {
      const names = this.mod.get_attribute_names(this.file.file_id, path);
      this.attrNameCache.set(path, names);
      return names;
    } catch (e) {
      this.fail(`the attributes of ${path}`, e);
    }
  }

  /** An attribute's value as plain data, or undefined when there is no such attribute. */
  attr(path: string, name: string): H5AttrValue | undefined {
    if (!this.attrNames(path).includes(name)) return undefined;
    try {
      const m = this.mod.get_attribute_metadata(this.file.file_id, path, name);
      const bytes = (m.vlen ? 16 : m.size) * (m.total_size ?? 1);
      if (bytes > MAX_ATTRIBUTE_BYTES || (!m.vlen && bytes > this.size)) {
        throw new ReadError('corrupt-hdf5', `${this.name}: attribute ${name} of ${path} claims ${bytes} bytes`);
      }
      if (m.type === H5T_STRING && m.shape) return plain(this.stringAttrValue(path, name, m));
      return plain(new this.lib.Attribute(this.file.file_id, path, name).value);
    } catch (e) {
      if (e instanceof ReadError) throw e;
      this.fail(`attribute ${name} of ${path}`, e);
    }
  }

  /**
   * A string attribute's value decoded as h5wasm's own attribute reader decodes it (its
   * process_data: fixed-length items cut at the first NUL, variable-length ones read from their
   * pointers, a scalar as its one item), but with the metadata already read: h5wasm's reader asks
   * for it again, and that call is a large part of reading a small file (readersBench).
   */
  private stringAttrValue(path: string, name: string, m: H5Metadata): string | string[] | undefined {
    const mod = this.mod;
    const fileId = this.file.file_id;
    const nbytes = m.size * m.total_size;
    const ptr = mod._malloc(nbytes);
    if (ptr === 0) throw new Error(`Memory allocation of ${nbytes} bytes failed`);
    const out: string[] = [];
    try {
      mod.get_attribute_data(fileId, path, name, BigInt(ptr));
      const data = mod.HEAPU8.slice(ptr, ptr + nbytes);
      if (m.vlen) {
        const read = m.cset === 1 ? mod.UTF8ToString : mod.AsciiToString;
        for (const p of new Uint32Array(data.buffer)) out.push(read(p));
      } else {
        const decoder = new TextDecoder(m.cset === 1 ? 'utf-8' : 'ascii');
        const n = Math.floor(data.byteLength / m.size);
        for (let i = 0; i < n; i++) {
          let item = data.subarray(i * m.size, (i + 1) * m.size);
          const zero = item.indexOf(0);
          if (zero > -1) item = item.subarray(0, zero);
          out.push(decoder.decode(item));
        }
      }
    } finally {
      if (m.vlen) mod.reclaim_vlen_memory(fileId, path, name, BigInt(ptr));
      mod._free(ptr);
    }
    return m.shape?.length ? out : out[0];
  }

  /** Shape and dtype of a dataset, without reading its values. */
  dataset(path: string): H5DatasetInfo {
    let m: H5Metadata;
    try {
      m = this.mod.get_dataset_metadata(this.file.file_id, path);
    } catch (e) {
      this.fail(`dataset ${path}`, e);
    }
    const shape = (m.shape ?? []).map(Number);
    const elements = shape.reduce((a, b) => a * b, 1);
    return { shape, dtype: dtypeName(m), itemSize: m.size, elements };
  }

  /** A numeric dataset's values, flat in C order. Refuses sizes over `maxBytes` or the file's size. */
  readDataset(path: string, maxBytes = MAX_DATASET_BYTES): H5Numbers {
    const info = this.dataset(path);
    if (!/^(float|int|uint)\d+$/.test(info.dtype) || info.dtype === 'float16') {
      throw new ReadError('unsupported-dtype', `${this.name}: dataset ${path} has dtype ${info.dtype}, not a number type`);
    }
    const bytes = info.elements * info.itemSize;
    let filtered = false;
    try {
      filtered = new this.lib.Dataset(this.file.file_id, path).filters.length > 0;
    } catch (e) {
      this.fail(`the filters of ${path}`, e);
    }
    if (bytes > maxBytes || (!filtered && bytes > this.size)) {
      throw new ReadError('corrupt-hdf5', `${this.name}: dataset ${path} claims ${bytes} bytes (file has ${this.size})`);
    }
    try {
      const v = new this.lib.Dataset(this.file.file_id, path).value;
      if (ArrayBuffer.isView(v)) return v as H5Numbers;
    } catch (e) {
      this.fail(`dataset ${path}`, e);
    }
    throw new ReadError('corrupt-hdf5', `${this.name}: dataset ${path} gave no numbers`);
  }

  /** Releases the file (and its in-memory copy). Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.file.close();
    } finally {
      this.cleanup();
    }
  }
}

function openError(name: string, e: unknown): ReadError {
  const reason = hdf5Reason(e);
  if (/truncated/i.test(reason)) return new ReadError('truncated-hdf5', `${name}: truncated HDF5 file (${reason})`);
  return new ReadError('corrupt-hdf5', `${name}: not a readable HDF5 file (${reason})`);
}

let memCounter = 0;

/** Opens HDF5 bytes held in memory (a virtual file, the weights inside a .keras zip). */
export async function openHdf5Bytes(bytes: Uint8Array, name: string): Promise<Hdf5File> {
  if (bytes.length > MAX_IN_MEMORY_HDF5_BYTES) {
    throw new ReadError('too-large', `${name}: ${bytes.length} bytes is too large to read into memory`);
  }
  await checkGlobalHeaps(async (o, n) => bytes.subarray(o, o + n), bytes.length, name);
  const lib = await loadMemLib();
  const fs = lib.FS;
  if (!fs) throw new ReadError('read-failed', `${name}: the HDF5 library has no in-memory file system`);
  const memPath = `/mem-${++memCounter}-${baseName(name).replace(/[^A-Za-z0-9._-]/g, '_')}`;
  fs.writeFile(memPath, bytes);
  const cleanup = () => {
    try {
      fs.unlink(memPath);
    } catch {
      // already gone: nothing to release
    }
  };
  try {
    return new Hdf5File(lib, new lib.File(memPath, 'r'), name, bytes.length, cleanup);
  } catch (e) {
    cleanup();
    throw openError(name, e);
  }
}

/**
 * Opens an HDF5 file of a FileSource: by its local path when it has one (only metadata is read),
 * else by copying its bytes into memory.
 */
export async function openHdf5(source: FileSource, path: string, size?: number): Promise<Hdf5File> {
  const local = source.localPath(path);
  if (local !== null && isNode()) {
    const st = size ?? (await source.stat(path))?.size;
    if (st === undefined) throw new ReadError('not-found', `${path}: no such file`);
    await checkGlobalHeaps((o, n) => source.readRange(path, o, n), st, path);
    const lib = await loadNodeLib();
    try {
      return new Hdf5File(lib, new lib.File(local, 'r'), path, st, () => undefined);
    } catch (e) {
      throw openError(path, e);
    }
  }
  return openHdf5Bytes(await source.readFile(path), path);
}
