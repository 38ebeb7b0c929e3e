// Training-curve logic: pairing train/validation series of one metric, best epoch, overfitting
// onset, smoothing (TensorBoard's debiased EMA, trailing moving average) and LTTB decimation.
// Pure functions on arrays; the host calls them on full log data before sending points to the webview.
import type { Split } from '../../shared/viewModels';

/** What a series name says: its metric, its split, and a run prefix (TensorBoard folder) if any. */
export interface SeriesName {
  metric: string;
  split: Split;
}

const OTHER_METRICS = /^(lr|learning_rate|epoch|step|time|wall_?time)$/i;

/**
 * Reads a series name: `val_loss` -> (loss, validation), `loss` -> (loss, train),
 * `validation/epoch_loss` -> (loss, validation), `train/epoch_loss` -> (loss, train),
 * `epoch_accuracy` -> (accuracy, train), `train_acc` -> (acc, train); learning rates and counters -> other.
 */
export function parseSeriesName(name: string): SeriesName {
  let rest = name.trim();
  let split: Split = 'train';
  const slash = /^(.*?)[/\\]([^/\\]+)$/.exec(rest);
  if (slash) {
    const dir = slash[1].split(/[/\\]/).pop() ?? '';
    if (/^(val|valid|validation|eval|evaluation|test)$/i.test(dir)) split = 'validation';
    rest = slash[2];
  }
  const val = /^(val|valid|validation)_(.+)$/i.exec(rest);
  if (val) {
    split = 'validation';
    rest = val[2];
  }
  const train = /^(train|training)_(.+)$/i.exec(rest);
  if (train && split === 'train') rest = train[2];
  const epoch = /^epoch_(.+)$/.exec(rest);
  if (epoch) rest = epoch[1];
  if (OTHER_METRICS.test(rest)) return { metric: rest, split: 'other' };
  return { metric: rest, split };
}

/** Which way a metric improves: 'higher' (accuracy-like) or 'lower' (losses, errors). */
export type MetricDirection = 'higher' | 'lower';

// Direction rule, on the lower-cased metric name (after parseSeriesName took off val_/train_/epoch_),
// split into tokens at every character that is not a letter or digit:
//  1. lower-is-better when the name contains loss, error, entropy (crossentropy), divergence or
//     distance, or has one of the error/cost tokens below (mae, mse, rmse, mape, msle, hinge, nll...);
//     this is checked first, so `dice_loss` or `top_k_error` are lower-is-better;
//  2. otherwise higher-is-better when the name contains accuracy, precision, recall, similarity,
//     specificity, sensitivity, r_squared or `io_u` (Keras' MeanIoU logs `mean_io_u`), or has one of
//     the score tokens below (acc, acc1, auc, iou, f1, r2, dice, map, bleu, psnr, ssim...);
//  3. otherwise unknown (null): a custom metric, counts such as true_positives, the learning rate.
//     Nothing is marked for it rather than a guess.
const LOWER_PARTS = /loss|error|entropy|divergence|distance/;
const LOWER_TOKENS = new Set([
  'err',
  'mae',
  'mse',
  'rmse',
  'mape',
  'smape',
  'msle',
  'rmsle',
  'hinge',
  'logcosh',
  'poisson',
  'nll',
  'perplexity',
  'ppl',
  'wer',
  'cer',
  'fid',
]);
const HIGHER_PARTS = /accuracy|precision|recall|similarity|specificity|sensitivity|r_?squared|(^|_)io_u($|_)/;
const HIGHER_TOKENS = /^(acc\d*|auc|auroc|auprc|iou|miou|top\d+|f1|fbeta|f\d|r2|dice|jaccard|map\d*|bleu|rouge\w*|meteor|psnr|ssim|kappa|mcc)$/;

/** The direction a metric improves in, from its name (rule above); null when the name does not say. */
export function metricDirection(metric: string): MetricDirection | null {
  const m = metric.toLowerCase();
  const tokens = m.split(/[^a-z0-9]+/).filter((t) => t.length > 0);
  if (LOWER_PARTS.test(m) || tokens.some((t) => LOWER_TOKENS.has(t))) return 'lower';
  if (HIGHER_PARTS.test(m) || tokens.some((t) => HIGHER_TOKENS.test(t))) return 'higher';
  return null;
}

/** True for metrics where larger is better (accuracy-like); false for losses, errors and unknown names. */
export function higherIsBetter(metric: string): boolean {
  return metricDirection(metric) === 'higher';
}

