// Reads an ONNX ModelProto from a file without loading it whole: the top-level fields and the
// graph's fields are walked through a buffered cursor; each node, input and small initializer is
// read and decoded in memory, while a large initializer's values (raw_data) are skipped by length.
import { ReadError } from '../../io/errors';
import type { FileSource } from '../../io/fileSource';
import { ProtoError, ProtoReader, WireType } from '../../codecs/protobuf';
import { addGraphField, emptyGraph, readEntry, readTensor, type OnnxGraph, type OnnxTensor } from './onnxProto';

/** An opset the model imports. */
export interface OnnxOpset {
  domain: string;
  version: number;
}

/** The ModelProto fields this tool reports. */
export interface OnnxModel {
  irVersion: number | null;
  opsets: OnnxOpset[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number | null;
  docString: string;
  metadata: Record<string, string>;
  graph: OnnxGraph;
  /** Functions (model-local operators) the file defines: names only. */
  functions: string[];
}

/** Fields larger than this are not read into memory unless they must be (nodes, value infos). */
const SMALL_FIELD = 1024 * 1024;
/** Initializers larger than this are streamed: header read, values skipped (one read block). */
const INLINE_TENSOR = 64 * 1024;
/** Largest single node / value info / metadata field read (a node holding a huge subgraph). */
export const MAX_FIELD_BYTES = 512 * 1024 * 1024;
const BLOCK = 64 * 1024;

/** A forward cursor over `[pos, end)` of a file, reading blocks through the FileSource. */
class FileCursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  constructor(
    readonly source: FileSource,
    readonly path: string,
    public pos: number,
    readonly end: number,
  ) {}

  /** A cursor over `[pos, end)` of the same file. */
  sub(end: number): FileCursor {
    return new FileCursor(this.source, this.path, this.pos, end);
  }

  private async fill(at: number, n: number): Promise<void> {
    if (at >= this.bufStart && at + n <= this.bufStart + this.buf.length) return;
    const len = Math.min(Math.max(n, BLOCK), this.end - at);
    this.buf = await this.source.readRange(this.path, at, len);
    this.bufStart = at;
    if (this.buf.length < Math.min(n, len)) throw new ProtoError('the file ended early', at + this.buf.length);
  }

  async varint(): Promise<number> {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoError('truncated varint', start);
      await this.fill(this.pos, 1);
      const b = this.buf[this.pos - this.bufStart];
      this.pos++;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new ProtoError('varint longer than 10 bytes', start);
  }

  /** Reads `n` bytes at the cursor (a copy or a view of the block). */
  async bytes(n: number): Promise<Uint8Array> {
    if (n > this.end - this.pos) throw new ProtoError(`length ${n} runs past the end of the message`, this.pos);
    let out: Uint8Array;
    if (n <= BLOCK) {
      await this.fill(this.pos, n);
      out = this.buf.subarray(this.pos - this.bufStart, this.pos - this.bufStart + n);
    } else {
      out = await this.source.readRange(this.path, this.pos, n);
      if (out.length < n) throw new ProtoError('the file ended early', this.pos + out.length);
    }
    this.pos += n;
    return out;
  }

  /** A field key: [field, wire], or null at the end. */
  async key(): Promise<[number, number] | null> {
    if (this.pos >= this.end) return null;
    const at = this.pos;
    const k = await this.varint();
    const field = Math.floor(k / 8);
    if (field === 0) throw new ProtoError('field number 0', at);
    return [field, k % 8];
  }

  /** Skips a field value of this wire type; returns the span of a length-delimited value. */
  async skip(wire: number): Promise<[number, number] | null> {
    switch (wire) {
      case WireType.Varint:
        await this.varint();
        return null;
      case WireType.Fixed64:
      case WireType.Fixed32: {
        const n = wire === WireType.Fixed64 ? 8 : 4;
        if (this.end - this.pos < n) throw new ProtoError(`truncated ${n}-byte field`, this.pos);
        this.pos += n;
        return null;
      }
      case WireType.LengthDelimited: {
        const at = this.pos;
        const n = await this.varint();
        if (n > this.end - this.pos) throw new ProtoError(`length ${n} runs past the end of the message`, at);
        const s = this.pos;
        this.pos += n;
        return [s, this.pos];
      }
      default:
        throw new ProtoError(`unsupported wire type ${wire}`, this.pos);
    }
  }

  /** Reads a length-delimited value (at most `limit` bytes) and its file offset. */
  async value(limit: number, what: string): Promise<{ bytes: Uint8Array; base: number }> {
    const at = this.pos;
    const n = await this.varint();
    if (n > this.end - this.pos) throw new ProtoError(`length ${n} runs past the end of the message`, at);
    if (n > limit) throw new ProtoError(`${what} of ${n} bytes is over the ${limit}-byte limit`, at);
    const base = this.pos;
    return { bytes: await this.bytes(n), base };
  }
}

/** Tensor fields that hold values (typed packed data or raw_data). */
const VALUE_FIELDS = new Set([4, 5, 6, 7, 9, 10, 11]);

