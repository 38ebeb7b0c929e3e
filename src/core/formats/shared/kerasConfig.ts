// Small helpers that read Keras layer configs across Keras 1, 2, 3 and tfjs-layers spellings.
import type { Shape } from '../../types';

/** A JSON object. */
export type Json = Record<string, unknown>;

/** True for a plain JSON object. */
export function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite integer-valued number, or null. */
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The first of several config keys that holds a number (Keras 1 and 2 names differ). */
export function numOf(cfg: Json, ...keys: string[]): number | null {
  for (const k of keys) {
    const n = num(cfg[k]);
    if (n !== null) return n;
  }
  return null;
}

/** A boolean config value with its default. */
export function bool(cfg: Json, key: string, dflt: boolean): boolean {
  const v = cfg[key];
  return typeof v === 'boolean' ? v : dflt;
}

/** A string config value, or null. */
export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** An int or a tuple of ints, spread to `n` dimensions (`3` -> `[3, 3]`); null when absent. */
export function tuple(v: unknown, n: number): number[] | null {
  if (typeof v === 'number' && Number.isFinite(v)) return Array(n).fill(v);
  if (Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x))) return v as number[];
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return Array(n).fill(v[0]);
  return null;
}

/** A shape from JSON (`[null, 8]`), or null when it is not one. */
export function shapeOf(v: unknown): Shape | null {
  if (!Array.isArray(v)) return null;
  const out: Shape = [];
  for (const x of v) {
    if (x === null) out.push(null);
    else if (typeof x === 'number' && Number.isFinite(x) && x >= -1) out.push(x === -1 ? null : x);
    else return null;
  }
  return out;
}

/**
 * The batch input shape a layer config declares: Keras 1/2 `batch_input_shape`, Keras 3
 * `batch_shape`, `input_shape` (no batch), Keras 1 `input_dim` (+ `input_length`), tfjs camelCase.
 */
export function declaredInputShape(cfg: Json, className: string): Shape | null {
  const b = shapeOf(cfg.batch_input_shape) ?? shapeOf(cfg.batch_shape) ?? shapeOf(cfg.batchInputShape);
  if (b) return b;
  const s = shapeOf(cfg.input_shape) ?? shapeOf(cfg.inputShape);
  if (s) return [null, ...s];
  const inDim = num(cfg.input_dim);
  if (inDim !== null && className !== 'Embedding') {
    const len = num(cfg.input_length);
    if (/LSTM|GRU|RNN|Recurrent/.test(className)) return [null, len, inDim];
    return [null, inDim];
  }
  if (className === 'Embedding') {
    const len = num(cfg.input_length);
    if (cfg.input_length !== undefined || cfg.batch_input_shape !== undefined) return [null, len];
  }
  return null;
}

/**
 * `channels_first` for Keras 2/3 `data_format` or Keras 1 `dim_ordering: 'th'`; `dflt` when the
 * config says neither (Keras 1 layers such as UpSampling2D did not write the global setting).
 */
export function channelsFirst(cfg: Json, dflt = false): boolean {
  if (cfg.data_format === 'channels_first') return true;
  if (cfg.data_format === 'channels_last') return false;
  if (cfg.dim_ordering === 'th') return true;
  if (cfg.dim_ordering === 'tf') return false;
  return dflt;
}

/** The dtype name, also from a Keras 3 `DTypePolicy` object. */
export function dtypeName(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (isObj(v) && isObj(v.config) && typeof v.config.name === 'string') return v.config.name;
  return null;
}

/** Product of dims, null when any is unknown. */
export function prod(dims: (number | null)[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

/** Class names whose layers hold Python code or have no equivalent outside Python. */
export const PYTHON_ONLY_CLASSES: ReadonlySet<string> = new Set(['Lambda', 'TFOpLambda', 'SlicingOpLambda', 'KerasLayer']);

/** Class names of models (a model used as a layer is a nested model). */
export const MODEL_CLASSES: ReadonlySet<string> = new Set(['Sequential', 'Model', 'Functional']);