/** A named series of one run. */
export interface NamedSeries {
  run: string;
  name: string;
  steps: number[];
  values: number[];
  wallTime?: number[];
}

/** A group of series of the same metric (train and validation, every run). */
export interface MetricGroup {
  metric: string;
  series: (NamedSeries & { split: Split })[];
}

/** Groups series by metric, in first-seen order; train before validation within a run. */
export function pairSeries(all: NamedSeries[]): MetricGroup[] {
  const groups = new Map<string, MetricGroup>();
  for (const s of all) {
    const { metric, split } = parseSeriesName(s.name);
    let g = groups.get(metric);
    if (!g) {
      g = { metric, series: [] };
      groups.set(metric, g);
    }
    g.series.push({ ...s, split });
  }
  const rank = { train: 0, validation: 1, other: 2 };
  for (const g of groups.values()) {
    const runOrder = [...new Set(g.series.map((s) => s.run))];
    g.series.sort((a, b) => runOrder.indexOf(a.run) - runOrder.indexOf(b.run) || rank[a.split] - rank[b.split]);
  }
  return [...groups.values()];
}

/** Splits a series wherever its step goes back (a CSV log appended by a restarted training). */
export function splitRestarts(s: NamedSeries): NamedSeries[] {
  const cuts: number[] = [0];
  for (let i = 1; i < s.steps.length; i++) if (s.steps[i] <= s.steps[i - 1]) cuts.push(i);
  if (cuts.length === 1) return [s];
  cuts.push(s.steps.length);
  const out: NamedSeries[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const a = cuts[k];
    const b = cuts[k + 1];
    const part: NamedSeries = { run: `${s.run} #${k + 1}`, name: s.name, steps: s.steps.slice(a, b), values: s.values.slice(a, b) };
    if (s.wallTime) part.wallTime = s.wallTime.slice(a, b);
    out.push(part);
  }
  return out;
}

/** The best point of a series: min for losses, max for accuracy-like metrics; NaN skipped. */
export function bestPoint(steps: ArrayLike<number>, values: ArrayLike<number>, higher: boolean): { index: number; step: number; value: number } | null {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (best < 0 || (higher ? v > values[best] : v < values[best])) best = i;
  }
  return best < 0 ? null : { index: best, step: steps[best], value: values[best] };
}

/** Least-squares slope of y over x on [from, to); NaN when fewer than two finite points. */
export function slope(x: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = from; i < to; i++) {
    const xi = x[i];
    const yi = y[i];
    if (!Number.isFinite(xi) || !Number.isFinite(yi)) continue;
    n++;
    sx += xi;
    sy += yi;
    sxx += xi * xi;
    sxy += xi * yi;
  }
  const d = n * sxx - sx * sx;
  if (n < 2 || d === 0) return NaN;
  return (n * sxy - sx * sy) / d;
}

/**
 * Overfitting onset: the first step at which, over the next `window` points (steps both series
 * share), the validation metric gets worse (least-squares slope against the metric's direction)
 * while the training metric gets better, and the validation metric never gets back past its value
 * at that step. For a loss (`direction` 'lower', the default): validation rises while training
 * falls and never comes back below. For accuracy-like metrics ('higher'): validation falls while
 * training rises and never comes back above. Null when that never happens.
 */
export function overfittingOnset(
  train: { steps: ArrayLike<number>; values: ArrayLike<number> },
  validation: { steps: ArrayLike<number>; values: ArrayLike<number> },
  window = 5,
  direction: MetricDirection = 'lower',
): { step: number; index: number } | null {
  // a higher-is-better metric is negated, so "worse" is "larger" for both directions below
  const sign = direction === 'higher' ? -1 : 1;
  const tIndex = new Map<number, number>();
  for (let i = 0; i < train.steps.length; i++) tIndex.set(train.steps[i], sign * train.values[i]);
  const steps: number[] = [];
  const tv: number[] = [];
  const vv: number[] = [];
  for (let i = 0; i < validation.steps.length; i++) {
    const t = tIndex.get(validation.steps[i]);
    if (t === undefined) continue;
    steps.push(validation.steps[i]);
    tv.push(t);
    vv.push(sign * validation.values[i]);
  }
  const w = Math.max(2, Math.floor(window));
  // suffixMin[i] = min of (signed) validation values from i to the end
  const suffixMin = new Array<number>(vv.length + 1).fill(Infinity);
  for (let i = vv.length - 1; i >= 0; i--) suffixMin[i] = Number.isFinite(vv[i]) ? Math.min(vv[i], suffixMin[i + 1]) : suffixMin[i + 1];
  for (let i = 0; i + w <= steps.length; i++) {
    if (!Number.isFinite(vv[i])) continue;
    const vs = slope(steps, vv, i, i + w);
    const ts = slope(steps, tv, i, i + w);
    if (vs > 0 && ts < 0 && suffixMin[i + 1] >= vv[i]) return { step: steps[i], index: i };
  }
  return null;
}

