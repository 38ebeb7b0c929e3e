// Every hostile fixture (test/fixtures/hostile/picklescan and generated, see SOURCES.md) is refused
// with exactly the globals SOURCES.md lists (or the structural error it describes), with the right
// severity; the benign picklescan controls read. Expectations are written from SOURCES.md.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPickleBytes, type PickleLoad } from '../../src/core/formats/pickle/joblib';
import { NdArray, PyObject } from '../../src/core/formats/pickle/pyValue';

const HOSTILE = join(__dirname, '..', 'fixtures', 'hostile');

interface Expect {
  /** Every global the file names, in order of first appearance. */
  globals: string[];
  /** The refused globals labelled dangerous. */
  dangerous: string[];
  /** Refused globals labelled unsupported. */
  unsupported?: string[];
  /** The file reads (an inert value, nothing refused). */
  safe?: true;
  /** Error code when the file is also structurally bad. */
  error?: string;
}

const NP_RECON = ['numpy.core.multiarray._reconstruct', 'numpy.ndarray', 'numpy.dtype'];

const picklescan: Record<string, Expect> = {
  'GHSA-4675-36f9-wf6r.pkl': { globals: ['ctypes.CDLL'], dangerous: ['ctypes.CDLL'] },
  'GHSA-46h3-79wf-xr6c.pkl': { globals: ['builtins.__import__', '_operator.attrgetter'], dangerous: ['builtins.__import__', '_operator.attrgetter'] },
  'GHSA-5qwp-399c-mjwf.pkl': { globals: ['trace.Trace.run'], dangerous: ['trace.Trace.run'] },
  'GHSA-84r2-jw7c-4r5q.pkl': { globals: ['operator.methodcaller', 'pydoc.locate'], dangerous: ['operator.methodcaller', 'pydoc.locate'] },
  'GHSA-955r-x9j8-7rhh.pkl': { globals: ['builtins.__import__', '_operator.methodcaller'], dangerous: ['builtins.__import__', '_operator.methodcaller'] },
  'GHSA-vvpj-8cmc-gx39.pkl': { globals: ['pkgutil.resolve_name'], dangerous: ['pkgutil.resolve_name'] },
  'broken_model.pkl': { globals: ['builtins.exec'], dangerous: ['builtins.exec'], error: 'pickle-truncated' },
  'dns_exfiltration.npy': {
    globals: ['numpy._core.multiarray._reconstruct', 'numpy.ndarray', 'numpy.dtype', 'ssl.get_server_certificate'],
    dangerous: ['ssl.get_server_certificate'],
  },
  'io_FileIO.pkl': { globals: ['_io.FileIO'], dangerous: ['_io.FileIO'] },
  'keyerror-exploit.pkl': { globals: ['os.system'], dangerous: ['os.system'], error: 'pickle-malformed' },
  'logging_FileHandler.pkl': { globals: ['logging.FileHandler'], dangerous: ['logging.FileHandler'] },
  'malicious-invalid-bytes.pkl': { globals: ['os.system'], dangerous: ['os.system'], error: 'pickle-trailing-data' },
  'malicious0.pkl': {
    globals: ['__builtin__.globals', '__builtin__.compile', '__builtin__.eval', '__builtin__.getattr', '__builtin__.dict', '__builtin__.apply'],
    dangerous: ['__builtin__.globals', '__builtin__.compile', '__builtin__.eval', '__builtin__.getattr', '__builtin__.apply'],
    unsupported: ['__builtin__.dict'],
  },
  'malicious1.zip': { globals: ['builtins.eval'], dangerous: ['builtins.eval'], error: 'unsupported-container' },
  'malicious10.pkl': { globals: ['__builtin__.exec'], dangerous: ['__builtin__.exec'] },
  'malicious11.pkl': { globals: ['os.system'], dangerous: ['os.system'] },
  'malicious13a.pkl': { globals: ['pickle.loads', '_codecs.encode'], dangerous: ['pickle.loads'] },
  'malicious13b.pkl': { globals: ['_pickle.loads'], dangerous: ['_pickle.loads'] },
  'malicious14.pkl': { globals: ['runpy._run_code'], dangerous: ['runpy._run_code'] },
  'malicious15a.pkl': { globals: ['__builtin__.getattr', 'bdb.Bdb'], dangerous: ['__builtin__.getattr', 'bdb.Bdb'] },
  'malicious15b.pkl': { globals: ['bdb.Bdb.run', 'bdb.Bdb'], dangerous: ['bdb.Bdb.run', 'bdb.Bdb'] },
  'malicious1_v0.pkl': { globals: ['__builtin__.eval'], dangerous: ['__builtin__.eval'] },
  'malicious1_v3.pkl': { globals: ['builtins.eval'], dangerous: ['builtins.eval'] },
  'malicious1_v4.pkl': { globals: ['builtins.eval'], dangerous: ['builtins.eval'] },
  'malicious21.pkl': { globals: ['timeit.timeit'], dangerous: ['timeit.timeit'] },
  'malicious23.pkl': { globals: ['os.system'], dangerous: ['os.system'] },
  'malicious2_v0.pkl': { globals: ['posix.system'], dangerous: ['posix.system'] },
  'malicious2_v3.pkl': { globals: ['posix.system'], dangerous: ['posix.system'] },
  'malicious2_v4.pkl': { globals: ['posix.system'], dangerous: ['posix.system'] },
  'malicious3.pkl': { globals: ['httplib.HTTPSConnection'], dangerous: ['httplib.HTTPSConnection'] },
  'malicious6.pkl': { globals: ['requests.api.get'], dangerous: ['requests.api.get'] },
  'not_a_pickle.bin': { globals: [], dangerous: [], error: 'pickle-bad-global' },
  'type-confusion-exploit.pkl': { globals: ['os.system'], dangerous: ['os.system', '<unresolved STACK_GLOBAL>'] },
  'types_CodeType.pkl': { globals: ['types.CodeType'], dangerous: ['types.CodeType'] },
  'urllib_request_urlopen.pkl': { globals: ['urllib.request.urlopen'], dangerous: ['urllib.request.urlopen'] },
};

