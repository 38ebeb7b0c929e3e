// Keras 3 `.keras` archives: a zip of config.json, metadata.json and model.weights.h5.
// The central directory is parsed here, strictly (fflate's unzipSync reads past bad offsets and
// skips CRCs), so only the three entries are fetched with readRange, never the whole archive;
// fflate (small, well-kept, pure JS) inflates them into buffers sized from the checked directory.
import { inflateSync } from 'fflate';
import { ReadError } from '../../io/errors';
import type { FileSource } from '../../io/fileSource';
import { openHdf5Bytes } from '../../codecs/hdf5';
import { detectKerasLayout, keras3Layers, legacyWeights, modelFromConfig, orderKeras3ByConfig, parseKerasJson, weightsSummary } from './kerasWeights';
import { findPythonCode } from '../shared/pythonCode';
import type { BinaryReader, ReaderInput, ReaderResult } from '../reader';
import type { WeightsSummary } from '../../types';

/** Largest config.json / metadata.json inflated. */
export const MAX_KERAS_JSON_BYTES = 64 * 1024 * 1024;
/** Largest model.weights.h5 inflated. */
export const MAX_KERAS_WEIGHTS_BYTES = 1024 * 1024 * 1024;
/** Most entries listed in a central directory (a .keras has a handful; assets/ may add some). */
export const MAX_ZIP_ENTRIES = 100_000;

const WANTED: Record<string, number> = {
  'config.json': MAX_KERAS_JSON_BYTES,
  'metadata.json': MAX_KERAS_JSON_BYTES,
  'model.weights.h5': MAX_KERAS_WEIGHTS_BYTES,
};

function isZipHead(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/** One central directory entry. */
interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

function corrupt(path: string, what: string): ReadError {
  return new ReadError('corrupt-zip', `${path}: not a readable zip archive (${what})`);
}

/** Reads and checks the central directory: every offset and length within the file. */
async function readCentralDirectory(source: FileSource, path: string, size: number): Promise<ZipEntry[]> {
  if (size < EOCD_SIZE) throw corrupt(path, `${size} bytes is too short for a zip`);
  const tailLen = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tail = await source.readRange(path, size - tailLen, tailLen);
  let at = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
      at = i;
      break;
    }
  }
  if (at < 0) throw corrupt(path, 'no end-of-central-directory record; the file may be truncated');
  const dv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const count = dv.getUint16(at + 10, true);
  const cdSize = dv.getUint32(at + 12, true);
  const cdOffset = dv.getUint32(at + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new ReadError('unsupported-zip', `${path}: ZIP64 archives (over 4 GB or 65535 entries) are not read`);
  }
  const eocdOffset = size - tailLen + at;
  if (cdOffset + cdSize > eocdOffset) throw corrupt(path, `central directory at ${cdOffset} (+${cdSize}) runs past offset ${eocdOffset}`);
  if (count > MAX_ZIP_ENTRIES) throw new ReadError('zip-limit', `${path}: ${count} entries (limit ${MAX_ZIP_ENTRIES})`);
  const cd = await source.readRange(path, cdOffset, cdSize);
  if (cd.length !== cdSize) throw corrupt(path, 'central directory cut short');
  const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cv.getUint32(p, true) !== 0x02014b50) throw corrupt(path, `bad central directory header ${n} at offset ${cdOffset + p}`);
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw corrupt(path, `central directory entry ${n} runs past the directory`);
    const e: ZipEntry = {
      name: new TextDecoder('utf-8').decode(cd.subarray(p + 46, p + 46 + nameLen)),
      flags: cv.getUint16(p + 8, true),
      method: cv.getUint16(p + 10, true),
      crc: cv.getUint32(p + 16, true),
      compressedSize: cv.getUint32(p + 20, true),
      size: cv.getUint32(p + 24, true),
      localOffset: cv.getUint32(p + 42, true),
    };
    if (e.localOffset + 30 + e.compressedSize > cdOffset) throw corrupt(path, `entry ${e.name} at ${e.localOffset} (+${e.compressedSize}) runs past the data`);
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (zip's checksum). */
function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Reads one entry's bytes, within its size limit, checking its local header and CRC. */
async function readEntry(source: FileSource, path: string, e: ZipEntry, limit: number): Promise<Uint8Array> {
  if (e.size > limit) throw new ReadError('zip-limit', `${path}: ${e.name} claims ${e.size} bytes (limit ${limit})`);
  // Deflate expands at most 1032:1: a larger claim is a lie (zip bomb or corruption).
  if (e.method === 8 && e.size > e.compressedSize * 1032 + 1024) {
    throw new ReadError('zip-limit', `${path}: ${e.name} claims ${e.size} bytes from ${e.compressedSize} compressed bytes`);
  }
  if (e.method !== 0 && e.method !== 8) {
    throw new ReadError('unsupported-zip', `${path}: ${e.name} uses zip compression method ${e.method} (only stored and deflate are read)`);
  }
  if (e.flags & 1) throw new ReadError('unsupported-zip', `${path}: ${e.name} is encrypted`);
  const local = await source.readRange(path, e.localOffset, 30);
  const lv = new DataView(local.buffer, local.byteOffset, local.byteLength);
  if (local.length < 30 || lv.getUint32(0, true) !== 0x04034b50) throw corrupt(path, `no local header for ${e.name} at offset ${e.localOffset}`);
  const start = e.localOffset + 30 + lv.getUint16(26, true) + lv.getUint16(28, true);
  const raw = await source.readRange(path, start, e.compressedSize);
  if (raw.length !== e.compressedSize) throw corrupt(path, `${e.name} is cut short`);
  let data: Uint8Array;
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw corrupt(path, `stored entry ${e.name} has sizes ${e.compressedSize} and ${e.size}`);
    data = raw;
  } else {
    try {
      // The output buffer is the size the directory claims: inflating can never grow past it.
      data = inflateSync(raw, { out: new Uint8Array(e.size) });
    } catch (err) {
      throw corrupt(path, `${e.name}: ${(err as Error).message}`);
    }
    if (data.length !== e.size) throw corrupt(path, `${e.name} inflates to ${data.length} bytes, not ${e.size}`);
  }
  if (crc32(data) !== e.crc) throw new ReadError('crc-mismatch', `${path}: ${e.name} fails its CRC-32 check`);
  return data;
}

