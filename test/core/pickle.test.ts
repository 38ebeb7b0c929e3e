// The pickle VM on hand-assembled opcode streams: the expected values follow from the opcode
// definitions in CPython's pickletools (written out beside each case), not from our output.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PICKLE_LIMITS, scanPickle } from '../../src/core/formats/pickle/pickle';
import { ALLOWLIST, severityOf } from '../../src/core/formats/pickle/pickleAllowlist';
import { NdArray, PyBytes, PyGlobal, PyObject, PySet, PySlice, PyTuple, type PyValue } from '../../src/core/formats/pickle/pyValue';

/** Bytes from parts: strings are latin-1, arrays are raw bytes. */
function P(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}
const u8 = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
const sbu = (s: string) => P('\x8c', u8(s)); // SHORT_BINUNICODE
const le32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
const le64 = (n: number) => [...le32(n), 0, 0, 0, 0];
const ok = (b: Uint8Array): PyValue => {
  const r = scanPickle(b, { path: 't.pkl' });
  assert.equal(r.error, null, r.error?.message);
  assert.deepEqual(r.refused, []);
  return r.value as PyValue;
};
const err = (b: Uint8Array, code: string, re?: RegExp) => {
  const r = scanPickle(b, { path: 't.pkl' });
  assert.equal(r.error?.code, code, r.error?.message);
  assert.equal(r.value, null);
  if (re) assert.match(r.error?.message ?? '', re);
  return r;
};

test('protocol 0 text opcodes: INT, I01/I00 booleans, LONG, FLOAT, STRING escapes, UNICODE escapes', () => {
  assert.equal(ok(P('I-42\n.')), -42);
  assert.equal(ok(P('I01\n.')), true);
  assert.equal(ok(P('I00\n.')), false);
  assert.equal(ok(P('L18446744073709551616L\n.')), 18446744073709551616n); // 2^64
  assert.equal(ok(P('F0.25\n.')), 0.25);
  assert.ok(Number.isNaN(ok(P('Fnan\n.')) as number));
  assert.equal(ok(P("S'a\\'b\\n\\x41'\n.")), "a'b\nA");
  assert.deepEqual(ok(P("S'\\xff'\n.")), new PyBytes(Uint8Array.of(0xff)), 'non-ASCII py2 str stays bytes');
  assert.equal(ok(P('V\\u00e9\\u000a\\\\x\n.')), 'é\n\\\\x');
  assert.equal(ok(P('V\\U0001F600\n.')), '😀');
});

test('binary numbers: BININT, BININT1/2, LONG1 (two-complement, BigInt past 2^53), BINFLOAT big-endian', () => {
  assert.equal(ok(P('J', le32(-2), '.')), -2);
  assert.equal(ok(P('K', [200], '.')), 200);
  assert.equal(ok(P('M', [0x34, 0x12], '.')), 0x1234);
  assert.equal(ok(P('\x8a', [2, 0xff, 0x7f], '.')), 32767);
  assert.equal(ok(P('\x8a', [1, 0xff], '.')), -1);
  assert.equal(ok(P('\x8a', [9, 0, 0, 0, 0, 0, 0, 0, 0, 1], '.')), 1n << 64n);
  assert.equal(ok(P('\x8a', [0], '.')), 0);
  assert.equal(ok(P('G', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], '.')), 1.5);
});

test('containers: tuples, lists, dicts as Maps, sets, frozensets; memo shares identity', () => {
  assert.deepEqual(ok(P('\x80\x04K\x01K\x02\x86.')), new PyTuple([1, 2]));
  assert.deepEqual(ok(P(').')), new PyTuple([]));
  assert.deepEqual(ok(P('(K\x01K\x02l.')), [1, 2]);
  assert.deepEqual(ok(P(']\x94(K\x01K\x02e.')), [1, 2]);
  const d = ok(P('}(', sbu('a'), 'K\x01', sbu('__proto__'), 'K\x02u.')) as Map<string, number>;
  assert.ok(d instanceof Map);
  assert.equal(d.get('__proto__'), 2);
  assert.equal(({} as Record<string, unknown>).a, undefined);
  assert.deepEqual(ok(P('\x8f(K\x01K\x02\x90.')), new PySet([1, 2], false));
  assert.deepEqual(ok(P('(K\x03\x91.')), new PySet([3], true));
  const shared = ok(P('\x80\x04]\x94h\x00\x86.')) as PyTuple;
  assert.equal(shared.items[0], shared.items[1], 'GET returns the same object');
  err(P('}]K\x01s.'), 'pickle-malformed', /unhashable/);
});

