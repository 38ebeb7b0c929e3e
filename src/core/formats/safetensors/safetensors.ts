// safetensors (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`, then the raw
// little-endian data. Only the header is read; every tensor's byte range is checked against its
// dtype and shape, the file size, and the others (no overlaps, no gaps: the reference loader's rules).
import { ReadError } from '../../io/errors';
import type { FileSource } from '../../io/fileSource';
import type { BinaryReader, ReaderInput, ReaderResult } from '../reader';
import { elementReader } from '../shared/tensorDecode';
import { stateDictInput } from '../shared/stateDictInput';
import type { TorchDType } from '../shared/torchValue';
import type { JsonValue, TensorInfo, WeightsSummary } from '../../types';

/** Largest JSON header read (the reference implementation's limit: 100 MB). */
export const MAX_SAFETENSORS_HEADER = 100 * 1024 * 1024;

/** safetensors dtypes: bytes per element and, for those read as numbers, the element type. */
export const SAFETENSORS_DTYPES: Readonly<Record<string, { size: number; as: TorchDType | null }>> = {
  BOOL: { size: 1, as: 'bool' },
  U8: { size: 1, as: 'uint8' },
  I8: { size: 1, as: 'int8' },
  F8_E4M3: { size: 1, as: null },
  F8_E5M2: { size: 1, as: null },
  I16: { size: 2, as: 'int16' },
  U16: { size: 2, as: null },
  F16: { size: 2, as: 'float16' },
  BF16: { size: 2, as: 'bfloat16' },
  I32: { size: 4, as: 'int32' },
  U32: { size: 4, as: null },
  F32: { size: 4, as: 'float32' },
  F64: { size: 8, as: 'float64' },
  I64: { size: 8, as: 'int64' },
  U64: { size: 8, as: null },
  C64: { size: 8, as: null },
};

/** One tensor of the header, with its absolute byte range. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute offset of its first byte in the file. */
  offset: number;
  bytes: number;
}

/** The parsed header. */
export interface SafetensorsHeader {
  tensors: SafetensorsEntry[];
  metadata: Record<string, string>;
  headerBytes: number;
}

function bad(path: string, what: string): ReadError {
  return new ReadError('invalid-safetensors', `${path}: not a readable safetensors file (${what})`);
}

/** Whether the head looks like safetensors: a sane header length and a JSON object starting right after it. */
export function sniffSafetensors(head: Uint8Array, path: string): boolean {
  if (!/\.safetensors$/i.test(path) || head.length < 9) return false;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  return n >= 2 && head[8] === 0x7b;
}

