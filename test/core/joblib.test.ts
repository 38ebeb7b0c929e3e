// joblib / pickle containers: every control file reads, and equals what Python loaded from it
// (test/fixtures/reference/pickle/controls_reference.json, made by make_controls_reference.py with
// Debian's python3, joblib 1.2, numpy 1.24, scikit-learn 1.2.1).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateSync, gzipSync, zipSync, zlibSync } from 'fflate';
import { decompress, sniffCompression, type Compression } from '../../src/core/codecs/decompress';
import { loadPickleBytes, sniffPickleContainer } from '../../src/core/formats/pickle/joblib';
import { NdArray, PyBytes, PyGlobal, PyObject, PySet, PySlice, PyTuple, type PyValue } from '../../src/core/formats/pickle/pyValue';

const CONTROLS = join(__dirname, '..', 'fixtures', 'hostile', 'controls');
const REF = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'reference', 'pickle', 'controls_reference.json'), 'utf8')) as {
  files: Record<string, unknown>;
};

function read(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(CONTROLS, name)));
}

/** Our value in the JSON shape the Python script writes (see make_controls_reference.py). */
function toRef(v: PyValue): unknown {
  const num = (x: number | bigint): unknown => {
    if (typeof x === 'bigint') return Number(x);
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return 'Infinity';
    if (x === -Infinity) return '-Infinity';
    return x;
  };
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return num(v);
  if (v instanceof NdArray) {
    const dt = v.dtype;
    const str = dt.kind === 'O' ? '|O' : dt.kind === 'U' ? `${dt.byteorder}U${dt.itemsize / 4}` : `${dt.byteorder}${dt.kind}${dt.itemsize}`;
    const data = Array.from(v.data as ArrayLike<PyValue>, (x) => toRef(x));
    if (v.scalar) return { __scalar__: true, dtype: str, value: data[0] };
    return { __ndarray__: true, dtype: str, shape: v.shape, data };
  }
  if (v instanceof PyObject) {
    if (v.className === 'numpy.dtype') return { __dtype__: v.state };
    // scikit-learn's __setstate__ drops `_sklearn_version` (we keep it; checked separately).
    const state = toRef(v.state) as Record<string, unknown>;
    delete state._sklearn_version;
    return { __class__: v.className, state };
  }
  if (v instanceof PyGlobal) return { __type__: v.qualifiedName };
  if (v instanceof PySlice) return { __slice__: [toRef(v.start), toRef(v.stop), toRef(v.step)] };
  if (v instanceof PyTuple) return v.items.map(toRef);
  if (v instanceof PySet) return v.items.map(toRef);
  if (v instanceof PyBytes) return { __bytes__: Array.from(v.data) };
  if (Array.isArray(v)) return v.map(toRef);
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[String(k)] = toRef(x);
    return o;
  }
  throw new Error('unexpected value');
}

const controls = readdirSync(CONTROLS).sort();

test('there are 28 control files and a reference for each', () => {
  assert.equal(controls.length, 28);
  assert.deepEqual(Object.keys(REF.files).sort(), controls);
});

for (const name of controls) {
  test(`control ${name} reads and equals what Python loaded`, () => {
    const r = loadPickleBytes(read(name), { path: name });
    assert.equal(r.error, null, r.error?.message);
    assert.equal(r.report.verdict, 'safe');
    assert.deepEqual(r.report.refused, []);
    assert.deepEqual(toRef(r.value as PyValue), REF.files[name]);
  });
}

test('compression and container are reported by magic bytes', () => {
  const expect: Record<string, [string | null, string]> = {
    'standard.joblib': [null, 'joblib'],
    'standard_zlib.joblib': ['zlib', 'joblib'],
    'standard_gzip.joblib': ['gzip', 'joblib'],
    'standard_bz2.joblib': ['bz2', 'joblib'],
    'standard_lzma.joblib': ['lzma', 'joblib'],
    'standard_xz.joblib': ['xz', 'joblib'],
    'standard_lz4.joblib': ['lz4', 'joblib'],
    'standard_p4.pkl': [null, 'pickle'],
  };
  for (const [name, [compression, container]] of Object.entries(expect)) {
    const r = loadPickleBytes(read(name), { path: name });
    assert.equal(r.compression, compression, name);
    assert.equal(r.container, container, name);
  }
});

test('the StandardScaler of every protocol and compression has the same numbers (mean of X by hand)', () => {
  // X = [[1,10,0.5],[2,20,0.25],[3,15,1]]: column means 6/3, 45/3, 1.75/3.
  for (const name of controls.filter((n) => n.startsWith('standard'))) {
    const r = loadPickleBytes(read(name), { path: name });
    const state = (r.value as PyObject).state as Map<string, PyValue>;
    const mean = state.get('mean_') as NdArray;
    assert.deepEqual(Array.from(mean.data as Float64Array), [2, 15, 1.75 / 3], name);
    assert.equal(state.get('_sklearn_version'), '1.2.1', name);
  }
});

