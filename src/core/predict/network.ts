// Runs a Keras / tfjs network in TensorFlow.js without Python: the config normalised by
// kerasToTfjs, the stored weights assigned layer by layer, on the wasm backend (cpu as fallback).
// TensorFlow.js is the library for this: it implements every common Keras layer with Keras'
// semantics; writing our own kernels would be a second, less tested implementation.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { ReadError } from '../io/errors';
import { toTfjsTopology } from './kerasToTfjs';

/** One stored tensor with its values (float32 / int32), in C order. */
export interface TensorValues {
  name: string;
  shape: number[];
  values: Float32Array | Int32Array;
}

/** The stored tensors of one layer, in the order the file keeps them (Keras' weight order). */
export interface LayerValues {
  name: string;
  tensors: TensorValues[];
}

/** TensorFlow.js backends we can run on. */
export type BackendName = 'wasm' | 'cpu';

/** Backend preference (settings / CLI). `node` is accepted and means "fastest available". */
export type BackendPreference = 'auto' | 'wasm' | 'cpu' | 'node';

let backendPromise: Promise<BackendName> | null = null;

/**
 * Selects the backend once per process: wasm when its .wasm files load (from `wasmDir`, the folder
 * holding tfjs-backend-wasm*.wasm), else cpu. Returns which one runs.
 */
export function initBackend(pref: BackendPreference = 'auto', wasmDir?: string): Promise<BackendName> {
  if (backendPromise) return backendPromise;
  backendPromise = (async (): Promise<BackendName> => {
    // Production mode: no debug checks and no console advertising of tfjs-node (it would land on
    // the CLI's stderr and in the extension's log).
    tf.env().set('PROD', true);
    if (pref !== 'cpu') {
      try {
        if (wasmDir) setWasmPaths(wasmDir.endsWith('/') ? wasmDir : `${wasmDir}/`);
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          return 'wasm';
        }
      } catch {
        // wasm files missing or not loadable here: fall back to cpu below.
      }
    }
    await tf.setBackend('cpu');
    await tf.ready();
    return 'cpu';
  })();
  return backendPromise;
}

/** Suffixes of Keras weight names, to match stored tensors to tfjs weights by name first. */
function weightKey(name: string): string {
  const last = name.split('/').pop() ?? name;
  return last.replace(/:\d+$/, '').replace(/_\d+$/, '');
}

function flattenLayers(layers: tfl.layers.Layer[], out: tfl.layers.Layer[] = []): tfl.layers.Layer[] {
  for (const l of layers) {
    const inner = (l as unknown as { layers?: tfl.layers.Layer[] }).layers;
    if (Array.isArray(inner) && inner.length && l.getClassName() !== 'Bidirectional') flattenLayers(inner, out);
    else out.push(l);
  }
  return out;
}

/** All stored tensors whose layer path contains `name` (a Bidirectional's forward and backward parts). */
function mergedByPrefix(weights: LayerValues[], name: string): LayerValues | undefined {
  const parts = weights.filter((l) => l.name.startsWith(`${name}/`));
  return parts.length ? { name, tensors: parts.flatMap((p) => p.tensors) } : undefined;
}

/**
 * Rows per model call in Network.predict: large enough that per-call overhead vanishes (dense
 * 8-256-256-1: 1,024 rows run as fast as 10,000 in one call), small enough to bound the
 * activations held at once (a 26x26x16 conv output is 43 kB a row).
 */
export const PREDICT_CHUNK_ROWS = 1024;

/** A loaded network ready to predict. */
export interface Network {
  readonly inputShape: (number | null)[];
  readonly outputShape: (number | null)[];
  /** Runs rows (batch-first, flattened per row) and returns one output array per row. */
  predict(rows: Float32Array[]): number[][];
  dispose(): void;
}

/**
 * Builds the network from its config and assigns the stored weights. Weights are matched to layers
 * by layer name, then to the layer's variables by name suffix (`kernel`, `bias`...) or, when names
 * differ (Keras 1 `dense_1_W`, Keras 3 `vars/0`), by order. Shapes must agree exactly.
 */
