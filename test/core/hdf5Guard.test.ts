// Global heap collection checks that keep h5wasm out of an endless loop (a fuzz finding).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkGlobalHeaps, globalHeapProblem } from '../../src/core/codecs/hdf5Guard';

const GOOD = 'test/fixtures/reference/h5/keras3_nested.weights.h5';
const BAD = 'test/fixtures/fuzz/hdf5-hang-gcol-object-size/model.weights.h5';
const reader = (b: Uint8Array) => async (o: number, n: number) => b.subarray(o, o + n);

describe('hdf5Guard', () => {
  it('a Keras 3 weights file (h5py, vlen string names in a global heap) passes', async () => {
    const b = readFileSync(GOOD);
    await checkGlobalHeaps(reader(b), b.length, GOOD);
  });
  it('the fuzz case: object 5 (its record at byte 0x1018 = 4120, size field 0x1020 all 0xff) claims 2^64-1 bytes', async () => {
    const b = readFileSync(BAD);
    await assert.rejects(checkGlobalHeaps(reader(b), b.length, 'w.h5'), {
      code: 'corrupt-hdf5',
      message: /^w\.h5: global heap object 5 at byte 4120 claims 18446744073709552000 bytes/,
    });
  });
  it('"GCOL" bytes in data that are no collection (bad version, size under 4096) are ignored', () => {
    const b = new Uint8Array(64);
    b.set([0x47, 0x43, 0x4f, 0x4c, 1, 0, 0, 0, 0x10]);
    assert.equal(globalHeapProblem(b, 64, 0), null);
    b[4] = 2;
    assert.equal(globalHeapProblem(b, 64, 0), null);
  });
});