const SS = 'sklearn.preprocessing._data.StandardScaler';
const FT = 'sklearn.preprocessing._function_transformer.FunctionTransformer';
const generated: Record<string, Expect> = {
  'allowed_module_dotted_name_np_load.pkl': { globals: ['sklearn.preprocessing._data.np.load'], dangerous: ['sklearn.preprocessing._data.np.load'] },
  'build_state_proto_key.pkl': { globals: [SS], dangerous: [], unsupported: [SS] },
  'deep_nesting_20000_lists.pkl': { globals: [], dangerous: [], error: 'pickle-limit' },
  'expansion_billion_laughs.pkl': { globals: [], dangerous: [], error: 'pickle-expansion' },
  'frame_boundary_divergence.pkl': { globals: [], dangerous: [], error: 'pickle-frame' },
  // Since issue 14 FunctionTransformer and numpy ufuncs are inert allowlisted names (docs/preprocessing.md): this file now reads.
  'functiontransformer_np_log1p_ufunc.pkl': { globals: [FT, 'numpy.core._multiarray_umath.log1p'], dangerous: [], safe: true },
  'huge_length_binbytes8.pkl': { globals: [], dangerous: [], error: 'pickle-truncated' },
  'joblib_gzip_os_system.joblib': { globals: ['posix.system'], dangerous: ['posix.system'] },
  'joblib_lz4_os_system.joblib': { globals: ['posix.system'], dangerous: ['posix.system'] },
  'joblib_zlib_os_system.joblib': { globals: ['posix.system'], dangerous: ['posix.system'] },
  'joblib_objarray_nested_os_system.joblib': {
    globals: [
      'sklearn.preprocessing._data.MinMaxScaler',
      'joblib.numpy_pickle.NumpyArrayWrapper',
      'numpy.ndarray',
      'numpy.dtype',
      'numpy.core.multiarray._reconstruct',
      '_codecs.encode',
      'posix.system',
    ],
    dangerous: ['posix.system'],
  },
  'pipeline_functiontransformer_os_system.pkl': { globals: ['sklearn.pipeline.Pipeline', FT, 'posix.system'], dangerous: ['posix.system'] },
  'reconstruct_subtype_not_ndarray.pkl': {
    globals: ['numpy.core.multiarray._reconstruct', SS],
    dangerous: [],
    unsupported: ['numpy.core.multiarray._reconstruct'],
  },
  'stdlib_module_dotted_name_os_system.pkl': { globals: ['pathlib.os.system'], dangerous: ['pathlib.os.system'] },
  'trailing_second_pickle_eval.pkl': { globals: ['sklearn.preprocessing._data.MinMaxScaler', ...NP_RECON, 'builtins.eval'], dangerous: ['builtins.eval'] },
};

function load(dir: string, name: string): PickleLoad {
  return loadPickleBytes(new Uint8Array(readFileSync(join(HOSTILE, dir, name))), { path: name });
}

function check(dir: string, name: string, e: Expect): void {
  const r = load(dir, name);
  if (e.safe) {
    assert.equal(r.report.verdict, 'safe');
    assert.deepEqual(r.report.globals, e.globals, 'globals');
    assert.ok(r.value instanceof PyObject);
    return;
  }
  assert.equal(r.value, null, 'no value from a refused file');
  assert.notEqual(r.report.verdict, 'safe');
  assert.deepEqual(r.report.globals, e.globals, 'globals');
  const sev = (s: string) => [...new Set(r.report.refused.filter((x) => x.severity === s).map((x) => x.global))].sort();
  assert.deepEqual(sev('dangerous'), [...e.dangerous].sort(), 'dangerous globals');
  assert.deepEqual(sev('unsupported'), [...(e.unsupported ?? [])].sort(), 'unsupported refusals');
  assert.equal(r.report.verdict, e.dangerous.length ? 'dangerous' : 'unsupported');
  assert.equal(r.error?.code, e.error, r.error?.message);
  if (e.error) assert.match(r.error?.message ?? '', new RegExp(name.replace(/[.]/g, '\\.')), 'error names the file');
  if (!e.error && e.globals.length) assert.ok(r.report.refused.length > 0, 'something refused');
  for (const x of r.report.refused) assert.equal(typeof x.offset, 'number');
}

