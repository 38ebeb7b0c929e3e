// Fitted scikit-learn preprocessing as ONNX operators, in float64 like scikit-learn (and like the
// TypeScript transform of predict/scalerTransform.ts, whose arithmetic this follows step by step):
// StandardScaler / RobustScaler (Sub, Div), MinMaxScaler (Mul, Add, Clip), MaxAbsScaler (Div),
// SimpleImputer (IsNaN/Equal + Where, Gather of kept columns), Normalizer, and Pipeline /
// ColumnTransformer / FeatureUnion of those; inverse_transform for the target scalers.
import { ReadError } from '../io/errors';
import type { JsonValue, SklearnScaler } from '../formats/pickle/sklearn';
import type { Scaler } from '../types';
import { DataType } from './onnxModel';
import type { GraphBuilder, Value } from './onnxGraph';

/** numpy's float64 epsilon (sklearn's _handle_zeros_in_scale threshold is 10 * eps). */
const EPS = 2.220446049250313e-16;

function hyper(s: Scaler): Record<string, JsonValue> {
  return (s as SklearnScaler).hyper ?? {};
}

function flag(s: Scaler, name: string, dflt: boolean): boolean {
  const v = hyper(s)[name];
  return typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : dflt;
}

function refuse(s: Scaler, what: string): ReadError {
  return new ReadError('unsupported-transform', `${s.class} ${what}`);
}

function vec(s: Scaler, name: string, n: number): number[] {
  const v = s.params[name];
  if (v === undefined) throw new ReadError('incomplete-scaler', `${s.class} has no fitted ${name}: it cannot transform`);
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (v.length !== n) throw new ReadError('incomplete-scaler', `${s.class}.${name} has ${v.length} values for ${n} features`);
  return v;
}

function width(s: Scaler, x: Value): number {
  const n = s.nFeaturesIn ?? x.shape[1];
  if (typeof n !== 'number') throw refuse(s, 'has no known number of features');
  if (x.shape[1] !== null && x.shape[1] !== n) {
    throw new ReadError('feature-count-mismatch', `the ${s.class} was fitted on ${n} features but receives ${x.shape[1]}`);
  }
  return n;
}

function dconst(g: GraphBuilder, base: string, values: number[]): string {
  return g.constant(base, [values.length], values, DataType.DOUBLE);
}

function scalar(g: GraphBuilder, base: string, v: number): string {
  return g.constant(base, [], [v], DataType.DOUBLE);
}

function standardScale(s: Scaler): string {
  return s.params.scale_ === undefined && s.params.std_ !== undefined ? 'std_' : 'scale_';
}

function columnsOf(parent: Scaler, step: Scaler, nIn: number): number[] {
  const cols = (step as SklearnScaler).columns;
  if (!cols) throw refuse(parent, `step ${(step as SklearnScaler).name ?? '?'} has no known columns`);
  const names = parent.featureNames;
  return cols.map((c) => {
    if (typeof c === 'number') return c < 0 ? c + nIn : c;
    const k = names ? names.indexOf(c) : -1;
    if (k < 0) throw refuse(parent, `column '${c}' is not among its feature names`);
    return k;
  });
}

function weighted(g: GraphBuilder, parent: Scaler, step: Scaler, v: Value, base: string): Value {
  const weights = hyper(parent).transformer_weights;
  const name = (step as SklearnScaler).name;
  if (!weights || typeof weights !== 'object' || Array.isArray(weights) || name === undefined) return v;
  const w = (weights as Record<string, JsonValue>)[name];
  return typeof w === 'number' ? { name: g.op('Mul', [v.name, scalar(g, `${base}/weight`, w)], `${base}/weighted`), shape: v.shape } : v;
}

function concat(g: GraphBuilder, parts: Value[], base: string): Value {
  const w = parts.reduce<number | null>((a, p) => (a === null || p.shape[1] === null ? null : a + p.shape[1]), 0);
  return {
    name: g.op(
      'Concat',
      parts.map((p) => p.name),
      base,
      { axis: 1 },
    ),
    shape: [null, w],
  };
}

