// Decompression of joblib containers, every output capped against bombs (min(256 MiB, 100x input)).
// Libraries, and why:
// - zlib / gzip: fflate (already a dependency; pure JS, fast, streaming so output is counted chunk by chunk).
// - bz2: seek-bzip (pure JS, the most used sync bzip2 decoder on npm; we feed it a byte-writer that stops at the cap).
// - lz4 frame: lz4js (pure JS, sync); we walk the frame's block headers ourselves first so that no block
//   length can point past the input, and check the output length after every block.
// - lzma-alone and xz: hand-written LZMA/LZMA2 decoder below (after the public LZMA specification,
//   LzmaSpec.cpp): npm has no maintained pure-JS *synchronous* xz decoder (xz-decompress is async WASM,
//   xz-compat installs modules at run time, LZMA-JS has no xz and no output cap), and ours stops at the cap.
// Size: five decompressors with the same cap and error contract; each is short, kept together so the
// bomb limits are seen side by side.
import { Gunzip, Unzlib } from 'fflate';
import { decompressBlock } from 'lz4js';
// @ts-expect-error seek-bzip ships no type declarations; the one function used is typed by BunzipApi below.
import * as seekBzip from 'seek-bzip';
import { ReadError } from '../io/errors';

/** The compressions joblib writes, found by magic bytes. */
export type Compression = 'zlib' | 'gzip' | 'bz2' | 'lzma' | 'xz' | 'lz4';

/** Largest output ever produced (256 MiB). */
export const MAX_DECOMPRESSED = 256 * 1024 * 1024;

/** Output cap for an input of `n` bytes: min(256 MiB, 100x input). */
export function decompressCap(n: number): number {
  return Math.min(MAX_DECOMPRESSED, n * 100);
}

