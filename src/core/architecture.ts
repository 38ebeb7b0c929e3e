// Architecture summary of a Keras / tfjs-layers model config. (Stub: owned by the architecture work.)
import type { ModelSummary, WeightsSummary } from './types';

/** Options of summarizeModelConfig. */
export interface SummarizeOptions {
  framework: 'keras' | 'tfjs';
  kerasVersion: string | null;
  backend?: string | null;
}

/**
 * Summarises a model config as Keras writes it: the `to_json()` document
 * (`{class_name, config, keras_version?, backend?}`), an HDF5 `model_config`, a Keras 3
 * `config.json`, or a tfjs `modelTopology` (`{model_config, ...}` or the config itself).
 * Throws ReadError('not-a-model') when it is not a model config.
 */
export function summarizeModelConfig(_config: unknown, _opts: SummarizeOptions): ModelSummary {
  throw new Error('summarizeModelConfig: not implemented yet');
}

/**
 * Makes the weights the truth: per-layer params taken from the stored tensors, totals recomputed,
 * and a note (ModelSummary.notes) for every disagreement between config and weights.
 */
export function reconcileWithWeights(summary: ModelSummary, _weights: WeightsSummary): ModelSummary {
  return summary;
}
