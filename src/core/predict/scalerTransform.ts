// transform / inverse_transform of fitted scikit-learn scalers in TypeScript, following
// Size: one transform per scikit-learn class, each following sklearn's arithmetic; they share helpers.
// scikit-learn 1.2's arithmetic operation by operation (equal to it to ~1e-15 on float64).
// erfc / erfcinv from @stdlib: the normal CDF and quantile to full double precision, which
// QuantileTransformer(output_distribution='normal') needs and JavaScript's Math lacks.
import erfc from '@stdlib/math-base-special-erfc';
import erfcinv from '@stdlib/math-base-special-erfcinv';
import { ReadError } from '../io/errors';
import { binarize, functionTransform, kbins, oneHot, ordinal, pca, polynomial } from './encoderTransforms';
import type { JsonValue, SklearnScaler } from '../formats/pickle/sklearn';
import type { Scaler } from '../types';

/** numpy's np.spacing(1.0), the float64 epsilon. */
const EPS = 2.220446049250313e-16;
/** sklearn.preprocessing._data.BOUNDS_THRESHOLD. */
const BOUNDS_THRESHOLD = 1e-7;

/** Classes transform() handles. */
export const TRANSFORMABLE: ReadonlySet<string> = new Set([
  'StandardScaler',
  'MinMaxScaler',
  'MaxAbsScaler',
  'RobustScaler',
  'Normalizer',
  'PowerTransformer',
  'QuantileTransformer',
  'SimpleImputer',
  'Imputer',
  'Pipeline',
  'ColumnTransformer',
  'FeatureUnion',
  'passthrough',
  'drop',
  'OneHotEncoder',
  'OrdinalEncoder',
  'PolynomialFeatures',
  'PCA',
  'KBinsDiscretizer',
  'Binarizer',
  'FunctionTransformer',
]);

/** Classes inverseTransform() handles (Normalizer and SimpleImputer have no inverse). */
export const INVERTIBLE: ReadonlySet<string> = new Set([
  'StandardScaler',
  'MinMaxScaler',
  'MaxAbsScaler',
  'RobustScaler',
  'PowerTransformer',
  'QuantileTransformer',
  'Pipeline',
  'passthrough',
]);

/** Why a scaler cannot be applied: the step (`Pipeline step 'enc' (OneHotEncoder)`) and the reason. */
export interface TransformGap {
  step: string;
  reason: string;
}

function stepLabel(parent: string, s: Scaler): string {
  const name = (s as SklearnScaler).name;
  const own = name !== undefined ? `step '${name}' (${s.class})` : s.class;
  return parent ? `${parent} > ${own}` : own;
}

/** The first step transform() cannot apply, with the reason, or null when the whole object can be applied. */
export function untransformable(scaler: Scaler, parent = ''): TransformGap | null {
  const here = stepLabel(parent, scaler);
  if (scaler.class === 'Pipeline' || scaler.class === 'FeatureUnion' || scaler.class === 'ColumnTransformer') {
    const unread = (scaler as SklearnScaler).unreadSteps;
    if (unread?.length) return { step: `${here} > ${unread[0].label}`, reason: unread[0].reason };
    const steps = scaler.steps ?? [];
    if (!steps.length) return { step: here, reason: 'it has no fitted steps that this tool could read' };
    for (const st of steps) {
      if (scaler.class === 'ColumnTransformer' && (st as SklearnScaler).columns === undefined)
        return { step: stepLabel(here, st), reason: 'the columns it takes are not known' };
      const gap = untransformable(st, here);
      if (gap) return gap;
    }
    return null;
  }
  const why = (scaler as SklearnScaler).unsupported;
  if (why) return { step: here, reason: why };
  if (!TRANSFORMABLE.has(scaler.class)) return { step: here, reason: `there is no TypeScript transform for ${scaler.class}` };
  return null;
}

/** The first step inverseTransform() cannot undo, with the reason, or null. */
export function uninvertible(scaler: Scaler, parent = ''): TransformGap | null {
  const here = stepLabel(parent, scaler);
  if (scaler.class === 'Pipeline') {
    for (const st of scaler.steps ?? []) {
      const gap = uninvertible(st, here);
      if (gap) return gap;
    }
    return null;
  }
  if (!INVERTIBLE.has(scaler.class)) return { step: here, reason: `${scaler.class} has no inverse_transform here` };
  return null;
}

