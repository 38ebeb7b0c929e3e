// Minimal protobuf wire-format encoder (the counterpart of protobuf.ts): a message is built field by
// field into byte chunks, nested messages are encoded first and written as length-delimited bytes.
// Hand-written for the few ONNX messages the exporter writes (no schema, no generated code).

const TWO_64 = 2n ** 64n;

/** Builds one message. Fields are written in the order the calls are made. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private rawVarint(v: bigint): void {
    const out: number[] = [];
    let x = v < 0n ? v + TWO_64 : v;
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      out.push(byte);
    } while (x !== 0n);
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wire: number): void {
    this.rawVarint(BigInt(field * 8 + wire));
  }

  /** A varint field (int32, int64, enum, bool): negative values as 10-byte two's complement. */
  varint(field: number, v: number | bigint): this {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`varint field ${field}: ${v} is not an integer`);
    this.key(field, 0);
    this.rawVarint(BigInt(v));
    return this;
  }

  /** A 32-bit float field (wire type 5, little-endian). */
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  /** A length-delimited bytes field. */
  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.rawVarint(BigInt(b.length));
    this.push(b);
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** A nested message field. */
  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** A packed repeated varint field (e.g. repeated int64); nothing is written for an empty list. */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    if (!values.length) return this;
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(BigInt(v));
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field; nothing is written for an empty list. */
  packedFloats(field: number, values: readonly number[]): this {
    if (!values.length) return this;
    const b = new Uint8Array(values.length * 4);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, b);
  }

  /** The encoded message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
