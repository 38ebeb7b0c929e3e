// transform of the fitted scikit-learn encoders and feature transformers in TypeScript, following
// scikit-learn 1.2's code operation by operation: OneHotEncoder (drop, infrequent categories,
// unknown handling), OrdinalEncoder, PolynomialFeatures, PCA, KBinsDiscretizer, Binarizer and
// FunctionTransformer with func None or an allowlisted numpy ufunc (applied with our own arithmetic;
// nothing from a file is ever called). Checked against scikit-learn's own output
// (test/fixtures/sklearn2/make_preprocessing.py).
import { ReadError } from '../io/errors';
import type { JsonValue, SklearnScaler } from '../formats/pickle/sklearn';
import type { Scaler } from '../types';

type Rows = number[][];

function hyper(s: Scaler): Record<string, JsonValue> {
  return (s as SklearnScaler).hyper ?? {};
}

function fitted(s: Scaler): Record<string, JsonValue> {
  return (s as SklearnScaler).fitted ?? {};
}

function incomplete(s: Scaler, what: string): never {
  throw new ReadError('incomplete-scaler', `${s.class} has no usable fitted ${what}: it cannot transform`);
}

function numList(v: JsonValue | undefined): number[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : null;
}

/** Per feature: a list of numbers or null (object arrays of arrays / None, e.g. `_infrequent_indices`). */
function perFeature(v: JsonValue | undefined, n: number): (number[] | null)[] | null {
  if (!Array.isArray(v) || v.length !== n) return null;
  return v.map((x) => (x === null ? null : numList(x)));
}

function categoriesOf(s: Scaler): (number | string | null)[][] {
  const cats = (s as SklearnScaler).categories;
  if (!cats?.length) incomplete(s, 'categories_');
  return cats;
}

function checkWidth(s: Scaler, rows: Rows, n: number): void {
  rows.forEach((r, i) => {
    if (r.length !== n) throw new ReadError('feature-count-mismatch', `row ${i} has ${r.length} values but the ${s.class} was fitted on ${n} features`);
  });
}

/** Index of x among a feature's categories (NaN matches a NaN category), or -1. String categories never match numbers. */
function categoryIndex(cats: (number | string | null)[], x: number): number {
  for (let k = 0; k < cats.length; k++) {
    const c = cats[k];
    if (typeof c === 'number' && (c === x || (Number.isNaN(c) && Number.isNaN(x)))) return k;
  }
  return -1;
}

function formatCats(cats: (number | string | null)[]): string {
  const shown = cats.slice(0, 12).map((c) => (typeof c === 'string' ? JSON.stringify(c) : String(c)));
  return `${shown.join(', ')}${cats.length > 12 ? ', ...' : ''}`;
}

/** OneHotEncoder.transform (dense output, as `.toarray()` of sklearn's sparse result). */
export function oneHot(s: Scaler, rows: Rows): Rows {
  const cats = categoriesOf(s);
  const n = cats.length;
  checkWidth(s, rows, n);
  const h = hyper(s);
  const f = fitted(s);
  const handle = typeof h.handle_unknown === 'string' ? h.handle_unknown : 'error';
  const infrequent = f._infrequent_enabled === true;
  const infreqIdx = infrequent ? perFeature(f._infrequent_indices, n) : null;
  const mappings = infrequent ? perFeature(f._default_to_infrequent_mappings, n) : null;
  if (infrequent && (!infreqIdx || !mappings)) incomplete(s, 'infrequent-category mappings');
  // scikit-learn >= 1.3 keeps the index after grouping infrequent categories apart; 1.2's drop_idx_ is that index.
  const dropRaw = f._drop_idx_after_grouping !== undefined ? f._drop_idx_after_grouping : f.drop_idx_;
  const drop =
    dropRaw === null || dropRaw === undefined
      ? null
      : Array.isArray(dropRaw) && dropRaw.length === n
        ? (dropRaw as (number | null)[])
        : incomplete(s, 'drop_idx_');
  const outs =
    numList(f._n_features_outs) ??
    cats.map((c, j) => {
      const inf = infreqIdx?.[j];
      return c.length - (inf ? inf.length - 1 : 0) - (drop && drop[j] !== null ? 1 : 0);
    });
  if (outs.length !== n) incomplete(s, '_n_features_outs');
  const offsets: number[] = [];
  let width = 0;
  for (const o of outs) {
    offsets.push(width);
    width += o;
  }
  return rows.map((r, i) => {
    const out = new Array<number>(width).fill(0);
    for (let j = 0; j < n; j++) {
      let idx = categoryIndex(cats[j], r[j]);
      let valid = idx >= 0;
      if (!valid && handle === 'error') {
        throw new ReadError(
          'invalid-input',
          `row ${i}, feature ${j}: ${r[j]} is not one of the fitted categories (${formatCats(cats[j])}) and handle_unknown='error'`,
        );
      }
      const inf = infreqIdx?.[j];
      if (inf) {
        if (!valid) idx = inf[0];
        if (handle === 'infrequent_if_exist') valid = true;
      }
      const map = mappings?.[j];
      if (valid && map) idx = map[idx];
      if (valid && drop) {
        const d = drop[j];
        if (d !== null) {
          if (idx === d) valid = false;
          else if (idx > d) idx -= 1;
        }
      }
      if (valid) out[offsets[j] + idx] = 1;
    }
    return out;
  });
}

