// The input schema of a bundle's Predictions form: the features (named when the scaler has
// `feature_names_in_`, with training ranges when it records them), the output count, and whether the
// bundle can run at all.
import { planPreprocessing } from './scalerChoice';
import { featureRanges } from './scalerTransform';
import type { FileReport } from '../types';
import type { PredictionSchema } from '../../shared/viewModels';

const RUNNABLE = new Set(['keras-h5', 'keras-zip', 'tfjs-layers', 'keras-json', 'onnx']);

function lastDim(shapes: (number | null)[][] | undefined): number | null {
  const s = shapes?.[0];
  return s && s.length === 2 ? s[1] : null;
}

/** Builds the Predictions form schema from a bundle's file reports. */
export function buildPredictionSchema(files: FileReport[]): PredictionSchema {
  const model = files.find((f) => f.model && RUNNABLE.has(f.format) && f.role !== 'weights');
  const none: PredictionSchema = { available: false, reason: null, model: null, features: [], outputs: null, scaler: null, targetScaler: null };
  if (!model?.model)
    return { ...none, reason: 'This bundle has no model that can run (a full-model .h5, a .keras, a tfjs model.json, or a structure JSON with its weights).' };
  if (model.model.pythonOnlyLayers?.length) {
    return { ...none, model: model.path, reason: `The model has layers that only Python can run (${model.model.pythonOnlyLayers.join(', ')}).` };
  }
  const inputShape = model.model.inputShapes[0];
  if (model.model.inputShapes.length !== 1 || !inputShape || inputShape.length !== 2) {
    return { ...none, model: model.path, reason: 'The form takes models with one flat input (batch, features); use the CLI for others.' };
  }
  const inputSize = lastDim(model.model.inputShapes);
  const outputs = lastDim(model.model.outputShapes);
  const plan = planPreprocessing(files, inputSize, outputs);
  // An ONNX graph beginning with its own preprocessing (skl2onnx) takes raw values: no scaler is applied.
  const inGraph = (model.model.onnx?.preprocessing.length ?? 0) > 0;
  const input = inGraph ? null : plan.input;
  const { target } = plan;
  const issue = (inGraph ? null : plan.inputIssue) ?? plan.targetIssue;
  const n = inputSize ?? input?.scaler.nFeaturesIn ?? 0;
  const ranges = input ? featureRanges(input.scaler) : null;
  const names = input?.scaler.featureNames ?? null;
  return {
    available: n > 0,
    reason: n > 0 ? null : 'The model does not say how many inputs it takes.',
    model: model.path,
    features: Array.from({ length: n }, (_, j) => ({
      name: names?.[j] ?? `x${j}`,
      min: ranges?.[j]?.min ?? null,
      max: ranges?.[j]?.max ?? null,
    })),
    outputs,
    scaler: input?.path ?? null,
    targetScaler: target?.path ?? null,
    preprocessingIssue: issue ? `${issue.detail}.` : null,
  };
}
