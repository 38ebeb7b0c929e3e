// The ONNX side of predictions: a session from an `.onnx` file report (its external data read from
// inside the model's folder, as the reader checked), and what the pipeline must know about the model
// (does the graph scale its inputs itself?).
import { ReadError } from '../io/errors';
import { baseName, dirName, joinPath, type FileSource } from '../io/fileSource';
import type { FileReport } from '../types';
import type { LayerValues } from './network';
import { denseStack, denseToOnnx } from './onnxDense';
import { loadOnnxNetwork, type OnnxBackendPreference, type OnnxNetwork } from './onnxRuntime';

/**
 * A Keras dense network (Sequential Dense / Activation / Dropout on a flat input) converted in memory
 * to ONNX and loaded on onnxruntime-node, which runs it 5-7x faster than tfjs-wasm (docs/onnx.md).
 * Null when the network has other layers or the native build cannot load here: TensorFlow.js runs it.
 */
export async function kerasDenseOnOnnx(config: unknown, layers: LayerValues[]): Promise<OnnxNetwork | null> {
  const stack = denseStack(config, layers);
  if (!stack) return null;
  try {
    const bytes = denseToOnnx(stack);
    return await loadOnnxNetwork({ bytes, inputShape: [null, stack[0].inDim], outputShape: [null, stack[stack.length - 1].outDim] }, 'onnxruntime-node');
  } catch {
    return null;
  }
}

/** The ONNX Runtime build asked for by a prediction backend preference (`node`: native, `wasm`: web). */
export function onnxPreference(pref: string | undefined): OnnxBackendPreference {
  if (pref === 'node' || pref === 'onnxruntime-node') return 'onnxruntime-node';
  if (pref === 'wasm' || pref === 'onnxruntime-web') return 'onnxruntime-web';
  return 'auto';
}

/** Loads an ONNX model file into a session. Refuses a file the reader refused (its error is kept). */
export async function loadOnnxReport(report: FileReport, source: FileSource, pref: OnnxBackendPreference, wasmDir?: string): Promise<OnnxNetwork> {
  if (report.error) throw new ReadError(report.error.code, report.error.message);
  const m = report.model;
  if (!m?.onnx) throw new ReadError('not-a-model', `${report.path}: not a readable ONNX model`);
  if (m.onnx.inputs.length !== 1) {
    throw new ReadError(
      'onnx-inputs',
      `${report.path}: the model takes ${m.onnx.inputs.length} inputs (${m.onnx.inputs.map((i) => i.name).join(', ')}); predictions need one`,
    );
  }
  const input = m.onnx.inputs[0];
  if (input.dtype !== 'float32' && input.dtype !== 'float64') {
    throw new ReadError(
      'onnx-input-type',
      `${report.path}: the model's input '${input.name}' is ${input.dtype ?? 'not a tensor'}; predictions feed float32 or float64 rows`,
    );
  }
  // Several outputs (a classifier's label and probabilities): the first floating-point tensor is shown.
  const outputs = m.onnx.outputs;
  const shown = outputs.find((o) => o.dtype === 'float32' || o.dtype === 'float64' || o.dtype === 'float16') ?? outputs[0];
  const notes: string[] = [];
  if (outputs.length > 1 && shown) {
    notes.push(
      `${baseName(report.path)} has ${outputs.length} outputs (${outputs.map((o) => `${o.name}: ${o.dtype ?? 'non-tensor'}`).join(', ')}): the outputs shown are '${shown.name}'.`,
    );
  }
  const dir = dirName(report.path);
  const externalData: { path: string; data: Uint8Array }[] = [];
  for (const e of m.onnx.externalData) {
    // the reader refused absolute paths, `..` and links out of the folder; the path is the one the model names
    const rel = e.location
      .split(/[\\/]/)
      .filter((s) => s && s !== '.')
      .join('/');
    externalData.push({ path: e.location, data: await source.readFile(joinPath(dir, rel)) });
  }
  const bytes = await source.readFile(report.path);
  try {
    return await loadOnnxNetwork(
      { bytes, externalData, inputShape: input.shape ?? [], outputShape: shown?.shape ?? [], inputType: input.dtype, outputName: shown?.name, notes },
      pref,
      wasmDir,
    );
  } catch (e) {
    if (e instanceof ReadError) throw new ReadError(e.code, `${baseName(report.path)}: ${e.message}`);
    throw e;
  }
}

/** The preprocessing nodes an ONNX model begins with (skl2onnx pipelines), empty otherwise. */
export function onnxPreprocessing(report: FileReport): string[] {
  return report.model?.onnx?.preprocessing ?? [];
}
