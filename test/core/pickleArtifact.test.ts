import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PickleLoad } from '../../src/core/formats/pickle/joblib';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { isScalerName, pickleArtifactReader, resultFromLoad, sniffContainer } from '../../src/core/formats/pickle/pickleArtifact';
import { NdArray, PyObject, type PyValue } from '../../src/core/formats/pickle/pyValue';
import type { SklearnScaler } from '../../src/core/formats/pickle/sklearn';
import type { PickleReport } from '../../src/core/types';
import { decodeNumber, dtypeOf } from '../fixtures/reference/sklearn/stateJson';
import { assertScalerMatches, paramsRef } from '../fixtures/reference/sklearn/paramsRef';

const FIX = join(__dirname, '..', 'fixtures');
const head = (rel: string): Uint8Array => readFileSync(join(FIX, rel)).subarray(0, 4096);
const bytes = (...xs: (number | string)[]): Uint8Array =>
  Uint8Array.from(xs.flatMap((x) => (typeof x === 'string' ? [...x].map((c) => c.charCodeAt(0)) : [x])));

describe('sniff: pickle / joblib containers by magic bytes', () => {
  it('claims every control container whatever its protocol or compression', () => {
    const controls = [
      'standard_p0.pkl',
      'standard_p1.pkl',
      'standard_p2.pkl',
      'standard_p3.pkl',
      'standard_p4.pkl',
      'standard_p5.pkl',
      'standard.joblib',
      'standard_zlib.joblib',
      'standard_gzip.joblib',
      'standard_bz2.joblib',
      'standard_lzma.joblib',
      'standard_xz.joblib',
      'standard_lz4.joblib',
    ];
    for (const c of controls) {
      const p = `hostile/controls/${c}`;
      assert.ok(pickleArtifactReader.sniff(head(p), p), c);
    }
  });
  it('protocol 2-5 by magic, whatever the name', () => {
    assert.equal(sniffContainer(bytes(0x80, 4, 0x95, 0, 0), 'data/blob'), 'pickle');
    assert.equal(sniffContainer(bytes(0x80, 2, '}', 'q'), 'noext'), 'pickle');
    // 0x80 0x03 then a byte no pickle starts with: raw float data, not claimed without a pickle name.
    assert.equal(sniffContainer(bytes(0x80, 3, 0x00, 0x3f), 'group1-shard1of1'), null);
    assert.equal(sniffContainer(bytes(0x80, 3, 0x00, 0x3f), 'x.pkl'), 'pickle');
    assert.equal(sniffContainer(bytes(0x80, 6, '}'), 'x.pkl'), null);
  });
  it('protocol 0/1 and compressed joblib only with a pickle-ish name', () => {
    assert.equal(sniffContainer(bytes('(dp0\n'), 'scaler.pkl'), 'pickle');
    assert.equal(sniffContainer(bytes('(dp0\n'), 'notes.txt'), null);
    assert.equal(sniffContainer(bytes('epoch,loss\n'), 'log.pkl'), null); // 'e' is not a first opcode
    assert.equal(sniffContainer(bytes(0x78, 0x9c, 1, 2), 'scaler.joblib'), 'compressed');
    assert.equal(sniffContainer(bytes(0x78, 0x9c, 1, 2), 'data.bin'), null);
    assert.equal(sniffContainer(bytes(0x78, 0x9d, 1, 2), 'scaler.joblib'), null); // bad zlib FCHECK
    assert.equal(sniffContainer(bytes(0x1f, 0x8b, 8, 0), 'scaler.gz'), 'compressed');
    assert.equal(sniffContainer(bytes(0x1f, 0x8b, 8, 0), 'training.csv.gz'), null);
    assert.equal(sniffContainer(bytes('BZh9'), 'scaler.pkl.bz2'), 'compressed');
    assert.equal(sniffContainer(bytes(0xfd, '7zXZ', 0), 's.joblib'), 'compressed');
    assert.equal(sniffContainer(bytes(0x04, 0x22, 0x4d, 0x18), 's.lz4'), 'compressed');
    assert.equal(sniffContainer(bytes(0x5d, 0, 0, 0x80), 's.joblib'), 'compressed');
    assert.equal(sniffContainer(bytes('ZF0x'), 'old.pkl'), 'legacy');
    assert.equal(sniffContainer(bytes(0x93, 'NUMPY', 1, 0), 'arr.npy'), 'npy');
    assert.equal(sniffContainer(bytes(0x89, 'PNG'), 'x.pkl'), null);
  });
  it('recognises scaler-ish names', () => {
    assert.ok(isScalerName('models/scaler.pkl'));
    assert.ok(isScalerName('x_minmax.joblib'));
    assert.ok(isScalerName('imputer.pkl'));
    assert.ok(isScalerName('y_scale.pkl'));
    assert.equal(isScalerName('history.pkl'), false);
    assert.equal(isScalerName('np2_i8scalar_p4.pkl'), false);
  });
});