/** OrdinalEncoder.transform: category index; unknown_value / encoded_missing_value where sklearn puts them. */
export function ordinal(s: Scaler, rows: Rows): Rows {
  const cats = categoriesOf(s);
  const n = cats.length;
  checkWidth(s, rows, n);
  const h = hyper(s);
  const handle = typeof h.handle_unknown === 'string' ? h.handle_unknown : 'error';
  const unknown = typeof h.unknown_value === 'number' ? h.unknown_value : NaN;
  const missing = typeof h.encoded_missing_value === 'number' ? h.encoded_missing_value : NaN;
  return rows.map((r, i) =>
    r.map((x, j) => {
      const idx = categoryIndex(cats[j], x);
      if (idx < 0) {
        if (handle === 'use_encoded_value') return unknown;
        throw new ReadError(
          'invalid-input',
          `row ${i}, feature ${j}: ${x} is not one of the fitted categories (${formatCats(cats[j])}) and handle_unknown='error'`,
        );
      }
      const c = cats[j][idx];
      return typeof c === 'number' && Number.isNaN(c) ? missing : idx;
    }),
  );
}

/** The index combinations PolynomialFeatures uses, in its order (itertools combinations[_with_replacement]). */
export function polynomialCombinations(n: number, minDegree: number, maxDegree: number, interactionOnly: boolean, includeBias: boolean): number[][] {
  const out: number[][] = [];
  if (includeBias) out.push([]);
  for (let d = Math.max(1, minDegree); d <= maxDegree; d++) {
    const combo = new Array<number>(d);
    const walk = (pos: number, from: number): void => {
      if (pos === d) {
        out.push(combo.slice());
        return;
      }
      for (let k = from; k < n; k++) {
        combo[pos] = k;
        walk(pos + 1, interactionOnly ? k + 1 : k);
      }
    };
    walk(0, 0);
  }
  return out;
}

/** PolynomialFeatures.transform (dense): products multiplied as scikit-learn's dense loop does (right to left). */
export function polynomial(s: Scaler, rows: Rows): Rows {
  const h = hyper(s);
  const f = fitted(s);
  const n = s.nFeaturesIn ?? (typeof s.params.n_input_features_ === 'number' ? s.params.n_input_features_ : null);
  if (n === null) incomplete(s, 'n_features_in_');
  checkWidth(s, rows, n);
  const deg = h.degree;
  const minDegree = typeof f._min_degree === 'number' ? f._min_degree : Array.isArray(deg) && typeof deg[0] === 'number' ? deg[0] : 0;
  const maxDegree =
    typeof f._max_degree === 'number'
      ? f._max_degree
      : typeof deg === 'number'
        ? deg
        : Array.isArray(deg) && typeof deg[1] === 'number'
          ? deg[1]
          : incomplete(s, 'degree');
  const combos = polynomialCombinations(n, minDegree, maxDegree, h.interaction_only === true, h.include_bias !== false);
  const expected = s.params.n_output_features_;
  if (typeof expected === 'number' && expected !== combos.length) {
    throw new ReadError(
      'incomplete-scaler',
      `PolynomialFeatures: ${combos.length} output features computed but the file says n_output_features_ = ${expected}`,
    );
  }
  return rows.map((r) =>
    combos.map((c) => {
      if (!c.length) return 1;
      let p = r[c[c.length - 1]];
      for (let k = c.length - 2; k >= 0; k--) p = r[c[k]] * p;
      return p;
    }),
  );
}

