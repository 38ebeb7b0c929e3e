// Shared pieces of the Keras -> ONNX layer converters: the context a converter gets, the error for
// a layer that cannot be exported, and activation names as configs write them.
import { ReadError } from '../io/errors';
import type { TensorValues } from '../predict/network';
import type { GraphBuilder } from './onnxGraph';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };

/** What a layer converter gets. */
export interface LayerContext {
  g: GraphBuilder;
  name: string;
  cls: string;
  config: Obj;
  /** Keras 3 semantics (hard_sigmoid = relu6(x + 3) / 6, LeakyReLU negative_slope). */
  keras3: boolean;
  weights: (keys: string[]) => TensorValues[];
}

export function unsupported(name: string, cls: string, why: string): ReadError {
  return new ReadError('unsupported-layer', `layer '${name}' (${cls}) cannot be exported to ONNX: ${why}`);
}

/** Name of an activation in a config: a string or a serialized `{class_name, config}`. */
export function activationName(v: Json | undefined): string {
  if (v === undefined || v === null) return 'linear';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v)) {
    const c = v.config;
    if (c && typeof c === 'object' && !Array.isArray(c) && typeof c.name === 'string') return c.name;
    if (typeof v.class_name === 'string') return v.class_name;
  }
  return String(v);
}
