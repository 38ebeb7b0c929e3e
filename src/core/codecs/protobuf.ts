// Minimal protobuf wire-format decoder: walks the fields of a message without a schema.
// Hand-written because we decode three small messages (Event, Summary, TensorProto) and a
// protobuf runtime would need generated code or .proto parsing for that.

/** Wire types of the protobuf encoding. */
export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  StartGroup = 3,
  EndGroup = 4,
  Fixed32 = 5,
}

/** A malformed or truncated message; `offset` is relative to the start of the decoded buffer. */
export class ProtoError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ProtoError';
  }
}

const TWO_63 = 2n ** 63n;
const TWO_64 = 2n ** 64n;

/**
 * Cursor over the fields of one message in `buf[start, end)`: call `next()` to read a field key,
 * then exactly one of the value readers (`varint`, `double`, `float`, `bytes`...) or `skip()`.
 */
export class ProtoReader {
  /** Current byte position in `buf`. */
  pos: number;
  /** Field number of the current field (after `next()`). */
  field = 0;
  /** Wire type of the current field (after `next()`). */
  wire: number = WireType.Varint;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
    view?: DataView,
  ) {
    if (start < 0 || end > buf.length || start > end) throw new ProtoError('message bounds outside the buffer', start);
    this.pos = start;
    this.view = view ?? new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Reads the next field key; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const at = this.pos;
    const key = this.varint();
    this.field = Math.floor(key / 8);
    this.wire = key % 8;
    if (this.field === 0) throw new ProtoError('field number 0', at);
    return true;
  }

  /** An unsigned varint as a number (exact up to 2^53). */
  varint(): number {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoError('truncated varint', start);
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new ProtoError('varint longer than 10 bytes', start);
  }

  /** A varint read as a two's-complement int64 (exact up to ±2^53). */
  int64(): number {
    const start = this.pos;
    const v = this.varint();
    if (v < 2 ** 53) return v;
    let big = 0n;
    let shift = 0n;
    for (let p = start; p < this.pos; p++, shift += 7n) big |= BigInt(this.buf[p] & 0x7f) << shift;
    big &= TWO_64 - 1n;
    return Number(big >= TWO_63 ? big - TWO_64 : big);
  }

  /** A fixed64 field as a little-endian double. */
  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos + this.buf.byteOffset - this.view.byteOffset, true);
    this.pos += 8;
    return v;
  }

  /** A fixed32 field as a little-endian float. */
  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos + this.buf.byteOffset - this.view.byteOffset, true);
    this.pos += 4;
    return v;
  }

  /** A length-delimited field: its bytes (a view into `buf`, not a copy). */
  bytes(): Uint8Array {
    const s = this.delimited();
    return this.buf.subarray(s, this.pos);
  }

  /** A length-delimited field: its `[start, end)` in `buf`. */
  span(): [number, number] {
    const s = this.delimited();
    return [s, this.pos];
  }

  // Reads a length and moves past the bytes it covers; returns their start (their end is `pos`).
  private delimited(): number {
    const at = this.pos;
    const n = this.varint();
    if (n > this.end - this.pos) throw new ProtoError(`length ${n} runs past the end of the message`, at);
    const s = this.pos;
    this.pos += n;
    return s;
  }

  /** A length-delimited field decoded as UTF-8. */
  string(): string {
    const s = this.delimited();
    const e = this.pos;
    // short ASCII strings (tags, plugin names) skip the TextDecoder call, which dominates otherwise
    if (e - s <= 64) {
      let out = '';
      for (let i = s; i < e; i++) {
        const c = this.buf[i];
        if (c >= 0x80) return utf8.decode(this.buf.subarray(s, e));
        out += String.fromCharCode(c);
      }
      return out;
    }
    return utf8.decode(this.buf.subarray(s, e));
  }

  /** Whether the current length-delimited field holds exactly the ASCII bytes of `text`. */
  equalsAscii(text: string): boolean {
    const s = this.delimited();
    const e = this.pos;
    if (e - s !== text.length) return false;
    for (let i = 0; i < text.length; i++) if (this.buf[s + i] !== text.charCodeAt(i)) return false;
    return true;
  }

  /** A reader over the embedded message in the current length-delimited field. */
  message(): ProtoReader {
    const s = this.delimited();
    return new ProtoReader(this.buf, s, this.pos, this.view);
  }

  /** Skips the current field's value. */
  skip(): void {
    switch (this.wire) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.LengthDelimited:
        this.delimited();
        return;
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new ProtoError(`unsupported wire type ${this.wire}`, this.pos);
    }
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new ProtoError(`truncated ${n}-byte field`, this.pos);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