test('numpy 2 Fortran-order array comes out in C order', () => {
  const r = loadPickleBytes(read('np2_farr2d_p4.pkl'));
  const a = r.value as NdArray;
  assert.deepEqual(a.shape, [2, 3]);
  // Made as np.asfortranarray(np.arange(6.).reshape(2, 3)): C order is 0..5.
  assert.deepEqual(Array.from(a.data as Float64Array), [0, 1, 2, 3, 4, 5]);
});

test('sniffPickleContainer recognises the magic table', () => {
  const b = (...xs: number[]) => Uint8Array.from(xs);
  assert.equal(sniffPickleContainer(b(0x80, 0x04, 0x95)), 'pickle');
  assert.equal(sniffPickleContainer(b(0x28, 0x6c)), 'pickle');
  assert.equal(sniffPickleContainer(b(0x78, 0x9c)), 'zlib');
  assert.equal(sniffPickleContainer(b(0x1f, 0x8b, 8)), 'gzip');
  assert.equal(sniffPickleContainer(b(0x42, 0x5a, 0x68, 0x39)), 'bz2');
  assert.equal(sniffPickleContainer(b(0x5d, 0x00, 0x00, 0x80)), 'lzma');
  assert.equal(sniffPickleContainer(b(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)), 'xz');
  assert.equal(sniffPickleContainer(b(0x04, 0x22, 0x4d, 0x18)), 'lz4');
  assert.equal(sniffPickleContainer(b(0x5a, 0x46, 0x30)), 'joblib-legacy');
  assert.equal(sniffPickleContainer(b(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0)), 'npy');
  assert.equal(sniffPickleContainer(b(0x50, 0x4b, 3, 4)), 'zip');
  assert.equal(sniffPickleContainer(b(0x7b, 0x22)), null);
  const t = (s: string) => sniffPickleContainer(Uint8Array.from(s, (c) => c.charCodeAt(0)));
  assert.equal(t('ccopy_reg\n_reconstructor\n'), 'pickle');
  assert.equal(t('(dp0\nVa\n'), 'pickle');
  assert.equal(t('I12345\n.'), 'pickle');
  assert.equal(t('Name,age\nbob,3\n'), null);
  assert.equal(t('Loss: 0.5\n'), null);
  assert.equal(t('Fold 1 accuracy\n'), null);
  assert.equal(t('cat,dog\n'), null);
  assert.equal(sniffPickleContainer(b(0x89, 0x48, 0x44, 0x46)), null);
});

test('joblib < 0.10 (ZF) files are refused with a clear error', () => {
  const r = loadPickleBytes(Uint8Array.from([0x5a, 0x46, 0x30, 0x78, 0x30]), { path: 'old.pkl' });
  assert.equal(r.error?.code, 'joblib-legacy');
  assert.match(r.error?.message ?? '', /old\.pkl/);
  assert.equal(r.value, null);
  assert.notEqual(r.report.verdict, 'safe');
});

test('a zlib bomb stops at the cap (100x input) with decompression-bomb', () => {
  const zeros = new Uint8Array(2_000_000);
  const z = zlibSync(zeros, { level: 9 });
  assert.ok(z.length * 100 < zeros.length, 'ratio above 100x');
  const r = loadPickleBytes(z, { path: 'bomb.joblib' });
  assert.equal(r.compression, 'zlib');
  assert.equal(r.error?.code, 'decompression-bomb');
  assert.equal(r.value, null);
  const g = loadPickleBytes(gzipSync(zeros, { level: 9 }), { path: 'bomb.gz' });
  assert.equal(g.error?.code, 'decompression-bomb');
});

test('a truncated compressed control is an error, not a crash', () => {
  for (const name of [
    'standard_zlib.joblib',
    'standard_gzip.joblib',
    'standard_bz2.joblib',
    'standard_lzma.joblib',
    'standard_xz.joblib',
    'standard_lz4.joblib',
  ]) {
    const bytes = read(name);
    const r = loadPickleBytes(bytes.subarray(0, Math.floor(bytes.length / 2)), { path: name });
    assert.ok(r.error, name);
    assert.match(r.error.message, new RegExp(name.replace('.', '\\.')), name);
    assert.equal(r.value, null, name);
  }
});

test('raw deflate data (no zlib header) is not mistaken for a container', () => {
  const r = loadPickleBytes(deflateSync(new Uint8Array(100)), { path: 'x.bin' });
  assert.notEqual(r.report.verdict, 'safe');
  assert.ok(r.error);
});

