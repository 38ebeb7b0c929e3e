// TensorBoard event files (`events.out.tfevents.*`): TFRecord framing (uint64 LE length, masked
// CRC32C of the length, data, masked CRC32C of the data) of `Event` protobufs. Scalars are TF1
// `summary.value[].simple_value` or TF2 `summary.value[].tensor` (a one-element TensorProto) for a
// tag whose metadata names the `scalars` plugin (or data class scalar). Other summaries
// (histograms, images, graphs, text) are skipped, and so is a tensor whose tag never carried such
// metadata (TF1-style writers put it on a tag's first value only; later values are recognised).
// Points are kept as written, with their wall times: a restarted run's repeated steps are not
// merged (TensorBoard's purge logic is not reproduced). Files are read in 1 MB readRange chunks;
// records above 32 MB (graphs) are CRC-checked in chunks and not decoded.
//
// Errors: a CRC mismatch or a truncated record stops the walk with a ReadError (`crc-mismatch`,
// `truncated-record`, `invalid-event`) naming the file and the record's byte offset; the series
// read before it are kept (TfeventsError.partial), and the reader reports them with the error.
import { maskedCrc32c, crc32cUpdate, maskCrc } from '../../codecs/crc32c';
import { ReadError } from '../../io/errors';
import type { FileSource } from '../../io/fileSource';
import { summarizeLog } from '../shared/logSummary';
import { halfToNumber } from '../shared/tensorDecode';
import { ProtoError, ProtoReader, WireType } from '../../codecs/protobuf';
import type { BinaryReader } from '../reader';
import type { LogData } from '../../types';

/** File names TensorBoard writers use (a tie-break: empty files, or a damaged first record). */
export const TFEVENTS_NAME = /(^|[\\/])events\.out\.tfevents\.[^\\/]*$/;

/** A read error that still carries the series read before the bad record. */
export class TfeventsError extends ReadError {
  constructor(
    code: string,
    message: string,
    readonly partial: LogData,
    /** Byte offset of the record that could not be read. */
    readonly offset: number,
  ) {
    super(code, message);
  }
}

/** Options of the streaming walk (tests make them small). */
export interface TfeventsOptions {
  /** Bytes read per `readRange` call. */
  chunkSize?: number;
  /** Records larger than this are CRC-checked in chunks but not decoded (graphs, not scalars). */
  maxDecodeBytes?: number;
}

const DEFAULT_CHUNK = 1 << 20;
const DEFAULT_MAX_DECODE = 32 << 20;
const HEADER = 12;
const FOOTER = 4;

// TensorFlow DataType values used by scalar summaries.
const DT_FLOAT = 1;
const DT_DOUBLE = 2;
const DT_INT32 = 3;
const DT_INT64 = 9;
const DT_HALF = 19;
const DATA_CLASS_SCALAR = 1;

function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

type Series = { steps: number[]; values: number[]; wallTime: number[] };

/** Collects scalar series from decoded events. */
class EventCollector {
  readonly series = new Map<string, Series>();
  readonly scalarTags = new Set<string>();
  records = 0;
  fileVersion: string | null = null;

  data(): LogData {
    return { source: 'tfevents', series: Object.fromEntries(this.series) };
  }

  addEvent(buf: Uint8Array, start: number, end: number, view: DataView): void {
    const r = new ProtoReader(buf, start, end, view);
    let wall = 0;
    let step = 0;
    let summary: [number, number] | null = null;
    while (r.next()) {
      if (r.field === 1 && r.wire === WireType.Fixed64) wall = r.double();
      else if (r.field === 2 && r.wire === WireType.Varint) step = r.int64();
      else if (r.field === 3 && r.wire === WireType.LengthDelimited) this.fileVersion = r.string();
      else if (r.field === 5 && r.wire === WireType.LengthDelimited) summary = r.span();
      else r.skip();
    }
    if (!summary) return;
    const s = new ProtoReader(buf, summary[0], summary[1], view);
    while (s.next()) {
      if (s.field === 1 && s.wire === WireType.LengthDelimited) this.addValue(s.message(), step, wall);
      else s.skip();
    }
  }