/** A large initializer at the cursor (`[c.pos, end)`): its header fields read, its values skipped. */
async function streamTensor(c: FileCursor, end: number): Promise<OnnxTensor> {
  const sub = c.sub(end);
  const header: Uint8Array[] = [];
  let data: OnnxTensor['data'] = null;
  let stored = 0;
  for (let at = sub.pos, k = await sub.key(); k; at = sub.pos, k = await sub.key()) {
    const [field, wire] = k;
    const span = await sub.skip(wire);
    if (span && VALUE_FIELDS.has(field)) {
      stored += span[1] - span[0];
      if (field !== 6) data = { field, start: span[0], end: span[1] };
    } else {
      if (sub.pos - at > SMALL_FIELD) throw new ProtoError(`a tensor header field of ${sub.pos - at} bytes`, at);
      header.push(await c.source.readRange(c.path, at, sub.pos - at));
    }
  }
  const t = readTensor(new ProtoReader(concat(header)));
  t.data = data;
  if (!t.external) t.storedBytes = stored;
  c.pos = end;
  return t;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Re-bases a ProtoError raised while decoding a message read from file offset `base`. */
function rebased<T>(base: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ProtoError) throw new ProtoError(e.message, e.offset + base);
    throw e;
  }
}

/** Walks the top-level GraphProto `[c.pos, end)` field by field. */
async function streamGraph(c: FileCursor, end: number): Promise<OnnxGraph> {
  const g = emptyGraph();
  const sub = c.sub(end);
  for (let k = await sub.key(); k; k = await sub.key()) {
    const [field, wire] = k;
    if (wire !== WireType.LengthDelimited || ![1, 2, 5, 11, 12, 13, 15].includes(field)) {
      await sub.skip(wire);
      continue;
    }
    const lenAt = sub.pos;
    const n = await sub.varint();
    if (n > sub.end - sub.pos) throw new ProtoError(`length ${n} runs past the end of the graph`, lenAt);
    if (field === 15) {
      g.sparseInitializers++;
      sub.pos += n;
    } else if (field === 5 && n > INLINE_TENSOR) {
      // a large initializer: streamed past its values
      g.initializers.push(await streamTensor(sub, sub.pos + n));
    } else {
      if (n > MAX_FIELD_BYTES) throw new ProtoError(`a graph field of ${n} bytes is over the ${MAX_FIELD_BYTES}-byte limit`, lenAt);
      const base = sub.pos;
      const bytes = await sub.bytes(n);
      rebased(base, () => addGraphField(g, field, new ProtoReader(bytes), base, 0));
    }
  }
  c.pos = end;
  return g;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** ModelProto opset_import (8), metadata_props (14), functions (25). */
function modelField(m: OnnxModel, field: number, r: ProtoReader): void {
  if (field === 14) {
    const [key, value] = readEntry(r);
    m.metadata[key] = value;
  } else if (field === 8) {
    const o: OnnxOpset = { domain: '', version: 0 };
    while (r.next()) {
      if (r.field === 1 && r.wire === WireType.LengthDelimited) o.domain = r.string();
      else if (r.field === 2 && r.wire === WireType.Varint) o.version = r.int64();
      else r.skip();
    }
    m.opsets.push(o);
  } else if (field === 25) {
    while (r.next()) {
      if (r.field === 1 && r.wire === WireType.LengthDelimited) m.functions.push(r.string());
      else r.skip();
    }
  }
}

/** Reads the ModelProto of `path` (`size` bytes). Throws ReadError `invalid-onnx` / `truncated-onnx`. */
export async function readOnnxModel(source: FileSource, path: string, size: number): Promise<OnnxModel> {
  const m: OnnxModel = {
    irVersion: null,
    opsets: [],
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: null,
    docString: '',
    metadata: {},
    graph: emptyGraph(),
    functions: [],
  };
  let sawGraph = false;
  const c = new FileCursor(source, path, 0, size);
  try {
    for (let k = await c.key(); k; k = await c.key()) {
      const [field, wire] = k;
      if (wire === WireType.Varint && (field === 1 || field === 5)) {
        const v = await c.varint();
        if (field === 1) m.irVersion = v;
        else m.modelVersion = v;
        continue;
      }
      if (wire !== WireType.LengthDelimited) {
        await c.skip(wire);
        continue;
      }
      if (field === 7) {
        const lenAt = c.pos;
        const n = await c.varint();
        if (n > c.end - c.pos) throw new ProtoError(`the graph's length ${n} runs past the end of the file`, lenAt);
        m.graph = await streamGraph(c, c.pos + n);
        sawGraph = true;
        continue;
      }
      if (![2, 3, 4, 6, 8, 14, 25].includes(field)) {
        await c.skip(wire);
        continue;
      }
      const { bytes, base } = await c.value(field === 25 ? MAX_FIELD_BYTES : SMALL_FIELD * 16, 'a model field');
      const r = new ProtoReader(bytes);
      if (field === 2) m.producerName = utf8.decode(bytes);
      else if (field === 3) m.producerVersion = utf8.decode(bytes);
      else if (field === 4) m.domain = utf8.decode(bytes);
      else if (field === 6) m.docString = utf8.decode(bytes);
      else rebased(base, () => modelField(m, field, r));
    }
  } catch (e) {
    if (e instanceof ProtoError) {
      const truncated = /past the end|truncated|ended early/.test(e.message);
      throw new ReadError(
        truncated ? 'truncated-onnx' : 'invalid-onnx',
        `${path}: ${truncated ? 'truncated' : 'malformed'} ONNX protobuf (${e.message} at byte ${e.offset})`,
      );
    }
    throw e;
  }
  if (!sawGraph) throw new ReadError('invalid-onnx', `${path}: ONNX model without a graph (ModelProto field 7)`);
  return m;
}