test('PROTO must be first and at most 5', () => {
  err(P('K\x01\x80\x04.'), 'pickle-malformed', /PROTO is not the first/);
  err(P('\x80\x06K\x01.'), 'pickle-malformed', /protocol 6/);
});

test('FRAME: well-formed frames read; straddles, nested frames and early STOP are errors', () => {
  assert.equal(ok(P('\x80\x04\x95', le64(3), 'K\x07.')), 7);
  // Large bytes outside frames are legal (CPython writes them so).
  assert.deepEqual(ok(P('\x80\x04\x95', le64(0), 'C\x02ab.')), new PyBytes(P('ab')));
  err(P('\x80\x04\x95', le64(2), 'J\x01\x00\x00\x00.'), 'pickle-frame', /straddles the FRAME ending at 13/);
  err(P('\x80\x04\x95', le64(11), '\x95', le64(1), 'N.'), 'pickle-frame', /FRAME opens inside/);
  err(P('\x80\x04\x95', le64(3), 'N.N'), 'pickle-frame', /STOP before the end/);
  err(P('\x80\x04\x95', le64(100), 'N.'), 'pickle-truncated', /FRAME length 100/);
  err(P('\x80\x04\x95', le64(3), 'cos\nsystem\n.'), 'pickle-frame', /straddles/);
});

test('lengths are checked against the bytes left before anything is allocated', () => {
  err(P('\x80\x04\x8e', [0, 0, 0, 0, 0, 0, 0, 0x40], 'abc.'), 'pickle-truncated', /exceeds the 4 bytes left/);
  err(P('X', le32(0xffffffff), 'ab.'), 'pickle-truncated', /runs past the end/);
  err(P('\x8b', le32(1 << 20), '.'), 'pickle-limit', /LONG4/);
  err(P('K'), 'pickle-truncated');
  err(P('N'), 'pickle-truncated', /without STOP/);
});

test('refused opcodes: PERSID, BINPERSID, EXT1-4, NEXT_BUFFER, READONLY_BUFFER, unknown bytes', () => {
  err(P('P1\n.'), 'pickle-unsupported-opcode', /PERSID/);
  err(P('K\x01Q.'), 'pickle-unsupported-opcode', /BINPERSID/);
  err(P('\x82\x01.'), 'pickle-unsupported-opcode', /EXT/);
  err(P('\x97.'), 'pickle-unsupported-opcode', /out-of-band/);
  err(P('\xff.'), 'pickle-malformed', /unknown opcode 0xff at|unknown opcode 0xff/);
});

