// Decoding of the ONNX protobuf messages (onnx/onnx.proto3) this tool needs, field numbers from the
// published schema: GraphProto, NodeProto, AttributeProto, TensorProto (header fields only unless
// asked), ValueInfoProto / TypeProto / TensorShapeProto, StringStringEntryProto. Plain data out.
import { ProtoError, ProtoReader, WireType } from '../../codecs/protobuf';

/** TensorProto.DataType names (onnx.proto3), index = enum value. */
export const ONNX_DTYPES: readonly string[] = [
  'undefined',
  'float32',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'int32',
  'int64',
  'string',
  'bool',
  'float16',
  'float64',
  'uint32',
  'uint64',
  'complex64',
  'complex128',
  'bfloat16',
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'uint4',
  'int4',
  'float4e2m1',
];

/** Bytes per element of each data type (0 when variable or packed below a byte). */
const DTYPE_BITS: Record<string, number> = {
  float32: 32,
  uint8: 8,
  int8: 8,
  uint16: 16,
  int16: 16,
  int32: 32,
  int64: 64,
  bool: 8,
  float16: 16,
  float64: 64,
  uint32: 32,
  uint64: 64,
  complex64: 64,
  complex128: 128,
  bfloat16: 16,
  float8e4m3fn: 8,
  float8e4m3fnuz: 8,
  float8e5m2: 8,
  float8e5m2fnuz: 8,
  uint4: 4,
  int4: 4,
  float4e2m1: 4,
};

/** The name of a TensorProto.DataType value. */
export function dtypeName(code: number): string {
  return ONNX_DTYPES[code] ?? `dtype-${code}`;
}

/** Bytes `count` elements of `dtype` take in raw_data (null for strings / unknown types). */
export function dtypeBytes(dtype: string, count: number): number | null {
  const bits = DTYPE_BITS[dtype];
  return bits === undefined ? null : Math.ceil((bits * count) / 8);
}

/** Where a tensor's values live in the file (absolute offsets), when they are not decoded. */
export interface TensorData {
  /** `raw_data`, or a packed typed field (`float_data`...): its field number and byte span. */
  field: number;
  start: number;
  end: number;
}

/** A TensorProto's header: name, shape, type, and where its values are. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dtype: string;
  /** Element count (product of dims). */
  count: number;
  /** Bytes of the values when stored in the model (raw_data or a typed field); null when external. */
  storedBytes: number | null;
  data: TensorData | null;
  /** `data_location = EXTERNAL`: the `external_data` entries (location, offset, length, checksum). */
  external: Record<string, string> | null;
}

/** A dimension: a number, a symbolic name (`dim_param`), or unknown. */
export type OnnxDim = number | string | null;

/** A graph input or output. */
export interface OnnxValueInfo {
  name: string;
  /** `tensor`, `sequence`, `map`, `optional`, `sparse_tensor` or `unknown`. */
  kind: string;
  /** Element type of a tensor (`float32`), or null. */
  dtype: string | null;
  /** Dims of a tensor; null when the type has no shape. */
  dims: OnnxDim[] | null;
}

/** An attribute value, summarised for display (tensors and graphs by their headers). */
export type OnnxAttribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensor'; value: OnnxTensor }
  | { type: 'tensors'; value: OnnxTensor[] }
  | { type: 'graph'; value: OnnxGraph }
  | { type: 'graphs'; value: OnnxGraph[] }
  | { type: 'other'; value: string };

/** A NodeProto. */
export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

/** A GraphProto (initializers by header only). */
export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
  /** Sparse initializers: counted, not decoded. */
  sparseInitializers: number;
}

/** Reads a whole packed-or-not repeated int64 field value into `out`. */
function int64s(r: ProtoReader, out: number[]): void {
  if (r.wire === WireType.LengthDelimited) {
    const m = r.message();
    while (m.pos < m.end) out.push(m.int64());
  } else out.push(r.int64());
}

function floats(r: ProtoReader, out: number[]): void {
  if (r.wire === WireType.LengthDelimited) {
    const m = r.message();
    while (m.pos < m.end) out.push(m.float());
  } else out.push(r.float());
}

/** A StringStringEntryProto (key 1, value 2). */
export function readEntry(r: ProtoReader): [string, string] {
  let key = '';
  let value = '';
  while (r.next()) {
    if (r.field === 1 && r.wire === WireType.LengthDelimited) key = r.string();
    else if (r.field === 2 && r.wire === WireType.LengthDelimited) value = r.string();
    else r.skip();
  }
  return [key, value];
}

