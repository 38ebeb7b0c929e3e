// Interprets inert pickle values (pyValue.ts) as fitted scikit-learn preprocessing objects: class,
// Size: one interpreter for every allowlisted class (params, hyperparameters, composites, private fitted data).
// version, feature count and names, every fitted numeric attribute, and the steps of composites.
import { ALLOWLIST } from './pickleAllowlist';
import { NdArray, PyBytes, PyGlobal, PyObject, PySet, PySlice, PyTuple, type PyValue } from './pyValue';
import type { Scaler } from '../../types';

/**
 * A Scaler of the contract plus optional extensions this module fills:
 * - `hyper`: the non-fitted hyperparameters (`with_mean`, `feature_range`, `method`, ...) as plain
 *   JSON values, needed to transform;
 * - `inner`: fitted estimators held in private attributes (PowerTransformer's `_scaler`);
 * - `categories`: `categories_` of encoders (or `classes_` of LabelEncoder as one list), strings kept;
 * - `name` / `columns`: for a step of a Pipeline / ColumnTransformer / FeatureUnion, its name and (for a
 *   ColumnTransformer) the input columns it applies to (indices or column names);
 * - `path`: where findScalers found it inside a plain dict / list wrapper (`scaler`, `[1]`, `models.y`);
 * - `others`: on the file's primary object only, the other objects the same file holds (pickleArtifact).
 * A step given as the string 'passthrough' / 'drop' (or None in a Pipeline) becomes a pseudo step of
 * class `passthrough` / `drop` (module `''`), so transforms and views keep every column in order.
 */
export interface SklearnScaler extends Scaler {
  steps?: SklearnScaler[];
  hyper?: Record<string, JsonValue>;
  inner?: Record<string, SklearnScaler>;
  categories?: (number | string | null)[][];
  name?: string;
  columns?: (number | string)[];
  path?: string;
  others?: SklearnScaler[];
  /** Set when this object was read but cannot be applied (e.g. a FunctionTransformer calling code): the reason. */
  unsupported?: string;
  /**
   * Fitted values transforms need beyond `params`, as plain data (object arrays as lists, None as
   * null): OneHotEncoder `drop_idx_` and its infrequent-category mappings, KBinsDiscretizer
   * `bin_edges_`, PolynomialFeatures `_min_degree` / `_max_degree`, OneHotEncoder `_n_features_outs`.
   */
  fitted?: Record<string, JsonValue>;
  /** Sub-estimators of a composite that could not be interpreted: what they are and why. */
  unreadSteps?: { label: string; reason: string }[];
}

/** Plain JSON-like values used for hyperparameters. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** Class names (without module) this module interprets: the scikit-learn classes of the unpickler's allowlist. */
export const SKLEARN_CLASSES: ReadonlySet<string> = new Set(
  [...ALLOWLIST].filter(([, kind]) => kind === 'sklearn').map(([name]) => name.slice(name.lastIndexOf('.') + 1)),
);

/** How deep composites (Pipeline in ColumnTransformer in ...) and wrappers are followed. */
const MAX_DEPTH = 32;

/** Splits `module.Class` into its parts. */
function splitClassName(qualified: string): { module: string; name: string } {
  const i = qualified.lastIndexOf('.');
  return i < 0 ? { module: '', name: qualified } : { module: qualified.slice(0, i), name: qualified.slice(i + 1) };
}

/** True when the value is a scikit-learn object of a class this module interprets. */
export function isSklearnObject(v: PyValue): v is PyObject {
  if (!(v instanceof PyObject)) return false;
  const { module, name } = splitClassName(v.className);
  return module.startsWith('sklearn.') && SKLEARN_CLASSES.has(name);
}

/** The object's state as a str-keyed Map (empty when it is not one). */
export function stateOf(obj: PyObject): Map<string, PyValue> {
  const out = new Map<string, PyValue>();
  if (obj.state instanceof Map) {
    for (const [k, v] of obj.state) if (typeof k === 'string') out.set(k, v);
  } else if (obj.state instanceof PyTuple && obj.state.items.length === 2 && obj.state.items[0] instanceof Map) {
    // (state, slotstate) form of BUILD: only the dict part matters for estimators.
    for (const [k, v] of obj.state.items[0] as Map<unknown, PyValue>) if (typeof k === 'string') out.set(k, v);
  }
  return out;
}