/** Emits `transform` of a fitted scaler on a float64 [batch, features] value. */
export function scalerForward(g: GraphBuilder, s: Scaler, x: Value, base: string): Value {
  if (s.class === 'Pipeline') {
    let v = x;
    (s.steps ?? []).forEach((step, i) => (v = scalerForward(g, step, v, `${base}/step${i}`)));
    return v;
  }
  if (s.class === 'FeatureUnion') {
    width(s, x);
    return concat(
      g,
      (s.steps ?? []).map((step, i) => weighted(g, s, step, scalerForward(g, step, x, `${base}/part${i}`), `${base}/part${i}`)),
      `${base}/union`,
    );
  }
  const n = width(s, x);
  const out = (name: string, w = n): Value => ({ name, shape: [null, w] });
  switch (s.class) {
    case 'ColumnTransformer': {
      const parts = (s.steps ?? []).map((step, i) => {
        const idx = columnsOf(s, step, n);
        const cols = g.op('Gather', [x.name, g.ints(`${base}/cols${i}`, idx)], `${base}/select${i}`, { axis: 1 });
        return weighted(g, s, step, scalerForward(g, step, { name: cols, shape: [null, idx.length] }, `${base}/t${i}`), `${base}/t${i}`);
      });
      return concat(g, parts, `${base}/columns`);
    }
    case 'StandardScaler':
    case 'RobustScaler': {
      const std = s.class === 'StandardScaler';
      let y = x.name;
      if (flag(s, std ? 'with_mean' : 'with_centering', true))
        y = g.op('Sub', [y, dconst(g, `${base}/center`, vec(s, std ? 'mean_' : 'center_', n))], `${base}/center`);
      if (flag(s, std ? 'with_std' : 'with_scaling', true))
        y = g.op('Div', [y, dconst(g, `${base}/scale`, vec(s, std ? standardScale(s) : 'scale_', n))], `${base}/scale`);
      return out(y);
    }
    case 'MinMaxScaler': {
      let y = g.op('Mul', [x.name, dconst(g, `${base}/scale`, vec(s, 'scale_', n))], `${base}/scale`);
      y = g.op('Add', [y, dconst(g, `${base}/min`, vec(s, 'min_', n))], `${base}/min`);
      if (flag(s, 'clip', false)) {
        const range = hyper(s).feature_range;
        const [lo, hi] = Array.isArray(range) && range.length === 2 ? (range as number[]) : [0, 1];
        // Max/Min (not Clip) keep NaN like np.clip.
        y = g.op('Max', [y, scalar(g, `${base}/lo`, lo)], `${base}/clip_lo`);
        y = g.op('Min', [y, scalar(g, `${base}/hi`, hi)], `${base}/clip_hi`);
      }
      return out(y);
    }
    case 'MaxAbsScaler':
      return out(g.op('Div', [x.name, dconst(g, `${base}/scale`, vec(s, 'scale_', n))], `${base}/scale`));
    case 'SimpleImputer': {
      const stats = vec(s, 'statistics_', n);
      const mv = hyper(s).missing_values;
      const nanMissing = mv === null || mv === undefined || (typeof mv === 'number' && Number.isNaN(mv));
      if (!nanMissing && typeof mv !== 'number') throw refuse(s, `missing_values ${JSON.stringify(mv)} (only numbers and NaN)`);
      const missing = nanMissing
        ? g.op('IsNaN', [x.name], `${base}/isnan`)
        : g.op('Equal', [x.name, scalar(g, `${base}/missing_value`, mv as number)], `${base}/ismissing`);
      const filled = g.op(
        'Where',
        [
          missing,
          dconst(
            g,
            `${base}/statistics`,
            stats.map((v) => (Number.isNaN(v) ? 0 : v)),
          ),
          x.name,
        ],
        `${base}/fill`,
      );
      const keepAll = hyper(s).strategy === 'constant' || flag(s, 'keep_empty_features', false);
      const keep = stats.map((v, j) => (keepAll || !Number.isNaN(v) ? j : -1)).filter((j) => j >= 0);
      if (keep.length === n) return out(filled);
      return out(g.op('Gather', [filled, g.ints(`${base}/kept`, keep)], `${base}/drop_empty`, { axis: 1 }), keep.length);
    }
    case 'OneHotEncoder':
      return oneHotForward(g, s, x, n, base);
    case 'Normalizer': {
      const norm = typeof hyper(s).norm === 'string' ? (hyper(s).norm as string) : 'l2';
      let nrm: string;
      if (norm === 'l2') nrm = g.op('ReduceL2', [x.name], `${base}/l2`, { axes: [1], keepdims: 1 });
      else if (norm === 'l1') nrm = g.op('ReduceL1', [x.name], `${base}/l1`, { axes: [1], keepdims: 1 });
      else if (norm === 'max') nrm = g.op('ReduceMax', [g.op('Abs', [x.name], `${base}/abs`)], `${base}/max`, { axes: [1], keepdims: 1 });
      else throw refuse(s, `norm '${norm}'`);
      const tiny = g.op('Less', [nrm, scalar(g, `${base}/tiny`, 10 * EPS)], `${base}/is_zero`);
      const safe = g.op('Where', [tiny, scalar(g, `${base}/one`, 1), nrm], `${base}/safe_norm`);
      return out(g.op('Div', [x.name, safe], `${base}/normalize`));
    }
    default:
      throw refuse(
        s,
        'cannot be written as ONNX operators here (supported: StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler, SimpleImputer, Normalizer, OneHotEncoder of numeric categories and Pipeline / ColumnTransformer / FeatureUnion of them)',
      );
  }
}