test('limits: stack depth, open MARKs, memo size, value depth (iterative), cycles, expansion', () => {
  err(P(']'.repeat(PICKLE_LIMITS.maxStack + 1), '.'), 'pickle-limit', /stack depth exceeds 10000/);
  err(P('('.repeat(PICKLE_LIMITS.maxMarks + 1), '.'), 'pickle-limit', /MARKs/);
  err(P('N', '\x94'.repeat(PICKLE_LIMITS.maxMemo + 1), '.'), 'pickle-limit', /memo exceeds/);
  // 1500 lists nested through the memo with a stack of 2: ] q0 0, then (] g(i) a q(i+1) 0) ...
  const parts: (string | number[])[] = [']p0\n0'];
  for (let i = 0; i < 1500; i++) parts.push(`]g${i}\nap${i + 1}\n0`);
  parts.push('g1500\n.');
  err(P(...parts), 'pickle-limit', /nesting exceeds 1000/);
  // 999 levels are fine.
  const fine: (string | number[])[] = [']p0\n0'];
  for (let i = 0; i < 998; i++) fine.push(`]g${i}\nap${i + 1}\n0`);
  fine.push('g998\n.');
  let v = ok(P(...fine));
  let depth = 0;
  while (Array.isArray(v)) {
    depth++;
    v = v[0];
  }
  assert.equal(depth, 999);
  err(P(']\x94h\x00a.'), 'pickle-cycle');
  // x(i+1) = [x(i), x(i)]: 24 doublings expand to 2^25 nodes > 10^7; 20 doublings (2^21) read fine.
  const laughs = (n: number) => {
    const q: (string | number[])[] = ['\x80\x02]q\x00'];
    for (let i = 0; i < n; i++) q.push(['('.charCodeAt(0), 0x68, i, 0x68, i, 0x6c, 0x71, i + 1]);
    q.push('.');
    return P(...q);
  };
  err(laughs(24), 'pickle-expansion');
  const big = ok(laughs(20)) as PyValue[];
  assert.equal(big[0], big[1], 'shared, not copied');
});

test('globals: names validated; dotted names and non-str STACK_GLOBAL operands refused as dangerous', () => {
  err(P('cos system\nx\n.'), 'pickle-bad-global');
  let r = scanPickle(P('\x80\x04', sbu('numpy'), sbu('float64.x'), '\x93.'));
  assert.equal(r.refused[0].severity, 'dangerous');
  assert.deepEqual(r.globals, ['numpy.float64.x']);
  r = scanPickle(P('\x80\x04K\x01', sbu('x'), '\x93.'));
  assert.equal(r.refused[0].global, '<unresolved STACK_GLOBAL>');
  r = scanPickle(P('cmy_pkg\nThing\n.'));
  assert.deepEqual(r.refused, [{ global: 'my_pkg.Thing', reason: 'not on the allowlist', offset: 0, severity: 'unsupported' }]);
  // A refused global is reported once, at its first offset.
  r = scanPickle(P('(cos\nsystem\ncos\nsystem\nl.'));
  assert.equal(r.refused.length, 1);
  assert.equal(r.refused[0].offset, 1);
});

test('allowlisted values: numpy type refs are inert PyGlobals; slices; OrderedDict; _codecs.encode', () => {
  assert.deepEqual(ok(P('cnumpy\nfloat64\n.')), new PyGlobal('numpy', 'float64'));
  assert.deepEqual(ok(P('cbuiltins\nfloat\n.')), new PyGlobal('builtins', 'float'));
  assert.match(scanPickle(P('cbuiltins\nint\n(V7\ntR.')).refused[0].reason, /not callable/);
  assert.deepEqual(ok(P('\x80\x04cbuiltins\nslice\nK\x01K\x05N\x87R.')), new PySlice(1, 5, null));
  const od = ok(P('\x80\x04ccollections\nOrderedDict\n)R(', sbu('k'), 'K\x01u.'));
  assert.deepEqual(od, new Map([['k', 1]]));
  assert.deepEqual(ok(P('c_codecs\nencode\n(V\\u00ff\nVlatin1\ntR.')), new PyBytes(Uint8Array.of(0xff)));
});

