// Keras HDF5 files: full model (`model.save('x.h5')`), Keras 1/2 `save_weights`, Keras 3
// `*.weights.h5`. Content decides (a `.keras` name holding HDF5 is read here).
import { ReadError, toFileError } from '../../io/errors';
import { hdf5SignatureOffset, openHdf5 } from '../../codecs/hdf5';
import { detectKerasLayout, keras3Weights, legacyWeights, modelFromConfig, parseKerasJson, stringAttr } from './kerasWeights';
import { findPythonCode } from '../shared/pythonCode';
import type { BinaryReader, ReaderInput, ReaderResult } from '../reader';

async function readKerasH5(input: ReaderInput): Promise<ReaderResult> {
  const { path } = input;
  const f = await openHdf5(input.source, path, input.size);
  try {
    const layout = detectKerasLayout(f);
    if (layout === 'full-model') {
      const weights = legacyWeights(f, '/model_weights');
      const kerasVersion = stringAttr(f, '/', 'keras_version') ?? stringAttr(f, '/model_weights', 'keras_version');
      const backend = stringAttr(f, '/', 'backend') ?? stringAttr(f, '/model_weights', 'backend');
      const text = stringAttr(f, '/', 'model_config');
      let config: unknown;
      try {
        if (text === null) throw new ReadError('corrupt-hdf5', `${path}: root attribute model_config is not a string`);
        config = parseKerasJson(text, 'root attribute model_config', path);
      } catch (e) {
        // The weights were read: report them with the reason the structure could not be.
        return { role: 'model', format: 'keras-h5', weights, error: toFileError(e) };
      }
      const { model, error } = modelFromConfig(config, { framework: 'keras', kerasVersion, backend }, weights, path);
      const sites = findPythonCode(config, trainingConfig(f, path));
      return { role: 'model', format: 'keras-h5', weights, ...(model ? { model } : {}), ...(sites.length ? { pythonCode: sites } : {}), error: error ?? null };
    }
    if (layout === 'legacy-weights') {
      return { role: 'weights', format: 'keras-weights-h5', weights: legacyWeights(f, '/'), error: null };
    }
    if (layout === 'keras3-weights') {
      return { role: 'weights', format: 'keras3-weights-h5', weights: keras3Weights(f), error: null };
    }
    return {
      role: 'other',
      format: 'unknown',
      error: {
        code: 'not-a-keras-h5',
        message: `${path}: an HDF5 file that is not a Keras model or weights file (no model_config, layer_names or layers/)`,
      },
    };
  } finally {
    f.close();
  }
}

/** The root `training_config` attribute (compile settings: losses and metrics may hold code), when readable. */
function trainingConfig(f: Awaited<ReturnType<typeof openHdf5>>, path: string): Record<string, unknown> {
  try {
    const text = stringAttr(f, '/', 'training_config');
    return text === null ? {} : { training_config: parseKerasJson(text, 'root attribute training_config', path) };
  } catch {
    return {};
  }
}

/** Keras HDF5 files: full model, Keras 1/2 weights, Keras 3 weights. */
export const kerasH5Reader: BinaryReader = {
  kind: 'binary',
  name: 'kerasH5',
  formats: ['keras-h5', 'keras-weights-h5', 'keras3-weights-h5'],
  fallbackRole: 'weights',
  sniff: (head) => hdf5SignatureOffset(head) !== null,
  read: readKerasH5,
};