/** Fields of TensorProto that hold values (packed typed data or raw bytes). */
const DATA_FIELDS = new Set([4, 5, 6, 7, 9, 10, 11]);

/**
 * A TensorProto header. `base` is the absolute offset of `r.buf[0]` in the file, so data spans are
 * file offsets. Values are never decoded here.
 */
export function readTensor(r: ProtoReader, base = 0): OnnxTensor {
  const t: OnnxTensor = { name: '', dims: [], dtype: 'undefined', count: 1, storedBytes: null, data: null, external: null };
  let location = 0;
  const entries: Record<string, string> = {};
  let stored = 0;
  while (r.next()) {
    const f = r.field;
    if (f === 1) int64s(r, t.dims);
    else if (f === 2 && r.wire === WireType.Varint) t.dtype = dtypeName(r.varint());
    else if (f === 8 && r.wire === WireType.LengthDelimited) t.name = r.string();
    else if (f === 13 && r.wire === WireType.LengthDelimited) {
      const [k, v] = readEntry(r.message());
      entries[k] = v;
    } else if (f === 14 && r.wire === WireType.Varint) location = r.varint();
    else if (DATA_FIELDS.has(f) && r.wire === WireType.LengthDelimited) {
      const [s, e] = r.span();
      stored += e - s;
      if (f !== 6) t.data = { field: f, start: base + s, end: base + e };
    } else r.skip();
  }
  if (t.dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new ProtoError(`tensor '${t.name}' has dims [${t.dims.join(', ')}]`, r.pos);
  t.count = t.dims.reduce((a, d) => a * d, 1);
  if (!Number.isSafeInteger(t.count)) throw new ProtoError(`tensor '${t.name}' has ${t.count} elements`, r.pos);
  if (location === 1) t.external = entries;
  else t.storedBytes = stored;
  return t;
}

function readShape(r: ProtoReader): OnnxDim[] {
  const dims: OnnxDim[] = [];
  while (r.next()) {
    if (r.field === 1 && r.wire === WireType.LengthDelimited) {
      const d = r.message();
      let dim: OnnxDim = null;
      while (d.next()) {
        // some exporters write -1 (or 0) for a dynamic dimension: unknown
        if (d.field === 1 && d.wire === WireType.Varint) {
          const v = d.int64();
          dim = v > 0 ? v : null;
        } else if (d.field === 2 && d.wire === WireType.LengthDelimited) dim = d.string() || null;
        else d.skip();
      }
      dims.push(dim);
    } else r.skip();
  }
  return dims;
}

const TYPE_KINDS: Record<number, string> = { 1: 'tensor', 4: 'sequence', 5: 'map', 8: 'sparse_tensor', 9: 'optional' };

/** A ValueInfoProto (name 1, type 2). */
export function readValueInfo(r: ProtoReader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', kind: 'unknown', dtype: null, dims: null };
  while (r.next()) {
    if (r.field === 1 && r.wire === WireType.LengthDelimited) v.name = r.string();
    else if (r.field === 2 && r.wire === WireType.LengthDelimited) {
      const t = r.message();
      while (t.next()) {
        const kind = TYPE_KINDS[t.field];
        if (kind && t.wire === WireType.LengthDelimited) {
          v.kind = kind;
          if (kind !== 'tensor' && kind !== 'sparse_tensor') {
            t.skip();
            continue;
          }
          const tt = t.message();
          while (tt.next()) {
            if (tt.field === 1 && tt.wire === WireType.Varint) v.dtype = dtypeName(tt.varint());
            else if (tt.field === 2 && tt.wire === WireType.LengthDelimited) v.dims = readShape(tt.message());
            else tt.skip();
          }
        } else t.skip();
      }
    } else r.skip();
  }
  return v;
}

/** Limits of the decoding (hostile files). */
export const MAX_GRAPH_DEPTH = 32;

/** An AttributeProto. */
function readAttribute(r: ProtoReader, base: number, depth: number): [string, OnnxAttribute] {
  let name = '';
  let type = 0;
  let f: number | undefined;
  let i: number | undefined;
  let s: Uint8Array | undefined;
  let t: OnnxTensor | undefined;
  let g: OnnxGraph | undefined;
  const fs: number[] = [];
  const is: number[] = [];
  const ss: string[] = [];
  const ts: OnnxTensor[] = [];
  const gs: OnnxGraph[] = [];
  while (r.next()) {
    const ld = r.wire === WireType.LengthDelimited;
    switch (r.field) {
      case 1:
        if (ld) name = r.string();
        else r.skip();
        break;
      case 20:
        if (r.wire === WireType.Varint) type = r.varint();
        else r.skip();
        break;
      case 2:
        if (r.wire === WireType.Fixed32) f = r.float();
        else r.skip();
        break;
      case 3:
        if (r.wire === WireType.Varint) i = r.int64();
        else r.skip();
        break;
      case 4:
        if (ld) s = r.bytes();
        else r.skip();
        break;
      case 5:
        if (ld) t = readTensor(r.message(), base);
        else r.skip();
        break;
      case 6:
        if (ld) g = readGraph(r.message(), base, depth + 1);
        else r.skip();
        break;
      case 7:
        floats(r, fs);
        break;
      case 8:
        int64s(r, is);
        break;
      case 9:
        if (ld) ss.push(r.string());
        else r.skip();
        break;
      case 10:
        if (ld) ts.push(readTensor(r.message(), base));
        else r.skip();
        break;
      case 11:
        if (ld) gs.push(readGraph(r.message(), base, depth + 1));
        else r.skip();
        break;
      default:
        r.skip();
    }
  }
  // IR version 1 files may lack `type`: infer it from the field present.
  if (type === 0)
    type =
      f !== undefined ? 1 : i !== undefined ? 2 : s ? 3 : t ? 4 : g ? 5 : fs.length ? 6 : is.length ? 7 : ss.length ? 8 : ts.length ? 9 : gs.length ? 10 : 0;
  const text = (b: Uint8Array | undefined): string => utf8.decode(b ?? new Uint8Array());
  switch (type) {
    case 1:
      return [name, { type: 'float', value: f ?? 0 }];
    case 2:
      return [name, { type: 'int', value: i ?? 0 }];
    case 3:
      return [name, { type: 'string', value: text(s) }];
    case 4:
      return [name, t ? { type: 'tensor', value: t } : { type: 'other', value: 'tensor (missing)' }];
    case 5:
      return [name, g ? { type: 'graph', value: g } : { type: 'other', value: 'graph (missing)' }];
    case 6:
      return [name, { type: 'floats', value: fs }];
    case 7:
      return [name, { type: 'ints', value: is }];
    case 8:
      return [name, { type: 'strings', value: ss }];
    case 9:
      return [name, { type: 'tensors', value: ts }];
    case 10:
      return [name, { type: 'graphs', value: gs }];
    default:
      return [name, { type: 'other', value: `attribute type ${type}` }];
  }
}

/** A NodeProto. */
export function readNode(r: ProtoReader, base = 0, depth = 0): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: {} };
  while (r.next()) {
    const ld = r.wire === WireType.LengthDelimited;
    if (r.field === 1 && ld) n.inputs.push(r.string());
    else if (r.field === 2 && ld) n.outputs.push(r.string());
    else if (r.field === 3 && ld) n.name = r.string();
    else if (r.field === 4 && ld) n.opType = r.string();
    else if (r.field === 7 && ld) n.domain = r.string();
    else if (r.field === 5 && ld) {
      const [k, v] = readAttribute(r.message(), base, depth);
      n.attributes[k] = v;
    } else r.skip();
  }
  return n;
}