test('allowlisted names used the wrong way are refused (argument shapes are exact)', () => {
  const refusedBy = (b: Uint8Array) => scanPickle(b).refused.map((x) => `${x.global}: ${x.reason}`);
  assert.match(refusedBy(P('c_codecs\nencode\n(V\\u0100\nVlatin1\ntR.'))[0], /beyond latin-1/);
  assert.match(refusedBy(P('c_codecs\nencode\n(Vx\nVutf8\ntR.'))[0], /latin1/);
  assert.match(refusedBy(P('cnumpy\nfloat64\n(K\x01tR.'))[0], /not callable/);
  assert.match(refusedBy(P('cnumpy\ndtype\n(Vf8\nI00\nI01\ntRK\x01b.'))[0], /dtype state/);
  assert.match(refusedBy(P('cnumpy\ndtype\n(VV8\nI00\nI01\ntR.'))[0], /not supported/);
  assert.match(refusedBy(P('cbuiltins\nslice\n(Vx\nNNtR.'))[0], /three ints/);
  // NEWOBJ_EX with keyword arguments.
  const ss = P('\x80\x04', sbu('sklearn.preprocessing._data'), sbu('StandardScaler'), '\x93');
  assert.match(refusedBy(P(ss, ')}', sbu('a'), 'K\x01s\x92.'))[0], /keyword/);
  // A second BUILD, and a state that is not a str-keyed dict.
  assert.match(refusedBy(P(ss, ')\x81}b}b.'))[0], /second BUILD/);
  assert.match(refusedBy(P(ss, ')\x81]b.'))[0], /str-keyed dict/);
  // numpy.ndarray may not be a value by itself.
  assert.match(refusedBy(P('cnumpy\nndarray\n.'))[0], /may not appear as a value/);
});

test('sklearn objects: NEWOBJ + BUILD, INST and OBJ without arguments, copy_reg._reconstructor', () => {
  const name = 'sklearn.preprocessing._data.MinMaxScaler';
  const st = P('}(', sbu('copy'), '\x88', sbu('_sklearn_version'), sbu('1.2.1'), 'u');
  const a = ok(P('\x80\x04', sbu('sklearn.preprocessing._data'), sbu('MinMaxScaler'), '\x93)\x81', st, 'b.')) as PyObject;
  assert.equal(a.className, name);
  assert.deepEqual(
    a.state,
    new Map<string, PyValue>([
      ['copy', true],
      ['_sklearn_version', '1.2.1'],
    ]),
  );
  const b = ok(P('(isklearn.preprocessing._data\nMinMaxScaler\n.')) as PyObject;
  assert.equal(b.className, name);
  const c = ok(P('(csklearn.preprocessing._data\nMinMaxScaler\no.')) as PyObject;
  assert.equal(c.className, name);
  const d = ok(P('ccopy_reg\n_reconstructor\n(csklearn.preprocessing._data\nMinMaxScaler\nc__builtin__\nobject\nNtR.')) as PyObject;
  assert.equal(d.className, name);
  const r = scanPickle(P('(K\x01isklearn.preprocessing._data\nMinMaxScaler\n.'));
  assert.match(r.refused[0].reason, /with arguments/);
});

test('numpy arrays: _reconstruct + BUILD (bytes, latin-1 str, object list), _frombuffer, scalar', () => {
  const dtype = (spec: string) => `cnumpy\ndtype\n(V${spec}\nI00\nI01\ntR(I3\nV<\nNNNI-1\nI-1\nI0\ntb`;
  const recon = 'cnumpy.core.multiarray\n_reconstruct\n(cnumpy\nndarray\n(I0\ntVb\ntR';
  // 2 little-endian int32 values 1 and -1 given as a latin-1 str (py2 style).
  const a = ok(P(recon, '(I1\n(I2\nt', dtype('i4'), 'I00\nV\\u0001\\u0000\\u0000\\u0000\\u00ff\\u00ff\\u00ff\\u00ff\ntb.')) as NdArray;
  assert.deepEqual(Array.from(a.data as Int32Array), [1, -1]);
  assert.deepEqual(a.shape, [2]);
  const o = ok(P(recon, '(I1\n(I2\nt', 'cnumpy\ndtype\n(VO8\nI00\nI01\ntR(I3\nV|\nNNNI-1\nI-1\nI63\ntb', 'I00\n(VA\nI5\nltb.')) as NdArray;
  assert.deepEqual(o.data, ['A', 5]);
  const wrongLen = scanPickle(P(recon, '(I1\n(I3\nt', dtype('i4'), 'I00\nC\x04abcdtb.'));
  assert.match(wrongLen.error?.message ?? '', /has 4 bytes, shape \[3\] of i4 needs 12/);
  const fb = ok(P('\x80\x05cnumpy.core.numeric\n_frombuffer\n(\x96', le64(8), [0, 0, 0, 0, 0, 0, 0xf0, 0x3f], dtype('f8'), '(I1\ntVC\ntR.')) as NdArray;
  assert.deepEqual(Array.from(fb.data as Float64Array), [1]);
  const sc = ok(P('cnumpy.core.multiarray\nscalar\n(', dtype('i8'), 'C\x08\x03\x00\x00\x00\x00\x00\x00\x00tR.')) as NdArray;
  assert.equal(sc.scalar, true);
  assert.deepEqual(sc.data, [3]);
});