/**
 * OneHotEncoder of numeric categories (dense, as `.toarray()`): per feature, Equal against its
 * categories, the dropped category's column left out (drop_idx_), Cast to float64. An unknown value
 * gives all zeros with handle_unknown='ignore', as scikit-learn does; with 'error' (scikit-learn
 * raises) the whole row becomes NaN, so a bad input can never pass as a plausible number.
 * String or NaN categories and infrequent-category grouping are refused by name.
 */
function oneHotForward(g: GraphBuilder, s: Scaler, x: Value, n: number, base: string): Value {
  const cats = (s as SklearnScaler).categories;
  if (!cats || cats.length !== n) throw new ReadError('incomplete-scaler', `${s.class} has no usable fitted categories_: it cannot transform`);
  const fitted = (s as SklearnScaler).fitted ?? {};
  if (fitted._infrequent_enabled === true)
    throw refuse(s, 'with infrequent categories (min_frequency / max_categories) cannot be written as ONNX operators here');
  const handle = typeof hyper(s).handle_unknown === 'string' ? (hyper(s).handle_unknown as string) : 'error';
  if (handle !== 'error' && handle !== 'ignore') throw refuse(s, `handle_unknown='${handle}' cannot be written as ONNX operators here`);
  const dropRaw = fitted._drop_idx_after_grouping !== undefined ? fitted._drop_idx_after_grouping : fitted.drop_idx_;
  const drop = Array.isArray(dropRaw) ? (dropRaw as (number | null)[]) : null;
  const parts: Value[] = [];
  const unknown: string[] = [];
  for (let j = 0; j < n; j++) {
    const c = cats[j];
    if (!c.every((v) => typeof v === 'number' && !Number.isNaN(v))) {
      throw refuse(
        s,
        `feature ${j} has ${c.some((v) => typeof v === 'string') ? 'string' : 'missing-value'} categories: only numeric categories can be written as ONNX operators here`,
      );
    }
    const col = g.op('Gather', [x.name, g.ints(`${base}/f${j}`, [j])], `${base}/f${j}`, { axis: 1 });
    const eq = g.op('Equal', [col, dconst(g, `${base}/cats${j}`, c as number[])], `${base}/eq${j}`);
    if (handle === 'error') {
      const any = g.op('ReduceMax', [g.op('Cast', [eq], `${base}/eqd${j}`, { to: DataType.DOUBLE })], `${base}/known${j}`, { axes: [1], keepdims: 1 });
      unknown.push(g.op('Equal', [any, scalar(g, `${base}/zero${j}`, 0)], `${base}/unknown${j}`));
    }
    const d = drop?.[j];
    const keep = c.map((_, k) => k).filter((k) => d === null || d === undefined || k !== d);
    const kept = keep.length === c.length ? eq : g.op('Gather', [eq, g.ints(`${base}/keep${j}`, keep)], `${base}/drop${j}`, { axis: 1 });
    parts.push({ name: g.op('Cast', [kept], `${base}/onehot${j}`, { to: DataType.DOUBLE }), shape: [null, keep.length] });
  }
  let y = concat(g, parts, `${base}/onehot`);
  if (unknown.length) {
    // handle_unknown='error': a row with a value outside the fitted categories becomes NaN.
    let bad = unknown[0];
    for (let j = 1; j < unknown.length; j++) bad = g.op('Or', [bad, unknown[j]], `${base}/any_unknown`);
    const poison = g.op('Where', [bad, scalar(g, `${base}/nan`, NaN), scalar(g, `${base}/ok`, 0)], `${base}/poison`);
    y = { name: g.op('Add', [y.name, poison], `${base}/checked`), shape: y.shape };
  }
  return y;
}