/** PCA.transform: (X - mean_) @ components_.T, divided by sqrt(explained_variance_) when whiten. */
export function pca(s: Scaler, rows: Rows): Rows {
  const mean = s.params.mean_;
  const comps = s.params.components_;
  if (!Array.isArray(mean) || !Array.isArray(comps) || comps.length % mean.length !== 0) incomplete(s, 'mean_ / components_');
  const n = mean.length;
  const k = comps.length / n;
  checkWidth(s, rows, n);
  const whiten = hyper(s).whiten === true;
  const ev = s.params.explained_variance_;
  if (whiten && (!Array.isArray(ev) || ev.length !== k)) incomplete(s, 'explained_variance_');
  const div = whiten ? (ev as number[]).map(Math.sqrt) : null;
  return rows.map((r) => {
    const c = r.map((x, j) => x - mean[j]);
    const out = new Array<number>(k);
    for (let a = 0; a < k; a++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += c[j] * comps[a * n + j];
      out[a] = div ? sum / div[a] : sum;
    }
    return out;
  });
}

/** KBinsDiscretizer.transform: bin index (searchsorted of the inner edges, side right), then one-hot through its fitted _encoder. */
export function kbins(s: Scaler, rows: Rows, applyInner: (inner: Scaler, rows: Rows) => Rows): Rows {
  const edges = fitted(s).bin_edges_;
  if (!Array.isArray(edges) || !edges.every((e) => numList(e) !== null)) incomplete(s, 'bin_edges_');
  const inner = (edges as number[][]).map((e) => e.slice(1, -1));
  checkWidth(s, rows, inner.length);
  const binned = rows.map((r) =>
    r.map((x, j) => {
      const e = inner[j];
      if (Number.isNaN(x)) return e.length;
      let lo = 0;
      let hi = e.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (e[mid] <= x) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }),
  );
  const encode = hyper(s).encode;
  if (encode === 'ordinal') return binned;
  const enc = (s as SklearnScaler).inner?._encoder;
  if (!enc) incomplete(s, '_encoder (its one-hot encoder)');
  return applyInner(enc, binned);
}

/** Binarizer.transform: 1 where x > threshold, else 0 (NaN gives 0). */
export function binarize(s: Scaler, rows: Rows): Rows {
  const t = hyper(s).threshold;
  const threshold = typeof t === 'number' ? t : 0;
  return rows.map((r) => r.map((x) => (x > threshold ? 1 : 0)));
}

/** numpy.rint: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const UFUNC_IMPL: Record<string, (x: number) => number> = {
  log1p: Math.log1p,
  expm1: Math.expm1,
  log: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  exp: Math.exp,
  exp2: (x) => 2 ** x,
  sqrt: Math.sqrt,
  cbrt: Math.cbrt,
  square: (x) => x * x,
  absolute: Math.abs,
  fabs: Math.abs,
  negative: (x) => -x,
  reciprocal: (x) => 1 / x,
  tanh: Math.tanh,
  sinh: Math.sinh,
  cosh: Math.cosh,
  arctan: Math.atan,
  arcsinh: Math.asinh,
  sign: (x) => (Number.isNaN(x) ? x : x > 0 ? 1 : x < 0 ? -1 : 0),
  rint,
  floor: Math.floor,
  ceil: Math.ceil,
};

/** FunctionTransformer.transform with func None (identity) or an allowlisted numpy ufunc; anything else refuses. */
export function functionTransform(s: Scaler, rows: Rows): Rows {
  const why = (s as SklearnScaler).unsupported;
  if (why) throw new ReadError('unsupported-transform', `FunctionTransformer: ${why}`);
  const func = hyper(s).func;
  if (func === null || func === undefined) return rows.map((r) => r.slice());
  const name = typeof func === 'string' ? func.slice(func.lastIndexOf('.') + 1) : '';
  const f = UFUNC_IMPL[name];
  if (!f) throw new ReadError('unsupported-transform', `FunctionTransformer: func ${String(func)} is not applied here`);
  return rows.map((r) => r.map(f));
}
