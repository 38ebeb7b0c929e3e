// The pickle allowlist (exact `module.name` -> which inert handler may interpret it) and the
// dangerous-name table used ONLY to label the severity of refused globals (never to decide safety).
// Sources: docs/pickle-safety.md (a) allowlist, (b) picklescan `_unsafe_globals` and fickling
// `UNSAFE_IMPORTS` / `UnsafeImportsML`.

/** What an allowlisted global may do; the VM has one fixed, data-only handler per kind. */
export type HandlerKind =
  | 'reconstruct'
  | 'frombuffer'
  | 'scalar'
  | 'dtype'
  | 'ndarray'
  | 'typeRef'
  | 'codecsEncode'
  | 'reconstructor'
  | 'object'
  | 'slice'
  | 'orderedDict'
  | 'arrayWrapper'
  | 'ufunc'
  | 'legacyWrapper'
  | 'ufuncReconstruct'
  | 'sklearn'
  | 'sklearnData';

const table = new Map<string, HandlerKind>();
function add(kind: HandlerKind, ...names: string[]): void {
  for (const n of names) table.set(n, kind);
}

add('reconstruct', 'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct');
add('frombuffer', 'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer');
add('scalar', 'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar');
add('dtype', 'numpy.dtype');
add('ndarray', 'numpy.ndarray');
add(
  'typeRef',
  ...[
    'float64',
    'float32',
    'float16',
    'int64',
    'int32',
    'int16',
    'int8',
    'uint64',
    'uint32',
    'uint16',
    'uint8',
    'bool_',
    'object_',
    'str_',
    'bytes_',
    'complex64',
    'complex128',
  ].map((n) => `numpy.${n}`),
);
// Python's own scalar types as inert values (e.g. `OneHotEncoder(dtype=float)`); the typeRef handler never calls them.
for (const m of ['builtins', '__builtin__']) add('typeRef', ...['float', 'int', 'bool', 'str', 'complex'].map((n) => `${m}.${n}`));
add('codecsEncode', '_codecs.encode');
add('reconstructor', 'copy_reg._reconstructor', 'copyreg._reconstructor');
add('object', '__builtin__.object', 'builtins.object');
add('slice', 'builtins.slice', '__builtin__.slice');
add('orderedDict', 'collections.OrderedDict');
add('arrayWrapper', 'joblib.numpy_pickle.NumpyArrayWrapper', 'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper');
// joblib < 0.10: arrays in side files; the wrapper's state gives only a file name (read by pickleArtifact.ts, same folder only).
for (const m of ['joblib.numpy_pickle', 'sklearn.externals.joblib.numpy_pickle']) add('legacyWrapper', `${m}.NDArrayWrapper`, `${m}.ZNDArrayWrapper`);

const dataClasses = ['StandardScaler', 'MinMaxScaler', 'MaxAbsScaler', 'RobustScaler', 'Normalizer', 'Binarizer', 'QuantileTransformer', 'PowerTransformer'];
for (const c of dataClasses) add('sklearn', `sklearn.preprocessing._data.${c}`, `sklearn.preprocessing.data.${c}`);
add(
  'sklearn',
  'sklearn.preprocessing._polynomial.PolynomialFeatures',
  'sklearn.preprocessing._data.PolynomialFeatures',
  'sklearn.preprocessing.data.PolynomialFeatures',
  'sklearn.preprocessing._encoders.OneHotEncoder',
  'sklearn.preprocessing._encoders.OrdinalEncoder',
  'sklearn.preprocessing.data.OneHotEncoder',
  'sklearn.preprocessing._discretization.KBinsDiscretizer',
  'sklearn.preprocessing.discretization.KBinsDiscretizer',
  'sklearn.impute._base.SimpleImputer',
  'sklearn.impute.SimpleImputer',
  'sklearn.preprocessing.imputation.Imputer',
  'sklearn.pipeline.Pipeline',
  'sklearn.pipeline.FeatureUnion',
  'sklearn.compose._column_transformer.ColumnTransformer',
);
for (const c of ['LabelEncoder', 'LabelBinarizer', 'MultiLabelBinarizer'])
  add('sklearn', `sklearn.preprocessing._label.${c}`, `sklearn.preprocessing.label.${c}`);

// scikit-learn >= 0.22 / < 0.22 module paths of the other preprocessing classes this tool reads.
add(
  'sklearn',
  'sklearn.decomposition._pca.PCA',
  'sklearn.decomposition.pca.PCA',
  'sklearn.preprocessing._function_transformer.FunctionTransformer',
  'sklearn.preprocessing.function_transformer.FunctionTransformer',
);
// Helper classes whose instances hold only data (not estimators): ColumnTransformer's remainder column list (>= 1.4).
add('sklearnData', 'sklearn.compose._column_transformer._RemainderColsList');

/**
 * numpy ufuncs a FunctionTransformer may name (`func=np.log1p`): inert names, never called by the
 * VM; scalerTransform.ts applies each with its own TypeScript arithmetic. numpy 1.x pickles them as
 * `numpy.core._multiarray_umath.<name>` (numpy 2: `numpy._core...`), older numpy through
 * `numpy.core._ufunc_reconstruct(module, name)`, which the VM resolves only to these names.
 */
