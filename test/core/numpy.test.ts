// numpy pieces: dtype specs, arrays from raw bytes (byte order, Fortran order, int64 beyond 2^53,
// half floats, fixed-width strings) and the .npy header; expectations worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPickleBytes } from '../../src/core/formats/pickle/joblib';
import { MAX_BOXED_ELEMENTS, arrayFromBytes, dtypeStr, parseDTypeSpec, parseNpyHeader, scalarFromBytes } from '../../src/core/formats/pickle/numpy';
import { NdArray } from '../../src/core/formats/pickle/pyValue';

const dt = (s: string) => {
  const d = parseDTypeSpec(s);
  assert.ok(d, s);
  return d;
};

test('dtype specs: sizes, byte order, kinds; structured and void refused', () => {
  assert.deepEqual(dt('f8'), { kind: 'f', itemsize: 8, byteorder: '<', str: 'f8' });
  assert.deepEqual(dt('>i4'), { kind: 'i', itemsize: 4, byteorder: '>', str: 'i4' });
  assert.deepEqual(dt('|O'), { kind: 'O', itemsize: 8, byteorder: '|', str: 'O8' });
  assert.equal(dt('U3').itemsize, 12);
  assert.equal(dt('|S5').itemsize, 5);
  assert.equal(dt('u1').byteorder, '|');
  assert.equal(dtypeStr(dt('<U3')), '<U3');
  assert.equal(dtypeStr(dt('O8')), '|O');
  for (const bad of ['U0', 'S0', 'V8', 'f16', "[('a','<f8')]", 'M8[ns]', 'x', '']) assert.equal(parseDTypeSpec(bad), null, bad);
});

test('float64 little- and big-endian, unaligned input copied, aligned input viewed', () => {
  const le = new Uint8Array(new Float64Array([1.5, -2]).buffer);
  const a = arrayFromBytes(dt('<f8'), [2], le, false, 'x');
  assert.deepEqual(Array.from(a.data as Float64Array), [1.5, -2]);
  assert.equal((a.data as Float64Array).buffer, le.buffer, 'aligned little-endian data is a view');
  const un = new Uint8Array(17);
  un.set(le, 1);
  assert.deepEqual(Array.from(arrayFromBytes(dt('<f8'), [2], un.subarray(1), false, 'x').data as Float64Array), [1.5, -2]);
  // 1.5 big-endian = 3f f8 00 00 00 00 00 00
  const be = Uint8Array.of(0x3f, 0xf8, 0, 0, 0, 0, 0, 0);
  assert.deepEqual(Array.from(arrayFromBytes(dt('>f8'), [1], be, false, 'x').data as Float64Array), [1.5]);
});

test('int64 within 2^53 as numbers, beyond as BigInt; uint8, bool, half, complex', () => {
  const b = new Uint8Array(new BigInt64Array([5n, -(2n ** 60n)]).buffer);
  assert.deepEqual(arrayFromBytes(dt('<i8'), [2], b, false, 'x').data, [5, -(2n ** 60n)]);
  assert.deepEqual(Array.from(arrayFromBytes(dt('u1'), [3], Uint8Array.of(0, 7, 255), false, 'x').data as Uint8Array), [0, 7, 255]);
  assert.deepEqual(arrayFromBytes(dt('b1'), [2], Uint8Array.of(0, 1), false, 'x').data, [false, true]);
  // half: 0x3c00 = 1, 0xc000 = -2, 0x7c00 = inf
  const h = arrayFromBytes(dt('<f2'), [3], Uint8Array.of(0x00, 0x3c, 0x00, 0xc0, 0x00, 0x7c), false, 'x');
  assert.deepEqual(Array.from(h.data as Float32Array), [1, -2, Infinity]);
  const c = arrayFromBytes(dt('<c16'), [1], new Uint8Array(new Float64Array([1, -1]).buffer), false, 'x');
  assert.deepEqual(c.data, [[1, -1]]);
});

test('fixed-width strings: U (UTF-32, NUL padded) and S (latin-1)', () => {
  const u = new Uint8Array(new Uint32Array([0x63, 0x61, 0x74, 0x1f600, 0, 0]).buffer);
  assert.deepEqual(arrayFromBytes(dt('<U3'), [2], u, false, 'x').data, ['cat', '😀']);
  assert.deepEqual(arrayFromBytes(dt('S2'), [2], Uint8Array.of(0x61, 0, 0xe9, 0x62), false, 'x').data, ['a', 'éb']);
});