/** True when transform() can apply this scaler (a Pipeline only when every step can). */
export function canTransform(scaler: Scaler): boolean {
  return untransformable(scaler) === null;
}

/** True when inverseTransform() can undo this scaler (a Pipeline only when every step can). */
export function canInverse(scaler: Scaler): boolean {
  return uninvertible(scaler) === null;
}

function hyperOf(s: Scaler): Record<string, JsonValue> {
  return (s as SklearnScaler).hyper ?? {};
}

function flag(s: Scaler, name: string, dflt: boolean): boolean {
  const v = hyperOf(s)[name];
  return typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : dflt;
}

function str(s: Scaler, name: string, dflt: string): string {
  const v = hyperOf(s)[name];
  return typeof v === 'string' ? v : dflt;
}

function vec(s: Scaler, name: string, n: number, required: boolean): number[] | null {
  const v = s.params[name];
  if (v === undefined) {
    if (required) throw new ReadError('incomplete-scaler', `${s.class} has no fitted ${name}: it cannot transform`);
    return null;
  }
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (v.length !== n) {
    throw new ReadError('incomplete-scaler', `${s.class}.${name} has ${v.length} values for ${n} features`);
  }
  return v;
}

/** StandardScaler's divisor: `scale_`, or `std_` in files from scikit-learn < 0.17. */
function standardScaleName(s: Scaler): string {
  return s.params.scale_ === undefined && s.params.std_ !== undefined ? 'std_' : 'scale_';
}

/** Number of features a (non-composite) scaler expects. */
function featureCount(s: Scaler): number | null {
  if (s.nFeaturesIn !== null) return s.nFeaturesIn;
  for (const k of ['scale_', 'mean_', 'center_', 'min_', 'lambdas_', 'statistics_']) {
    const v = s.params[k];
    if (Array.isArray(v)) return v.length;
  }
  return null;
}

function checkRows(s: Scaler, rows: number[][]): number {
  const n = featureCount(s);
  for (let i = 0; i < rows.length; i++) {
    if (n !== null && rows[i].length !== n) {
      throw new ReadError('feature-count-mismatch', `row ${i} has ${rows[i].length} values but the ${s.class} was fitted on ${n} features`);
    }
  }
  return n ?? (rows.length ? rows[0].length : 0);
}

/** numpy.interp(x, xp, fp) for increasing xp, as numpy 1.24 computes it (same branches, same rounding). */
export function interp(x: number, xp: ArrayLike<number>, fp: ArrayLike<number>): number {
  const n = xp.length;
  if (Number.isNaN(x)) return x;
  if (n === 1) return fp[0];
  if (x > xp[n - 1]) return fp[n - 1];
  if (x < xp[0]) return fp[0];
  // Largest j with xp[j] <= x (what numpy's binary_search_with_guess returns).
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = lo + ((hi - lo) >> 1);
    if (x >= xp[mid]) lo = mid + 1;
    else hi = mid;
  }
  const j = lo - 1;
  if (j === n - 1) return fp[j];
  if (xp[j] === x) return fp[j];
  const slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  let r = slope * (x - xp[j]) + fp[j];
  if (Number.isNaN(r)) {
    r = slope * (x - xp[j + 1]) + fp[j + 1];
    if (Number.isNaN(r) && fp[j] === fp[j + 1]) r = fp[j];
  }
  return r;
}

/** Standard normal CDF (scipy.stats.norm.cdf). */
export function normCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

/** Standard normal quantile (scipy.stats.norm.ppf): -inf at 0, +inf at 1, NaN outside [0, 1]. */
export function normPpf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const x = -Math.SQRT2 * erfcinv(2 * p);
  return x === 0 ? 0 : x;
}

/** scipy.special.boxcox(x, lmbda). */
function boxcox(x: number, l: number): number {
  if (Math.abs(l) < 1e-19) return Math.log(x);
  return Math.expm1(l * Math.log(x)) / l;
}

function boxcoxInverse(x: number, l: number): number {
  return l === 0 ? Math.exp(x) : (x * l + 1) ** (1 / l);
}

