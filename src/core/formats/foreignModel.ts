// Models of other frameworks (PyTorch .pt/.pth/.bin/.ckpt, ONNX, TensorFlow Lite, safetensors): recognised by
// extension AND content so a scaler beside them is known to have its model, but not read further.
// A .pt file's pickle is never unpickled: only the zip's entry names are listed.
import { ReadError, toFileError } from '../io/errors';
import type { FileSource } from '../io/fileSource';
import { kerasZipReader } from './keras/kerasZip';
import { pickleArtifactReader } from './pickle/pickleArtifact';
import type { BinaryReader, ReaderInput, ReaderResult } from './reader';
import type { ForeignInfo, ForeignResult } from './keras/savedModel';

/** Largest safetensors JSON header read (the format's own reference limit is 100 MB). */
export const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;
/** Most zip entries listed for a .pt archive. */
export const MAX_PT_ENTRIES = 1_000_000;
/** Largest central directory read for a .pt archive. */
export const MAX_PT_DIRECTORY_BYTES = 256 * 1024 * 1024;

type Kind = 'pytorch-zip' | 'pytorch-pickle' | 'onnx' | 'tflite' | 'safetensors';

function ext(path: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  return m ? m[1].toLowerCase() : '';
}

function isZipHead(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

// The first bytes of a pickle: PROTO opcode with protocol 2..5.
function isPickleHead(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x80 && head[1] >= 2 && head[1] <= 5;
}

// torch.save's legacy format starts with the pickled magic number 0x1950a86a20f9469cfc6c (protocol 2, LONG1).
const TORCH_LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

function isTorchLegacyHead(head: Uint8Array): boolean {
  return head.length >= TORCH_LEGACY_MAGIC.length && TORCH_LEGACY_MAGIC.every((b, i) => head[i] === b);
}

/** Which foreign format the head and extension say this is, or null. */
export function sniffForeign(head: Uint8Array, path: string): Kind | null {
  switch (ext(path)) {
    case 'tflite':
      return head.length >= 8 && head[4] === 0x54 && head[5] === 0x46 && head[6] === 0x4c && head[7] === 0x33 ? 'tflite' : null;
    case 'pt':
    case 'pth':
      if (isZipHead(head)) return 'pytorch-zip';
      return isPickleHead(head) ? 'pytorch-pickle' : null;
    // Hugging Face `pytorch_model.bin`, Lightning `.ckpt`: torch.save files under other names; a zip
    // without data.pkl (or a .bin shard starting with PK by chance) goes back to the reader before
    case 'bin':
    case 'ckpt':
      if (isZipHead(head)) return 'pytorch-zip';
      return isTorchLegacyHead(head) ? 'pytorch-pickle' : null;
    case 'safetensors': {
      if (head.length < 9) return null;
      const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
      const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
      return n >= 2 && head[8] === 0x7b ? 'safetensors' : null;
    }
    default:
      return null;
  }
}

/** Reads the reader that would have taken the file without this one; its errors become the result's. */
async function readAsBefore(reader: BinaryReader, input: ReaderInput): Promise<ReaderResult> {
  if (!reader.sniff(input.head, input.path)) return { role: 'other', format: 'unknown' };
  try {
    return await reader.read(input);
  } catch (e) {
    const err = toFileError(e);
    const message = err.message.startsWith(input.path) ? err.message : `${input.path}: ${err.message}`;
    return { role: reader.fallbackRole, format: reader.formats[0], error: { code: err.code, message } };
  }
}

const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

/**
 * The entry names of a zip's central directory (ZIP64 included), every offset and length checked
 * against the file size before it is read. Null when the file is not a readable zip.
 */
export async function listZipNames(source: FileSource, path: string, size: number): Promise<string[] | null> {
  if (size < EOCD_SIZE) return null;
  const tailStart = Math.max(0, size - (EOCD_SIZE + MAX_COMMENT + 20));
  const tail = await source.readRange(path, tailStart, size - tailStart);
  const dv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let at = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      at = i;
      break;
    }
  }
  if (at < 0) return null;
  let count = dv.getUint16(at + 10, true);
  let cdSize = dv.getUint32(at + 12, true);
  let cdOffset = dv.getUint32(at + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // ZIP64: a locator (20 bytes) just before the end record points at the ZIP64 end record.
    if (at < 20 || dv.getUint32(at - 20, true) !== 0x07064b50) return null;
    const z64 = Number(dv.getBigUint64(at - 20 + 8, true));
    if (z64 + 56 > size) return null;
    const rec = await source.readRange(path, z64, 56);
    if (rec.length < 56) return null;
    const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rv.getUint32(0, true) !== 0x06064b50) return null;
    count = Number(rv.getBigUint64(32, true));
    cdSize = Number(rv.getBigUint64(40, true));
    cdOffset = Number(rv.getBigUint64(48, true));
  }
  if (count > MAX_PT_ENTRIES || cdSize > MAX_PT_DIRECTORY_BYTES || cdOffset + cdSize > size) return null;
  const cd = await source.readRange(path, cdOffset, cdSize);
  if (cd.length !== cdSize) return null;
  const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const utf8 = new TextDecoder('utf-8');
  const names: string[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cv.getUint32(p, true) !== 0x02014b50) return null;
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) return null;
    names.push(utf8.decode(cd.subarray(p + 46, p + 46 + nameLen)));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

