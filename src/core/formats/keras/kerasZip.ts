// Keras 3 `.keras` archives: a zip of config.json, metadata.json and model.weights.h5.
// The central directory is parsed here, strictly (fflate's unzipSync reads past bad offsets and
// skips CRCs), so only the three entries are fetched with readRange, never the whole archive;
// fflate (small, well-kept, pure JS) inflates them into buffers sized from the checked directory.
import { ReadError } from '../../io/errors';
import type { FileSource } from '../../io/fileSource';
import { openHdf5Bytes } from '../../codecs/hdf5';
import { isZipHead, readZipDirectory, readZipEntry } from '../../codecs/zip';
import { detectKerasLayout, keras3Layers, legacyWeights, modelFromConfig, orderKeras3ByConfig, parseKerasJson, weightsSummary } from './kerasWeights';
import { findPythonCode } from '../shared/pythonCode';
import type { BinaryReader, ReaderInput, ReaderResult } from '../reader';
import type { WeightsSummary } from '../../types';

/** Largest config.json / metadata.json inflated. */
export const MAX_KERAS_JSON_BYTES = 64 * 1024 * 1024;
/** Largest model.weights.h5 inflated. */
export const MAX_KERAS_WEIGHTS_BYTES = 1024 * 1024 * 1024;

const WANTED: Record<string, number> = {
  'config.json': MAX_KERAS_JSON_BYTES,
  'metadata.json': MAX_KERAS_JSON_BYTES,
  'model.weights.h5': MAX_KERAS_WEIGHTS_BYTES,
};

function jsonObject(bytes: Uint8Array, what: string, path: string): Record<string, unknown> {
  const v = parseKerasJson(new TextDecoder('utf-8').decode(bytes), what, path);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ReadError('invalid-json', `${path}: ${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** Layer names and classes of a Keras 3 config (`{class_name, config: {layers: [...]}}`). */
export function configLayers(config: Record<string, unknown>): { name: string; className: string }[] {
  const inner = config.config as Record<string, unknown> | undefined;
  const layers = inner && Array.isArray(inner.layers) ? (inner.layers as unknown[]) : [];
  const out: { name: string; className: string }[] = [];
  for (const l of layers) {
    if (typeof l !== 'object' || l === null) continue;
    const rec = l as Record<string, unknown>;
    const cfg = rec.config as Record<string, unknown> | undefined;
    const name = typeof cfg?.name === 'string' ? cfg.name : typeof rec.name === 'string' ? rec.name : null;
    if (name !== null && typeof rec.class_name === 'string') out.push({ name, className: rec.class_name });
  }
  return out;
}

async function innerWeights(bytes: Uint8Array, path: string, config: Record<string, unknown>): Promise<WeightsSummary> {
  const name = `${path}!model.weights.h5`;
  const f = await openHdf5Bytes(bytes, name);
  try {
    const layout = detectKerasLayout(f);
    if (layout === 'keras3-weights') {
      const { layers, bytes: total } = keras3Layers(f);
      const ordered = orderKeras3ByConfig(layers, configLayers(config));
      return weightsSummary(
        ordered.map((l) => ({ name: l.name, tensors: l.tensors })),
        total,
      );
    }
    if (layout === 'legacy-weights') return legacyWeights(f, '/');
    if (layout === 'full-model') return legacyWeights(f, '/model_weights');
    throw new ReadError('not-a-keras-h5', `${name}: not a Keras weights file (no layers/ or layer_names)`);
  } finally {
    f.close();
  }
}

/**
 * The entries of a .keras archive that matter (config.json, metadata.json, model.weights.h5), read
 * through the checked central directory, each within its size limit and CRC-checked.
 */
export async function readKerasZipEntries(source: FileSource, path: string, size: number): Promise<Record<string, Uint8Array>> {
  const entries = await readZipDirectory(source, path, size);
  const files: Record<string, Uint8Array> = {};
  for (const e of entries) {
    const limit = WANTED[e.name];
    if (limit !== undefined && !(e.name in files)) files[e.name] = await readZipEntry(source, path, e, limit);
  }
  return files;
}

async function readKerasZip(input: ReaderInput): Promise<ReaderResult> {
  const { path } = input;
  const files = await readKerasZipEntries(input.source, path, input.size);
  if (!files['config.json']) {
    return {
      role: 'other',
      format: 'unknown',
      error: { code: 'not-a-keras-zip', message: `${path}: a zip archive without config.json, not a Keras .keras file` },
    };
  }
  const config = jsonObject(files['config.json'], 'config.json', path);
  let kerasVersion: string | null = null;
  if (files['metadata.json']) {
    const meta = jsonObject(files['metadata.json'], 'metadata.json', path);
    if (typeof meta.keras_version === 'string') kerasVersion = meta.keras_version;
  }
  const weights = files['model.weights.h5'] ? await innerWeights(files['model.weights.h5'], path, config) : undefined;
  const { model, error } = modelFromConfig(config, { framework: 'keras', kerasVersion }, weights, path);
  const sites = findPythonCode(config);
  return {
    role: 'model',
    format: 'keras-zip',
    ...(sites.length ? { pythonCode: sites } : {}),
    ...(weights ? { weights } : {}),
    ...(model ? { model } : {}),
    error: error ?? null,
  };
}

/** Keras 3 .keras zip archives. */
export const kerasZipReader: BinaryReader = {
  kind: 'binary',
  name: 'kerasZip',
  formats: ['keras-zip'],
  fallbackRole: 'model',
  sniff: (head) => isZipHead(head),
  read: readKerasZip,
};