export async function loadNetwork(config: unknown, weights: LayerValues[]): Promise<Network> {
  const model = await buildTfjsModel(config, weights);
  return wrap(model);
}

/** The TensorFlow.js model of a Keras config with the stored weights assigned (see loadNetwork). */
export async function buildTfjsModel(config: unknown, weights: LayerValues[]): Promise<tfl.LayersModel> {
  const topology = toTfjsTopology(config);
  let model: tfl.LayersModel;
  try {
    model = await tfl.models.modelFromJSON({ modelTopology: topology } as unknown as tf.io.ModelJSON);
  } catch (e) {
    throw new ReadError('tfjs-unsupported', `TensorFlow.js cannot build this model: ${(e as Error).message}`);
  }
  const byName = new Map(weights.map((l) => [l.name, l]));
  const values: tf.Tensor[] = [];
  const targets: tfl.LayerVariable[] = [];
  for (const layer of flattenLayers(model.layers)) {
    const vars = layer.weights;
    if (vars.length === 0) continue;
    const stored = byName.get(layer.name) ?? mergedByPrefix(weights, layer.name) ?? weights.find((l) => l.name.split('/').includes(layer.name));
    if (!stored) throw new ReadError('weights-structure-mismatch', `no stored weights for layer '${layer.name}'`);
    if (stored.tensors.length !== vars.length) {
      throw new ReadError('weights-structure-mismatch', `layer '${layer.name}' has ${vars.length} weights in the model but ${stored.tensors.length} stored`);
    }
    const used = new Set<number>();
    vars.forEach((v, i) => {
      const key = weightKey(v.originalName ?? v.name);
      let idx = stored.tensors.findIndex((t, j) => !used.has(j) && weightKey(t.name) === key);
      if (idx < 0) idx = used.has(i) ? stored.tensors.findIndex((_, j) => !used.has(j)) : i;
      used.add(idx);
      const t = stored.tensors[idx];
      const same = t.shape.length === v.shape.length && t.shape.every((d, j) => d === v.shape[j]);
      if (!same) {
        throw new ReadError(
          'weights-structure-mismatch',
          `layer '${layer.name}' weight '${v.originalName ?? v.name}' has shape [${v.shape}] in the model but [${t.shape}] stored (${t.name})`,
        );
      }
      values.push(tf.tensor(t.values, t.shape, t.values instanceof Int32Array ? 'int32' : 'float32'));
      targets.push(v);
    });
  }
  targets.forEach((v, i) => v.write(values[i]));
  values.forEach((t) => t.dispose());
  return model;
}

function wrap(model: tfl.LayersModel): Network {
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  const outputName = model.outputs[0].name;
  return {
    inputShape: inShape,
    outputShape: outShape,
    predict(rows: Float32Array[]): number[][] {
      const dims = inShape.slice(1).map((d) => d ?? 1);
      const perRow = dims.reduce((a, d) => a * d, 1);
      const flat = new Float32Array(rows.length * perRow);
      rows.forEach((r, i) => {
        if (r.length !== perRow) {
          throw new ReadError('input-shape', `row ${i} has ${r.length} values, the model takes ${perRow}`);
        }
        flat.set(r, i * perRow);
      });
      const out: number[][] = [];
      // Chunks of PREDICT_CHUNK_ROWS rows, each one model call (tfjs-layers' predict() would cut
      // the rows into batches of 32, which cost 2-3x on dense networks).
      for (let start = 0; start < rows.length; start += PREDICT_CHUNK_ROWS) {
        const n = Math.min(PREDICT_CHUNK_ROWS, rows.length - start);
        const data = tf.tidy(() => {
          const x = tf.tensor(flat.subarray(start * perRow, (start + n) * perRow), [n, ...dims]);
          // execute() runs the graph in inference mode like predict(), without predict's
          // slice-per-batch and concat copies.
          return (model.execute(x, outputName) as tf.Tensor).dataSync() as Float32Array;
        });
        const width = data.length / n;
        for (let i = 0; i < n; i++) {
          const row = new Array<number>(width);
          for (let j = 0; j < width; j++) row[j] = data[i * width + j];
          out.push(row);
        }
      }
      return out;
    },
    dispose(): void {
      model.dispose();
    },
  };
}
