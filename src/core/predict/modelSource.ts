// Which files of a bundle make up its network, and their values: the model file (or structure JSON
// plus the weights beside it), its config and stored weights, and explicitly named scaler files.
// Shared by predictions and the export (core/export); no TensorFlow.js here.
import { ReadError } from '../io/errors';
import { baseName, dirName, type FileSource } from '../io/fileSource';
import { inspectPaths } from '../formats/inspect';
import { readH5ModelValues, readH5WeightValues, readKerasZipValues, type ModelValues } from './kerasWeightValues';
import { readTfjsWeightValues } from './tfjsWeights';
import type { FileReport, Scaler } from '../types';

function isModelFile(r: FileReport): boolean {
  return r.role === 'model' && (r.format === 'keras-h5' || r.format === 'keras-zip' || r.format === 'tfjs-layers' || r.format === 'onnx');
}

export async function reportsFor(target: string, source: FileSource): Promise<{ reports: FileReport[]; chosen: FileReport | null }> {
  const st = await source.stat(target);
  if (!st) throw new ReadError('not-found', `${target}: no such file or folder`);
  if (st.isDirectory) return { reports: await inspectPaths([target], source), chosen: null };
  const reports = await inspectPaths([dirName(target)], source);
  return { reports, chosen: reports.find((r) => r.path === target) ?? null };
}

/** The weights file a structure JSON (`keras-json`) is run with: the .h5 beside it, by name stem first. */
export function weightsFileFor(model: FileReport, reports: FileReport[]): FileReport {
  const dir = dirName(model.path);
  const weights = reports.filter(
    (r) => r.role === 'weights' && (r.format === 'keras-weights-h5' || r.format === 'keras3-weights-h5') && dirName(r.path) === dir,
  );
  if (!weights.length) throw new ReadError('missing-weights', `${model.path}: no weights file (.h5) beside this structure`);
  const stem = baseName(model.path).replace(/\.json$/i, '');
  return weights.find((r) => baseName(r.path).startsWith(stem)) ?? weights[0];
}

export async function modelValues(model: FileReport, reports: FileReport[], source: FileSource): Promise<ModelValues> {
  if (model.format === 'keras-h5') return readH5ModelValues(source, model.path);
  if (model.format === 'keras-zip') return readKerasZipValues(source, model.path);
  const doc = JSON.parse(new TextDecoder().decode(await source.readFile(model.path)));
  if (model.format === 'tfjs-layers') {
    return { config: doc.modelTopology, layers: await readTfjsWeightValues(doc, model.path, source) };
  }
  if (model.format === 'keras-json') {
    const w = weightsFileFor(model, reports);
    return { config: doc, layers: await readH5WeightValues(source, w.path, doc) };
  }
  throw new ReadError('not-a-model', `${model.path}: ${model.format} models cannot be run`);
}

/** Why a PyTorch / safetensors file gives no predictions. */
const TORCH_NOT_RUN =
  'PyTorch and safetensors files hold tensors only (TorchScript: code that is never run here); the network is defined by the training code, so no predictions are made. Export it with torch.onnx.export(model, example_input, "model.onnx") to run it.';

export function pickModel(reports: FileReport[], chosen: FileReport | null, target: string): FileReport {
  if (chosen) {
    if (isModelFile(chosen) || chosen.format === 'keras-json') return chosen;
    if (chosen.foreign) throw new ReadError('not-a-model', `${target}: ${chosen.foreign.note}`);
    if (chosen.torch) throw new ReadError('not-a-model', `${target}: ${TORCH_NOT_RUN}`);
    throw new ReadError('not-a-model', `${target}: a ${chosen.format} file is not a runnable model (give the model or the bundle folder)`);
  }
  const model = reports.find(isModelFile) ?? reports.find((r) => r.format === 'keras-json' && !r.error);
  // A SavedModel or another framework's model is listed but cannot be run: say so, not "no model".
  const foreign = reports.find((r) => r.role === 'model' && r.foreign);
  if (!model && foreign) throw new ReadError('not-a-model', `${foreign.path}: ${foreign.foreign!.note}`);
  // PyTorch / safetensors weights: the network is the training code, which is never run here.
  const torch = reports.find((r) => r.torch);
  if (!model && torch) throw new ReadError('not-a-model', `${torch.path}: ${TORCH_NOT_RUN}`);
  if (!model) throw new ReadError('missing-structure', `${target}: no model (full-model .h5, .keras, tfjs model.json, or structure JSON + weights) found`);
  return model;
}

export async function scalerFrom(path: string, source: FileSource): Promise<Scaler> {
  const r = (await inspectPaths([path], source))[0];
  if (r.error) throw new ReadError(r.error.code, r.error.message);
  if (!r.scaler) throw new ReadError('not-a-scaler', `${path}: not a scikit-learn preprocessing object`);
  return r.scaler;
}
