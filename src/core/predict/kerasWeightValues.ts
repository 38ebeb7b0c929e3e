// The values of a Keras model's weights, for running it: full-model HDF5, Keras 1/2 `save_weights`,
// Keras 3 `*.weights.h5`, `.keras` zips. Layout knowledge comes from kerasWeights.ts (the reader's);
// this file only reads the numbers the reader lists.
import { ReadError } from '../io/errors';
import type { FileSource } from '../io/fileSource';
import { openHdf5, openHdf5Bytes, type Hdf5File } from '../codecs/hdf5';
import { detectKerasLayout, h5Join, keras3Layers, legacyWeights, orderKeras3ByConfig, parseKerasJson, stringAttr } from '../formats/keras/kerasWeights';
import { configLayers, readKerasZipEntries } from '../formats/keras/kerasZip';
import type { LayerValues } from './network';

/** A model config and the stored values of its weights. */
export interface ModelValues {
  config: unknown;
  layers: LayerValues[];
}

function toFloat(values: ArrayLike<number> | BigInt64Array | BigUint64Array): Float32Array | Int32Array {
  if (values instanceof Float32Array || values instanceof Int32Array) return values;
  return Float32Array.from(values as ArrayLike<number>, Number);
}

function legacyValues(f: Hdf5File, group: string): LayerValues[] {
  return legacyWeights(f, group).layers.map((l) => ({
    name: l.name,
    tensors: l.tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      values: toFloat(f.readDataset(h5Join(h5Join(group, l.name), t.name))),
    })),
  }));
}

function keras3Values(f: Hdf5File, config: unknown): LayerValues[] {
  const doc = typeof config === 'object' && config !== null && !Array.isArray(config) ? (config as Record<string, unknown>) : {};
  const ordered = orderKeras3ByConfig(keras3Layers(f).layers, configLayers(doc));
  return ordered.map((l) => ({
    name: l.name,
    tensors: l.tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      values: toFloat(f.readDataset(`/layers/${l.path.split('/').join('/layers/')}/${t.name}`)),
    })),
  }));
}

/** Reads weight values of an open HDF5 weights file (any Keras layout) for the given config. */
export function weightValuesOf(f: Hdf5File, config: unknown): LayerValues[] {
  const layout = detectKerasLayout(f);
  if (layout === 'full-model') return legacyValues(f, '/model_weights');
  if (layout === 'legacy-weights') return legacyValues(f, '/');
  if (layout === 'keras3-weights') return keras3Values(f, config);
  throw new ReadError('not-a-keras-h5', `${f.name}: not a Keras weights file`);
}

/** Config and weight values of a full-model HDF5 file. */
export async function readH5ModelValues(source: FileSource, path: string): Promise<ModelValues> {
  const f = await openHdf5(source, path);
  try {
    const text = stringAttr(f, '/', 'model_config');
    if (text === null) throw new ReadError('missing-structure', `${path}: weights only; the model's structure is in another file`);
    const config = parseKerasJson(text, 'model_config', path);
    return { config, layers: weightValuesOf(f, config) };
  } finally {
    f.close();
  }
}

/** Weight values of a weights-only HDF5 file, ordered for `config`. */
export async function readH5WeightValues(source: FileSource, path: string, config: unknown): Promise<LayerValues[]> {
  const f = await openHdf5(source, path);
  try {
    return weightValuesOf(f, config);
  } finally {
    f.close();
  }
}

/** Config and weight values of a `.keras` zip (config.json + model.weights.h5). */
export async function readKerasZipValues(source: FileSource, path: string): Promise<ModelValues> {
  const st = await source.stat(path);
  if (!st) throw new ReadError('not-found', `${path}: no such file`);
  const files = await readKerasZipEntries(source, path, st.size);
  if (!files['config.json']) throw new ReadError('not-a-keras-zip', `${path}: no config.json`);
  if (!files['model.weights.h5']) throw new ReadError('missing-weights', `${path}: no model.weights.h5 inside`);
  const config = parseKerasJson(new TextDecoder().decode(files['config.json']), 'config.json', path);
  const f = await openHdf5Bytes(files['model.weights.h5'], `${path}/model.weights.h5`);
  try {
    return { config, layers: weightValuesOf(f, config) };
  } finally {
    f.close();
  }
}