/** Growable output buffer that refuses to pass the cap. */
class Out {
  buf: Uint8Array;
  len = 0;
  constructor(
    readonly cap: number,
    initial: number,
    private readonly what: string,
  ) {
    this.buf = new Uint8Array(Math.max(64, Math.min(initial, cap)));
  }
  /** Makes room for `need` bytes in total (throws past the cap). */
  ensure(need: number): void {
    if (need > this.buf.length) this.grow(need);
  }
  private grow(need: number): void {
    if (need > this.cap)
      throw new ReadError('decompression-bomb', `${this.what}: output exceeds the cap of ${this.cap} bytes (min(256 MiB, 100x the compressed size))`);
    let n = this.buf.length;
    while (n < need) n *= 2;
    const b = new Uint8Array(Math.min(n, this.cap));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  push(chunk: Uint8Array): void {
    if (this.len + chunk.length > this.buf.length) this.grow(this.len + chunk.length);
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }
  byte(b: number): void {
    if (this.len >= this.buf.length) this.grow(this.len + 1);
    this.buf[this.len++] = b;
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function flate(input: Uint8Array, kind: 'zlib' | 'gzip', what: string): Uint8Array {
  const cap = decompressCap(input.length);
  if (kind === 'gzip' && input.length >= 18) {
    // ISIZE (the last member's size mod 2^32): a bomb that says so is refused before inflating.
    const n = input.length;
    const isize = (input[n - 4] | (input[n - 3] << 8) | (input[n - 2] << 16)) + input[n - 1] * 0x1000000;
    if (isize > cap)
      throw new ReadError('decompression-bomb', `${what}: declared size ${isize} exceeds the cap of ${cap} bytes (min(256 MiB, 100x the compressed size))`);
  }
  // fflate hands out fresh chunks: they are kept and joined once at the end (no regrowing copies,
  // so a bomb is refused after inflating to the cap and nothing more). Past KEEP_CHUNK_BYTES the
  // chunks are only counted, and a second pass inflates into one buffer of the size now known:
  // twice the CPU for large outputs, but never the chunks and the joined copy at once (issue 18).
  const chunks: Uint8Array[] = [];
  let total = 0;
  let counting = false;
  inflatePass(input, kind, what, (chunk) => {
    total += chunk.length;
    if (total > cap) throw new ReadError('decompression-bomb', `${what}: output exceeds the cap of ${cap} bytes (min(256 MiB, 100x the compressed size))`);
    if (counting || !chunk.length) return;
    chunks.push(chunk);
    if (total > KEEP_CHUNK_BYTES) {
      counting = true;
      chunks.length = 0;
    }
  });
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let o = 0;
  const put = (c: Uint8Array): void => {
    if (o + c.length > total) throw new ReadError('decompression-failed', `${what}: ${kind} data inflated differently the second time`);
    out.set(c, o);
    o += c.length;
  };
  if (counting) inflatePass(input, kind, what, put);
  else for (const c of chunks.splice(0)) put(c);
  return out;
}

/** Output held as chunks before flate() switches to counting and a second pass. */
const KEEP_CHUNK_BYTES = 32 * 1024 * 1024;

/** One inflate of the whole input, chunks handed to `onChunk`; throws ReadErrors for bad or cut data. */
function inflatePass(input: Uint8Array, kind: 'zlib' | 'gzip', what: string, onChunk: (chunk: Uint8Array) => void): void {
  let ended = false;
  const onData = (chunk: Uint8Array, final: boolean): void => {
    onChunk(chunk);
    if (final) ended = true;
  };
  const stream = kind === 'zlib' ? new Unzlib(onData) : new Gunzip(onData);
  try {
    // 16 KiB input chunks keep each burst of output (deflate: at most ~1032x, so ~16 MiB) bounded
    // before the cap check, and are large enough to run at full speed.
    const step = 16384;
    for (let i = 0; i < input.length; i += step) stream.push(input.subarray(i, i + step), i + step >= input.length);
  } catch (e) {
    if (e instanceof ReadError) throw e;
    throw new ReadError('decompression-failed', `${what}: ${kind} data is corrupt (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!ended) throw new ReadError('decompression-failed', `${what}: ${kind} stream is truncated`);
}

interface BunzipApi {
  decode(input: unknown, output: { writeByte(b: number): void }, multistream?: boolean): unknown;
}

function bz2(input: Uint8Array, what: string): Uint8Array {
  const out = new Out(decompressCap(input.length), input.length * 4, what);
  const api = ((seekBzip as { default?: BunzipApi }).default ?? seekBzip) as BunzipApi;
  let pos = 0;
  const inStream = {
    readByte(): number {
      if (pos >= input.length) throw new ReadError('decompression-failed', `${what}: bz2 stream is truncated`);
      return input[pos++];
    },
    read(buf: Uint8Array, off: number, len: number): number {
      const n = Math.min(len, input.length - pos);
      if (n <= 0) return -1;
      buf.set(input.subarray(pos, pos + n), off);
      pos += n;
      return n;
    },
    seek(p: number): void {
      pos = p;
    },
    eof(): boolean {
      return pos >= input.length;
    },
  };
  try {
    api.decode(inStream, { writeByte: (b: number) => out.byte(b) }, true);
  } catch (e) {
    if (e instanceof ReadError) throw e;
    throw new ReadError('decompression-failed', `${what}: bz2 data is corrupt (${e instanceof Error ? e.message : String(e)})`);
  }
  return out.result();
}

function lz4(input: Uint8Array, what: string): Uint8Array {
  const bad = (m: string): never => {
    throw new ReadError('decompression-failed', `${what}: lz4 frame ${m}`);
  };
  const u32 = (p: number): number => {
    if (p + 4 > input.length) bad(`is truncated at offset ${p}`);
    return (input[p] | (input[p + 1] << 8) | (input[p + 2] << 16)) + input[p + 3] * 0x1000000;
  };
  if (u32(0) !== 0x184d2204) bad('has a bad magic number');
  if (input.length < 7) bad('header is truncated');
  const flg = input[4];
  const bd = input[5];
  if ((flg & 0xc0) !== 0x40) bad('has an unsupported version');
  if (flg & 0x01) bad('uses a dictionary id (not supported)');
  const blockMax = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20][(bd >> 4) & 7];
  if (!blockMax) bad('has an invalid block size');
  const blockSum = (flg & 0x10) !== 0;
  const contentSum = (flg & 0x04) !== 0;
  if (flg & 0x08) {
    // content size: a bomb that declares its size is refused before decoding
    let size = 0;
    for (let i = 13; i >= 6; i--) size = size * 256 + (input[i] ?? 0);
    const cap = decompressCap(input.length);
    if (size > cap) throw new ReadError('decompression-bomb', `${what}: declared size ${size} exceeds the cap of ${cap} bytes`);
  }
  let p = 6 + (flg & 0x08 ? 8 : 0) + 1;
  // Walk the block headers first: every block must lie inside the input.
  const blocks: { start: number; size: number; raw: boolean }[] = [];
  for (;;) {
    const word = u32(p);
    p += 4;
    if (word === 0) break;
    const raw = word >= 0x80000000;
    const size = raw ? word - 0x80000000 : word;
    if (size > blockMax) bad(`block at offset ${p - 4} is larger than the frame's block size`);
    if (p + size + (blockSum ? 4 : 0) > input.length) bad(`block at offset ${p - 4} runs past the end`);
    blocks.push({ start: p, size, raw });
    p += size + (blockSum ? 4 : 0);
  }
  if (contentSum) p += 4;
  if (p > input.length) bad('content checksum is truncated');
  const cap = decompressCap(input.length);
  let bound = 0;
  for (const b of blocks) bound += b.raw ? b.size : blockMax;
  const dst = new Uint8Array(Math.min(bound, cap));
  let d = 0;
  for (const b of blocks) {
    const before = d;
    if (b.raw) {
      if (d + b.size > dst.length) throw new ReadError('decompression-bomb', `${what}: output exceeds the cap of ${cap} bytes`);
      dst.set(input.subarray(b.start, b.start + b.size), d);
      d += b.size;
    } else {
      d = decompressBlock(input, dst, b.start, b.size, d);
      if (d - before > blockMax) bad(`block at offset ${b.start - 4} decodes to more than its block size`);
      if (d > dst.length) throw new ReadError('decompression-bomb', `${what}: output exceeds the cap of ${cap} bytes`);
    }
  }
  return dst.subarray(0, d);
}

// ---- LZMA / LZMA2 (after LzmaSpec.cpp) -------------------------------------------------------

class RangeDecoder {
  range = 0xffffffff;
  code = 0;
  constructor(
    private readonly input: Uint8Array,
    public pos: number,
    private readonly end: number,
    private readonly what: string,
  ) {
    if (this.next() !== 0) this.corrupt();
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | this.next()) >>> 0;
    if (this.code === this.range) this.corrupt();
  }
  corrupt(): never {
    throw new ReadError('decompression-failed', `${this.what}: LZMA data is corrupt near offset ${this.pos}`);
  }
  private next(): number {
    if (this.pos >= this.end) throw new ReadError('decompression-failed', `${this.what}: LZMA data is truncated at offset ${this.pos}`);
    return this.input[this.pos++];
  }
  private normalize(): void {
    if (this.range < 0x1000000) {
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.next()) >>> 0;
    }
  }
  bit(probs: Uint16Array, i: number): number {
    const p = probs[i];
    let range = this.range;
    let code = this.code;
    const bound = (range >>> 11) * p;
    let r: number;
    if (code < bound) {
      range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      r = 0;
    } else {
      range = (range - bound) >>> 0;
      code = (code - bound) >>> 0;
      probs[i] = p - (p >>> 5);
      r = 1;
    }
    if (range < 0x1000000) {
      if (this.pos >= this.end) this.next();
      range = (range << 8) >>> 0;
      code = ((code << 8) | this.input[this.pos++]) >>> 0;
    }
    this.range = range;
    this.code = code;
    return r;
  }
  direct(n: number): number {
    let res = 0;
    for (; n > 0; n--) {
      this.range >>>= 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code = (this.code - this.range) >>> 0;
        b = 1;
      }
      res = res * 2 + b;
      this.normalize();
    }
    return res;
  }
  finishedOk(): boolean {
    return this.code === 0;
  }
}

function bitTree(rc: RangeDecoder, probs: Uint16Array, base: number, bits: number): number {
  let m = 1;
  for (let i = 0; i < bits; i++) m = (m << 1) + rc.bit(probs, base + m);
  return m - (1 << bits);
}

function bitTreeReverse(rc: RangeDecoder, probs: Uint16Array, base: number, bits: number): number {
  let m = 1;
  let sym = 0;
  for (let i = 0; i < bits; i++) {
    const b = rc.bit(probs, base + m);
    m = (m << 1) + b;
    sym |= b << i;
  }
  return sym;
}

/** LZMA decoder state shared by LZMA1 (.lzma alone) and LZMA2 chunks. */
class Lzma {
  lc = 0;
  lp = 0;
  pb = 0;
  lit = new Uint16Array(0);
  // isMatch 192 | isRep 12 | G0 12 | G1 12 | G2 12 | rep0Long 192 | posSlot 4*64 | posDec 115 | align 16 | len 514 | repLen 514
  probs = new Uint16Array(192 + 48 + 192 + 256 + 115 + 16 + 514 * 2);
  state = 0;
  reps = [0, 0, 0, 0];
  /** Output position where the current dictionary starts (LZMA2 dictionary resets). */
  dictStart = 0;
  constructor(
    readonly out: Out,
    readonly dictSize: number,
  ) {}
  setProps(lc: number, lp: number, pb: number): void {
    this.lc = lc;
    this.lp = lp;
    this.pb = pb;
    this.lit = new Uint16Array(0x300 << (lc + lp));
  }
  reset(): void {
    this.lit.fill(1024);
    this.probs.fill(1024);
    this.state = 0;
    this.reps = [0, 0, 0, 0];
  }
  private len(rc: RangeDecoder, base: number, posState: number): number {
    const p = this.probs;
    if (rc.bit(p, base) === 0) return bitTree(rc, p, base + 2 + posState * 8, 3);
    if (rc.bit(p, base + 1) === 0) return 8 + bitTree(rc, p, base + 2 + 128 + posState * 8, 3);
    return 16 + bitTree(rc, p, base + 2 + 256, 8);
  }
  /** Decodes until `size` bytes (when given) or the end marker; returns true when the marker was seen. */
  decode(rc: RangeDecoder, size: number | null): boolean {
    const P = this.probs;
    const IS_MATCH = 0;
    const IS_REP = 192;
    const G0 = 204;
    const G1 = 216;
    const G2 = 228;
    const REP0_LONG = 240;
    const POS_SLOT = 432;
    const POS_DEC = 688;
    const ALIGN = 803;
    const LEN = 819;
    const REP_LEN = LEN + 514;
    const out = this.out;
    let remaining = size;
    const pbMask = (1 << this.pb) - 1;
    const lpMask = (1 << this.lp) - 1;
    const reps = this.reps;
    const lit = this.lit;
    const lc = this.lc;
    const dictStart = this.dictStart;
    for (;;) {
      if (remaining === 0) return false;
      const total = out.len;
      const posState = total & pbMask;
      const state = this.state;
      if (rc.bit(P, IS_MATCH + (state << 4) + posState) === 0) {
        // Literal.
        const prev = total > dictStart ? out.buf[total - 1] : 0;
        const litBase = 0x300 * (((total & lpMask) << lc) + (prev >> (8 - lc)));
        let sym = 1;
        if (state >= 7) {
          if (reps[0] + 1 > total - dictStart) rc.corrupt();
          let matchByte = out.buf[total - reps[0] - 1];
          do {
            const mb = (matchByte >> 7) & 1;
            matchByte <<= 1;
            const b = rc.bit(lit, litBase + ((1 + mb) << 8) + sym);
            sym = (sym << 1) | b;
            if (mb !== b) break;
          } while (sym < 0x100);
        }
        while (sym < 0x100) sym = (sym << 1) | rc.bit(lit, litBase + sym);
        out.byte(sym - 0x100);
        this.state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        if (remaining !== null) remaining--;
        continue;
      }
      let len: number;
      if (rc.bit(P, IS_REP + state) !== 0) {
        if (total === dictStart) rc.corrupt();
        if (rc.bit(P, G0 + state) === 0) {
          if (rc.bit(P, REP0_LONG + (state << 4) + posState) === 0) {
            this.state = state < 7 ? 9 : 11;
            if (reps[0] + 1 > total - dictStart) rc.corrupt();
            out.byte(out.buf[total - reps[0] - 1]);
            if (remaining !== null) remaining--;
            continue;
          }
        } else {
          let dist: number;
          if (rc.bit(P, G1 + state) === 0) dist = reps[1];
          else {
            if (rc.bit(P, G2 + state) === 0) dist = reps[2];
            else {
              dist = reps[3];
              reps[3] = reps[2];
            }
            reps[2] = reps[1];
          }
          reps[1] = reps[0];
          reps[0] = dist;
        }
        len = this.len(rc, REP_LEN, posState);
        this.state = state < 7 ? 8 : 11;
      } else {
        reps[3] = reps[2];
        reps[2] = reps[1];
        reps[1] = reps[0];
        len = this.len(rc, LEN, posState);
        this.state = state < 7 ? 7 : 10;
        // Distance.
        const lenState = Math.min(len, 3);
        const slot = bitTree(rc, P, POS_SLOT + lenState * 64, 6);
        let dist: number;
        if (slot < 4) dist = slot;
        else {
          const direct = (slot >> 1) - 1;
          dist = (2 | (slot & 1)) * 2 ** direct;
          if (slot < 14) dist += bitTreeReverse(rc, P, POS_DEC + dist - slot, direct);
          else {
            dist += rc.direct(direct - 4) * 16;
            dist += bitTreeReverse(rc, P, ALIGN, 4);
          }
        }
        if (dist === 0xffffffff) {
          if (!rc.finishedOk()) rc.corrupt();
          return true;
        }
        if (remaining === 0) rc.corrupt();
        reps[0] = dist;
      }
      len += 2;
      const d = reps[0] + 1;
      if (d > out.len - dictStart || reps[0] >= this.dictSize) rc.corrupt();
      if (remaining !== null) {
        if (len > remaining) rc.corrupt();
        remaining -= len;
      }
      out.ensure(out.len + len);
      const buf = out.buf;
      let w = out.len;
      for (let k = 0; k < len; k++, w++) buf[w] = buf[w - d];
      out.len = w;
    }
  }
}

function lzmaAlone(input: Uint8Array, what: string): Uint8Array {
  if (input.length < 13) throw new ReadError('decompression-failed', `${what}: .lzma header is truncated`);
  let d = input[0];
  if (d >= 225) throw new ReadError('decompression-failed', `${what}: .lzma properties byte ${d} is invalid`);
  const lc = d % 9;
  d = Math.floor(d / 9);
  const lp = d % 5;
  const pb = Math.floor(d / 5);
  const dict = Math.max(4096, (input[1] | (input[2] << 8) | (input[3] << 16)) + input[4] * 0x1000000);
  let unknown = true;
  let size = 0;
  for (let i = 12; i >= 5; i--) {
    if (input[i] !== 0xff) unknown = false;
    size = size * 256 + input[i];
  }
  const cap = decompressCap(input.length);
  if (!unknown && size > cap) throw new ReadError('decompression-bomb', `${what}: declared size ${size} exceeds the cap of ${cap} bytes`);
  const out = new Out(cap, unknown ? input.length * 4 : size, what);
  const lz = new Lzma(out, dict);
  lz.setProps(lc, lp, pb);
  lz.reset();
  const rc = new RangeDecoder(input, 13, input.length, what);
  const marker = lz.decode(rc, unknown ? null : size);
  if (unknown && !marker) throw new ReadError('decompression-failed', `${what}: .lzma stream has no end marker`);
  return out.result();
}

/** Decodes LZMA2 chunks from `p`; returns the offset after the end chunk. */
function lzma2(input: Uint8Array, p: number, end: number, dictSize: number, out: Out, what: string): number {
  const bad = (m: string): never => {
    throw new ReadError('decompression-failed', `${what}: LZMA2 ${m} at offset ${p}`);
  };
  const lz = new Lzma(out, dictSize);
  let needDict = true;
  let needProps = true;
  for (;;) {
    if (p >= end) bad('data is truncated');
    const c = input[p++];
    if (c === 0) return p;
    if (c === 1 || c === 2) {
      if (p + 2 > end) bad('chunk header is truncated');
      const n = ((input[p] << 8) | input[p + 1]) + 1;
      p += 2;
      if (c === 1) {
        lz.dictStart = out.len;
        needDict = false;
      } else if (needDict) bad('chunk needs a dictionary reset first');
      if (p + n > end) bad('uncompressed chunk runs past the end');
      out.push(input.subarray(p, p + n));
      p += n;
      continue;
    }
    if (c < 0x80) bad(`control byte 0x${c.toString(16)} is invalid`);
    if (p + 4 > end) bad('chunk header is truncated');
    const usize = (c & 0x1f) * 65536 + ((input[p] << 8) | input[p + 1]) + 1;
    const psize = ((input[p + 2] << 8) | input[p + 3]) + 1;
    p += 4;
    const mode = (c >> 5) & 3;
    if (mode === 3) {
      lz.dictStart = out.len;
      needDict = false;
    } else if (needDict) bad('chunk needs a dictionary reset first');
    if (mode >= 2) {
      if (p >= end) bad('properties are truncated');
      let d = input[p++];
      if (d >= 225) bad('properties byte is invalid');
      const lc = d % 9;
      d = Math.floor(d / 9);
      const lp = d % 5;
      const pb = Math.floor(d / 5);
      if (lc + lp > 4) bad('properties exceed lc+lp<=4');
      lz.setProps(lc, lp, pb);
      needProps = false;
    } else if (needProps) bad('chunk needs properties first');
    if (mode >= 1) lz.reset();
    if (p + psize > end) bad('compressed chunk runs past the end');
    const rc = new RangeDecoder(input, p, p + psize, what);
    lz.decode(rc, usize);
    if (rc.pos > p + psize) bad('chunk overran its packed size');
    p += psize;
  }
}

function xz(input: Uint8Array, what: string): Uint8Array {
  const bad = (m: string): never => {
    throw new ReadError('decompression-failed', `${what}: xz ${m}`);
  };
  if (input.length < 12) bad('stream header is truncated');
  const flags = input[7];
  if (input[6] !== 0 || flags > 0x0f) bad('stream flags are not supported');
  const checkSize = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64][flags];
  const out = new Out(decompressCap(input.length), input.length * 4, what);
  let p = 12;
  const vli = (): number => {
    let v = 0;
    for (let i = 0; i < 9; i++) {
      if (p >= input.length) bad('header is truncated');
      const b = input[p++];
      v += (b & 0x7f) * 2 ** (7 * i);
      if (!(b & 0x80)) return v;
    }
    return bad('integer is too long');
  };
  for (;;) {
    if (p >= input.length) bad('stream is truncated (no index)');
    const hs = input[p];
    if (hs === 0) break; // index: all blocks read
    const blockStart = p;
    const headerEnd = p + (hs + 1) * 4;
    if (headerEnd > input.length) bad(`block header at offset ${p} is truncated`);
    p++;
    const bflags = input[p++];
    if (bflags & 0x3c) bad(`block header at offset ${blockStart} has reserved flags`);
    if (bflags & 0x40) vli();
    if (bflags & 0x80) vli();
    const nFilters = (bflags & 3) + 1;
    let dictSize = 0;
    for (let f = 0; f < nFilters; f++) {
      const id = vli();
      const propSize = vli();
      if (id !== 0x21 || f !== nFilters - 1 || propSize !== 1) bad(`block at offset ${blockStart} uses a filter other than LZMA2 (id 0x${id.toString(16)})`);
      const b = input[p++];
      if (b > 40) bad('dictionary size is invalid');
      dictSize = b === 40 ? 0xffffffff : (2 | (b & 1)) * 2 ** ((b >> 1) + 11);
    }
    if (p > headerEnd - 4) bad(`block header at offset ${blockStart} is too short`);
    p = headerEnd;
    p = lzma2(input, p, input.length, dictSize, out, what);
    while ((p - blockStart) % 4) {
      if (input[p] !== 0) bad(`block padding at offset ${p} is not zero`);
      p++;
    }
    p += checkSize;
    if (p > input.length) bad('block check is truncated');
  }
  return out.result();
}

/** Compression of a container by its first bytes (joblib's own order of checks), or null. */
export function sniffCompression(head: Uint8Array): Compression | null {
  const at = (i: number, ...bs: number[]): boolean => bs.every((b, k) => head[i + k] === b);
  if (head.length >= 2 && head[0] === 0x78 && ((head[0] << 8) | head[1]) % 31 === 0) return 'zlib';
  if (at(0, 0x1f, 0x8b)) return 'gzip';
  if (at(0, 0x42, 0x5a, 0x68)) return 'bz2';
  if (at(0, 0x5d, 0x00)) return 'lzma';
  if (at(0, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  if (at(0, 0x04, 0x22, 0x4d, 0x18)) return 'lz4';
  return null;
}

/** Decompresses `input` of the given compression; output capped at decompressCap(input.length). */
export function decompress(input: Uint8Array, kind: Compression, what = '<data>'): Uint8Array {
  switch (kind) {
    case 'zlib':
    case 'gzip':
      return flate(input, kind, what);
    case 'bz2':
      return bz2(input, what);
    case 'lz4':
      return lz4(input, what);
    case 'lzma':
      return lzmaAlone(input, what);
    case 'xz':
      return xz(input, what);
  }
}