  private addValue(v: ProtoReader, step: number, wall: number): void {
    let tag = '';
    let simple: number | null = null;
    let tensor: ProtoReader | null = null;
    let scalarMeta = false;
    while (v.next()) {
      if (v.field === 1 && v.wire === WireType.LengthDelimited) tag = v.string();
      else if (v.field === 2 && v.wire === WireType.Fixed32) simple = v.float();
      else if (v.field === 8 && v.wire === WireType.LengthDelimited) tensor = v.message();
      else if (v.field === 9 && v.wire === WireType.LengthDelimited) scalarMeta = isScalarMetadata(v.message());
      else v.skip();
    }
    if (scalarMeta) this.scalarTags.add(tag);
    let x: number | null = null;
    if (simple !== null) x = simple;
    else if (tensor && this.scalarTags.has(tag)) x = tensorScalar(tensor);
    if (x === null) return;
    let s = this.series.get(tag);
    if (!s) {
      s = { steps: [], values: [], wallTime: [] };
      this.series.set(tag, s);
    }
    s.steps.push(step);
    s.values.push(x);
    s.wallTime.push(wall);
  }
}

// SummaryMetadata: plugin_data (1) { plugin_name (1) }, data_class (4).
function isScalarMetadata(m: ProtoReader): boolean {
  let scalar = false;
  while (m.next()) {
    if (m.field === 1 && m.wire === WireType.LengthDelimited) {
      const p = m.message();
      while (p.next()) {
        if (p.field === 1 && p.wire === WireType.LengthDelimited) scalar = p.equalsAscii('scalars') || scalar;
        else p.skip();
      }
    } else if (m.field === 4 && m.wire === WireType.Varint) scalar = scalar || m.varint() === DATA_CLASS_SCALAR;
    else m.skip();
  }
  return scalar;
}

const scratch = new Uint8Array(8);
const scratchView = new DataView(scratch.buffer);

// TensorProto: dtype (1), tensor_shape (2) { dim (2) { size (1) } }, tensor_content (4),
// float_val (5), double_val (6), int_val (7), int64_val (10). Null unless it holds one number.
function tensorScalar(t: ProtoReader): number | null {
  let dtype = 0;
  let elements = 1;
  let content: Uint8Array | null = null;
  const vals: number[] = [];
  while (t.next()) {
    const f = t.field;
    if (f === 1 && t.wire === WireType.Varint) dtype = t.varint();
    else if (f === 2 && t.wire === WireType.LengthDelimited) elements = shapeElements(t.message());
    else if (f === 4 && t.wire === WireType.LengthDelimited) content = t.bytes();
    else if (f === 5 || f === 6 || f === 7 || f === 10) readRepeated(t, vals, f);
    else t.skip();
  }
  if (elements !== 1) return null;
  if (content && content.length) {
    scratch.set(content.subarray(0, 8));
    const dv = scratchView;
    if (dtype === DT_FLOAT && content.length === 4) return dv.getFloat32(0, true);
    if (dtype === DT_DOUBLE && content.length === 8) return dv.getFloat64(0, true);
    if (dtype === DT_INT32 && content.length === 4) return dv.getInt32(0, true);
    if (dtype === DT_INT64 && content.length === 8) return Number(dv.getBigInt64(0, true));
    if (dtype === DT_HALF && content.length === 2) return halfToNumber(dv.getUint16(0, true));
    return null;
  }
  if (dtype !== DT_FLOAT && dtype !== DT_DOUBLE && dtype !== DT_INT32 && dtype !== DT_INT64) return null;
  return vals.length === 1 ? vals[0] : null;
}