/** Reads and validates the header (the data is never read here). */
export async function readSafetensorsHeader(source: FileSource, path: string, size: number): Promise<SafetensorsHeader> {
  if (size < 8) throw bad(path, `${size} bytes is too short for the 8-byte header length`);
  const lenBytes = await source.readRange(path, 0, 8);
  const dv = new DataView(lenBytes.buffer, lenBytes.byteOffset, lenBytes.byteLength);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  if (n > MAX_SAFETENSORS_HEADER) throw bad(path, `header of ${n} bytes is over the ${MAX_SAFETENSORS_HEADER}-byte limit`);
  if (n > size - 8) throw bad(path, `header of ${n} bytes runs past the end of the ${size}-byte file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await source.readRange(path, 8, n)));
  } catch (e) {
    throw bad(path, `header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad(path, 'header is not a JSON object');
  const dataStart = 8 + n;
  const dataBytes = size - dataStart;
  const tensors: SafetensorsEntry[] = [];
  const metadata: Record<string, string> = {};
  const ranges: { name: string; b: number; e: number }[] = [];
  for (const [name, t] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof t !== 'object' || t === null || Array.isArray(t)) throw bad(path, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(t as Record<string, unknown>)) {
        if (typeof v !== 'string') throw bad(path, `__metadata__ value of ${JSON.stringify(k)} is not a string`);
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const o = t as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (
      typeof o !== 'object' ||
      o === null ||
      typeof o.dtype !== 'string' ||
      !Array.isArray(o.shape) ||
      !Array.isArray(o.data_offsets) ||
      o.data_offsets.length !== 2
    )
      throw bad(path, `tensor ${name} lacks dtype, shape or data_offsets`);
    const dt = Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPES, o.dtype) ? SAFETENSORS_DTYPES[o.dtype] : undefined;
    if (!dt) throw bad(path, `tensor ${name} has the unknown dtype ${JSON.stringify(o.dtype)}`);
    if (!o.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw bad(path, `tensor ${name} has a bad shape`);
    const [b, e] = o.data_offsets as unknown[];
    if (!Number.isSafeInteger(b) || !Number.isSafeInteger(e) || (b as number) < 0 || (b as number) > (e as number) || (e as number) > dataBytes)
      throw bad(path, `tensor ${name}'s data_offsets [${String(b)}, ${String(e)}] are outside the ${dataBytes} data bytes`);
    const shape = o.shape as number[];
    const numel = shape.reduce((a, d) => a * d, 1);
    if (!Number.isSafeInteger(numel * dt.size) || (e as number) - (b as number) !== numel * dt.size)
      throw bad(
        path,
        `tensor ${name} (${o.dtype} [${shape.join(', ')}]) needs ${numel * dt.size} bytes but its data_offsets span ${(e as number) - (b as number)}`,
      );
    ranges.push({ name, b: b as number, e: e as number });
    tensors.push({ name, dtype: o.dtype, shape, offset: dataStart + (b as number), bytes: (e as number) - (b as number) });
  }
  ranges.sort((x, y) => x.b - y.b || x.e - y.e);
  let end = 0;
  for (const r of ranges) {
    if (r.b < end) throw bad(path, `tensor ${r.name}'s data [${r.b}, ${r.e}] overlaps the tensor before it (which ends at ${end})`);
    if (r.b > end) throw bad(path, `a gap of ${r.b - end} bytes before tensor ${r.name} (data [${r.b}, ${r.e}])`);
    end = r.e;
  }
  if (end !== dataBytes) throw bad(path, `the tensors cover ${end} of the ${dataBytes} data bytes`);
  return { tensors, metadata, headerBytes: n };
}

/** The elements of one tensor as numbers (dtypes with a number type only). */
export async function readSafetensorsValues(source: FileSource, path: string, t: SafetensorsEntry): Promise<Float64Array> {
  const as = SAFETENSORS_DTYPES[t.dtype]?.as;
  if (!as) throw new ReadError('unsupported-dtype', `${path}: ${t.dtype} tensors are not read as numbers`);
  const bytes = await source.readRange(path, t.offset, t.bytes);
  if (bytes.length !== t.bytes) throw bad(path, `tensor ${t.name} is cut short`);
  const get = elementReader(as, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), true);
  const n = t.bytes / SAFETENSORS_DTYPES[t.dtype].size;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = get(i);
  return out;
}

/** safetensors weights: role weights, grouped by layer like a PyTorch state dict (header order). */
export const safetensorsReader: BinaryReader = {
  kind: 'binary',
  name: 'safetensors',
  formats: ['safetensors'],
  fallbackRole: 'weights',
  sniff: sniffSafetensors,
  async read(input: ReaderInput): Promise<ReaderResult> {
    const h = await readSafetensorsHeader(input.source, input.path, input.size);
    const layers: WeightsSummary['layers'] = [];
    const byName = new Map<string, TensorInfo[]>();
    let total = 0;
    let bytes = 0;
    for (const t of h.tensors) {
      const dot = t.name.lastIndexOf('.');
      const layer = dot > 0 ? t.name.slice(0, dot) : t.name;
      let list = byName.get(layer);
      if (!list) {
        list = [];
        byName.set(layer, list);
        layers.push({ name: layer, tensors: list });
      }
      list.push({ name: dot > 0 ? t.name.slice(dot + 1) : t.name, shape: t.shape, dtype: t.dtype });
      total += t.shape.reduce((a, d) => a * d, 1);
      bytes += t.bytes;
    }
    return {
      role: 'weights',
      format: 'safetensors',
      weights: { layers, totalParams: total, bytes },
      torch: {
        kind: 'safetensors',
        container: 'safetensors',
        stateDictKey: null,
        metadata: { ...h.metadata } as Record<string, JsonValue>,
        input: stateDictInput(h.tensors),
      },
    };
  },
};
