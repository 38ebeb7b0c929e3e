// Keras training histories saved with pickle / joblib (`pickle.dump(history.history, f)`, or
// `{'history': {...}, 'epoch': [...]}`): a dict of per-epoch lists of floats or numpy floats.
import { NdArray, PyTuple, type PyValue } from './pyValue';
import type { LogData } from '../../types';

/** Numbers of a list / tuple / 1-D numeric array (Python floats, ints, numpy scalars), or null. */
function numericSeries(v: PyValue): number[] | null {
  if (v instanceof NdArray) {
    if (v.scalar || v.shape.length !== 1) return null;
    if (v.dtype.kind !== 'f' && v.dtype.kind !== 'i' && v.dtype.kind !== 'u') return null;
    return Array.from(v.data as ArrayLike<number | bigint>, (x) => Number(x));
  }
  const items = Array.isArray(v) ? v : v instanceof PyTuple ? v.items : null;
  if (!items) return null;
  const out: number[] = [];
  for (const x of items) {
    if (typeof x === 'number') out.push(x);
    else if (typeof x === 'bigint') out.push(Number(x));
    else if (x instanceof NdArray && x.size === 1 && (x.dtype.kind === 'f' || x.dtype.kind === 'i' || x.dtype.kind === 'u')) {
      out.push(Number(x.data[0] as number | bigint));
    } else return null;
  }
  return out;
}

/** The dict holding the series: the value itself or its `history` entry. */
function historyDict(value: PyValue): Map<string, PyValue> | null {
  if (!(value instanceof Map)) return null;
  const inner = value.get('history');
  const dict = inner instanceof Map ? inner : value;
  const out = new Map<string, PyValue>();
  for (const [k, v] of dict) {
    if (typeof k !== 'string') return null;
    out.set(k, v);
  }
  return out;
}

/**
 * Reads a pickled Keras history into LogData (source `history-pickle`): every entry must be a list
 * of numbers (at least one non-empty); steps are the epochs 0.., or the wrapper's `epoch` list when
 * it has the series' length. Null when the value is not a history.
 */
export function historyFromPyValue(value: PyValue): LogData | null {
  const dict = historyDict(value);
  if (!dict || dict.size === 0) return null;
  const series: LogData['series'] = Object.create(null);
  let nonEmpty = false;
  for (const [name, v] of dict) {
    const values = numericSeries(v);
    if (!values) return null;
    if (values.length) nonEmpty = true;
    Object.defineProperty(series, name, {
      value: { steps: values.map((_, i) => i), values },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (!nonEmpty) return null;
  const epochs = value instanceof Map && value.get('history') instanceof Map ? numericSeries(value.get('epoch') ?? null) : null;
  if (epochs) {
    for (const s of Object.values(series)) if (s.values.length === epochs.length) s.steps = epochs.slice();
  }
  return { source: 'history-pickle', series: { ...series } };
}