test('trailing data: a second clean pickle is scanned; junk after STOP is an error', () => {
  const r = scanPickle(P('K\x01.', 'cos\nsystem\n.'));
  assert.deepEqual(r.globals, ['os.system']);
  assert.equal(r.value, null);
  assert.equal(ok(P('K\x01.K\x02.')), 1);
  err(P('K\x01.\x00'), 'pickle-trailing-data', /offset 3: 1 bytes after STOP/);
});

test('stack underflow and wrong container types are clear errors with the offset', () => {
  err(P('a.'), 'pickle-malformed', /offset 0: stack underflow/);
  err(P('K\x01K\x02a.'), 'pickle-malformed', /offset 4: APPEND to a value that is not a list/);
  err(P('K\x01t.'), 'pickle-malformed', /no MARK/);
  err(P('g7\n.'), 'pickle-malformed', /memo key 7 was never stored/);
});

test('joblib NumpyArrayWrapper: raw array bytes follow the BUILD (with and without alignment padding, F order)', () => {
  const dtype = 'cnumpy\ndtype\n(Vf8\nI00\nI01\ntR(I3\nV<\nNNNI-1\nI-1\nI0\ntb';
  const wrapper = (mod: string, order: string, align: boolean) =>
    P(
      `c${mod}\nNumpyArrayWrapper\n)\x81}(Vsubclass\ncnumpy\nndarray\nVshape\n(I2\nI2\ntVorder\nV${order}\nVdtype\n`,
      dtype,
      'Vallow_mmap\nI00\n',
      align ? 'Vnumpy_array_alignment_bytes\nI16\n' : '',
      'ub',
    );
  const data = new Uint8Array(new Float64Array([1, 2, 3, 4]).buffer);
  // joblib <= 1.1 (and sklearn.externals.joblib): no padding, the 32 bytes follow BUILD directly.
  const old = wrapper('sklearn.externals.joblib.numpy_pickle', 'C', false);
  const a = ok(P(old, data, '.')) as NdArray;
  assert.deepEqual(Array.from(a.data as Float64Array), [1, 2, 3, 4]);
  // joblib >= 1.2: one byte of padding length, then that many 0xff, then the data; here F order.
  const w = wrapper('joblib.numpy_pickle', 'F', true);
  const pad = (16 - ((w.length + 1) % 16)) % 16;
  const f = ok(P(w, [pad], new Array(pad).fill(0xff), data, '.')) as NdArray;
  // Fortran [1,2,3,4] for shape (2,2) is [[1,3],[2,4]] in C order.
  assert.deepEqual(Array.from(f.data as Float64Array), [1, 3, 2, 4]);
  assert.equal(scanPickle(P(w, [pad], new Array(pad).fill(0xff), data, '.')).sawArrayWrapper, true);
  // Padding bytes must be 0xff; data must be all there.
  assert.match(scanPickle(P(w, [2, 0, 0], data, '.')).error?.message ?? '', /padding byte at \d+ is not 0xff/);
  assert.equal(scanPickle(P(old, data.subarray(0, 20))).error?.code, 'pickle-truncated');
  // A numpy.matrix subclass is refused (not allowlisted) and nothing is built.
  const m = scanPickle(P(String.fromCharCode(...old).replace('cnumpy\nndarray', 'cnumpy\nmatrix'), data, '.'));
  assert.deepEqual(
    m.refused.map((x) => x.global),
    ['numpy.matrix'],
  );
  assert.equal(m.value, null);
});