const NOT_READ = 'its layers and weights are not read (no structure, weight checks or predictions)';

function foreign(info: ForeignInfo, error?: { code: string; message: string }): ForeignResult {
  const r: ForeignResult = { role: 'model', format: 'unknown', foreign: info };
  if (error) r.error = error;
  return r;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

async function readSafetensors(input: ReaderInput): Promise<ForeignResult> {
  const { path, size, source } = input;
  const dv = new DataView(input.head.buffer, input.head.byteOffset, input.head.byteLength);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  const info: ForeignInfo = { framework: 'safetensors', note: `safetensors weights: ${NOT_READ}` };
  const bad = (what: string) => foreign(info, { code: 'invalid-safetensors', message: `${path}: not a readable safetensors file (${what})` });
  if (n > size - 8) return bad(`header of ${n} bytes runs past the end of the ${size}-byte file`);
  if (n > MAX_SAFETENSORS_HEADER) return bad(`header of ${n} bytes is over the ${MAX_SAFETENSORS_HEADER}-byte limit`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await source.readRange(path, 8, n)));
  } catch (e) {
    return bad(`header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return bad('header is not a JSON object');
  const dataBytes = size - 8 - n;
  let tensors = 0;
  let params = 0;
  const dtypes = new Set<string>();
  for (const [name, t] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const o = t as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof o !== 'object' || o === null || typeof o.dtype !== 'string' || !Array.isArray(o.shape) || !Array.isArray(o.data_offsets)) {
      return bad(`tensor ${name} lacks dtype, shape or data_offsets`);
    }
    if (!o.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return bad(`tensor ${name} has a bad shape`);
    const [b, e] = o.data_offsets as unknown[];
    if (!Number.isSafeInteger(b) || !Number.isSafeInteger(e) || (b as number) > (e as number) || (e as number) > dataBytes) {
      return bad(`tensor ${name}'s data_offsets [${String(b)}, ${String(e)}] are outside the ${dataBytes} data bytes`);
    }
    tensors++;
    params += (o.shape as number[]).reduce((a, d) => a * d, 1);
    dtypes.add(o.dtype);
  }
  info.note = `safetensors weights (${plural(tensors, 'tensor')}, ${plural(params, 'parameter')}${dtypes.size ? `, ${[...dtypes].sort().join('/')}` : ''}): ${NOT_READ}`;
  return foreign(info);
}

/** PyTorch, ONNX, TensorFlow Lite and safetensors models: recognised, not read. */
export const foreignModelReader: BinaryReader = {
  kind: 'binary',
  name: 'foreignModel',
  formats: ['unknown'],
  fallbackRole: 'model',
  sniff: (head, path) => sniffForeign(head, path) !== null,
  async read(input: ReaderInput): Promise<ReaderResult> {
    const kind = sniffForeign(input.head, input.path);
    switch (kind) {
      case 'tflite':
        return foreign({ framework: 'tflite', note: `TensorFlow Lite model (flatbuffer): ${NOT_READ}` });
      case 'safetensors':
        return readSafetensors(input);
      case 'pytorch-zip': {
        const names = await listZipNames(input.source, input.path, input.size);
        // torch.save writes `<archive>/data.pkl` and one `<archive>/data/<key>` entry per storage
        if (!names || !names.some((n) => n.endsWith('/data.pkl'))) return readAsBefore(kerasZipReader, input);
        const storages = names.filter((n) => /\/data\/[^/]+$/.test(n)).length;
        return foreign({
          framework: 'pytorch',
          note: `PyTorch checkpoint (torch.save zip, ${plural(storages, 'tensor storage')}); its pickle is never unpickled, so ${NOT_READ}`,
        });
      }
      case 'pytorch-pickle':
        if (!isTorchLegacyHead(input.head)) return readAsBefore(pickleArtifactReader, input);
        return foreign({
          framework: 'pytorch',
          note: `PyTorch checkpoint (legacy torch.save format); its pickle is never unpickled, so ${NOT_READ}`,
        });
      default:
        throw new ReadError('not-a-model', `${input.path}: not a PyTorch, ONNX, TensorFlow Lite or safetensors model`);
    }
  },
};