const safe = (globals: string[] = []): PickleReport => ({ verdict: 'safe', globals, refused: [] });
const load = (value: PyValue, extra: Partial<PickleLoad> = {}): PickleLoad => ({
  value,
  report: safe(),
  error: null,
  container: 'pickle',
  compression: null,
  ...extra,
});
const f8 = dtypeOf('<f8');
const mm = (): PyObject =>
  new PyObject(
    'sklearn.preprocessing._data.MinMaxScaler',
    new Map<string, PyValue>([
      ['scale_', new NdArray(f8, [1], [2])],
      ['min_', new NdArray(f8, [1], [-1])],
      ['_sklearn_version', '1.2.1'],
    ]),
  );

describe('resultFromLoad: roles, formats and errors', () => {
  it('a scikit-learn object: role scaler, format by container', () => {
    const r = resultFromLoad(load(mm(), { container: 'joblib' }), 'a/scaler.joblib');
    assert.equal(r.role, 'scaler');
    assert.equal(r.format, 'joblib');
    assert.equal(r.error, null);
    assert.equal(r.scaler?.class, 'MinMaxScaler');
    assert.deepEqual(r.scaler?.params, { scale_: [2], min_: [-1] });
    assert.deepEqual(r.pickle, safe());
    assert.equal(resultFromLoad(load(mm()), 'a/x.pkl').format, 'sklearn-pickle');
  });
  it('a dict holding several: the first is primary, the others listed with their keys', () => {
    const v = new Map<string, PyValue>([
      ['features', ['a']],
      ['x', mm()],
      ['y', mm()],
    ]);
    const r = resultFromLoad(load(v), 'bundle.pkl');
    const s = r.scaler as { path?: string; others?: { path?: string }[] };
    assert.equal(s.path, 'x');
    assert.deepEqual(
      s.others?.map((o) => o.path),
      ['y'],
    );
  });
  it('a history dict: role log, format history-pickle, summarised', () => {
    const r = resultFromLoad(load(new Map<string, PyValue>([['loss', [3, 1, 2]]])), 'history.pkl');
    assert.equal(r.role, 'log');
    assert.equal(r.format, 'history-pickle');
    assert.deepEqual(r.log, {
      source: 'history-pickle',
      epochs: 3,
      series: { loss: { points: 3, first: 3, last: 2, min: 1, minStep: 1, max: 3, maxStep: 0 } },
    });
  });
  it('refused globals: unsafe-pickle / unsupported-pickle naming them, role from the name', () => {
    const dangerous: PickleReport = {
      verdict: 'dangerous',
      globals: ['posix.system'],
      refused: [{ global: 'posix.system', reason: 'runs a shell command', severity: 'dangerous' }],
    };
    const r = resultFromLoad(load(null, { report: dangerous, error: { code: 'unsafe-pickle', message: 'refused' }, container: 'joblib' }), 'm/scaler.joblib');
    assert.equal(r.role, 'scaler');
    assert.equal(r.format, 'joblib');
    assert.equal(r.error?.code, 'unsafe-pickle');
    assert.match(r.error!.message, /^m\/scaler\.joblib: .*posix\.system/);
    assert.deepEqual(r.pickle, dangerous);
    const unsupported: PickleReport = {
      verdict: 'unsupported',
      globals: ['mylib.Thing'],
      refused: [{ global: 'mylib.Thing', reason: 'not on the allowlist' }],
    };
    const u = resultFromLoad(load(null, { report: unsupported, error: null }), 'blob.pkl');
    assert.equal(u.role, 'other');
    assert.equal(u.error?.code, 'unsupported-pickle');
    assert.match(u.error!.message, /mylib\.Thing/);
  });
  it('joblib < 0.10 (arrays in side files) gets a message saying so', () => {
    const report: PickleReport = {
      verdict: 'unsupported',
      globals: ['sklearn.preprocessing.data.StandardScaler', 'sklearn.externals.joblib.numpy_pickle.NDArrayWrapper'],
      refused: [{ global: 'sklearn.externals.joblib.numpy_pickle.NDArrayWrapper', reason: 'not on the allowlist' }],
    };
    const r = resultFromLoad(load(null, { report }), 'old/scaler.pkl');
    assert.equal(r.error?.code, 'unsupported-pickle');
    assert.match(r.error!.message, /NDArrayWrapper .*joblib < 0\.10.*side files/);
  });
  it('a malformed file keeps its error code, names the file, and keeps the report', () => {
    const report: PickleReport = { verdict: 'unsupported', globals: [], refused: [] };
    const r = resultFromLoad(load(null, { report, error: { code: 'truncated-pickle', message: 'ends inside BINUNICODE at offset 12' } }), 'x/imputer.pkl');
    assert.equal(r.role, 'scaler');
    assert.deepEqual(r.error, { code: 'truncated-pickle', message: 'x/imputer.pkl: ends inside BINUNICODE at offset 12' });
    assert.deepEqual(r.pickle, report);
  });
  it('a safe pickle of something else: other, or not-a-scaler when the name says scaler', () => {
    const arr = new NdArray(f8, [2], [1, 2]);
    assert.deepEqual(resultFromLoad(load(arr), 'data.pkl'), {
      role: 'other',
      format: 'sklearn-pickle',
      pickle: safe(),
      error: null,
    });
    const r = resultFromLoad(load(['a', 'b']), 'scaler.pkl');
    assert.equal(r.role, 'scaler');
    assert.equal(r.error?.code, 'not-a-scaler');
    assert.match(r.error!.message, /holds a list/);
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: real files, controls and our fixtures read from disk through loadPickleBytes.
// Expected values: test/fixtures/reference/sklearn/make_params_reference.py (restricted joblib.load).

const source = new NodeFileSource();
async function readFixture(rel: string) {
  const p = join(FIX, rel);
  const st = statSync(p);
  const h = readFileSync(p).subarray(0, 4096);
  assert.ok(pickleArtifactReader.sniff(h, p), `${rel}: sniffed as pickle / joblib`);
  return pickleArtifactReader.read({ path: p, size: st.size, head: h, source });
}

describe('end to end: every scikit-learn file equals the restricted-unpickler reference', () => {
  const entries = Object.entries(paramsRef.files);
  assert.ok(entries.length >= 70);
  for (const [rel, e] of entries) {
    it(rel, async () => {
      const r = await readFixture(rel);
      assert.equal(r.error, null, `${rel}: ${JSON.stringify(r.error)}`);
      assert.equal(r.pickle?.verdict, 'safe');
      assert.deepEqual(r.pickle?.refused, []);
      if (e.scalers.length) {
        assert.equal(r.role, 'scaler');
        // joblib container: compressed, or NumpyArrayWrapper arrays in the stream (checked on the raw bytes).
        const raw = readFileSync(join(FIX, rel));
        const wrapper = Buffer.from(raw).includes('NumpyArrayWrapper') || /_(zlib|gzip|bz2|lzma|xz|lz4)\.joblib$/.test(rel);
        assert.equal(r.format, wrapper ? 'joblib' : 'sklearn-pickle');
        const s = r.scaler as SklearnScaler;
        const found = [s, ...(s.others ?? [])];
        assert.equal(found.length, e.scalers.length, 'objects in the file');
        e.scalers.forEach((x, i) => assertScalerMatches(found[i], x, `${rel} #${i}`));
      } else if (e.history) {
        assert.equal(r.role, 'log');
        assert.equal(r.format, 'history-pickle');
        for (const [name, raw] of Object.entries(e.history)) {
          const v = raw.map(decodeNumber);
          const sum = r.log!.series[name];
          assert.equal(sum.points, v.length);
          assert.equal(sum.first, v[0]);
          assert.equal(sum.last, v[v.length - 1]);
          assert.equal(sum.min, Math.min(...v));
          assert.equal(sum.max, Math.max(...v));
        }
      } else {
        assert.equal(r.role, 'other'); // numpy-only controls
      }
    });
  }

  it('real files: version, class, feature count and names as SOURCES.md lists them', async () => {
    const cases: [string, string, string, number, string[] | null][] = [
      ['real/556isback__StockFactorExtractionUsingNeuralNetwork/scaler.joblib', 'RobustScaler', '1.5.0', 110, null],
      ['real/AlbertFrydensberg__ML_Ops_59/models/scaler.joblib', 'StandardScaler', '1.8.0', 13, ['Alcohol', 'Malic acid', 'Ash']],
      ['real/gazi-faysal-jubayer__ExoBengal/models/scaler.pkl', 'StandardScaler', '1.6.1', 9, ['koi_period', 'koi_prad', 'koi_teq']],
      ['real/gazi-faysal-jubayer__ExoBengal/models/imputer.pkl', 'SimpleImputer', '1.6.1', 9, ['koi_period', 'koi_prad', 'koi_teq']],
    ];
    for (const [rel, cls, version, n, names] of cases) {
      const r = await readFixture(rel);
      assert.equal(r.role, 'scaler');
      assert.equal(r.format, 'joblib', `${rel}: joblib.dump wrote NumpyArrayWrapper arrays`);
      assert.equal(r.scaler?.class, cls);
      assert.equal(r.scaler?.sklearnVersion, version);
      assert.equal(r.scaler?.nFeaturesIn, n);
      if (names) assert.deepEqual(r.scaler?.featureNames?.slice(0, 3), names);
      else assert.equal(r.scaler?.featureNames, null);
    }
  });

  it('compressed joblib controls give the same StandardScaler as the uncompressed one', async () => {
    const plain = (await readFixture('hostile/controls/standard.joblib')).scaler;
    for (const c of ['zlib', 'gzip', 'bz2', 'lzma', 'xz', 'lz4']) {
      const r = await readFixture(`hostile/controls/standard_${c}.joblib`);
      assert.equal(r.format, 'joblib', c);
      assert.deepEqual(r.scaler, plain, c);
    }
  });
});

describe('end to end: hostile pickles are refused, naming the global, never giving a scaler', () => {
  const refused: [string, string][] = [
    ['picklescan/malicious1_v0.pkl', '__builtin__.eval'],
    ['picklescan/malicious1_v3.pkl', 'builtins.eval'],
    ['picklescan/malicious1_v4.pkl', 'builtins.eval'],
    ['picklescan/malicious2_v0.pkl', 'posix.system'],
    ['picklescan/malicious2_v3.pkl', 'posix.system'],
    ['picklescan/malicious2_v4.pkl', 'posix.system'],
    ['generated/joblib_objarray_nested_os_system.joblib', 'posix.system'],
    ['generated/joblib_zlib_os_system.joblib', 'posix.system'],
    ['generated/joblib_gzip_os_system.joblib', 'posix.system'],
    ['generated/joblib_lz4_os_system.joblib', 'posix.system'],
    ['generated/pipeline_functiontransformer_os_system.pkl', 'posix.system'],
    ['generated/trailing_second_pickle_eval.pkl', 'builtins.eval'],
  ];
  for (const [rel, global] of refused) {
    it(`${rel}: unsafe-pickle naming ${global}`, async () => {
      const r = await readFixture(`hostile/${rel}`);
      assert.equal(r.error?.code, 'unsafe-pickle');
      assert.ok(r.error!.message.includes(global), r.error!.message);
      assert.equal(r.pickle?.verdict, 'dangerous');
      assert.equal(r.scaler, undefined);
      assert.ok(r.role === 'other' || r.role === 'scaler');
    });
  }
  it('functiontransformer_np_log1p_ufunc.pkl: read as a FunctionTransformer naming numpy log1p (an inert name)', async () => {
    const r = await readFixture('hostile/generated/functiontransformer_np_log1p_ufunc.pkl');
    assert.equal(r.error, null);
    assert.equal(r.pickle?.verdict, 'safe');
    assert.equal(r.scaler?.class, 'FunctionTransformer');
    assert.equal((r.scaler as { hyper?: Record<string, unknown> }).hyper?.func, 'numpy.core._multiarray_umath.log1p');
  });
  it('build_state_proto_key.pkl: odd state keys stay inert data, no prototype is touched', async () => {
    const r = await readFixture('hostile/generated/build_state_proto_key.pkl');
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    if (r.scaler) {
      assert.deepEqual(r.scaler.params, {});
      assert.equal(Object.getPrototypeOf(r.scaler.params), Object.prototype);
    }
  });
  it('no other hostile file yields a scaler or a log', async () => {
    for (const dir of ['picklescan', 'generated']) {
      for (const name of readdirSync(join(FIX, 'hostile', dir))) {
        if (name === 'build_state_proto_key.pkl' || name === 'functiontransformer_np_log1p_ufunc.pkl') continue;
        const p = join(FIX, 'hostile', dir, name);
        const h = readFileSync(p).subarray(0, 4096);
        if (!pickleArtifactReader.sniff(h, p)) continue;
        const r = await pickleArtifactReader.read({ path: p, size: statSync(p).size, head: h, source });
        assert.equal(r.scaler, undefined, name);
        assert.equal(r.log, undefined, name);
        assert.ok(r.pickle, `${name}: has a pickle report`);
      }
    }
  });
});

describe('through the dispatcher (inspectFile)', () => {
  it('a real joblib scaler, a history pickle and a refused file get their roles', async () => {
    const { inspectFile } = await import('../../src/core/formats/inspect');
    const a = await inspectFile(join(FIX, 'real/AlbertFrydensberg__ML_Ops_59/models/scaler.joblib'), source);
    assert.deepEqual([a.role, a.format, a.error, a.scaler?.class], ['scaler', 'joblib', null, 'StandardScaler']);
    const h = await inspectFile(join(FIX, 'sklearn/history_wrapped.pkl'), source);
    assert.deepEqual([h.role, h.format, h.log?.epochs], ['log', 'history-pickle', 12]);
    const x = await inspectFile(join(FIX, 'hostile/generated/joblib_gzip_os_system.joblib'), source);
    assert.deepEqual([x.role, x.format, x.error?.code, x.pickle?.verdict], ['other', 'joblib', 'unsafe-pickle', 'dangerous']);
  });
});
