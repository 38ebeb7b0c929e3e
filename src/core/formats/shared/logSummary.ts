// Summaries of training-log series: points, first, last, min (and its step), max (and its step).
import type { LogData, LogSummary, SeriesSummary } from '../../types';

/** Summarises one series; NaN values (Keras `NA`, `nan`) are skipped for min/max. Null when empty. */
export function summarizeSeries(steps: ArrayLike<number>, values: ArrayLike<number>): SeriesSummary | null {
  const n = values.length;
  if (n === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  let minStep = steps[0];
  let maxStep = steps[0];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    if (v < min) {
      min = v;
      minStep = steps[i];
    }
    if (v > max) {
      max = v;
      maxStep = steps[i];
    }
  }
  if (min === Infinity) {
    min = NaN;
    max = NaN;
  }
  return { points: n, first: values[0], last: values[n - 1], min, minStep, max, maxStep };
}

/** Summarises a whole log: every non-empty series; `epochs` is the longest series' length. */
export function summarizeLog(data: LogData): LogSummary {
  const series: Record<string, SeriesSummary> = {};
  let epochs = 0;
  for (const [name, s] of Object.entries(data.series)) {
    const sum = summarizeSeries(s.steps, s.values);
    if (!sum) continue;
    series[name] = sum;
    epochs = Math.max(epochs, sum.points);
  }
  const out: LogSummary = { source: data.source, epochs, series };
  if (data.runs !== undefined) out.runs = data.runs;
  return out;
}
