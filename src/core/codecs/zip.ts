// A strict zip reader that reads only the central directory (offsets and sizes, ZIP64 included) and,
// on demand, single entries: a multi-GB torch.save archive is listed without touching its storages.
// Every offset and length is checked against the file size before it is read.
import { inflateSync } from 'fflate';
import { ReadError } from '../io/errors';
import type { FileSource } from '../io/fileSource';

/** One central directory entry. */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's local header. */
  localOffset: number;
}

/** Limits of the directory reader. */
export const ZIP_LIMITS = {
  /** Most entries listed. */
  maxEntries: 1_000_000,
  /** Largest central directory read. */
  maxDirectoryBytes: 256 * 1024 * 1024,
};

const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

function corrupt(path: string, what: string): ReadError {
  return new ReadError('corrupt-zip', `${path}: not a readable zip archive (${what})`);
}

/** Whether the first bytes are a zip local file header. */
export function isZipHead(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

function u64(dv: DataView, at: number): number {
  const v = dv.getBigUint64(at, true);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** Reads and checks the central directory (ZIP64 end records and per-entry ZIP64 extra fields included). */
export async function readZipDirectory(source: FileSource, path: string, size: number): Promise<ZipEntry[]> {
  if (size < EOCD_SIZE) throw corrupt(path, `${size} bytes is too short for a zip`);
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
  if (at < 0) throw corrupt(path, 'no end-of-central-directory record; the file may be truncated');
  let count = dv.getUint16(at + 10, true);
  let cdSize = dv.getUint32(at + 12, true);
  let cdOffset = dv.getUint32(at + 16, true);
  let cdEnd = tailStart + at;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (at < 20 || dv.getUint32(at - 20, true) !== 0x07064b50) throw corrupt(path, 'ZIP64 end-of-directory locator missing');
    const z64 = u64(dv, at - 20 + 8);
    if (z64 + 56 > size) throw corrupt(path, `ZIP64 end record at ${z64} is past the end of the file`);
    const rec = await source.readRange(path, z64, 56);
    const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rec.length < 56 || rv.getUint32(0, true) !== 0x06064b50) throw corrupt(path, `no ZIP64 end record at ${z64}`);
    count = u64(rv, 32);
    cdSize = u64(rv, 40);
    cdOffset = u64(rv, 48);
    cdEnd = z64;
  }
  if (count > ZIP_LIMITS.maxEntries) throw new ReadError('zip-limit', `${path}: ${count} zip entries (limit ${ZIP_LIMITS.maxEntries})`);
  if (cdSize > ZIP_LIMITS.maxDirectoryBytes)
    throw new ReadError('zip-limit', `${path}: central directory of ${cdSize} bytes (limit ${ZIP_LIMITS.maxDirectoryBytes})`);
  if (cdOffset + cdSize > cdEnd) throw corrupt(path, `central directory at ${cdOffset} (+${cdSize}) runs past offset ${cdEnd}`);
  const cd = await source.readRange(path, cdOffset, cdSize);
  if (cd.length !== cdSize) throw corrupt(path, 'central directory cut short');
  const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const utf8 = new TextDecoder('utf-8');
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cv.getUint32(p, true) !== 0x02014b50) throw corrupt(path, `bad central directory header ${n} at offset ${cdOffset + p}`);
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw corrupt(path, `central directory entry ${n} runs past the directory`);
    const e: ZipEntry = {
      name: utf8.decode(cd.subarray(p + 46, p + 46 + nameLen)),
      flags: cv.getUint16(p + 8, true),
      method: cv.getUint16(p + 10, true),
      crc: cv.getUint32(p + 16, true),
      compressedSize: cv.getUint32(p + 20, true),
      size: cv.getUint32(p + 24, true),
      localOffset: cv.getUint32(p + 42, true),
    };
    // ZIP64 extended information (header 0x0001): the 0xFFFFFFFF fields, in order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cv.getUint16(x, true);
      const len = cv.getUint16(x + 2, true);
      if (x + 4 + len > xEnd) break;
      if (id === 0x0001) {
        let q = x + 4;
        const next = (): number => {
          if (q + 8 > x + 4 + len) throw corrupt(path, `ZIP64 extra field of ${e.name} is too short`);
          const v = u64(cv, q);
          q += 8;
          return v;
        };
        if (e.size === 0xffffffff) e.size = next();
        if (e.compressedSize === 0xffffffff) e.compressedSize = next();
        if (e.localOffset === 0xffffffff) e.localOffset = next();
      }
      x += 4 + len;
    }
    if (e.localOffset + 30 + e.compressedSize > cdOffset) throw corrupt(path, `entry ${e.name} at ${e.localOffset} (+${e.compressedSize}) runs past the data`);
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Offset of an entry's data: after its local header (whose name and extra lengths may differ from the directory's). */
export async function zipEntryDataOffset(source: FileSource, path: string, e: ZipEntry): Promise<number> {
  const local = await source.readRange(path, e.localOffset, 30);
  const lv = new DataView(local.buffer, local.byteOffset, local.byteLength);
  if (local.length < 30 || lv.getUint32(0, true) !== 0x04034b50) throw corrupt(path, `no local header for ${e.name} at offset ${e.localOffset}`);
  return e.localOffset + 30 + lv.getUint16(26, true) + lv.getUint16(28, true);
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (zip's checksum). */
export function crc32(data: Uint8Array): number {
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

/** Reads one entry's bytes (stored or deflated), within `limit`, checking its local header and CRC. */
export async function readZipEntry(source: FileSource, path: string, e: ZipEntry, limit: number): Promise<Uint8Array> {
  if (e.size > limit) throw new ReadError('zip-limit', `${path}: ${e.name} claims ${e.size} bytes (limit ${limit})`);
  if (e.method === 8 && e.size > e.compressedSize * 1032 + 1024)
    throw new ReadError('zip-limit', `${path}: ${e.name} claims ${e.size} bytes from ${e.compressedSize} compressed bytes`);
  if (e.method !== 0 && e.method !== 8)
    throw new ReadError('unsupported-zip', `${path}: ${e.name} uses zip compression method ${e.method} (only stored and deflate are read)`);
  if (e.flags & 1) throw new ReadError('unsupported-zip', `${path}: ${e.name} is encrypted`);
  const start = await zipEntryDataOffset(source, path, e);
  const raw = await source.readRange(path, start, e.compressedSize);
  if (raw.length !== e.compressedSize) throw corrupt(path, `${e.name} is cut short`);
  let data: Uint8Array;
  if (e.method === 0) {
    if (e.size !== e.compressedSize) throw corrupt(path, `stored entry ${e.name} has different sizes`);
    data = raw;
  } else {
    try {
      data = inflateSync(raw, { out: new Uint8Array(e.size) });
    } catch (err) {
      throw corrupt(path, `${e.name} does not inflate (${(err as Error).message})`);
    }
  }
  if (data.length !== e.size) throw corrupt(path, `${e.name} inflates to ${data.length} bytes, not ${e.size}`);
  if (crc32(data) !== e.crc) throw new ReadError('crc-mismatch', `${path}: ${e.name} fails its CRC-32 check (corrupted)`);
  return data;
}
