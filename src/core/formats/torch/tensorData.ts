// Reads the elements of one tensor (only its storage's bytes, on demand): float16, bfloat16 and the
// integer and bool types decoded to numbers, in C order of the tensor's view (offset and strides).
import { ReadError } from '../../io/errors';
import type { FileSource } from '../../io/fileSource';
import { zipEntryDataOffset, type ZipEntry } from '../../codecs/zip';
import { TORCH_DTYPE_SIZE, type TorchTensor } from '../shared/torchValue';
import { elementReader } from '../shared/tensorDecode';

/** Largest tensor read into numbers at once. */
export const MAX_TENSOR_ELEMENTS = 64 * 1024 * 1024;

/** Where a storage's bytes are: absolute offset (null: a zip entry whose local header is read now). */
export interface StorageBytes {
  offset: number | null;
  bytes: number;
  entry?: ZipEntry;
}

/** The tensor's elements as numbers (C order of its shape), reading only the span of its storage it uses. */
export async function readTensorValues(
  source: FileSource,
  path: string,
  t: TorchTensor,
  loc: StorageBytes,
  byteOrder: 'little' | 'big' = 'little',
): Promise<Float64Array> {
  const n = t.numel;
  if (n > MAX_TENSOR_ELEMENTS) throw new ReadError('tensor-limit', `${path}: tensor of ${n} elements is over the ${MAX_TENSOR_ELEMENTS}-element read limit`);
  const out = new Float64Array(n);
  if (n === 0) return out;
  const el = TORCH_DTYPE_SIZE[t.storage.dtype];
  const first = t.offset;
  let last = t.offset;
  for (let i = 0; i < t.shape.length; i++) last += (t.shape[i] - 1) * t.stride[i];
  if ((last + 1) * el > loc.bytes) throw new ReadError('invalid-pytorch', `${path}: tensor of storage ${t.storage.key} reaches past its ${loc.bytes} bytes`);
  const base = loc.offset ?? (await zipEntryDataOffset(source, path, loc.entry!));
  const bytes = await source.readRange(path, base + first * el, (last - first + 1) * el);
  if (bytes.length !== (last - first + 1) * el) throw new ReadError('truncated-pytorch', `${path}: storage ${t.storage.key} is cut short`);
  const get = elementReader(t.storage.dtype, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), byteOrder === 'little');
  // Walk the view in C order with an index counter per dimension (no recursion).
  const dims = t.shape.length;
  const idx = new Array<number>(dims).fill(0);
  let at = 0; // element offset relative to `first`
  for (let k = 0; k < n; k++) {
    out[k] = get(at);
    for (let d = dims - 1; d >= 0; d--) {
      idx[d]++;
      at += t.stride[d];
      if (idx[d] < t.shape[d]) break;
      at -= idx[d] * t.stride[d];
      idx[d] = 0;
    }
  }
  return out;
}
