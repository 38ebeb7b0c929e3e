// Minimal protobuf wire-format encoder (the counterpart of protobuf.ts): builds a message field by
// field into growing chunks. Used to write small ONNX models in memory (predict/onnxDense.ts).

const utf8 = new TextEncoder();

/** Builds one message; nest with `message(field, w)`. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private rawVarint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint ${n} is not a non-negative safe integer`);
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  /** A varint field (non-negative). */
  varint(field: number, value: number): this {
    this.key(field, 0);
    this.rawVarint(value);
    return this;
  }

  /** A length-delimited field holding these bytes. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.rawVarint(value.length);
    this.push(value);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A fixed32 float field. */
  float(field: number, value: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  /** A packed repeated varint field (non-negative values). */
  packedVarints(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(v);
    return this.bytes(field, inner.finish());
  }

  /** An embedded message field. */
  message(field: number, w: ProtoWriter): this {
    return this.bytes(field, w.finish());
  }

  /** The encoded message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}