test('severity labels follow the picklescan / fickling lists (labels only: anything not allowlisted is refused)', () => {
  const dangerous: [string, string][] = [
    ['torch.serialization', 'load'],
    ['torch._inductor.codecache', 'compile_file'],
    ['numpy.testing._private.utils', 'runstring'],
    ['numpy.f2py', 'compile'],
    ['idlelib.calltip', 'Calltip.fetch_tip'],
    ['aiohttp.client', 'ClientSession'],
    ['cloudpickle.cloudpickle', '_make_function'],
    ['functools', 'partial'],
    ['io', 'FileIO'],
    ['builtins', 'getattr'],
    ['__builtin__', 'apply'],
    ['smtplib', 'SMTP'],
    ['_xxsubinterpreters', 'create'],
    ['picklescan', 'scanner'],
    ['joblib', 'load'],
    ['somepkg', 'eval'],
  ];
  for (const [m, n] of dangerous) assert.equal(severityOf(m, n), 'dangerous', `${m}.${n}`);
  const unsupported: [string, string][] = [
    ['builtins', 'dict'],
    ['builtins', 'set'],
    ['sklearn.linear_model._logistic', 'LogisticRegression'],
    ['numpy.core._multiarray_umath', 'log1p'],
    ['joblib.numpy_pickle', 'NDArrayWrapper'],
    ['scipy.sparse._csr', 'csr_matrix'],
  ];
  for (const [m, n] of unsupported) assert.equal(severityOf(m, n), 'unsupported', `${m}.${n}`);
  // Nothing on the allowlist is in the dangerous table.
  for (const q of ALLOWLIST.keys()) {
    const i = q.lastIndexOf('.');
    assert.equal(severityOf(q.slice(0, i), q.slice(i + 1)), 'unsupported', q);
  }
});

test('python 2 pickles: BINSTRING / SHORT_BINSTRING keys are text, binary py2 str array data is bytes', () => {
  const dtype = 'cnumpy\ndtype\n(U\x02f8I00\nI01\ntR(I3\nU\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb';
  const recon = 'cnumpy.core.multiarray\n_reconstruct\n(cnumpy\nndarray\n(K\x00tU\x01btR';
  // 1.5 little-endian is 00 00 00 00 00 00 f8 3f: non-ASCII, so a py2 str holding it stays bytes.
  const arr = P(recon, '(K\x01(K\x01t', dtype, 'I00\nU\x08', [0, 0, 0, 0, 0, 0, 0xf8, 0x3f], 'tb');
  const v = ok(P('\x80\x02}(T', le32(5), 'mean_', arr, 'u.')) as Map<string, NdArray>;
  assert.deepEqual([...v.keys()], ['mean_']);
  assert.deepEqual(Array.from(v.get('mean_')?.data as Float64Array), [1.5]);
});

test('after a refusal nothing more is built (a bad array after os.system is never decoded)', () => {
  const dtype = 'cnumpy\ndtype\n(Vf8\nI00\nI01\ntR(I3\nV<\nNNNI-1\nI-1\nI0\ntb';
  const badArray = `cnumpy.core.multiarray\n_reconstruct\n(cnumpy\nndarray\n(I0\ntVb\ntR(I1\n(I3\nt${dtype}I00\nVabc\ntb`;
  // Alone, the 3-byte data for 3 float64 is an array error.
  assert.equal(scanPickle(P(badArray, '.')).error?.code, 'pickle-bad-array');
  // After a refused global the array is not built, so no array error: just the refusal.
  const r = scanPickle(P('(cos\nsystem\n', badArray, 'l.'));
  assert.equal(r.error, null);
  assert.deepEqual(
    r.refused.map((x) => x.global),
    ['os.system'],
  );
  assert.deepEqual(r.globals, ['os.system', 'numpy.core.multiarray._reconstruct', 'numpy.ndarray', 'numpy.dtype']);
});