function yeoJohnson(x: number, l: number): number {
  if (x >= 0) return Math.abs(l) < EPS ? Math.log1p(x) : ((x + 1) ** l - 1) / l;
  if (Number.isNaN(x)) return x;
  return Math.abs(l - 2) > EPS ? -((-x + 1) ** (2 - l) - 1) / (2 - l) : -Math.log1p(-x);
}

function yeoJohnsonInverse(x: number, l: number): number {
  if (x >= 0) return Math.abs(l) < EPS ? Math.exp(x) - 1 : (x * l + 1) ** (1 / l) - 1;
  if (Number.isNaN(x)) return x;
  return Math.abs(l - 2) > EPS ? 1 - (-(2 - l) * x + 1) ** (1 / (2 - l)) : 1 - Math.exp(-x);
}

function mapColumns(rows: number[][], f: (x: number, j: number) => number): number[][] {
  const out = new Array<number[]>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    // slice() keeps the row a packed double array; values are then replaced in place.
    const o = rows[i].slice();
    for (let j = 0; j < o.length; j++) o[j] = f(o[j], j);
    out[i] = o;
  }
  return out;
}

/** The inner StandardScaler of a standardizing PowerTransformer. */
function powerInnerScaler(s: Scaler): Scaler {
  const inner = (s as SklearnScaler).inner?._scaler;
  if (!inner) throw new ReadError('incomplete-scaler', 'PowerTransformer(standardize=True) has no fitted _scaler');
  return inner;
}

/** Columns of the fitted quantiles_ (n_quantiles x n_features, C order) and the references_. */
function quantileColumns(s: Scaler, n: number): { cols: Float64Array[]; refs: number[] } {
  const q = s.params.quantiles_;
  const refs = s.params.references_;
  if (!Array.isArray(q) || !Array.isArray(refs) || refs.length === 0 || q.length !== refs.length * n) {
    throw new ReadError('incomplete-scaler', 'QuantileTransformer has no consistent quantiles_ / references_');
  }
  const m = refs.length;
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = q[i * n + j];
    cols.push(c);
  }
  return { cols, refs };
}

function quantileForward(s: Scaler, rows: number[][], n: number): number[][] {
  const normal = str(s, 'output_distribution', 'uniform') === 'normal';
  const { cols, refs } = quantileColumns(s, n);
  const m = refs.length;
  const negRefsRev = Float64Array.from(refs, (_, i) => -refs[m - 1 - i]);
  const negColsRev = cols.map((c) => Float64Array.from(c, (_, i) => -c[m - 1 - i]));
  const clipMin = normPpf(BOUNDS_THRESHOLD - EPS);
  const clipMax = normPpf(1 - (BOUNDS_THRESHOLD - EPS));
  return mapColumns(rows, (x, j) => {
    const q = cols[j];
    const lowerX = q[0];
    const upperX = q[m - 1];
    const lower = normal ? x - BOUNDS_THRESHOLD < lowerX : x === lowerX;
    const upper = normal ? x + BOUNDS_THRESHOLD > upperX : x === upperX;
    let y = Number.isNaN(x) ? x : 0.5 * (interp(x, q, refs) - interp(-x, negColsRev[j], negRefsRev));
    if (upper) y = 1;
    if (lower) y = 0;
    if (normal) {
      y = normPpf(y);
      if (y < clipMin) y = clipMin;
      else if (y > clipMax) y = clipMax;
    }
    return y;
  });
}

function quantileInverse(s: Scaler, rows: number[][], n: number): number[][] {
  const normal = str(s, 'output_distribution', 'uniform') === 'normal';
  const { cols, refs } = quantileColumns(s, n);
  const m = refs.length;
  return mapColumns(rows, (x0, j) => {
    const q = cols[j];
    const x = normal ? normCdf(x0) : x0;
    const lower = normal ? x - BOUNDS_THRESHOLD < 0 : x === 0;
    const upper = normal ? x + BOUNDS_THRESHOLD > 1 : x === 1;
    let y = interp(x, refs, q);
    if (upper) y = q[m - 1];
    if (lower) y = q[0];
    return y;
  });
}

