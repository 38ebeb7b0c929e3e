// The ONNX reader: `.onnx` files whose first bytes are a ModelProto's ir_version field. Reads the
// model without loading large initializers, checks that external data files stay inside the
// model's folder and hold enough bytes, and reports role `model`, format `onnx`.
import { ReadError } from '../../io/errors';
import { dirName, joinPath, type FileSource } from '../../io/fileSource';
import type { BinaryReader, ReaderInput, ReaderResult } from '../reader';
import { readOnnxModel, type OnnxModel } from './onnxFile';
import { allInitializers, summariseOnnx, tensorBytes, weightsOf } from './onnxSummary';

// A varint at `at` in `head`: its value when it is complete and under 2^28, else null.
function smallVarint(head: Uint8Array, at: number): number | null {
  let v = 0;
  for (let i = 0; i < 4 && at + i < head.length; i++) {
    v += (head[at + i] & 0x7f) * 2 ** (7 * i);
    if (head[at + i] < 0x80) return v;
  }
  return null;
}

/** `.onnx` (any case) whose first field is ModelProto.ir_version (field 1, varint) with a small positive value. */
export function sniffOnnx(head: Uint8Array, path: string): boolean {
  if (!/\.onnx$/i.test(path) || head[0] !== 0x08) return false;
  const v = smallVarint(head, 1);
  return v !== null && v >= 1 && v <= 1000;
}

/** Why an external data location is refused, or null when it is a plain relative path. */
export function badLocation(location: string): string | null {
  if (!location) return 'has no location';
  if (location.includes('\0')) return 'has a NUL byte in its location';
  if (/^[\\/]/.test(location) || /^[A-Za-z]:/.test(location)) return 'names an absolute path';
  if (location.split(/[\\/]/).includes('..')) return "climbs out of the model's folder with '..'";
  return null;
}

/** A location as a `/`-joined relative path (backslashes and `./` segments dropped). */
function normalLocation(location: string): string {
  return location
    .split(/[\\/]/)
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/**
 * Checks every external data reference: inside the model's folder (no absolute paths, no `..`, no
 * symbolic link leading out), existing, and long enough for offset + length. Throws a ReadError
 * naming the model, the tensor and the data file.
 */
export async function checkExternalData(model: OnnxModel, path: string, source: FileSource): Promise<void> {
  const dir = dirName(path);
  const realDir = source.realPath ? await source.realPath(dir) : null;
  const checked = new Map<string, number>();
  for (const t of allInitializers(model.graph)) {
    if (!t.external) continue;
    const location = t.external.location ?? '';
    const why = badLocation(location);
    if (why) {
      throw new ReadError(
        'external-data-outside',
        `${path}: tensor '${t.name}' ${why} for its external data ('${location}'); external data must be a file inside the model's folder`,
      );
    }
    const file = joinPath(dir, normalLocation(location));
    let size = checked.get(file);
    if (size === undefined) {
      const st = await source.stat(file);
      if (!st || st.isDirectory) {
        throw new ReadError(
          'external-data-missing',
          `${path}: tensor '${t.name}' keeps its values in ${file}, which ${st ? 'is a folder' : 'does not exist'}; copy the data file beside the model`,
        );
      }
      if (realDir && source.realPath) {
        const real = await source.realPath(file);
        const inside = real !== null && (real === realDir || real.startsWith(realDir.endsWith('/') ? realDir : `${realDir}/`));
        if (!inside) {
          throw new ReadError(
            'external-data-outside',
            `${path}: tensor '${t.name}' keeps its values in ${file}, a symbolic link leading out of the model's folder (to ${real ?? '?'}); refused`,
          );
        }
      }
      size = st.size;
      checked.set(file, size);
    }
    const offset = Number(t.external.offset ?? '0');
    const length = t.external.length !== undefined ? Number(t.external.length) : tensorBytes(t);
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new ReadError(
        'external-data-size',
        `${path}: tensor '${t.name}' has a bad offset/length ('${t.external.offset}'/'${t.external.length}') into ${file}`,
      );
    }
    if (offset + length > size) {
      throw new ReadError(
        'external-data-size',
        `${path}: tensor '${t.name}' needs bytes ${offset}..${offset + length} of ${file}, which holds ${size} bytes (truncated data file?)`,
      );
    }
  }
}

/** ONNX models. */
export const onnxReader: BinaryReader = {
  kind: 'binary',
  name: 'onnx',
  formats: ['onnx'],
  fallbackRole: 'model',
  sniff: sniffOnnx,
  async read(input: ReaderInput): Promise<ReaderResult> {
    const model = await readOnnxModel(input.source, input.path, input.size);
    const result: ReaderResult = { role: 'model', format: 'onnx', model: summariseOnnx(model), weights: weightsOf(model.graph) };
    try {
      await checkExternalData(model, input.path, input.source);
    } catch (e) {
      if (!(e instanceof ReadError)) throw e;
      // The structure is known; the model cannot run: the report keeps both.
      result.error = { code: e.code, message: e.message };
    }
    return result;
  },
};