const INVERSES: ReadonlySet<string> = new Set(['StandardScaler', 'RobustScaler', 'MinMaxScaler', 'MaxAbsScaler']);
const INVERSE_REFUSAL =
  'inverse_transform cannot be written as ONNX operators here (supported: StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler and Pipelines of them)';

/** Emits `inverse_transform` of a fitted target scaler on a float64 [batch, outputs] value. */
export function scalerInverse(g: GraphBuilder, s: Scaler, x: Value, base: string): Value {
  if (s.class === 'Pipeline') {
    let v = x;
    const steps = s.steps ?? [];
    for (let i = steps.length - 1; i >= 0; i--) v = scalerInverse(g, steps[i], v, `${base}/step${i}`);
    return v;
  }
  if (!INVERSES.has(s.class)) throw refuse(s, INVERSE_REFUSAL);
  const n = width(s, x);
  const out = (name: string): Value => ({ name, shape: [null, n] });
  switch (s.class) {
    case 'StandardScaler':
    case 'RobustScaler': {
      const std = s.class === 'StandardScaler';
      let y = x.name;
      if (flag(s, std ? 'with_std' : 'with_scaling', true))
        y = g.op('Mul', [y, dconst(g, `${base}/scale`, vec(s, std ? standardScale(s) : 'scale_', n))], `${base}/unscale`);
      if (flag(s, std ? 'with_mean' : 'with_centering', true))
        y = g.op('Add', [y, dconst(g, `${base}/center`, vec(s, std ? 'mean_' : 'center_', n))], `${base}/uncenter`);
      return out(y);
    }
    case 'MinMaxScaler': {
      const y = g.op('Sub', [x.name, dconst(g, `${base}/min`, vec(s, 'min_', n))], `${base}/unmin`);
      return out(g.op('Div', [y, dconst(g, `${base}/scale`, vec(s, 'scale_', n))], `${base}/unscale`));
    }
    case 'MaxAbsScaler':
      return out(g.op('Mul', [x.name, dconst(g, `${base}/scale`, vec(s, 'scale_', n))], `${base}/unscale`));
    default:
      throw refuse(s, INVERSE_REFUSAL);
  }
}