function normalize(s: Scaler, rows: number[][]): number[][] {
  const norm = str(s, 'norm', 'l2');
  return rows.map((r) => {
    let nrm = 0;
    if (norm === 'l1') for (const x of r) nrm += Math.abs(x);
    else if (norm === 'max') nrm = r.reduce((a, x) => Math.max(a, Math.abs(x)), -Infinity);
    else if (norm === 'l2') {
      for (const x of r) nrm += x * x;
      nrm = Math.sqrt(nrm);
    } else throw new ReadError('unsupported-transform', `Normalizer norm '${norm}' is not supported`);
    // sklearn's _handle_zeros_in_scale: norms below 10 * eps count as zero and divide by 1.
    if (nrm < 10 * EPS) nrm = 1;
    return r.map((x) => x / nrm);
  });
}

function impute(s: Scaler, rows: number[][], n: number): number[][] {
  const stats = vec(s, 'statistics_', n, true)!;
  const mv = hyperOf(s).missing_values;
  const isMissing = (x: number): boolean =>
    mv === null || mv === undefined || (typeof mv === 'number' && Number.isNaN(mv)) || (typeof mv === 'string' && mv.toLowerCase() === 'nan')
      ? Number.isNaN(x)
      : x === mv;
  // Features whose statistic is NaN (all-missing at fit time) are dropped, as sklearn does.
  const keepAll = str(s, 'strategy', 'mean') === 'constant' || flag(s, 'keep_empty_features', false);
  const keep = stats.map((v) => keepAll || !Number.isNaN(v));
  return rows.map((r) => {
    const out: number[] = [];
    r.forEach((x, j) => {
      if (keep[j]) out.push(isMissing(x) ? stats[j] : x);
    });
    return out;
  });
}

/** Runs one step of a composite; a ReadError it throws is prefixed with the step (`step 'std' (StandardScaler): ...`). */
function inStep<T>(step: Scaler, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ReadError)) throw e;
    const name = (step as SklearnScaler).name;
    const label = name !== undefined ? `step '${name}' (${step.class})` : step.class;
    throw new ReadError(e.code, `${label}${e.message.startsWith('step ') ? ' > ' : ': '}${e.message}`);
  }
}

/** Concatenates blocks of rows side by side (numpy.hstack). */
function hstack(nRows: number, blocks: number[][][]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < nRows; i++) {
    const r: number[] = [];
    for (const b of blocks) for (const x of b[i]) r.push(x);
    out.push(r);
  }
  return out;
}

/** Multiplies a step's output by its `transformer_weights` entry, when the composite has one. */
function weighted(parent: Scaler, step: Scaler, out: number[][]): number[][] {
  const weights = hyperOf(parent).transformer_weights;
  const name = (step as SklearnScaler).name;
  if (!weights || typeof weights !== 'object' || Array.isArray(weights) || name === undefined) return out;
  const w = (weights as Record<string, JsonValue>)[name];
  return typeof w === 'number' ? out.map((r) => r.map((x) => x * w)) : out;
}

/** ColumnTransformer.transform: each fitted step on its columns, outputs side by side (remainder dropped). */
function columnTransform(s: Scaler, rows: number[][]): number[][] {
  const names = s.featureNames;
  const blocks = (s.steps ?? []).map((step) => {
    const cols = (step as SklearnScaler).columns;
    if (!cols) throw new ReadError('unsupported-transform', `ColumnTransformer step ${(step as SklearnScaler).name ?? '?'} has no known columns`);
    const idx = cols.map((c) => {
      if (typeof c === 'number') return c < 0 ? c + (s.nFeaturesIn ?? rows[0]?.length ?? 0) : c;
      const k = names ? names.indexOf(c) : -1;
      if (k < 0) throw new ReadError('unsupported-transform', `ColumnTransformer column '${c}' is not among its feature names`);
      return k;
    });
    return weighted(
      s,
      step,
      inStep(step, () =>
        transform(
          step,
          rows.map((r) => idx.map((k) => r[k])),
        ),
      ),
    );
  });
  return hstack(rows.length, blocks);
}

/**
 * Applies a fitted scaler (or a Pipeline of them, in order) to rows of features, as scikit-learn's
 * `transform` does. Throws a ReadError for unsupported classes, missing fitted values or rows of
 * the wrong length.
 */