/** An empty graph to fill field by field. */
export function emptyGraph(): OnnxGraph {
  return { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [], sparseInitializers: 0 };
}

/** Adds one length-delimited GraphProto field to `g`; `value` reads the field's value bytes. */
export function addGraphField(g: OnnxGraph, field: number, value: ProtoReader, base: number, depth: number): void {
  switch (field) {
    case 1:
      g.nodes.push(readNode(value, base, depth));
      break;
    case 2:
      g.name = utf8.decode(value.buf.subarray(value.pos, value.end));
      break;
    case 5:
      g.initializers.push(readTensor(value, base));
      break;
    case 11:
      g.inputs.push(readValueInfo(value));
      break;
    case 12:
      g.outputs.push(readValueInfo(value));
      break;
    case 13:
      g.valueInfo.push(readValueInfo(value));
      break;
    case 15:
      g.sparseInitializers++;
      break;
    default:
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A GraphProto read in memory (nested graphs of If / Loop / Scan attributes). */
export function readGraph(r: ProtoReader, base = 0, depth = 0): OnnxGraph {
  if (depth > MAX_GRAPH_DEPTH) throw new ProtoError(`graphs nested deeper than ${MAX_GRAPH_DEPTH} levels`, r.pos);
  const g = emptyGraph();
  while (r.next()) {
    if (r.wire === WireType.LengthDelimited) {
      const f = r.field;
      addGraphField(g, f, r.message(), base, depth);
    } else r.skip();
  }
  return g;
}