/** A plain number from a Python / numpy numeric value (bool as 0/1), or null. */
export function toNumber(v: PyValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof NdArray && v.size === 1 && isNumericDtype(v)) {
    const x = v.data[0] as number | bigint | boolean;
    return typeof x === 'boolean' ? (x ? 1 : 0) : Number(x);
  }
  return null;
}

function isNumericDtype(a: NdArray): boolean {
  return a.dtype.kind === 'f' || a.dtype.kind === 'i' || a.dtype.kind === 'u' || a.dtype.kind === 'b';
}

/** The elements of a numeric array as plain numbers in C order (int64 as numbers, bool as 0/1). */
export function numericData(a: NdArray): number[] {
  const n = a.data.length;
  // Start as an array of doubles and set its length: V8 then allocates one 8-byte slot per element
  // once. `new Array(n)` allocates tagged slots that are copied again when the first double is
  // stored (a second transient copy of the array: issue 18's joblib memory figure).
  const out: number[] = [0.5];
  out.length = n;
  for (let i = 0; i < n; i++) {
    const x = a.data[i] as number | bigint | boolean;
    out[i] = typeof x === 'boolean' ? (x ? 1 : 0) : Number(x);
  }
  return out;
}

/** A fitted numeric attribute as a number or flat array, or null when it is not numeric. */
function numericParam(v: PyValue): number | number[] | null {
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return toNumber(v);
  if (v instanceof NdArray && isNumericDtype(v)) {
    if (v.scalar) return toNumber(v);
    return numericData(v);
  }
  return null;
}

/** A string list from an object / unicode / bytes array or a Python list of str, else null. */
function stringList(v: PyValue): string[] | null {
  const items = listItems(v);
  if (!items) return null;
  const out: string[] = [];
  for (const x of items) {
    if (typeof x === 'string') out.push(x);
    else if (x instanceof PyBytes) out.push(String.fromCharCode(...x.data));
    else return null;
  }
  return out;
}

/** The elements of a 1-D array / list / tuple, or null. */
function listItems(v: PyValue): PyValue[] | null {
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple) return v.items;
  if (v instanceof NdArray && !v.scalar && v.shape.length === 1) {
    if (v.dtype.kind === 'O' || v.dtype.kind === 'U' || v.dtype.kind === 'S') return Array.from(v.data as PyValue[]);
    return numericData(v);
  }
  return null;
}

/** Plain category values: numbers and strings (None as null), or null when something else. */
function categoryList(v: PyValue): (number | string | null)[] | null {
  const items = listItems(v);
  if (!items) return null;
  const out: (number | string | null)[] = [];
  for (const x of items) {
    if (typeof x === 'string' || x === null) out.push(x);
    else if (x instanceof PyBytes) out.push(String.fromCharCode(...x.data));
    else {
      const n = toNumber(x);
      if (n === null) return null;
      out.push(n);
    }
  }
  return out;
}

