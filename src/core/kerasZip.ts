// Keras 3 `.keras` archives: a zip of config.json, metadata.json and model.weights.h5.
// fflate reads the zip (a small, well-kept pure-JS inflater); only the three entries are inflated,
// each within a size limit checked against the central directory before inflating.
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { ReadError } from './errors';
import { openHdf5Bytes } from './hdf5';
import {
  detectKerasLayout,
  keras3Layers,
  legacyWeights,
  modelFromConfig,
  orderKeras3ByConfig,
  parseKerasJson,
  weightsSummary,
} from './kerasWeights';
import type { BinaryReader, ReaderInput, ReaderResult } from './reader';
import type { WeightsSummary } from './types';

/** Largest .keras file read (it is read whole). */
export const MAX_KERAS_ZIP_BYTES = 2 * 1024 * 1024 * 1024 - 1;
/** Largest config.json / metadata.json inflated. */
export const MAX_KERAS_JSON_BYTES = 64 * 1024 * 1024;
/** Largest model.weights.h5 inflated. */
export const MAX_KERAS_WEIGHTS_BYTES = 1024 * 1024 * 1024;

const WANTED: Record<string, number> = {
  'config.json': MAX_KERAS_JSON_BYTES,
  'metadata.json': MAX_KERAS_JSON_BYTES,
  'model.weights.h5': MAX_KERAS_WEIGHTS_BYTES,
};

function isZipHead(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

function unzipEntries(bytes: Uint8Array, path: string): { names: string[]; files: Record<string, Uint8Array> } {
  const names: string[] = [];
  let refused: string | null = null;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f: UnzipFileInfo) => {
        names.push(f.name);
        const limit = WANTED[f.name];
        if (limit === undefined) return false;
        if (f.originalSize > limit || f.originalSize < 0) {
          refused ??= `${f.name} claims ${f.originalSize} bytes (limit ${limit})`;
          return false;
        }
        // Deflate can expand at most ~1032x: a larger claim is a lie.
        if (f.compression === 8 && f.originalSize > f.size * 1032 + 1024) {
          refused ??= `${f.name} claims ${f.originalSize} bytes from ${f.size} compressed bytes`;
          return false;
        }
        if (f.compression !== 0 && f.compression !== 8) {
          refused ??= `${f.name} uses zip compression method ${f.compression} (only stored and deflate are read)`;
          return false;
        }
        return true;
      },
    });
  } catch (e) {
    throw new ReadError('corrupt-zip', `${path}: not a readable zip archive (${(e as Error).message})`);
  }
  if (refused) throw new ReadError('zip-limit', `${path}: ${refused}`);
  return { names, files };
}

function jsonObject(bytes: Uint8Array, what: string, path: string): Record<string, unknown> {
  const v = parseKerasJson(new TextDecoder('utf-8').decode(bytes), what, path);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ReadError('invalid-json', `${path}: ${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

/** Layer names and classes of a Keras 3 config (`{class_name, config: {layers: [...]}}`). */
function configLayers(config: Record<string, unknown>): { name: string; className: string }[] {
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

async function readKerasZip(input: ReaderInput): Promise<ReaderResult> {
  const { path } = input;
  if (input.size > MAX_KERAS_ZIP_BYTES) throw new ReadError('too-large', `${path}: ${input.size} bytes is too large to read`);
  const { names, files } = unzipEntries(await input.source.readFile(path), path);
  if (!names.includes('config.json')) {
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
  return {
    role: 'model',
    format: 'keras-zip',
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
