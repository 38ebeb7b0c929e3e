// The two torch.save containers, read without touching the storages: the zip format (torch >= 1.6:
// `<archive>/data.pkl`, `<archive>/data/<key>`, `byteorder`, `version`; TorchScript adds `code/` and
// `constants.pkl`) and the legacy format (pickled magic number, protocol version, sys info, the data
// pickle, the list of storage keys, then each storage as an 8-byte element count and its bytes).
// Only the directory (zip) or the pickles at the head (legacy) are read: every storage is located
// by offset and size, so a multi-GB checkpoint is listed in milliseconds.
import { ReadError } from '../../io/errors';
import type { FileSource } from '../../io/fileSource';
import { isZipHead, readZipDirectory, readZipEntry, type ZipEntry } from '../../codecs/zip';
import {
  TORCH_DTYPE_SIZE,
  TorchStorage,
  TorchTensor,
  TorchTuple,
  TorchObject,
  type TorchUnpickled,
  type TorchUnpickler,
  type TorchValue,
} from '../shared/torchValue';

/** The legacy format's magic number (torch/serialization.py MAGIC_NUMBER). */
export const TORCH_MAGIC = 0x1950a86a20f9469cfc6cn;
/** Largest data.pkl read (a state dict's pickle is kilobytes to a few MB). */
export const MAX_TORCH_PICKLE_BYTES = 256 * 1024 * 1024;
const MAGIC_BYTES = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/** Where a storage's bytes are. */
export interface StorageLocation {
  /** Absolute offset of the first byte, or null for a zip entry not located yet (its local header is read on demand). */
  offset: number | null;
  /** Bytes available for the storage. */
  bytes: number;
  /** The zip entry (zip format). */
  entry?: ZipEntry;
}

/** A torch.save file, opened. */
export interface TorchFile {
  container: 'zip' | 'legacy';
  /** The zip's top folder (`archive`, or the file's stem); null for legacy. */
  archive: string | null;
  /** TorchScript archive (zip with `code/`). */
  torchScript: boolean;
  /** The data pickle, unpickled. */
  data: TorchUnpickled;
  /** Storage key → location. */
  storages: Map<string, StorageLocation>;
  /** `little` or `big` (zip `byteorder` record; legacy sys info). */
  byteOrder: 'little' | 'big';
  /** Zip `version` record, legacy protocol version. */
  version: string | null;
}

function extOf(path: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  return m ? m[1].toLowerCase() : '';
}

/** Extensions torch.save files carry. */
export const TORCH_EXTENSIONS = new Set(['pt', 'pth', 'bin', 'ckpt', 'tar', 'pkl', 'model']);

/** Whether the first bytes are a pickle opening with the torch magic number (any protocol, maybe framed). */
export function isTorchLegacyHead(head: Uint8Array): boolean {
  if (head.length < 16 || head[0] !== 0x80 || head[1] < 2 || head[1] > 5) return false;
  const at = head[2] === 0x95 ? 11 : 2; // FRAME (protocol 4+)
  return MAGIC_BYTES.every((b, i) => head[at + i] === b);
}

/** The first local header's name: torch archives start with `<archive>/data.pkl` (or `data/<key>` for TorchScript). */
function firstZipName(head: Uint8Array): string | null {
  if (!isZipHead(head) || head.length < 30) return null;
  const n = head[26] | (head[27] << 8);
  if (30 + n > head.length) return null;
  return new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(30, 30 + n));
}

const TORCH_ZIP_FIRST = /^[^/]{1,255}\/(data\.pkl|data\/\d+|\.data\/|version|byteorder|code\/|constants\.pkl)/;

/** Which torch.save container the first bytes are (extension AND content), or null. */
export function sniffTorch(head: Uint8Array, path: string): 'zip' | 'legacy' | null {
  if (!TORCH_EXTENSIONS.has(extOf(path))) return null;
  const first = firstZipName(head);
  if (first !== null) return TORCH_ZIP_FIRST.test(first) ? 'zip' : null;
  return isTorchLegacyHead(head) ? 'legacy' : null;
}

function bad(path: string, what: string, code = 'invalid-pytorch'): ReadError {
  return new ReadError(code, `${path}: not a readable PyTorch file (${what})`);
}

