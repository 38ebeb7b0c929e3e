// A small builder for ONNX graphs: unique value names, constant initializers, nodes.
import { DataType, type DataTypeCode, type OnnxAttr, type OnnxNode, type OnnxTensor } from './onnxModel';

/** A value flowing through the graph with its static shape (null = unknown, e.g. the batch). */
export interface Value {
  name: string;
  shape: (number | null)[];
}

type AttrValue = number | string | number[] | string[] | { float: number } | { floats: number[] };

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();

  /** A fresh value name derived from `base` (letters, digits, `_`, `.`, `/`, `:` kept). */
  fresh(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 'v';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves a name (graph inputs) so no node output takes it. */
  reserve(name: string): void {
    if (this.used.has(name)) throw new Error(`duplicate graph value name '${name}'`);
    this.used.add(name);
  }

  constant(base: string, dims: number[], values: ArrayLike<number>, dataType: DataTypeCode = DataType.FLOAT): string {
    const name = this.fresh(base);
    let v: OnnxTensor['values'];
    if (dataType === DataType.FLOAT) v = Float32Array.from(values);
    else if (dataType === DataType.DOUBLE) v = Float64Array.from(values);
    else if (dataType === DataType.INT64) v = BigInt64Array.from(Array.from(values), (x) => BigInt(x));
    else if (dataType === DataType.INT32) v = Int32Array.from(values);
    else v = Uint8Array.from(values);
    const n = dims.reduce((a, d) => a * d, 1);
    if (v.length !== n) throw new Error(`constant ${name}: ${v.length} values for shape [${dims}]`);
    this.initializers.push({ name, dataType, dims, values: v });
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, indices). */
  ints(base: string, values: number[]): string {
    return this.constant(base, [values.length], values, DataType.INT64);
  }

  /** Adds a node; returns its output names (`outputs` of them, named after `base`). */
  node(opType: string, inputs: string[], base: string, attrs: Record<string, AttrValue> = {}, outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? base : `${base}_${i}`));
    const list: OnnxAttr[] = [];
    for (const [name, v] of Object.entries(attrs)) {
      if (typeof v === 'number') list.push({ name, kind: 'int', value: v });
      else if (typeof v === 'string') list.push({ name, kind: 'string', value: v });
      else if (Array.isArray(v)) {
        if (v.every((x) => typeof x === 'string')) list.push({ name, kind: 'strings', value: v as string[] });
        else list.push({ name, kind: 'ints', value: v as number[] });
      } else if ('float' in v) list.push({ name, kind: 'float', value: v.float });
      else list.push({ name, kind: 'floats', value: v.floats });
    }
    this.nodes.push({ opType, inputs, outputs: outs, name: this.fresh(`${base}/${opType}`), attrs: list });
    return outs;
  }

  /** A node with one output. */
  op(opType: string, inputs: string[], base: string, attrs: Record<string, AttrValue> = {}): string {
    return this.node(opType, inputs, base, attrs, 1)[0];
  }
}
