// Keras structure JSON: `model.to_json()` (Keras 1/2, tf.keras) and Keras 3 `config.json`.
import { configLayers, summarizeModelConfig } from '../shared/architecture';
import { ReadError } from '../../io/errors';
import { MODEL_CLASSES, isObj } from '../shared/kerasConfig';
import { findPythonCode } from '../shared/pythonCode';
import type { JsonReader, ReaderInput, ReaderResult } from '../reader';

/**
 * True for a Keras model document: `{class_name, config}` whose class is a model class
 * (Sequential, Model, Functional) or whose config holds a layer list. Not tfjs documents
 * (`modelTopology`), not training configs (`loss`/`optimizer` without a model class).
 */
export function isKerasModelJson(value: unknown): boolean {
  if (!isObj(value) || 'modelTopology' in value || 'weightsManifest' in value) return false;
  // A bare topology (`{keras_version, backend, model_config}`), as tfjs and HDF5 attributes hold it.
  if (isObj(value.model_config) && value.class_name === undefined) return isKerasModelJson(value.model_config);
  if (typeof value.class_name !== 'string') return false;
  const layers = configLayers(value.config);
  if (!layers) return false;
  if (MODEL_CLASSES.has(value.class_name)) return true;
  // A custom model class: claim it only when its layers look like Keras layer configs.
  return layers.length > 0 && layers.every((l) => isObj(l) && typeof l.class_name === 'string' && isObj(l.config));
}

/** Keras structure JSON (to_json, Keras 3 config.json). */
export const kerasJsonReader: JsonReader = {
  kind: 'json',
  name: 'kerasJson',
  formats: ['keras-json'],
  fallbackRole: 'structure',
  sniffJson: (value: unknown) => isKerasModelJson(value),
  async readJson(value: unknown, input: ReaderInput): Promise<ReaderResult> {
    const doc = isObj(value) ? value : {};
    const kerasVersion = typeof doc.keras_version === 'string' ? doc.keras_version : null;
    const backend = typeof doc.backend === 'string' ? doc.backend : null;
    // Found before summarising: a config that cannot be summarised still says where its code is.
    const sites = findPythonCode(value);
    const pythonCode = sites.length ? { pythonCode: sites } : {};
    try {
      const model = summarizeModelConfig(value, { framework: 'keras', kerasVersion, backend });
      return { role: 'structure', format: 'keras-json', model, ...pythonCode };
    } catch (e) {
      if (!(e instanceof ReadError)) throw e;
      const message = `${input.path}: ${e.message}`;
      if (sites.length) return { role: 'structure', format: 'keras-json', error: { code: e.code, message }, ...pythonCode };
      throw new ReadError(e.code, message);
    }
  },
};