test('Fortran order is converted to C order (2-D and 3-D)', () => {
  // A = [[0,1,2],[3,4,5]] in Fortran order is 0,3,1,4,2,5.
  const f = new Uint8Array(new Float64Array([0, 3, 1, 4, 2, 5]).buffer);
  assert.deepEqual(Array.from(arrayFromBytes(dt('f8'), [2, 3], f, true, 'x').data as Float64Array), [0, 1, 2, 3, 4, 5]);
  // B[i][j][k] = 100i + 10j + k, shape (2,2,2); Fortran order walks i fastest, then j, then k.
  const fo: number[] = [];
  for (let k = 0; k < 2; k++) for (let j = 0; j < 2; j++) for (let i = 0; i < 2; i++) fo.push(100 * i + 10 * j + k);
  const out = arrayFromBytes(dt('i4'), [2, 2, 2], new Uint8Array(new Int32Array(fo).buffer), true, 'x');
  assert.deepEqual(Array.from(out.data as Int32Array), [0, 1, 10, 11, 100, 101, 110, 111]);
});

test('data length must equal shape product x itemsize; shapes are validated', () => {
  assert.throws(
    () => arrayFromBytes(dt('f8'), [3], new Uint8Array(16), false, 'f.pkl: offset 9'),
    /f\.pkl: offset 9: array data has 16 bytes, shape \[3\] of f8 needs 24/,
  );
  assert.throws(() => arrayFromBytes(dt('f8'), [-1], new Uint8Array(0), false, 'x'), /not valid/);
  assert.throws(() => arrayFromBytes(dt('f8'), [2 ** 40, 2 ** 40], new Uint8Array(0), false, 'x'), /needs 9671406556917033397649408/);
});

test('scalars', () => {
  const s = scalarFromBytes(dt('<i8'), Uint8Array.of(3, 0, 0, 0, 0, 0, 0, 0), 'x');
  assert.equal(s.scalar, true);
  assert.deepEqual(s.shape, []);
  assert.deepEqual(s.data, [3]);
});

function npy(header: string, data: Uint8Array): Uint8Array {
  let h = header;
  while ((10 + h.length + 1) % 64) h += ' ';
  h += '\n';
  const out = new Uint8Array(10 + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 255, h.length >> 8]);
  for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
  out.set(data, 10 + h.length);
  return out;
}

test('.npy: header parsed; numeric arrays read without the pickle VM; bad headers are errors', () => {
  const f = npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", new Uint8Array(new Float64Array([1, 3, 2, 4]).buffer));
  assert.deepEqual(parseNpyHeader(f, 'a.npy'), { dtype: dt('<f8'), fortran: true, shape: [2, 2], dataOffset: f.length - 32 });
  assert.equal((f.length - 32) % 64, 0, 'header padded to 64');
  const r = loadPickleBytes(f, { path: 'a.npy' });
  assert.equal(r.report.verdict, 'safe');
  assert.deepEqual(Array.from((r.value as NdArray).data as Float64Array), [1, 2, 3, 4]);
  const s = npy("{'descr': '<i4', 'fortran_order': False, 'shape': (), }", Uint8Array.of(7, 0, 0, 0));
  assert.deepEqual(Array.from((loadPickleBytes(s).value as NdArray).data as Int32Array), [7]);
  const structured = npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
  assert.equal(loadPickleBytes(structured, { path: 's.npy' }).error?.code, 'npy-bad-header');
  const short = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(8));
  assert.match(loadPickleBytes(short, { path: 'b.npy' }).error?.message ?? '', /b\.npy: offset \d+: array data has 8 bytes, shape \[3\] of f8 needs 24/);
  const trunc = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)).subarray(0, 30);
  assert.equal(loadPickleBytes(trunc).error?.code, 'npy-bad-header');
});

test('arrays decoded into plain JS arrays (bool, int64, str, complex) are capped; float arrays are views, not capped', () => {
  const n = MAX_BOXED_ELEMENTS + 1;
  assert.throws(() => arrayFromBytes(dt('b1'), [n], new Uint8Array(n), false, 'big.pkl: offset 7'), /big\.pkl: offset 7: b1 array of 16000001 elements/);
  const f = arrayFromBytes(dt('u1'), [n], new Uint8Array(n), false, 'x');
  assert.equal((f.data as Uint8Array).length, n);
});