/** A hyperparameter as a plain JSON value; undefined for values that are not plain data. */
function jsonValue(v: PyValue, depth = 0): JsonValue | undefined {
  if (depth > 8) return undefined;
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof PyGlobal) return v.qualifiedName;
  if (v instanceof NdArray) {
    if (v.scalar || v.size === 1) {
      const n = toNumber(v);
      if (n !== null) return n;
    }
    if (isNumericDtype(v) && v.size <= 4096) return numericData(v);
    return undefined;
  }
  if (Array.isArray(v) || v instanceof PyTuple) {
    const items = Array.isArray(v) ? v : v.items;
    const out: JsonValue[] = [];
    for (const x of items) {
      const j = jsonValue(x, depth + 1);
      if (j === undefined) return undefined;
      out.push(j);
    }
    return out;
  }
  if (v instanceof Map) {
    const out: { [k: string]: JsonValue } = Object.create(null);
    for (const [k, x] of v) {
      if (typeof k !== 'string') return undefined;
      const j = jsonValue(x, depth + 1);
      if (j === undefined) return undefined;
      Object.defineProperty(out, k, { value: j, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (v instanceof PySlice || v instanceof PySet || v instanceof PyBytes || v instanceof PyObject) return undefined;
  return undefined;
}

/** Number of input features derived from fitted arrays for versions without `n_features_in_` (< 0.24). */
function derivedFeatureCount(cls: string, st: Map<string, PyValue>): number | null {
  const lengthOf = (k: string): number | null => {
    const v = st.get(k);
    return v instanceof NdArray && !v.scalar && v.shape.length === 1 ? v.shape[0] : null;
  };
  const candidates: Record<string, string[]> = {
    StandardScaler: ['mean_', 'scale_', 'var_'],
    MinMaxScaler: ['min_', 'scale_', 'data_min_'],
    MaxAbsScaler: ['max_abs_', 'scale_'],
    RobustScaler: ['center_', 'scale_'],
    PowerTransformer: ['lambdas_'],
    SimpleImputer: ['statistics_'],
    Imputer: ['statistics_'],
    KBinsDiscretizer: ['n_bins_'],
  };
  for (const k of candidates[cls] ?? []) {
    const n = lengthOf(k);
    if (n !== null) return n;
  }
  if (cls === 'QuantileTransformer') {
    const q = st.get('quantiles_');
    if (q instanceof NdArray && q.shape.length === 2) return q.shape[1];
  }
  if (cls === 'OneHotEncoder' || cls === 'OrdinalEncoder') {
    const c = st.get('categories_');
    if (Array.isArray(c)) return c.length;
  }
  if (cls === 'PolynomialFeatures') {
    const n = toNumber(st.get('n_input_features_') ?? null);
    if (n !== null) return n;
  }
  return null;
}

/** Named sub-estimators of a Pipeline (`steps`) or FeatureUnion (`transformer_list`): [(name, est)]. */
function namedEstimators(v: PyValue): { name: string; est: PyValue; columns: PyValue }[] {
  const out: { name: string; est: PyValue; columns: PyValue }[] = [];
  for (const item of listItems(v) ?? []) {
    const parts = item instanceof PyTuple ? item.items : Array.isArray(item) ? item : null;
    if (!parts || parts.length < 2) continue;
    out.push({ name: typeof parts[0] === 'string' ? parts[0] : String(parts[0]), est: parts[1], columns: parts[2] ?? null });
  }
  return out;
}

/** Column selection of a ColumnTransformer entry as indices or names (slices and masks resolved). */
function resolveColumns(cols: PyValue, nFeatures: number | null, names: string[] | null): (number | string)[] | undefined {
  if (cols instanceof PyObject && cols.className.endsWith('._RemainderColsList')) {
    // scikit-learn >= 1.4 wraps the remainder's columns in a list subclass; its data is the list.
    return resolveColumns(stateOf(cols).get('data') ?? null, nFeatures, names);
  }
  if (cols instanceof PySlice) {
    const n = nFeatures ?? names?.length ?? null;
    if (n === null) return undefined;
    const num = (x: PyValue): number | null => (x === null ? null : toNumber(x));
    const step = num(cols.step) ?? 1;
    if (step === 0) return undefined;
    const norm = (x: number | null, dflt: number): number => {
      if (x === null) return dflt;
      if (x < 0) return Math.max(x + n, step < 0 ? -1 : 0);
      return Math.min(x, step < 0 ? n - 1 : n);
    };
    const start = norm(num(cols.start), step > 0 ? 0 : n - 1);
    const stop = norm(num(cols.stop), step > 0 ? n : -1);
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
    return out;
  }
  if (typeof cols === 'string') return [cols];
  const n = toNumber(cols);
  if (n !== null && !(cols instanceof NdArray && !cols.scalar)) return [n];
  const items = listItems(cols);
  if (!items) return undefined;
  if (cols instanceof NdArray && cols.dtype.kind === 'b') {
    const out: number[] = [];
    items.forEach((x, i) => {
      if (x) out.push(i);
    });
    return out;
  }
  const out: (number | string)[] = [];
  for (const x of items) {
    if (typeof x === 'string') out.push(x);
    else {
      const k = toNumber(x);
      if (k === null) return undefined;
      out.push(k);
    }
  }
  return out;
}

/**
 * Interprets one value as a fitted scikit-learn preprocessing object, or null when it is not one.
 * Composites (Pipeline, ColumnTransformer, FeatureUnion) list their fitted sub-objects in `steps`.
 */
export function toScaler(value: PyValue): SklearnScaler | null {
  return toScalerAt(value, 0);
}

function toScalerAt(value: PyValue, depth: number): SklearnScaler | null {
  if (!isSklearnObject(value) || depth > MAX_DEPTH) return null;
  const { module, name: cls } = splitClassName(value.className);
  const st = stateOf(value);
  const params: Record<string, number | number[]> = Object.create(null);
  const hyper: Record<string, JsonValue> = Object.create(null);
  for (const [k, v] of st) {
    if (k.startsWith('_')) continue;
    if (k.endsWith('_')) {
      const p = numericParam(v);
      if (p !== null) Object.defineProperty(params, k, { value: p, enumerable: true, writable: true, configurable: true });
    } else {
      const j = jsonValue(v);
      if (j !== undefined) Object.defineProperty(hyper, k, { value: j, enumerable: true, writable: true, configurable: true });
    }
  }
  const version = st.get('_sklearn_version');
  let nFeaturesIn = toNumber(st.get('n_features_in_') ?? null);
  let featureNames = st.has('feature_names_in_') ? stringList(st.get('feature_names_in_')!) : null;

  const out: SklearnScaler = {
    class: cls,
    module,
    sklearnVersion: typeof version === 'string' ? version : null,
    nFeaturesIn,
    featureNames,
    params: { ...params },
  };

  let steps: SklearnScaler[] | undefined;
  const unread: { label: string; reason: string }[] = [];
  if (cls === 'Pipeline' || cls === 'FeatureUnion') {
    steps = [];
    for (const { name, est } of namedEstimators(st.get(cls === 'Pipeline' ? 'steps' : 'transformer_list') ?? null)) {
      const s = toScalerAt(est, depth + 1) ?? pseudoStep(est);
      if (s) steps.push({ ...s, name });
      else unread.push({ label: `step '${name}'`, reason: `it is ${describe(est)}, not a scikit-learn object this tool reads` });
    }
    // n_features_in_ / feature_names_in_ of these are properties of the first step.
    if (nFeaturesIn === null && steps.length) nFeaturesIn = steps[0].nFeaturesIn;
    if (featureNames === null && steps.length) featureNames = steps[0].featureNames;
  } else if (cls === 'ColumnTransformer') {
    steps = [];
    for (const { name, est, columns } of namedEstimators(st.get('transformers_') ?? null)) {
      const s = toScalerAt(est, depth + 1) ?? pseudoStep(est);
      if (!s) {
        unread.push({ label: `step '${name}'`, reason: `it is ${describe(est)}, not a scikit-learn object this tool reads` });
        continue;
      }
      const cols = resolveColumns(columns, nFeaturesIn ?? toNumber(st.get('_n_features') ?? null), featureNames);
      steps.push(cols ? { ...s, name, columns: cols } : { ...s, name });
    }
  }
  if (nFeaturesIn === null) nFeaturesIn = derivedFeatureCount(cls, st);
  out.nFeaturesIn = nFeaturesIn;
  out.featureNames = featureNames;
  if (steps) out.steps = steps;
  if (unread.length) out.unreadSteps = unread;

  if (st.has('categories_')) {
    const cats: (number | string | null)[][] = [];
    for (const c of listItems(st.get('categories_')!) ?? []) {
      const l = categoryList(c);
      if (l) cats.push(l);
    }
    out.categories = cats;
  } else if (cls === 'LabelEncoder' && st.has('classes_')) {
    const l = categoryList(st.get('classes_')!);
    if (l) out.categories = [l];
  }

  const inner: Record<string, SklearnScaler> = Object.create(null);
  for (const [k, v] of st) {
    if (!k.startsWith('_') || k === '_sklearn_version') continue;
    const s = toScalerAt(v, depth + 1);
    if (s) Object.defineProperty(inner, k, { value: s, enumerable: true, writable: true, configurable: true });
  }
  if (Object.keys(inner).length) out.inner = { ...inner };
  const fitted: Record<string, JsonValue> = Object.create(null);
  for (const k of FITTED_DATA) {
    if (!st.has(k)) continue;
    const p = plainData(st.get(k)!, 0);
    if (p !== undefined) Object.defineProperty(fitted, k, { value: p, enumerable: true, writable: true, configurable: true });
  }
  if (Object.keys(fitted).length) out.fitted = { ...fitted };
  if (cls === 'FunctionTransformer') {
    const why = functionTransformerGap(st);
    if (why) out.unsupported = why;
  }
  if (Object.keys(hyper).length) out.hyper = { ...hyper };
  return out;
}

/** State entries kept as plain data for transforms (see SklearnScaler.fitted). */
const FITTED_DATA = [
  'drop_idx_',
  '_drop_idx_after_grouping',
  '_infrequent_enabled',
  '_infrequent_indices',
  '_default_to_infrequent_mappings',
  '_n_features_outs',
  'bin_edges_',
  '_min_degree',
  '_max_degree',
];

/** Plain data of numbers, None, bools, strings, numeric or object arrays and lists; undefined for anything else. */
function plainData(v: PyValue, depth: number): JsonValue | undefined {
  if (depth > 8) return undefined;
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof NdArray) {
    if (v.scalar) return toNumber(v) ?? undefined;
    if (isNumericDtype(v)) return v.size <= 1_000_000 ? numericData(v) : undefined;
    if (v.dtype.kind === 'O' && v.shape.length === 1) return plainData(Array.from(v.data as PyValue[]), depth + 1);
    return undefined;
  }
  if (Array.isArray(v) || v instanceof PyTuple) {
    const out: JsonValue[] = [];
    for (const x of Array.isArray(v) ? v : v.items) {
      const p = plainData(x, depth + 1);
      if (p === undefined) return undefined;
      out.push(p);
    }
    return out;
  }
  return undefined;
}

/** numpy ufunc names a FunctionTransformer may apply (the allowlist's `ufunc` entries). */
const UFUNC_NAMES: ReadonlySet<string> = new Set([...ALLOWLIST].filter(([, kind]) => kind === 'ufunc').map(([name]) => name));

/** Why a FunctionTransformer cannot be applied (its func is not None or an allowlisted numpy ufunc), or null. */
function functionTransformerGap(st: Map<string, PyValue>): string | null {
  const func = st.get('func') ?? null;
  const kw = st.get('kw_args') ?? null;
  if (func !== null && !(func instanceof PyGlobal && UFUNC_NAMES.has(func.qualifiedName))) {
    const what = func instanceof PyGlobal ? func.qualifiedName : func instanceof PyObject ? `an instance of ${func.className}` : describe(func);
    return `its func is ${what}; only func=None or a numpy ufunc such as numpy.log1p is applied here, and a function from the file is never called`;
  }
  if (kw !== null && !(kw instanceof Map && kw.size === 0)) return 'it passes kw_args to its function, which is not supported';
  return null;
}

/** A step given as 'passthrough' / 'drop' (or None in a Pipeline): a pseudo step without fitted values. */
function pseudoStep(est: PyValue): SklearnScaler | null {
  const kind = est === null ? 'passthrough' : est === 'passthrough' || est === 'drop' ? est : null;
  if (!kind) return null;
  return { class: kind, module: '', sklearnVersion: null, nFeaturesIn: null, featureNames: null, params: {} };
}

/** A short description of a value for messages. */
function describe(v: PyValue): string {
  if (v instanceof PyObject) return `a ${v.className}`;
  if (typeof v === 'string') return `the string '${v.slice(0, 40)}'`;
  if (v === null) return 'None';
  return `a ${Array.isArray(v) ? 'list' : v instanceof Map ? 'dict' : typeof v}`;
}

/** The path segment of a dict key: `.name` (bare `name` first), `[3]` for numbers, `[?]` for other keys. */
function keyPath(k: unknown, path: string): string {
  if (typeof k === 'string') return path ? `.${k}` : k;
  if (typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean' || k === null) return `[${String(k)}]`;
  return '[?]';
}

/**
 * Every scikit-learn preprocessing object in a value: the value itself, or the objects found in a
 * plain dict's values / a list's or tuple's items (e.g. `{'scaler': s, 'features': [...]}`), in order.
 * Composites count as one (their parts are in `steps`). Iterative, bounded, and shared references
 * are visited once.
 */
export function findScalers(value: PyValue): SklearnScaler[] {
  const out: SklearnScaler[] = [];
  const seen = new Set<object>();
  const stack: { v: PyValue; depth: number; path: string }[] = [{ v: value, depth: 0, path: '' }];
  let visited = 0;
  while (stack.length && visited < 100_000) {
    const { v, depth, path } = stack.pop()!;
    visited++;
    if (v !== null && typeof v === 'object') {
      if (seen.has(v)) continue;
      seen.add(v);
    }
    if (v instanceof PyObject) {
      const s = toScaler(v);
      if (s) out.push(path ? { ...s, path } : s);
      continue;
    }
    if (depth >= MAX_DEPTH) continue;
    let children: { v: PyValue; key: string }[] | null = null;
    if (v instanceof Map) {
      children = [...v].map(([k, x]) => ({ v: x, key: keyPath(k, path) }));
    } else {
      let items: PyValue[] | null = null;
      if (Array.isArray(v)) items = v;
      else if (v instanceof PyTuple) items = v.items;
      else if (v instanceof NdArray && v.dtype.kind === 'O' && !v.scalar) items = Array.from(v.data as PyValue[]);
      if (items) children = items.map((x, i) => ({ v: x, key: `[${i}]` }));
    }
    if (!children) continue;
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ v: children[i].v, depth: depth + 1, path: path + children[i].key });
    }
  }
  return out;
}
