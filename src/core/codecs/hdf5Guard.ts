// Checks of HDF5 structures that the HDF5 C library (inside h5wasm) trusts and that a crafted file
// can turn into an endless loop, which no JavaScript timer can stop (the loop is in WebAssembly):
// found by the fuzz campaign (test/fuzz, docs/fuzzing.md). Run before the file is opened.
//
// Global heap collections (`GCOL`, HDF5 file format spec III.E): signature, version 1, 3 reserved
// bytes, collection size (length-sized, 8 bytes in every file h5py/Keras write; at least 4096),
// then objects: index (2), reference count (2), reserved (4), size (8), data padded to 8 bytes;
// index 0 is the free space and ends the list. An object whose size runs past its collection
// (e.g. 0xffff_ffff_ffff_ffff) made the library spin forever while reading a variable-length
// string attribute (Keras 3 weights files store layer names that way).
import { ReadError } from '../io/errors';

const SIG = [0x47, 0x43, 0x4f, 0x4c]; // GCOL
/** Smallest collection the format allows. */
const MIN_COLLECTION = 4096;
/** Most bytes of one collection checked (its objects past this are not looked at). */
const MAX_COLLECTION = 64 * 1024 * 1024;
/** Bytes scanned per read when looking for collections. */
const CHUNK = 4 * 1024 * 1024;

function le(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + i];
  return v;
}

/** Why the collection starting at b[0] is corrupt, or null (also null when it is no collection). */
export function globalHeapProblem(b: Uint8Array, fileSize: number, offset: number): string | null {
  if (b.length < 16 || b[4] !== 1 || b[5] !== 0 || b[6] !== 0 || b[7] !== 0) return null;
  const size = le(b, 8, 8);
  if (size < MIN_COLLECTION) return null; // not a collection (a chance match in data)
  // A collection cut by the end of the file is the library's to report (truncated-hdf5); the
  // objects that are there are still checked.
  const end = Math.min(size, b.length, Math.max(0, fileSize - offset));
  let p = 16;
  while (p + 16 <= end) {
    const index = le(b, p, 2);
    const objSize = le(b, p + 8, 8);
    if (index === 0) return null; // free space: the rest of the collection
    if (objSize > size - p - 16) return `global heap object ${index} at byte ${offset + p} claims ${objSize} bytes, more than its collection holds`;
    p += 16 + Math.ceil(objSize / 8) * 8;
  }
  return null;
}

/**
 * Refuses a file whose global heap collections are corrupt. `read` gives bytes of the file (fewer
 * at its end); the whole file is scanned for collection signatures, each collection checked.
 */
export async function checkGlobalHeaps(read: (offset: number, length: number) => Promise<Uint8Array>, size: number, name: string): Promise<void> {
  for (let base = 0; base < size; base += CHUNK) {
    const chunk = await read(base, Math.min(CHUNK + 3, size - base));
    for (let i = chunk.indexOf(SIG[0]); i >= 0 && i + 4 <= chunk.length; i = chunk.indexOf(SIG[0], i + 1)) {
      if (chunk[i + 1] !== SIG[1] || chunk[i + 2] !== SIG[2] || chunk[i + 3] !== SIG[3]) continue;
      const at = base + i;
      const head = chunk.length >= i + 16 ? chunk.subarray(i, i + 16) : await read(at, 16);
      const declared = head.length >= 16 ? le(head, 8, 8) : 0;
      const want = Math.min(declared, MAX_COLLECTION, size - at);
      const whole = declared >= MIN_COLLECTION ? (i + want <= chunk.length ? chunk.subarray(i, i + want) : await read(at, want)) : head;
      const problem = globalHeapProblem(whole, size, at);
      if (problem) throw new ReadError('corrupt-hdf5', `${name}: ${problem}`);
    }
  }
}