const benign = ['benign0_v0.pkl', 'benign0_v3.pkl', 'benign0_v4.pkl', 'object_array.npy'];

test('every picklescan fixture has an expectation (none forgotten)', () => {
  const files = readdirSync(join(HOSTILE, 'picklescan')).sort();
  assert.deepEqual(files, [...Object.keys(picklescan), ...benign].sort());
  assert.deepEqual(readdirSync(join(HOSTILE, 'generated')).sort(), Object.keys(generated).sort());
});

for (const [name, e] of Object.entries(picklescan)) test(`picklescan/${name} is refused`, () => check('picklescan', name, e));
for (const [name, e] of Object.entries(generated)) test(`generated/${name} is refused`, () => check('generated', name, e));

test('benign picklescan controls read: ["a","b","c"] in protocols 0, 3, 4', () => {
  for (const n of ['benign0_v0.pkl', 'benign0_v3.pkl', 'benign0_v4.pkl']) {
    const r = load('picklescan', n);
    assert.equal(r.report.verdict, 'safe', n);
    assert.deepEqual(r.value, ['a', 'b', 'c'], n);
    assert.deepEqual(r.report.globals, [], n);
  }
});

test('benign object_array.npy reads with its 3 innocuous globals', () => {
  const r = load('picklescan', 'object_array.npy');
  assert.equal(r.report.verdict, 'safe');
  assert.deepEqual(r.report.globals, NP_RECON);
  assert.ok(r.value instanceof NdArray);
  assert.equal(r.value.dtype.kind, 'O');
});

test('the nested object-array pickle is scanned past the first array (posix.system beyond offset 353)', () => {
  const r = load('generated', 'joblib_objarray_nested_os_system.joblib');
  const hit = r.report.refused.find((x) => x.global === 'posix.system');
  assert.ok(hit && (hit.offset ?? 0) > 353, `offset ${hit?.offset}`);
});

test('malicious6: the benign first pickle does not hide the second', () => {
  const r = load('picklescan', 'malicious6.pkl');
  assert.equal(r.report.verdict, 'dangerous');
  assert.ok((r.report.refused[0].offset ?? 0) > 30, 'refusal is in the second pickle');
});

test('build_state_proto_key: nothing reaches Object.prototype', () => {
  load('generated', 'build_state_proto_key.pkl');
  assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'isAdmin'), false);
});

test('huge_length_binbytes8: the 2^62 length is refused before allocating, with its offset', () => {
  const before = process.memoryUsage().arrayBuffers;
  const r = load('generated', 'huge_length_binbytes8.pkl');
  assert.match(r.error?.message ?? '', /length 4611686018427387904 at offset 3/);
  assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20);
});

test('frame_boundary_divergence: the straddling BINBYTES length is named with the frame end', () => {
  const r = load('generated', 'frame_boundary_divergence.pkl');
  assert.match(r.error?.message ?? '', /straddles the FRAME ending at 131073/);
});

test('expansion_billion_laughs and deep_nesting finish fast (no expansion, no recursion)', () => {
  const t0 = performance.now();
  load('generated', 'expansion_billion_laughs.pkl');
  load('generated', 'deep_nesting_20000_lists.pkl');
  assert.ok(performance.now() - t0 < 2000);
});

test('a refused file never yields a PyObject even when its first pickle is a fine scaler', () => {
  const r = load('generated', 'trailing_second_pickle_eval.pkl');
  assert.ok(!(r.value instanceof PyObject));
  assert.equal(r.value, null);
});

test('refusal offsets point at the opcode that names the global', () => {
  // cposix\nsystem\n starts the file.
  assert.equal(load('picklescan', 'malicious2_v0.pkl').report.refused[0].offset, 0);
  // PROTO(2) FRAME(9) SHORT_BINUNICODE 'builtins'(10) MEMOIZE(1) SHORT_BINUNICODE 'eval'(6) MEMOIZE(1): STACK_GLOBAL at 29.
  assert.equal(load('picklescan', 'malicious1_v4.pkl').report.refused[0].offset, 29);
  // MARK(1) + STRING `S'raise RuntimeError("Injection running")'\n` (43 bytes): INST at 44.
  assert.equal(load('picklescan', 'malicious10.pkl').report.refused[0].offset, 44);
});
