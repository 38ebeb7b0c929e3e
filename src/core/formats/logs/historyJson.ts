// Keras training history dumped as JSON: `json.dump(history.history, f)` gives
// `{"loss": [...], "val_loss": [...], ...}` (NaN written as NaN, which the dispatcher maps to
// null); some dump `{"history": {...}, "epoch": [...], "params": {...}}`; pandas'
// `pd.DataFrame(history.history).to_json()` gives `{"loss": {"0": 0.5, "1": 0.4}, ...}`.
// Steps are 0..n-1, or the `epoch` list when it has the series' length, or pandas' index keys (an
// empty column `{}` is a series without points).
// Numbers written as strings (`json.dump(..., default=str)` of numpy floats) are accepted.
// A list of per-row dicts is read too: `to_json(orient="records")`, or Hugging Face Trainer's
// `state.log_history` (alone, or as `log_history` in trainer_state.json), whose entries log
// different metrics at one `step`; steps are the entries' integer `step`, else their integer
// `epoch`, else their index, and a metric is a point only on the entries that have it. So is a
// dict of per-epoch dicts keyed by the epoch (`to_json(orient="index")`), steps = the keys.
import { ReadError } from '../../io/errors';
import { baseName } from '../../io/fileSource';
import { summarizeLog } from '../shared/logSummary';
import type { JsonReader } from '../reader';
import type { LogData } from '../../types';

/** Column names Keras metrics commonly have (at least one is needed unless the file name says history). */
const METRIC_NAME =
  /loss|acc|^val_|^lr$|learning_rate|mae|mse|rmse|mape|auc|precision|recall|error|iou|io_u|dice|f1|psnr|ssim|perplex|bleu|rouge|reward|grad_norm/i;
/** File names of history dumps (only a tie-break). */
const HISTORY_NAME = /hist|metrics/i;

type Dict = Record<string, unknown>;

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON value read as a number: numbers, null (NaN), numeric strings, `nan`/`inf`; else null. */
function asNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v === null) return NaN;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  const l = s.toLowerCase();
  if (l === 'nan' || l === 'na') return NaN;
  if (l === 'inf' || l === 'infinity' || l === '+inf') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return null;
}

/** One series read from a list or from a pandas `{"0": x, ...}` column; null when it is neither. */
function asSeries(v: unknown): { steps: number[] | null; values: number[] } | null {
  if (Array.isArray(v)) {
    const values: number[] = [];
    for (const x of v) {
      const n = asNumber(x);
      if (n === null) return null;
      values.push(n);
    }
    return { steps: null, values };
  }
  if (isDict(v)) {
    const entries = Object.entries(v);
    const steps: number[] = [];
    const values: number[] = [];
    for (const [k, x] of entries) {
      const n = asNumber(x);
      if (!/^\d+$/.test(k) || n === null) return null;
      steps.push(Number(k));
      values.push(n);
    }
    return { steps, values };
  }
  return null;
}

function epochList(v: unknown): number[] | null {
  if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) return null;
  return v as number[];
}

/** The history dict of a JSON value (the value itself or its `history`), or null. */
function historyDict(value: unknown, path: string): { dict: Dict; epochs: number[] | null } | null {
  if (!isDict(value)) return null;
  if (isDict(value.history) && isHistory(value.history, true, path)) {
    return { dict: value.history, epochs: epochList(value.epoch) ?? epochList(value.history.epoch) };
  }
  if (isHistory(value, false, path)) return { dict: value, epochs: epochList(value.epoch) };
  return null;
}

/** A run-description value written next to the curves (timestamp, class names, phase starts...). */
function isMetadata(v: unknown): boolean {
  const scalar = (x: unknown) => x === null || ['string', 'number', 'boolean'].includes(typeof x);
  return scalar(v) || (Array.isArray(v) && v.length <= 1000 && v.every(scalar));
}

/**
 * Series of a history dumped with run metadata beside the curves (`{"timestamp": ..., "classes": [...],
 * "train_loss": [...], "val_acc": [...], "test_acc": 0.77}`): the metric-named lists, and other numeric
 * lists as long as the longest of them (per-epoch values); null when the dict is not such a dump.
 */
function seriesBesideMetadata(d: Dict): string[] | null {
  const keys = Object.keys(d).filter((k) => k !== 'epoch');
  const metric = keys.filter((k) => METRIC_NAME.test(k) && Array.isArray(d[k]) && asSeries(d[k]) !== null);
  const epochs = Math.max(0, ...metric.map((k) => (d[k] as unknown[]).length));
  if (epochs < 2) return null;
  if (!keys.every((k) => asSeries(d[k]) !== null || isMetadata(d[k]))) return null;
  return keys.filter((k) => Array.isArray(d[k]) && asSeries(d[k]) !== null && (metric.includes(k) || (d[k] as unknown[]).length === epochs));
}

function isHistory(d: Dict, wrapped: boolean, path: string): boolean {
  const keys = Object.keys(d).filter((k) => k !== 'epoch');
  if (keys.length === 0) return false;
  if ('epoch' in d && epochList(d.epoch) === null && asSeries(d.epoch) === null) return false;
  if (!keys.every((k) => asSeries(d[k]) !== null)) return !wrapped && seriesBesideMetadata(d) !== null;
  // at least one series has points (`{"accuracy": {}}` alone is no history)
  if (!keys.some((k) => asSeries(d[k])!.values.length > 0)) return false;
  return wrapped || keys.some((k) => METRIC_NAME.test(k)) || HISTORY_NAME.test(baseName(path));
}