async function openZip(source: FileSource, path: string, size: number, unpickle: TorchUnpickler): Promise<TorchFile> {
  const entries = await readZipDirectory(source, path, size);
  const pkl = entries.find((e) => /^[^/]+\/data\.pkl$/.test(e.name)) ?? entries.find((e) => e.name === 'data.pkl');
  if (!pkl) throw bad(path, 'a zip without data.pkl');
  const archive = pkl.name.includes('/') ? pkl.name.slice(0, pkl.name.indexOf('/')) : '';
  const prefix = archive ? `${archive}/` : '';
  const byName = new Map(entries.map((e) => [e.name, e]));
  const small = async (name: string): Promise<string | null> => {
    const e = byName.get(prefix + name);
    if (!e || e.size > 4096) return null;
    return new TextDecoder().decode(await readZipEntry(source, path, e, 4096)).trim();
  };
  const byteOrder = (await small('byteorder')) ?? 'little';
  if (byteOrder !== 'little' && byteOrder !== 'big') throw bad(path, `byteorder record says ${JSON.stringify(byteOrder)}`);
  const version = await small('version');
  const torchScript = entries.some((e) => e.name.startsWith(`${prefix}code/`)) || byName.has(`${prefix}constants.pkl`);
  const bytes = await readZipEntry(source, path, pkl, MAX_TORCH_PICKLE_BYTES);
  const data = unpickle(bytes, { path, torchScript });
  const storages = new Map<string, StorageLocation>();
  const dataPrefix = `${prefix}data/`;
  for (const e of entries) {
    if (!e.name.startsWith(dataPrefix)) continue;
    const key = e.name.slice(dataPrefix.length);
    if (key.includes('/')) continue;
    if (e.method !== 0) throw bad(path, `storage ${e.name} is compressed (method ${e.method}); torch.save stores them uncompressed`);
    storages.set(key, { offset: null, bytes: e.compressedSize, entry: e });
  }
  return { container: 'zip', archive, torchScript, data, storages, byteOrder, version };
}

/** Grows the head read until the pickle at `start` fits (or the cap / file end is reached). */
async function pickleAt(
  source: FileSource,
  path: string,
  size: number,
  start: number,
  unpickle: TorchUnpickler,
  buf: { bytes: Uint8Array },
): Promise<TorchUnpickled> {
  for (;;) {
    const r = unpickle(buf.bytes, { path, start });
    const more = r.error?.code === 'pickle-truncated' || r.error?.code === 'pickle-frame';
    if (!more || buf.bytes.length >= size || buf.bytes.length >= MAX_TORCH_PICKLE_BYTES) return r;
    const n = Math.min(size, MAX_TORCH_PICKLE_BYTES, buf.bytes.length * 4);
    buf.bytes = await source.readRange(path, 0, n);
  }
}

