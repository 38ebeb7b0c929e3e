// Fits scikit-learn 1.x scalers in float64 as scikit-learn does (sklearn/preprocessing/_data.py):
// MinMaxScaler, StandardScaler (two-pass mean and variance of _incremental_mean_and_var,
// _is_constant_feature, _handle_zeros_in_scale), RobustScaler (nanmedian, nanpercentile 'linear'),
// MaxAbsScaler. NaN values are ignored as scikit-learn ignores them. The result is the instance
// dict in scikit-learn's key order, ready for the pickle writer and for transform().
import { normPpf } from '../predict/scalerTransform';
import type { SklearnScaler } from '../formats/pickle/sklearn';
import { numberOf, pyBool, pyFloat, pyInt, pyJson, pyNone, type PyOut } from './pyValues';

/** The scaler classes this module fits. */
export const FITTABLE = ['MinMaxScaler', 'StandardScaler', 'RobustScaler', 'MaxAbsScaler'] as const;
export type FittableClass = (typeof FITTABLE)[number];

/** A scaler class and its constructor keyword arguments (Python literals). */
export interface ScalerSpec {
  cls: FittableClass;
  args: Record<string, PyOut>;
}

/** A fitted scaler: its class and instance dict (scikit-learn's key order). */
export interface FittedScaler {
  cls: FittableClass;
  module: 'sklearn.preprocessing._data';
  state: [string, PyOut][];
}

/** A scaler that scikit-learn itself would refuse to fit with these arguments or this data. */
export class FitError extends Error {}

const EPS = 2.220446049250313e-16;

const ARGS: Record<FittableClass, Record<string, PyOut>> = {
  MinMaxScaler: { feature_range: { t: 'tuple', items: [pyInt(0), pyInt(1)] }, copy: pyBool(true), clip: pyBool(false) },
  StandardScaler: { with_mean: pyBool(true), with_std: pyBool(true), copy: pyBool(true) },
  RobustScaler: {
    with_centering: pyBool(true),
    with_scaling: pyBool(true),
    quantile_range: { t: 'tuple', items: [pyFloat(25), pyFloat(75)] },
    unit_variance: pyBool(false),
    copy: pyBool(true),
  },
  MaxAbsScaler: { copy: pyBool(true) },
};

/** The constructor's parameters in order, with the given arguments over the defaults. */
export function hyperparameters(spec: ScalerSpec): [string, PyOut][] {
  const defaults = ARGS[spec.cls];
  for (const k of Object.keys(spec.args)) {
    if (!(k in defaults)) throw new FitError(`${spec.cls} has no argument '${k}'`);
  }
  return Object.entries(defaults).map(([k, v]) => [k, spec.args[k] ?? v]);
}

function truth(v: PyOut, name: string): boolean {
  if (v.t === 'bool') return v.v;
  const n = numberOf(v);
  if (n === null) throw new FitError(`${name} must be True or False`);
  return n !== 0;
}

function pair(v: PyOut, name: string): [number, number] {
  if ((v.t === 'tuple' || v.t === 'list') && v.items.length === 2) {
    const a = numberOf(v.items[0]);
    const b = numberOf(v.items[1]);
    if (a !== null && b !== null) return [a, b];
  }
  throw new FitError(`${name} must be a pair of numbers`);
}

/** `_handle_zeros_in_scale`: scales below 10 * eps (or masked) become 1. */
function handleZeros(scale: number[], mask?: boolean[]): number[] {
  return scale.map((s, j) => ((mask ? mask[j] : s < 10 * EPS) ? 1 : s));
}

/** numpy.percentile(x, p) with the default 'linear' method, x without NaN and sorted. */
export function percentileSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  const q = p / 100;
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return sorted[n - 1];
  if (virtual < 0) return sorted[0];
  const prev = Math.floor(virtual);
  const a = sorted[prev];
  const b = sorted[prev + 1];
  const t = virtual - prev;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

function sortedFinite(col: Float64Array): Float64Array {
  const out = col.filter((x) => !Number.isNaN(x));
  out.sort();
  return out;
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = n >> 1;
  return n % 2 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2;
}