/** Keys that give the entries of a per-row history their steps (never series). */
const ROW_STEP_KEYS = ['step', 'epoch'];

/**
 * The rows of a per-row history, or null: a list of dicts (records, trainer_state.json's
 * `log_history`) or a dict of dicts keyed by epoch (`to_json(orient="index")`, `{epoch: logs}`
 * dumps; `steps` are then the keys). Every row's values are numbers, and a key is named like a
 * metric (or the file like a history).
 */
function historyRows(value: unknown, path: string): { rows: Dict[]; steps: number[] | null } | null {
  let rows: unknown = isDict(value) && Array.isArray(value.log_history) ? value.log_history : value;
  let steps: number[] | null = null;
  if (isDict(rows)) {
    const keys = Object.keys(rows);
    if (keys.length === 0 || !keys.every((k) => /^\d+$/.test(k))) return null;
    steps = keys.map(Number);
    rows = Object.values(rows);
  }
  if (!Array.isArray(rows) || rows.length === 0) return null;
  let metric = false;
  for (const row of rows) {
    if (!isDict(row)) return null;
    const keys = Object.keys(row);
    if (keys.length === 0) return null;
    for (const k of keys) {
      if (asNumber(row[k]) === null) return null;
      if (!metric && !ROW_STEP_KEYS.includes(k) && METRIC_NAME.test(k)) metric = true;
    }
  }
  return metric || HISTORY_NAME.test(baseName(path)) ? { rows: rows as Dict[], steps } : null;
}

/**
 * Series of a per-row history: steps from the dict's keys, else every entry's integer `step`, else
 * its integer `epoch`, else the entry index.
 */
function rowSeries({ rows, steps }: { rows: Dict[]; steps: number[] | null }): [string, { steps: number[]; values: number[] }][] {
  const stepKey = steps ? null : (ROW_STEP_KEYS.find((k) => rows.every((r) => Number.isInteger(r[k]))) ?? null);
  const series = new Map<string, { steps: number[]; values: number[] }>();
  rows.forEach((row, i) => {
    const step = steps ? steps[i] : stepKey ? (row[stepKey] as number) : i;
    for (const [k, v] of Object.entries(row)) {
      if (ROW_STEP_KEYS.includes(k)) continue;
      let s = series.get(k);
      if (!s) series.set(k, (s = { steps: [], values: [] }));
      s.steps.push(step);
      s.values.push(asNumber(v)!);
    }
  });
  return [...series];
}

/** Reads a Keras history JSON value in full. Throws ReadError when it is not one. */
export function readHistoryJsonData(value: unknown, path: string): LogData {
  const rows = historyRows(value, path);
  if (rows) return { source: 'history-json', series: Object.fromEntries(rowSeries(rows)) };
  const h = historyDict(value, path);
  if (!h) throw new ReadError('not-a-history', `${path}: not a Keras training history (a dict of metric lists)`);
  const series: [string, { steps: number[]; values: number[] }][] = [];
  const allSeries = Object.entries(h.dict).every(([k, v]) => k === 'epoch' || asSeries(v) !== null);
  const kept = allSeries ? null : new Set(seriesBesideMetadata(h.dict));
  for (const [name, raw] of Object.entries(h.dict)) {
    if (name === 'epoch' && epochList(raw)) continue;
    if (kept && !kept.has(name)) continue;
    const s = asSeries(raw)!;
    const steps = s.steps ?? (h.epochs && h.epochs.length === s.values.length ? h.epochs.slice() : s.values.map((_, i) => i));
    series.push([name, { steps, values: s.values }]);
  }
  return { source: 'history-json', series: Object.fromEntries(series) };
}

/**
 * Parses JSON as Python's json.dump writes it: bare NaN becomes null, Infinity / -Infinity become
 * the strings "Infinity" / "-Infinity" (which the history reader reads as infinities).
 */
export function parsePythonJson(text: string): unknown {
  const t = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(t);
  } catch {
    return JSON.parse(t.replace(/-?\b(?:Infinity|NaN)\b/g, (m) => (m.endsWith('NaN') ? 'null' : `"${m}"`)));
  }
}

/** Reads a history JSON file's bytes in full (for callers that do not hold the parsed value). */
export function readHistoryJsonBytes(bytes: Uint8Array, path: string): LogData {
  let value: unknown;
  try {
    value = parsePythonJson(new TextDecoder('utf-8', { fatal: false }).decode(bytes));
  } catch (e) {
    throw new ReadError('invalid-json', `${path}: not valid JSON (${(e as Error).message})`);
  }
  return readHistoryJsonData(value, path);
}

/** Keras history dumped as JSON. */
export const historyJsonReader: JsonReader = {
  kind: 'json',
  name: 'historyJson',
  formats: ['history-json'],
  fallbackRole: 'log',
  sniffJson: (value, path) => historyDict(value, path) !== null || historyRows(value, path) !== null,
  readJson: async (value, { path }) => ({ role: 'log', format: 'history-json', log: summarizeLog(readHistoryJsonData(value, path)) }),
};
