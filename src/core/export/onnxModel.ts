// The ONNX messages the exporter writes (ModelProto and what it holds), as plain data, and their
// protobuf encoding. Field numbers follow onnx/onnx.proto3 (IR version 7, opset 13).
import { ProtoWriter } from '../codecs/protobufWriter';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** A constant tensor (an initializer). Values in C order. */
export interface OnnxTensor {
  name: string;
  dataType: DataTypeCode;
  dims: number[];
  values: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
}

export type OnnxAttr =
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'string'; value: string }
  | { name: string; kind: 'ints'; value: number[] }
  | { name: string; kind: 'floats'; value: number[] }
  | { name: string; kind: 'strings'; value: string[] };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs: OnnxAttr[];
}

/** A graph input or output: element type and shape (a string dimension is symbolic, e.g. the batch). */
export interface OnnxValueInfo {
  name: string;
  dataType: DataTypeCode;
  shape: (number | string)[];
}

export interface OnnxModel {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  graphName: string;
  docString: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  metadata: Record<string, string>;
}

const ATTR_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7, strings: 8 } as const;

function rawBytes(t: OnnxTensor): Uint8Array {
  const v = t.values;
  const n = v.length;
  if (v instanceof Uint8Array) return v.slice();
  const width = v instanceof Float64Array || v instanceof BigInt64Array ? 8 : 4;
  const out = new Uint8Array(n * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    if (v instanceof Float32Array) view.setFloat32(i * 4, v[i], true);
    else if (v instanceof Int32Array) view.setInt32(i * 4, v[i], true);
    else if (v instanceof Float64Array) view.setFloat64(i * 8, v[i], true);
    else view.setBigInt64(i * 8, v[i], true);
  }
  return out;
}

function tensorProto(t: OnnxTensor): ProtoWriter {
  // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian).
  return new ProtoWriter().packedVarints(1, t.dims).varint(2, t.dataType).string(8, t.name).bytes(9, rawBytes(t));
}

function attributeProto(a: OnnxAttr): ProtoWriter {
  // AttributeProto: name = 1, f = 2, i = 3, s = 4, floats = 7, ints = 8, strings = 9, type = 20.
  const w = new ProtoWriter().string(1, a.name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value);
      break;
    case 'int':
      w.varint(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'floats':
      w.packedFloats(7, a.value);
      break;
    case 'ints':
      w.packedVarints(8, a.value);
      break;
    case 'strings':
      for (const s of a.value) w.string(9, s);
      break;
  }
  return w.varint(20, ATTR_TYPE[a.kind]);
}

function nodeProto(n: OnnxNode): ProtoWriter {
  // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.opType);
  for (const a of n.attrs) w.message(5, attributeProto(a));
  return w;
}

function valueInfoProto(v: OnnxValueInfo): ProtoWriter {
  // ValueInfoProto: name = 1, type = 2; TypeProto.tensor_type = 1; Tensor: elem_type = 1, shape = 2;
  // TensorShapeProto.dim = 1; Dimension: dim_value = 1, dim_param = 2.
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    shape.message(1, typeof d === 'number' ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d));
  }
  const tensor = new ProtoWriter().varint(1, v.dataType).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensor));
}

/** Encodes a ModelProto. */
export function encodeModel(m: OnnxModel): Uint8Array {
  // GraphProto: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12.
  const g = new ProtoWriter();
  for (const n of m.nodes) g.message(1, nodeProto(n));
  g.string(2, m.graphName);
  for (const t of m.initializers) g.message(5, tensorProto(t));
  for (const i of m.inputs) g.message(11, valueInfoProto(i));
  for (const o of m.outputs) g.message(12, valueInfoProto(o));
  // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6, graph = 7,
  // opset_import = 8 (OperatorSetIdProto: domain = 1, version = 2), metadata_props = 14
  // (StringStringEntryProto: key = 1, value = 2).
  const w = new ProtoWriter()
    .varint(1, m.irVersion)
    .string(2, m.producerName)
    .string(3, m.producerVersion)
    .string(6, m.docString)
    .message(7, g)
    .message(8, new ProtoWriter().string(1, '').varint(2, m.opset));
  for (const [key, value] of Object.entries(m.metadata)) w.message(14, new ProtoWriter().string(1, key).string(2, value));
  return w.finish();
}