export function transform(scaler: Scaler, rows: number[][]): number[][] {
  const s = scaler;
  if (s.class === 'passthrough') return rows;
  if (s.class === 'drop') return rows.map(() => []);
  if (s.class === 'Pipeline') {
    let out = rows;
    for (const step of s.steps ?? []) out = inStep(step, () => transform(step, out));
    return out;
  }
  if (s.class === 'FeatureUnion') {
    checkRows(s, rows);
    return hstack(
      rows.length,
      (s.steps ?? []).map((step) =>
        weighted(
          s,
          step,
          inStep(step, () => transform(step, rows)),
        ),
      ),
    );
  }
  switch (s.class) {
    case 'OneHotEncoder':
      return oneHot(s, rows);
    case 'OrdinalEncoder':
      return ordinal(s, rows);
    case 'PolynomialFeatures':
      return polynomial(s, rows);
    case 'PCA':
      return pca(s, rows);
    case 'KBinsDiscretizer':
      checkRows(s, rows);
      return kbins(s, rows, transform);
    case 'Binarizer':
      checkRows(s, rows);
      return binarize(s, rows);
    case 'FunctionTransformer':
      checkRows(s, rows);
      return functionTransform(s, rows);
    default:
      break;
  }
  const n = checkRows(s, rows);
  switch (s.class) {
    case 'ColumnTransformer':
      return columnTransform(s, rows);
    case 'StandardScaler': {
      const mean = flag(s, 'with_mean', true) ? vec(s, 'mean_', n, true) : null;
      const scale = flag(s, 'with_std', true) ? vec(s, standardScaleName(s), n, true) : null;
      return mapColumns(rows, (x, j) => {
        let y = x;
        if (mean) y -= mean[j];
        if (scale) y /= scale[j];
        return y;
      });
    }
    case 'MinMaxScaler': {
      const scale = vec(s, 'scale_', n, true)!;
      const min = vec(s, 'min_', n, true)!;
      const clip = flag(s, 'clip', false);
      const range = hyperOf(s).feature_range;
      const [lo, hi] = Array.isArray(range) && range.length === 2 ? (range as number[]) : [0, 1];
      return mapColumns(rows, (x, j) => {
        let y = x * scale[j] + min[j];
        // np.clip keeps NaN.
        if (clip) y = y < lo ? lo : y > hi ? hi : y;
        return y;
      });
    }
    case 'MaxAbsScaler': {
      const scale = vec(s, 'scale_', n, true)!;
      return mapColumns(rows, (x, j) => x / scale[j]);
    }
    case 'RobustScaler': {
      const center = flag(s, 'with_centering', true) ? vec(s, 'center_', n, true) : null;
      const scale = flag(s, 'with_scaling', true) ? vec(s, 'scale_', n, true) : null;
      return mapColumns(rows, (x, j) => {
        let y = x;
        if (center) y -= center[j];
        if (scale) y /= scale[j];
        return y;
      });
    }
    case 'Normalizer':
      return normalize(s, rows);
    case 'PowerTransformer': {
      const lambdas = vec(s, 'lambdas_', n, true)!;
      const method = str(s, 'method', 'yeo-johnson');
      let f: (x: number, l: number) => number;
      if (method === 'yeo-johnson') f = yeoJohnson;
      else if (method === 'box-cox') {
        f = (x, l) => {
          if (x <= 0) throw new ReadError('invalid-input', `box-cox needs strictly positive values, got ${x}`);
          return boxcox(x, l);
        };
      } else throw new ReadError('unsupported-transform', `PowerTransformer method '${method}' is not supported`);
      const out = mapColumns(rows, (x, j) => f(x, lambdas[j]));
      return flag(s, 'standardize', true) ? transform(powerInnerScaler(s), out) : out;
    }
    case 'QuantileTransformer':
      return quantileForward(s, rows, n);
    case 'SimpleImputer':
      return impute(s, rows, n);
    case 'Imputer':
      // scikit-learn < 0.20 Imputer: axis 0 (per column) is SimpleImputer's arithmetic; axis 1 imputed per row at transform time.
      if (hyperOf(s).axis === 1)
        throw new ReadError('unsupported-transform', 'Imputer(axis=1) computes its statistics from each row at transform time: not supported');
      return impute(s, rows, n);
    default:
      throw new ReadError('unsupported-transform', `${s.class} cannot be applied here (no TypeScript transform)`);
  }
}