function readRepeated(t: ProtoReader, out: number[], f: number): void {
  const one = (r: ProtoReader): number => (f === 5 ? r.float() : f === 6 ? r.double() : r.int64());
  if (t.wire === WireType.LengthDelimited) {
    const packed = t.message();
    while (packed.pos < packed.end) {
      const x = one(packed);
      if (out.length < 2) out.push(x); // two are enough to know it is not a scalar
    }
  } else if ((f === 5 && t.wire === WireType.Fixed32) || (f === 6 && t.wire === WireType.Fixed64) || ((f === 7 || f === 10) && t.wire === WireType.Varint)) {
    out.push(one(t));
  } else t.skip();
}

function shapeElements(s: ProtoReader): number {
  let n = 1;
  while (s.next()) {
    if (s.field === 2 && s.wire === WireType.LengthDelimited) {
      const d = s.message();
      let size = 0;
      while (d.next()) {
        if (d.field === 1 && d.wire === WireType.Varint) size = d.int64();
        else d.skip();
      }
      n *= size;
    } else if (s.field === 3 && s.wire === WireType.Varint && s.varint() !== 0)
      n = -1; // unknown_rank
    else s.skip();
  }
  return n;
}

/** State of one walk over a file's records. */
class Walk {
  readonly events = new EventCollector();

  constructor(
    readonly path: string,
    readonly size: number,
  ) {}

  fail(code: string, offset: number, what: string): TfeventsError {
    return new TfeventsError(code, `${this.path}: ${what} (record at byte offset ${offset})`, this.events.data(), offset);
  }

  /** Checks the header of the record at `buf[p]` (file offset `at`); returns its data length. */
  header(buf: Uint8Array, p: number, at: number): number {
    const lo = u32(buf, p);
    const hi = u32(buf, p + 4);
    if (maskedCrc32c(buf.subarray(p, p + 8)) !== u32(buf, p + 8)) {
      throw this.fail('crc-mismatch', at, 'CRC mismatch in a record length');
    }
    const len = hi * 2 ** 32 + lo;
    const room = this.size - at - HEADER - FOOTER;
    if (len > room) {
      throw this.fail('truncated-record', at, `truncated record: it declares ${len} bytes of data, the file has ${Math.max(room, 0)} left`);
    }
    return len;
  }

  /** Decodes every complete record in `buf` (file offset `base`); returns the bytes consumed. */
  records(buf: Uint8Array, base: number): number {
    let p = 0;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    while (buf.length - p >= HEADER) {
      const at = base + p;
      const len = this.header(buf, p, at);
      if (buf.length - p < HEADER + len + FOOTER) break;
      const data = buf.subarray(p + HEADER, p + HEADER + len);
      if (maskedCrc32c(data) !== u32(buf, p + HEADER + len)) throw this.fail('crc-mismatch', at, 'CRC mismatch in record data');
      this.decode(buf, view, p + HEADER, p + HEADER + len, at);
      p += HEADER + len + FOOTER;
    }
    return p;
  }

  decode(buf: Uint8Array, view: DataView, start: number, end: number, at: number): void {
    this.events.records++;
    try {
      this.events.addEvent(buf, start, end, view);
    } catch (e) {
      if (!(e instanceof ProtoError)) throw e;
      throw this.fail('invalid-event', at, `malformed Event protobuf: ${e.message} at byte ${at + HEADER + e.offset - start}`);
    }
  }

  truncated(at: number, left: number): TfeventsError {
    return this.fail('truncated-record', at, `truncated record: ${left} bytes at the end of the file, less than a record header`);
  }
}