function jsonObject(bytes: Uint8Array, what: string, path: string): Record<string, unknown> {
  const v = parseKerasJson(new TextDecoder('utf-8').decode(bytes), what, path);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ReadError('invalid-json', `${path}: ${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** Layer names and classes of a Keras 3 config (`{class_name, config: {layers: [...]}}`). */
export function configLayers(config: Record<string, unknown>): { name: string; className: string }[] {
  const inner = config.config as Record<string, unknown> | undefined;
  const layers = inner && Array.isArray(inner.layers) ? (inner.layers as unknown[]) : [];
  const out: { name: string; className: string }[] = [];
  for (const l of layers) {
    if (typeof l !== 'object' || l === null) continue;
    const rec = l as Record<string, unknown>;
    const cfg = rec.config as Record<string, unknown> | undefined;
    const name = typeof cfg?.name === 'string' ? cfg.name : typeof rec.name === 'string' ? rec.name : null;
    if (name !== null && typeof rec.class_name === 'string') out.push({ name, className: rec.class_name });
  }
  return out;
}

async function innerWeights(bytes: Uint8Array, path: string, config: Record<string, unknown>): Promise<WeightsSummary> {
  const name = `${path}!model.weights.h5`;
  const f = await openHdf5Bytes(bytes, name);
  try {
    const layout = detectKerasLayout(f);
    if (layout === 'keras3-weights') {
      const { layers, bytes: total } = keras3Layers(f);
      const ordered = orderKeras3ByConfig(layers, configLayers(config));
      return weightsSummary(
        ordered.map((l) => ({ name: l.name, tensors: l.tensors })),
        total,
      );
    }
    if (layout === 'legacy-weights') return legacyWeights(f, '/');
    if (layout === 'full-model') return legacyWeights(f, '/model_weights');
    throw new ReadError('not-a-keras-h5', `${name}: not a Keras weights file (no layers/ or layer_names)`);
  } finally {
    f.close();
  }
}

/**
 * The entries of a .keras archive that matter (config.json, metadata.json, model.weights.h5), read
 * through the checked central directory, each within its size limit and CRC-checked.
 */
export async function readKerasZipEntries(source: FileSource, path: string, size: number): Promise<Record<string, Uint8Array>> {
  const entries = await readCentralDirectory(source, path, size);
  const files: Record<string, Uint8Array> = {};
  for (const e of entries) {
    const limit = WANTED[e.name];
    if (limit !== undefined && !(e.name in files)) files[e.name] = await readEntry(source, path, e, limit);
  }
  return files;
}

async function readKerasZip(input: ReaderInput): Promise<ReaderResult> {
  const { path } = input;
  const files = await readKerasZipEntries(input.source, path, input.size);
  if (!files['config.json']) {
    return {
      role: 'other',
      format: 'unknown',
      error: { code: 'not-a-keras-zip', message: `${path}: a zip archive without config.json, not a Keras .keras file` },
    };
  }
  const config = jsonObject(files['config.json'], 'config.json', path);
  let kerasVersion: string | null = null;
  if (files['metadata.json']) {
    const meta = jsonObject(files['metadata.json'], 'metadata.json', path);
    if (typeof meta.keras_version === 'string') kerasVersion = meta.keras_version;
  }
  const weights = files['model.weights.h5'] ? await innerWeights(files['model.weights.h5'], path, config) : undefined;
  const { model, error } = modelFromConfig(config, { framework: 'keras', kerasVersion }, weights, path);
  const sites = findPythonCode(config);
  return {
    role: 'model',
    format: 'keras-zip',
    ...(sites.length ? { pythonCode: sites } : {}),
    ...(weights ? { weights } : {}),
    ...(model ? { model } : {}),
    error: error ?? null,
  };
}

/** Keras 3 .keras zip archives. */
export const kerasZipReader: BinaryReader = {
  kind: 'binary',
  name: 'kerasZip',
  formats: ['keras-zip'],
  fallbackRole: 'model',
  sniff: (head) => isZipHead(head),
  read: readKerasZip,
};