export const UFUNCS: readonly string[] = [
  'log1p',
  'expm1',
  'log',
  'log2',
  'log10',
  'exp',
  'exp2',
  'sqrt',
  'cbrt',
  'square',
  'absolute',
  'fabs',
  'negative',
  'reciprocal',
  'tanh',
  'sinh',
  'cosh',
  'arctan',
  'arcsinh',
  'sign',
  'rint',
  'floor',
  'ceil',
];
for (const m of ['numpy.core._multiarray_umath', 'numpy._core._multiarray_umath', 'numpy.core.umath', 'numpy._core.umath', 'numpy'])
  add('ufunc', ...UFUNCS.map((u) => `${m}.${u}`));
add('ufuncReconstruct', 'numpy.core._ufunc_reconstruct', 'numpy._core._ufunc_reconstruct');

/** The allowlist: exact `module.name` -> handler kind. Anything absent is refused. */
export const ALLOWLIST: ReadonlyMap<string, HandlerKind> = table;

/** Handler kind of an exact `module.name`, or undefined when it is not allowlisted. */
export function handlerFor(qualifiedName: string): HandlerKind | undefined {
  return table.get(qualifiedName);
}

/** fickling SAFE_BUILTINS: builtins that are not flagged (still refused by us unless allowlisted). */
const SAFE_BUILTINS = new Set(
  (
    'bool int float complex str bytes bytearray list tuple set frozenset dict len abs sum min max round pow divmod ' +
    'sorted reversed enumerate zip range map filter slice iter next all any hash id repr ascii bin hex oct ord chr ' +
    'isinstance issubclass object callable format'
  ).split(' '),
);

/** Module path components that make a global dangerous wherever they appear (fickling + picklescan). */
const DANGEROUS_COMPONENTS = new Set(
  (
    '__builtins__ os posix nt subprocess sys pty commands multiprocessing _posixsubprocess code codeop runpy ' +
    'marshal types doctest _interpreters _xxsubinterpreters importlib _frozen_importlib _frozen_importlib_external ' +
    '_imp imp pkgutil zipimport gc site unittest inspect test _operator operator functools cProfile profile pdb bdb ' +
    'timeit trace socket ssl httplib http urllib urllib2 requests aiohttp asyncio webbrowser smtplib imaplib ftplib ' +
    'poplib telnetlib nntplib ctypes _ctypes pickle _pickle dill cloudpickle shutil tempfile filecmp distutils pydoc ' +
    'pexpect pipes venv ensurepip pip idlelib lib2to3 socketserver xmlrpc signal _signal threading _thread atexit ' +
    'sqlite3 _sqlite3 fileinput glob platform linecache difflib compileall py_compile mmap select selectors logging ' +
    'syslog tarfile zipfile shelve uuid _osx_support _aix_support _pyrepl _io ' +
    'fickling picklescan modelscan model_unpickler saferpickle modelaudit'
  ).split(' '),
);

/** Dotted prefixes (module or module.name) flagged by picklescan / fickling ML lists. */
const DANGEROUS_PREFIXES = [
  'numpy.f2py',
  'numpy.distutils',
  'numpy.testing._private.utils',
  'torch.hub',
  'torch._dynamo',
  'torch._inductor',
  'torch.jit',
  'torch.compile',
  'torch.load',
  'torch.serialization.load',
  'torch.storage._load_from_bytes',
  'torch.fx.experimental.symbolic_shapes',
  'torch.utils._config_module',
  'torch.utils.bottleneck',
  'torch.utils.collect_env',
  'torch.utils.data.datapipes.utils.decoder',
  'io.FileIO',
  'io.open',
  'joblib.load',
  'joblib.numpy_pickle.load',
];

/** Names that are code execution wherever they are imported from (fickling call analysis). */
const DANGEROUS_NAMES = new Set(['eval', 'exec', 'execfile', 'compile', '__import__', 'breakpoint', 'system', 'popen']);

/** Severity label of a refused global: `dangerous` when the scanners' lists name it, else `unsupported`. */
export function severityOf(module: string, name: string): 'dangerous' | 'unsupported' {
  const full = `${module}.${name}`;
  const modParts = module.split('.');
  const nameParts = name.split('.');
  if (modParts[0] === 'builtins' || modParts[0] === '__builtin__') {
    return nameParts.length === 1 && SAFE_BUILTINS.has(name) ? 'unsupported' : 'dangerous';
  }
  for (const p of [...modParts, ...nameParts]) if (DANGEROUS_COMPONENTS.has(p)) return 'dangerous';
  for (const p of nameParts) if (DANGEROUS_NAMES.has(p)) return 'dangerous';
  for (const pre of DANGEROUS_PREFIXES) if (full === pre || full.startsWith(`${pre}.`)) return 'dangerous';
  return 'unsupported';
}