/** Reads the scalar series of an event file held in memory. Throws TfeventsError (with `partial`). */
export function readTfeventsData(bytes: Uint8Array, path: string): LogData {
  const w = new Walk(path, bytes.length);
  const used = w.records(bytes, 0);
  if (used < bytes.length) throw w.truncated(used, bytes.length - used);
  return w.events.data();
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Reads the scalar series of an event file through `source.readRange`, chunk by chunk, so a
 * large file is never held whole. Throws TfeventsError (with `partial`) on a bad record.
 */
export async function readTfeventsFile(source: FileSource, path: string, size: number, opts: TfeventsOptions = {}): Promise<LogData> {
  const chunk = opts.chunkSize ?? DEFAULT_CHUNK;
  const maxDecode = opts.maxDecodeBytes ?? DEFAULT_MAX_DECODE;
  const w = new Walk(path, size);
  let base = 0;
  let buf: Uint8Array = new Uint8Array(0);
  for (;;) {
    const used = w.records(buf, base);
    buf = buf.subarray(used);
    base += used;
    const end = base + buf.length;
    if (end >= size) {
      if (buf.length) throw w.truncated(base, buf.length);
      break;
    }
    let want = chunk;
    if (buf.length >= HEADER) {
      const len = w.header(buf, 0, base);
      if (len > maxDecode) {
        await skipLarge(source, w, buf, base, len, chunk);
        base += HEADER + len + FOOTER;
        buf = new Uint8Array(0);
        continue;
      }
      want = Math.max(chunk, HEADER + len + FOOTER - buf.length);
    }
    const more = await source.readRange(path, end, Math.min(want, size - end));
    if (more.length === 0) throw w.truncated(base, buf.length);
    buf = concat(buf, more);
  }
  return w.events.data();
}

// A record too large to decode: its data CRC is checked chunk by chunk, its content is skipped.
async function skipLarge(source: FileSource, w: Walk, head: Uint8Array, at: number, len: number, chunk: number): Promise<void> {
  const dataStart = at + HEADER;
  let crc = crc32cUpdate(0, head.subarray(HEADER, Math.min(head.length, HEADER + len)));
  let pos = at + Math.min(head.length, HEADER + len);
  const dataEnd = dataStart + len;
  while (pos < dataEnd) {
    const part = await source.readRange(w.path, pos, Math.min(chunk, dataEnd - pos));
    if (part.length === 0) throw w.fail('truncated-record', at, 'truncated record: the file ended inside its data');
    crc = crc32cUpdate(crc, part);
    pos += part.length;
  }
  const footer = await source.readRange(w.path, dataEnd, FOOTER);
  if (footer.length < FOOTER) throw w.fail('truncated-record', at, 'truncated record: the file ended before its data CRC');
  if (maskCrc(crc) !== u32(footer, 0)) throw w.fail('crc-mismatch', at, 'CRC mismatch in record data');
  w.events.records++;
}

/**
 * Merges the logs of several runs (Keras' TensorBoard callback writes `train/` and `validation/`
 * folders, one event file each) into one LogData whose series are named `<run>/<tag>`.
 */
export function mergeTfeventsRuns(runs: { name: string; data: LogData }[]): LogData {
  const series: [string, LogData['series'][string]][] = [];
  for (const r of runs) for (const [tag, s] of Object.entries(r.data.series)) series.push([`${r.name}/${tag}`, s]);
  return { source: 'tfevents', series: Object.fromEntries(series), runs: runs.length };
}

/** The run name of an event file: its folder's name (`train`, `validation`), or `.` at the top. */
export function tfeventsRunName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts.length > 1 ? parts[parts.length - 2] || '.' : '.';
}

/** TensorBoard event files. */
export const tfeventsReader: BinaryReader = {
  kind: 'binary',
  name: 'tfevents',
  formats: ['tfevents'],
  fallbackRole: 'log',
  sniff: (head, path) => {
    if (head.length >= HEADER && maskedCrc32c(head.subarray(0, 8)) === u32(head, 8)) return true;
    // the name breaks the tie when the content cannot: an empty new log, or a damaged first record
    // (read then reports the CRC mismatch instead of an unknown file)
    return TFEVENTS_NAME.test(path);
  },
  read: async ({ path, size, source }) => {
    try {
      const data = await readTfeventsFile(source, path, size);
      return { role: 'log', format: 'tfevents', log: summarizeLog(data) };
    } catch (e) {
      if (!(e instanceof TfeventsError)) throw e;
      return { role: 'log', format: 'tfevents', log: summarizeLog(e.partial), error: { code: e.code, message: e.message } };
    }
  },
};
