// Weight values of a TensorFlow.js layers model: the manifest's groups, their shards concatenated,
// split into tensors in manifest order (dequantised when the manifest says so).
import { ReadError } from '../io/errors';
import { dirName, joinPath, type FileSource } from '../io/fileSource';
import { halfToNumber as halfToFloat } from '../formats/shared/tensorDecode';
import type { LayerValues, TensorValues } from './network';

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function decode(entry: ManifestEntry, bytes: Uint8Array, count: number): Float32Array | Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = entry.quantization;
  if (q) {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      if (q.dtype === 'float16') out[i] = halfToFloat(view.getUint16(i * 2, true));
      else {
        const raw = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
        out[i] = raw * (q.scale ?? 1) + (q.min ?? 0);
      }
    }
    return out;
  }
  if (entry.dtype === 'int32') {
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
    return out;
  }
  if (entry.dtype === 'bool') return Float32Array.from(bytes.subarray(0, count), (b) => (b ? 1 : 0));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Reads every weight of a tfjs layers model.json (`doc`, found at `path`), grouped by layer name. */
export async function readTfjsWeightValues(doc: unknown, path: string, source: FileSource): Promise<LayerValues[]> {
  const manifest = (doc as { weightsManifest?: unknown }).weightsManifest;
  if (!Array.isArray(manifest)) throw new ReadError('not-a-model', `${path}: no weightsManifest`);
  const layers = new Map<string, TensorValues[]>();
  const dir = dirName(path);
  for (const group of manifest as { paths: string[]; weights: ManifestEntry[] }[]) {
    const parts: Uint8Array[] = [];
    for (const p of group.paths) {
      const shardPath = joinPath(dir, p.replace(/^\.\//, ''));
      const st = await source.stat(shardPath);
      if (!st) throw new ReadError('tfjs-shard-missing', `${path}: weight shard ${shardPath} is missing`);
      parts.push(await source.readFile(shardPath));
    }
    const total = parts.reduce((a, b) => a + b.length, 0);
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.length;
    }
    let offset = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      const size = count * (DTYPE_BYTES[w.quantization?.dtype ?? w.dtype] ?? 4);
      if (offset + size > bytes.length) {
        throw new ReadError(
          'tfjs-shard-size',
          `${path}: weight ${w.name} needs bytes ${offset}..${offset + size} but the shards of its group hold ${bytes.length}`,
        );
      }
      const values = decode(w, bytes.subarray(offset, offset + size), count);
      offset += size;
      const slash = w.name.lastIndexOf('/');
      // The layer is the prefix before the weight name (`dense/kernel`, nested `model/dense/kernel`,
      // `bidirectional/forward_lstm/kernel`); loadNetwork matches prefixes against layer names.
      const layerName = slash > 0 ? w.name.slice(0, slash) : w.name;
      if (!layers.has(layerName)) layers.set(layerName, []);
      layers.get(layerName)!.push({ name: w.name, shape: w.shape, values });
    }
  }
  return [...layers].map(([name, tensors]) => ({ name, tensors }));
}