async function openLegacy(source: FileSource, path: string, size: number, unpickle: TorchUnpickler): Promise<TorchFile> {
  const buf = { bytes: await source.readRange(path, 0, Math.min(size, 1 << 20)) };
  const plain = async (start: number, what: string): Promise<{ value: TorchValue; end: number }> => {
    const r = await pickleAt(source, path, size, start, unpickle, buf);
    if (r.error) throw new ReadError(r.error.code, `${r.error.message} (in the ${what})`);
    if (r.value === null || r.end === null) throw bad(path, `the ${what} at offset ${start} names ${r.refused.map((x) => x.global).join(', ')}`);
    return { value: r.value, end: r.end };
  };
  const magic = await plain(0, 'magic number');
  if (magic.value !== TORCH_MAGIC) throw bad(path, 'the first pickle is not the torch magic number');
  const proto = await plain(magic.end, 'protocol version');
  if (proto.value !== 1001) throw bad(path, `protocol version ${String(proto.value)} (only 1001 is known)`);
  const sys = await plain(proto.end, 'system information');
  let byteOrder: 'little' | 'big' = 'little';
  if (sys.value instanceof Map && sys.value.get('little_endian') === false) byteOrder = 'big';
  const data = await pickleAt(source, path, size, sys.end, unpickle, buf);
  if (data.error || data.end === null) return { container: 'legacy', archive: null, torchScript: false, data, storages: new Map(), byteOrder, version: '1001' };
  if (data.value === null) return { container: 'legacy', archive: null, torchScript: false, data, storages: new Map(), byteOrder, version: '1001' };
  const keys = await plain(data.end, 'storage key list');
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) throw bad(path, 'the storage key list is not a list of strings');
  // Storages follow in key-list order, each as an int64 element count and the raw elements.
  const sizes = storageSizes(data.value);
  const storages = new Map<string, StorageLocation>();
  let pos = keys.end;
  for (const key of keys.value as string[]) {
    const s = sizes.get(key);
    if (!s) throw bad(path, `storage ${key} of the key list is not used by the data`);
    if (pos + 8 > size) throw bad(path, `storage ${key} would start at offset ${pos}, past the end of the ${size}-byte file (truncated)`, 'truncated-pytorch');
    const head = await source.readRange(path, pos, 8);
    const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const numel = Number(dv.getBigInt64(0, byteOrder === 'little'));
    if (numel !== s.numel) throw bad(path, `storage ${key} at offset ${pos} holds ${numel} elements, its persistent id says ${s.numel}`);
    const bytes = numel * TORCH_DTYPE_SIZE[s.dtype];
    if (pos + 8 + bytes > size)
      throw bad(path, `storage ${key} (${bytes} bytes at offset ${pos + 8}) runs past the end of the ${size}-byte file (truncated)`, 'truncated-pytorch');
    storages.set(key, { offset: pos + 8, bytes });
    pos += 8 + bytes;
  }
  return { container: 'legacy', archive: null, torchScript: false, data, storages, byteOrder, version: '1001' };
}

/** Every storage the value's tensors use (iterative walk; shared nodes visited once). */
export function storageSizes(root: TorchValue): Map<string, TorchStorage> {
  const out = new Map<string, TorchStorage>();
  for (const t of tensorsIn(root)) out.set(t.storage.key, t.storage);
  return out;
}

/** Every tensor in a value, in order of first appearance (iterative; shared nodes once). */
export function tensorsIn(root: TorchValue): TorchTensor[] {
  const out: TorchTensor[] = [];
  const seen = new Set<object>();
  const stack: TorchValue[] = [root];
  while (stack.length) {
    const v = stack.pop()!;
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof TorchTensor) out.push(v);
    else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    else if (v instanceof TorchTuple) for (let i = v.items.length - 1; i >= 0; i--) stack.push(v.items[i]);
    else if (v instanceof Map) {
      const vals = [...v.values()];
      for (let i = vals.length - 1; i >= 0; i--) stack.push(vals[i]);
    } else if (v instanceof TorchObject) stack.push(v.state);
  }
  return out;
}

/** Opens a torch.save file (zip or legacy): its data pickle and where each storage is. */
export async function openTorchFile(source: FileSource, path: string, size: number, head: Uint8Array, unpickle: TorchUnpickler): Promise<TorchFile> {
  if (isZipHead(head)) return openZip(source, path, size, unpickle);
  if (isTorchLegacyHead(head)) return openLegacy(source, path, size, unpickle);
  throw bad(path, 'neither a torch.save zip nor a legacy torch.save pickle');
}

/** Checks that a tensor's view lies inside its storage's bytes; a message naming it when not. */
export function tensorBoundsProblem(name: string, t: TorchTensor, loc: StorageLocation | undefined): string | null {
  if (!loc) return `tensor ${name}: its storage ${t.storage.key} is not in the file`;
  const el = TORCH_DTYPE_SIZE[t.storage.dtype];
  if (loc.bytes < t.storage.numel * el)
    return `storage ${t.storage.key} holds ${loc.bytes} bytes but ${t.storage.numel} ${t.storage.dtype} elements need ${t.storage.numel * el}`;
  if (t.numel === 0) return null;
  let last = t.offset;
  for (let i = 0; i < t.shape.length; i++) last += (t.shape[i] - 1) * t.stride[i];
  if (last >= t.storage.numel)
    return `tensor ${name} (offset ${t.offset}, shape [${t.shape.join(', ')}], stride [${t.stride.join(', ')}]) reaches element ${last} of a ${t.storage.numel}-element storage`;
  return null;
}