/**
 * Maps transformed rows back to the original feature space, as scikit-learn's `inverse_transform`
 * does; a Pipeline undoes its steps in reverse order.
 */
export function inverseTransform(scaler: Scaler, rows: number[][]): number[][] {
  const s = scaler;
  if (s.class === 'passthrough') return rows;
  if (s.class === 'Pipeline') {
    let out = rows;
    const steps = s.steps ?? [];
    for (let i = steps.length - 1; i >= 0; i--) out = inStep(steps[i], () => inverseTransform(steps[i], out));
    return out;
  }
  const n = checkRows(s, rows);
  switch (s.class) {
    case 'StandardScaler': {
      const mean = flag(s, 'with_mean', true) ? vec(s, 'mean_', n, true) : null;
      const scale = flag(s, 'with_std', true) ? vec(s, standardScaleName(s), n, true) : null;
      return mapColumns(rows, (x, j) => {
        let y = x;
        if (scale) y *= scale[j];
        if (mean) y += mean[j];
        return y;
      });
    }
    case 'MinMaxScaler': {
      const scale = vec(s, 'scale_', n, true)!;
      const min = vec(s, 'min_', n, true)!;
      return mapColumns(rows, (x, j) => (x - min[j]) / scale[j]);
    }
    case 'MaxAbsScaler': {
      const scale = vec(s, 'scale_', n, true)!;
      return mapColumns(rows, (x, j) => x * scale[j]);
    }
    case 'RobustScaler': {
      const center = flag(s, 'with_centering', true) ? vec(s, 'center_', n, true) : null;
      const scale = flag(s, 'with_scaling', true) ? vec(s, 'scale_', n, true) : null;
      return mapColumns(rows, (x, j) => {
        let y = x;
        if (scale) y *= scale[j];
        if (center) y += center[j];
        return y;
      });
    }
    case 'PowerTransformer': {
      const lambdas = vec(s, 'lambdas_', n, true)!;
      const method = str(s, 'method', 'yeo-johnson');
      const input = flag(s, 'standardize', true) ? inverseTransform(powerInnerScaler(s), rows) : rows;
      if (method === 'yeo-johnson') return mapColumns(input, (x, j) => yeoJohnsonInverse(x, lambdas[j]));
      if (method === 'box-cox') return mapColumns(input, (x, j) => boxcoxInverse(x, lambdas[j]));
      throw new ReadError('unsupported-transform', `PowerTransformer method '${method}' is not supported`);
    }
    case 'QuantileTransformer':
      return quantileInverse(s, rows, n);
    default:
      throw new ReadError('unsupported-transform', `${s.class} has no inverse_transform here`);
  }
}

/** Training range of one feature. */
export interface FeatureRange {
  min: number;
  max: number;
}

/**
 * Per-feature training range where the scaler records it (MinMaxScaler data_min_/data_max_,
 * QuantileTransformer first/last quantile; a Pipeline: its first step after any imputers), else null.
 */
export function featureRanges(scaler: Scaler): FeatureRange[] | null {
  const s = scaler;
  if (s.class === 'Pipeline') {
    // Ranges are in input space only before any step that changes values (an imputer keeps them).
    const first = (s.steps ?? []).find((x) => x.class !== 'SimpleImputer' && x.class !== 'Imputer');
    return first ? featureRanges(first) : null;
  }
  if (s.class === 'MinMaxScaler') {
    const lo = s.params.data_min_;
    const hi = s.params.data_max_;
    if (!Array.isArray(lo) || !Array.isArray(hi) || lo.length !== hi.length) return null;
    return lo.map((min, j) => ({ min, max: hi[j] }));
  }
  if (s.class === 'QuantileTransformer') {
    const q = s.params.quantiles_;
    const refs = s.params.references_;
    if (!Array.isArray(q) || !Array.isArray(refs) || refs.length === 0 || q.length % refs.length !== 0) return null;
    const n = q.length / refs.length;
    const last = (refs.length - 1) * n;
    const out: FeatureRange[] = [];
    for (let j = 0; j < n; j++) out.push({ min: q[j], max: q[last + j] });
    return out;
  }
  return null;
}