/**
 * TensorBoard's smoothing: exponential moving average with debiasing
 * (last = last*w + (1-w)*v; smoothed = last / (1 - w^n)); non-finite values pass through
 * unchanged and do not enter the average; a constant series is returned as is.
 */
export function emaSmooth(values: ArrayLike<number>, weight: number): number[] {
  const out = Array.from(values);
  if (weight <= 0) return out;
  const finite = out.filter((v) => Number.isFinite(v));
  if (finite.length > 0 && finite.every((v) => v === finite[0])) return out;
  let last = 0;
  let n = 0;
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    if (!Number.isFinite(v)) continue;
    last = last * weight + (1 - weight) * v;
    n++;
    const debias = weight === 1 ? 1 : 1 - Math.pow(weight, n);
    out[i] = last / debias;
  }
  return out;
}

/** Trailing moving average over `window` finite points (fewer at the start); non-finite pass through. */
export function movingAverage(values: ArrayLike<number>, window: number): number[] {
  const w = Math.max(1, Math.floor(window));
  const out = Array.from(values);
  const ring: number[] = [];
  let sum = 0;
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    if (!Number.isFinite(v)) continue;
    ring.push(v);
    sum += v;
    if (ring.length > w) sum -= ring.shift() as number;
    out[i] = sum / ring.length;
  }
  return out;
}

/**
 * Largest-Triangle-Three-Buckets decimation to at most `budget` points (budget >= 4). Keeps the
 * first and last points and the global minimum and maximum; returns the kept indices, ascending.
 * Non-finite values are treated as gaps: a bucket holding one keeps it (so the gap stays visible).
 */
export function lttbIndices(x: ArrayLike<number>, y: ArrayLike<number>, budget: number): number[] {
  const n = y.length;
  const b = Math.max(4, Math.floor(budget));
  if (n <= b) return Array.from({ length: n }, (_, i) => i);
  let iMin = -1;
  let iMax = -1;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) continue;
    if (iMin < 0 || v < y[iMin]) iMin = i;
    if (iMax < 0 || v > y[iMax]) iMax = i;
  }
  // first + last + one point per bucket, plus at most one extra when min and max share a bucket
  const buckets = b - 3;
  const size = (n - 2) / buckets;
  const out: number[] = [0];
  let a = 0;
  for (let k = 0; k < buckets; k++) {
    const start = Math.floor(k * size) + 1;
    const end = Math.min(n - 1, Math.floor((k + 1) * size) + 1);
    const forced = [iMin, iMax].filter((i) => i >= start && i < end);
    if (forced.length) {
      forced.sort((p, q) => p - q);
      for (const i of forced) if (out[out.length - 1] !== i) out.push(i);
      a = forced[forced.length - 1];
      continue;
    }
    // average of the next bucket (the last point for the last bucket)
    const nStart = end;
    const nEnd = Math.min(n, Math.floor((k + 2) * size) + 1);
    let ax = 0;
    let ay = 0;
    let m = 0;
    for (let j = nStart; j < Math.max(nEnd, nStart + 1) && j < n; j++) {
      if (!Number.isFinite(y[j])) continue;
      ax += x[j];
      ay += y[j];
      m++;
    }
    if (m) {
      ax /= m;
      ay /= m;
    } else {
      ax = x[n - 1];
      ay = y[n - 1];
    }
    let pick = start;
    let area = -1;
    for (let j = start; j < end; j++) {
      if (!Number.isFinite(y[j])) {
        pick = j;
        break;
      }
      const s = Math.abs((x[a] - ax) * (y[j] - y[a]) - (x[a] - x[j]) * (ay - y[a]));
      if (s > area) {
        area = s;
        pick = j;
      }
    }
    out.push(pick);
    a = pick;
  }
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

/** Picks the given indices of an array. */
export function pick<T>(values: ArrayLike<T>, indices: number[]): T[] {
  return indices.map((i) => values[i]);
}
