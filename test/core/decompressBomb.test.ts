// 1 GiB decompression bombs in every compression joblib writes are refused quickly (issue 18):
// zlib / gzip / lz4 built here in memory (a deflate stream of 1 MiB zero blocks repeated after a
// sync flush; lz4 frames declaring their size), bz2 / lzma / xz made by
// test/fixtures/bombs/make_bombs.py. Time is measured as CPU time (the test machine is shared).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Deflate, inflateSync } from 'fflate';
import { decompress, type Compression } from '../../src/core/codecs/decompress';
import { loadPickleBytes } from '../../src/core/formats/pickle/joblib';

const GIB = 1 << 30;

let partLens = { first: 0, again: 0, end: 0 };

/** Raw deflate of 1 GiB of zeros: a first 1 MiB part, then one 1 MiB part repeated (byte aligned by sync flushes). */
function deflateBomb(): Uint8Array {
  const parts: Uint8Array[] = [];
  const d = new Deflate({ level: 9 }, (c) => parts.push(c));
  const mib = new Uint8Array(1 << 20);
  d.push(mib);
  d.flush(true);
  const first = concat(parts.splice(0));
  d.push(mib);
  d.flush(true);
  const again = concat(parts.splice(0));
  d.push(new Uint8Array(0), true);
  const end = concat(parts.splice(0));
  partLens = { first: first.length, again: again.length, end: end.length };
  return concat([first, ...Array<Uint8Array>(1023).fill(again), end]);
}

function concat(xs: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(xs.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const x of xs) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

function le32(n: number): Uint8Array {
  return Uint8Array.of(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255);
}

const body = deflateBomb();
// zlib: header 78 da, adler32 of 1 GiB of zeros (a = 1, b = 2^30 mod 65521), big-endian
const adlerB = GIB % 65521;
const zlibBomb = concat([Uint8Array.of(0x78, 0xda), body, Uint8Array.of(adlerB >>> 8, adlerB & 255, 0, 1)]);
// gzip: header, body, CRC (not checked before the cap), ISIZE = 2^30; and one lying ISIZE = 0
const gzipHead = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255);
const gzipBomb = concat([gzipHead, body, le32(0), le32(GIB)]);
const gzipLying = concat([gzipHead, body, le32(0), le32(0)]);

/** lz4 frame of 1 GiB zeros: 256 blocks of 4 MiB, each one literal zero then one long match. */
function lz4Bomb(declare: boolean): Uint8Array {
  const block = 4 << 20;
  const matchLen = block - 1 - 5; // the last 5 bytes must be literals
  const ext: number[] = [];
  let rest = matchLen - 4 - 15;
  while (rest >= 255) {
    ext.push(255);
    rest -= 255;
  }
  ext.push(rest);
  // token: 1 literal, match length 15+; literal 0; offset 1; lengths; then 5 literal zeros
  const seq = Uint8Array.from([0x1f, 0, 1, 0, ...ext, 0x50, 0, 0, 0, 0, 0]);
  const flg = 0x40 | 0x20 | (declare ? 0x08 : 0);
  const head = [0x04, 0x22, 0x4d, 0x18, flg, 0x70, ...(declare ? [0, 0, 0, 0x40, 0, 0, 0, 0] : []), 0];
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < 256; i++) blocks.push(le32(seq.length), seq);
  return concat([Uint8Array.from(head), ...blocks, le32(0)]);
}

function refusedQuickly(input: Uint8Array, kind: Compression): { ms: number; message: string } {
  const c0 = process.cpuUsage();
  let message = '';
  try {
    decompress(input, kind, `bomb.${kind}`);
  } catch (e) {
    message = (e as Error).message;
    assert.equal((e as { code?: string }).code, 'decompression-bomb', message);
  }
  const c = process.cpuUsage(c0);
  assert.ok(message, `${kind}: refused`);
  return { ms: (c.user + c.system) / 1000, message };
}

describe('1 GiB decompression bombs', () => {
  const cases: [string, Uint8Array, Compression][] = [
    ['zlib', zlibBomb, 'zlib'],
    ['gzip (ISIZE says 1 GiB)', gzipBomb, 'gzip'],
    ['gzip (ISIZE lies: 0)', gzipLying, 'gzip'],
    ['lz4 (content size declared)', lz4Bomb(true), 'lz4'],
    ['bz2', readFileSync('test/fixtures/bombs/zeros_1gib.bz2'), 'bz2'],
    ['lzma', readFileSync('test/fixtures/bombs/zeros_1gib.lzma'), 'lzma'],
    ['xz', readFileSync('test/fixtures/bombs/zeros_1gib.xz'), 'xz'],
  ];
  for (const [name, input, kind] of cases) {
    it(`${name}: ${input.length} bytes refused in under a second of CPU`, () => {
      const { ms, message } = refusedQuickly(input, kind);
      assert.match(message, new RegExp(`^bomb\\.${kind}: `));
      assert.ok(ms < 1000, `${name}: ${ms.toFixed(0)} ms`);
    });
  }
  it('the bombs are what they say: the same parts with 3 repeats inflate to 4 MiB of zeros', () => {
    const small = concat([body.subarray(0, partLens.first + 3 * partLens.again), body.subarray(body.length - partLens.end)]);
    const z = inflateSync(small);
    assert.equal(z.length, 4 << 20);
    assert.ok(z.every((x) => x === 0));
    assert.equal(body.length, partLens.first + 1023 * partLens.again + partLens.end);
  });
  it('a joblib file that is a gzip bomb is refused by the pickle loader with the file named', () => {
    const c0 = process.cpuUsage();
    const r = loadPickleBytes(gzipLying, { path: 'scaler.joblib' });
    const c = process.cpuUsage(c0);
    assert.equal(r.error?.code, 'decompression-bomb');
    assert.match(r.error!.message, /^scaler\.joblib: output exceeds the cap/);
    assert.ok((c.user + c.system) / 1000 < 1000);
  });
});