/** nanmin / nanmax of a column (NaN when every value is NaN). */
function nanMinMax(col: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  let any = false;
  for (const x of col) {
    if (Number.isNaN(x)) continue;
    any = true;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return any ? [lo, hi] : [NaN, NaN];
}

/**
 * Fits `spec` on the data given as columns (float64, one array per feature, equal lengths).
 * `featureNames` are the DataFrame's column names when it was fitted on a DataFrame, else null.
 */
export function fitScaler(spec: ScalerSpec, columns: Float64Array[], featureNames: string[] | null): FittedScaler {
  const hyper = hyperparameters(spec);
  const h = Object.fromEntries(hyper);
  const d = columns.length;
  const n = d ? columns[0].length : 0;
  if (d === 0) throw new FitError(`${spec.cls}: no features to fit on`);
  if (n === 0) throw new FitError(`${spec.cls}: no rows to fit on`);
  if (columns.some((c) => c.length !== n)) throw new FitError(`${spec.cls}: feature columns of different lengths`);
  if (featureNames && featureNames.length !== d) throw new FitError(`${spec.cls}: ${featureNames.length} names for ${d} features`);
  const state: [string, PyOut][] = [...hyper];
  if (featureNames) state.push(['feature_names_in_', { t: 'objstr', data: featureNames }]);
  state.push(['n_features_in_', pyInt(d)]);
  const f8 = (data: number[]): PyOut => ({ t: 'f8', data });

  if (spec.cls === 'MinMaxScaler') {
    const [lo, hi] = pair(h.feature_range, 'feature_range');
    if (lo >= hi) throw new FitError(`Minimum of desired feature range must be smaller than maximum. Got (${lo}, ${hi}).`);
    const mm = columns.map(nanMinMax);
    const dataMin = mm.map((x) => x[0]);
    const dataMax = mm.map((x) => x[1]);
    const range = dataMin.map((m, j) => dataMax[j] - m);
    const scale = handleZeros(range).map((r) => (hi - lo) / r);
    const min = dataMin.map((m, j) => lo - m * scale[j]);
    state.push(
      ['n_samples_seen_', pyInt(n)],
      ['scale_', f8(scale)],
      ['min_', f8(min)],
      ['data_min_', f8(dataMin)],
      ['data_max_', f8(dataMax)],
      ['data_range_', f8(range)],
    );
  } else if (spec.cls === 'MaxAbsScaler') {
    const maxAbs = columns.map((c) => {
      let m = -Infinity;
      let any = false;
      for (const x of c) {
        if (Number.isNaN(x)) continue;
        any = true;
        const a = Math.abs(x);
        if (a > m) m = a;
      }
      return any ? m : NaN;
    });
    state.push(['n_samples_seen_', pyInt(n)], ['max_abs_', f8(maxAbs)], ['scale_', f8(handleZeros(maxAbs))]);
  } else if (spec.cls === 'StandardScaler') {
    const withMean = truth(h.with_mean, 'with_mean');
    const withStd = truth(h.with_std, 'with_std');
    const counts = columns.map((c) => c.reduce((a, x) => a + (Number.isNaN(x) ? 0 : 1), 0));
    const seen: PyOut = counts.every((c) => c === counts[0]) ? { t: 'i8scalar', v: counts[0] } : { t: 'i8', data: counts };
    if (!withMean && !withStd) {
      state.push(['n_samples_seen_', seen], ['mean_', pyNone], ['var_', pyNone], ['scale_', pyNone]);
    } else {
      const mean: number[] = [];
      const variance: number[] = [];
      columns.forEach((c, j) => {
        let sum = 0;
        for (const x of c) if (!Number.isNaN(x)) sum += x;
        const m = sum / counts[j];
        mean.push(m);
        if (!withStd) return;
        let corr = 0;
        let sq = 0;
        for (const x of c) {
          if (Number.isNaN(x)) continue;
          const t = x - m;
          corr += t;
          sq += t * t;
        }
        variance.push((sq - (corr * corr) / counts[j]) / counts[j]);
      });
      if (withStd) {
        const constant = variance.map((v, j) => {
          const ns = counts[j];
          return v <= ns * EPS * v + (ns * mean[j] * EPS) ** 2;
        });
        const scale = handleZeros(variance.map(Math.sqrt), constant);
        state.push(['n_samples_seen_', seen], ['mean_', f8(mean)], ['var_', f8(variance)], ['scale_', f8(scale)]);
      } else {
        state.push(['n_samples_seen_', seen], ['mean_', f8(mean)], ['var_', pyNone], ['scale_', pyNone]);
      }
    }
  } else {
    const [qMin, qMax] = pair(h.quantile_range, 'quantile_range');
    if (!(qMin >= 0 && qMin <= qMax && qMax <= 100)) throw new FitError(`Invalid quantile range: (${qMin}, ${qMax})`);
    const sorted = columns.map(sortedFinite);
    const center = truth(h.with_centering, 'with_centering') ? f8(sorted.map(median)) : pyNone;
    let scale: PyOut = pyNone;
    if (truth(h.with_scaling, 'with_scaling')) {
      let s = handleZeros(sorted.map((c) => (c.length ? percentileSorted(c, qMax) - percentileSorted(c, qMin) : NaN)));
      if (truth(h.unit_variance, 'unit_variance')) {
        const adjust = normPpf(qMax / 100) - normPpf(qMin / 100);
        s = s.map((x) => x / adjust);
      }
      scale = f8(s);
    }
    state.push(['center_', center], ['scale_', scale]);
  }
  return { cls: spec.cls, module: 'sklearn.preprocessing._data', state };
}

/** The fitted scaler as the core's Scaler (for transform() and reports). */
export function asScaler(f: FittedScaler, sklearnVersion: string | null): SklearnScaler {
  const params: Record<string, number | number[]> = {};
  const hyper: SklearnScaler['hyper'] = {};
  let nFeatures: number | null = null;
  let names: string[] | null = null;
  for (const [k, v] of f.state) {
    if (k === 'n_features_in_' && v.t === 'int') nFeatures = v.v;
    else if (k === 'feature_names_in_' && v.t === 'objstr') names = v.data;
    else if (v.t === 'f8' || v.t === 'i8') params[k] = v.data;
    else if (k.endsWith('_') && (v.t === 'int' || v.t === 'i8scalar' || v.t === 'float')) params[k] = v.v;
    else if (!k.endsWith('_')) hyper[k] = pyJson(v) as never;
  }
  return { class: f.cls, module: f.module, sklearnVersion, nFeaturesIn: nFeatures, featureNames: names, params, hyper };
}