test('bigger compressed joblib files (multi-block linked lz4, LZMA repeats, bz2) equal what Python read back', () => {
  const dir = join(__dirname, '..', 'fixtures', 'reference', 'pickle');
  const ref = JSON.parse(readFileSync(join(dir, 'compressed_reference.json'), 'utf8')) as Record<
    string,
    { ramp_len: number; rand_sum: number; rand_at: Record<string, number>; names_len: number; names_last: string; fortran_c_order: number[] }
  >;
  assert.equal(Object.keys(ref).length, 6);
  for (const [name, e] of Object.entries(ref)) {
    const r = loadPickleBytes(new Uint8Array(readFileSync(join(dir, name))), { path: name });
    assert.equal(r.error, null, r.error?.message);
    assert.equal(r.compression, name.slice(4, -7));
    const d = r.value as Map<string, NdArray>;
    const ramp = d.get('ramp') as NdArray;
    assert.equal(ramp.size, e.ramp_len);
    // ramp[i] = (i % 251) * 0.5
    for (let i = 0; i < ramp.size; i += 997) assert.equal((ramp.data as Float64Array)[i], (i % 251) * 0.5, `${name} ramp[${i}]`);
    assert.equal((ramp.data as Float64Array)[ramp.size - 1], ((ramp.size - 1) % 251) * 0.5);
    const rand = d.get('rand') as NdArray;
    assert.equal(
      Array.from(rand.data as Int32Array).reduce((a, b) => a + b, 0),
      e.rand_sum,
      name,
    );
    for (const [i, v] of Object.entries(e.rand_at)) assert.equal((rand.data as Int32Array)[Number(i)], v, `${name} rand[${i}]`);
    const names = d.get('names') as NdArray;
    assert.equal(names.size, e.names_len);
    assert.equal((names.data as string[])[names.size - 1], e.names_last);
    assert.deepEqual(Array.from((d.get('fortran') as NdArray).data as Float64Array), e.fortran_c_order);
  }
});

test('decompression bombs of every joblib compression stop at the cap (16 MB of zeros, 243x to 372827x)', () => {
  const dir = join(__dirname, '..', 'fixtures', 'reference', 'pickle', 'bombs');
  const expect: Record<string, string> = {
    'zeros.zlib': 'zlib',
    'zeros.gz': 'gzip',
    'zeros.bz2': 'bz2',
    'zeros.lzma': 'lzma',
    'zeros.xz': 'xz',
    'zeros.lz4': 'lz4',
  };
  assert.deepEqual(readdirSync(dir).sort(), Object.keys(expect).sort());
  for (const [name, kind] of Object.entries(expect)) {
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    const t0 = performance.now();
    const r = loadPickleBytes(bytes, { path: name });
    assert.equal(r.compression, kind, name);
    assert.equal(r.error?.code, 'decompression-bomb', `${name}: ${r.error?.message}`);
    assert.match(r.error?.message ?? '', new RegExp(`cap of ${bytes.length * 100} bytes`), name);
    assert.ok(performance.now() - t0 < 3000, name);
  }
});

test('decompressors on raw streams: every xz check type, LZMA2 stored chunks, lzma-alone, 2-stream bz2, lz4 block modes', () => {
  const dir = join(__dirname, '..', 'fixtures', 'reference', 'pickle');
  const ref = JSON.parse(readFileSync(join(dir, 'streams_reference.json'), 'utf8')) as { sha256: string; length: number; files: Record<string, number> };
  const kinds: Record<string, Compression> = { xz: 'xz', lzma: 'lzma', bz2: 'bz2', lz4: 'lz4' };
  assert.deepEqual(readdirSync(join(dir, 'streams')).sort(), Object.keys(ref.files).sort());
  for (const name of Object.keys(ref.files)) {
    const bytes = new Uint8Array(readFileSync(join(dir, 'streams', name)));
    const kind = kinds[name.split('.').pop() as string];
    assert.equal(sniffCompression(bytes), kind, name);
    const out = decompress(bytes, kind, name);
    assert.equal(out.length, ref.length, name);
    assert.equal(createHash('sha256').update(out).digest('hex'), ref.sha256, name);
  }
  // lzma-alone with the size written in the header (Python writes "unknown"): stops at that size.
  const alone = new Uint8Array(readFileSync(join(dir, 'streams', 'alone.lzma')));
  const sized = alone.slice();
  new DataView(sized.buffer).setBigUint64(5, BigInt(ref.length), true);
  assert.equal(
    createHash('sha256')
      .update(decompress(sized, 'lzma', 'sized'))
      .digest('hex'),
    ref.sha256,
  );
});

test('zip containers (.npz / PyTorch) are never loaded, but pickle and object .npy members are scanned', () => {
  const npy = readFileSync(join(__dirname, '..', 'fixtures', 'hostile', 'picklescan', 'dns_exfiltration.npy'));
  const zip = zipSync({ 'arr_0.npy': new Uint8Array(npy), 'notes.txt': Uint8Array.of(0x68, 0x69) });
  const r = loadPickleBytes(zip, { path: 'x.npz' });
  assert.equal(r.value, null);
  assert.equal(r.error?.code, 'unsupported-container');
  assert.equal(r.report.verdict, 'dangerous');
  assert.ok(r.report.globals.includes('ssl.get_server_certificate'));
  const benign = loadPickleBytes(
    zipSync({ 'a.npy': new Uint8Array(readFileSync(join(__dirname, '..', 'fixtures', 'hostile', 'picklescan', 'object_array.npy'))) }),
    { path: 'b.npz' },
  );
  assert.equal(benign.report.verdict, 'unsupported');
  assert.deepEqual(benign.report.refused, []);
});
