// HDF5 wrapper: signature sniffing, attributes, dataset shapes and values, against h5py's numbers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ReadError } from '../../src/core/io/errors';
import { hdf5SignatureOffset, openHdf5, openHdf5Bytes } from '../../src/core/codecs/hdf5';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

interface Sample {
  layer: string;
  tensor: string;
  first: number[];
  sum: number;
  count: number;
}
const REF: Record<string, { format: string; sample?: Sample | null }> = JSON.parse(readFileSync('test/fixtures/reference/h5/h5_reference.json', 'utf8'));
const disk = new NodeFileSource();
const USERBLOCK = 'test/fixtures/reference/h5/userblock_weights.h5';

describe('hdf5SignatureOffset', () => {
  it('finds the signature at 0 and after a user block, and nothing in other files', () => {
    const h5 = readFileSync('test/fixtures/real/SciSharp__Keras.NET/Keras.UnitTest/model.h5').subarray(0, 4096);
    assert.equal(hdf5SignatureOffset(h5), 0);
    assert.equal(hdf5SignatureOffset(readFileSync(USERBLOCK).subarray(0, 4096)), 512);
    const zip = readFileSync('test/fixtures/real/2mdtln__FlowNet-ANN/25-06/model.keras').subarray(0, 4096);
    assert.equal(hdf5SignatureOffset(zip), null);
    assert.equal(hdf5SignatureOffset(new Uint8Array(3)), null);
  });
});

describe('Hdf5File', () => {
  it('lists groups, strips NUL padding of fixed-length strings, reads shapes without data', async () => {
    const f = await openHdf5(disk, USERBLOCK);
    try {
      assert.deepEqual(f.keys('/').sort(), ['d1', 'dense_10']);
      assert.equal(f.kind('/d1'), 'group');
      assert.equal(f.kind('/d1/d1/kernel:0'), 'dataset');
      assert.equal(f.kind('/nope'), 'missing');
      // Written by h5py as numpy 'S8': b'd1\0\0\0\0\0\0'.
      assert.deepEqual(f.attr('/', 'layer_names'), ['d1', 'dense_10']);
      assert.deepEqual(f.attr('/d1', 'weight_names'), ['d1/kernel:0', 'd1/bias:0']);
      assert.deepEqual(f.attr('/dense_10', 'weight_names'), []);
      assert.equal(f.attr('/', 'keras_version'), '2.1.6');
      assert.equal(f.attr('/', 'absent'), undefined);
      assert.deepEqual(f.dataset('/d1/d1/kernel:0'), { shape: [2, 3], dtype: 'float32', itemSize: 4, elements: 6 });
      assert.deepEqual(Array.from(f.readDataset('/d1/d1/kernel:0') as Float32Array), [0, 0.25, 0.5, 0.75, 1, 1.25]);
      assert.deepEqual(Array.from(f.readDataset('/d1/d1/bias:0') as BigInt64Array), [1n, -2n, 3n]);
      assert.throws(
        () => f.readDataset('/d1/d1/kernel:0', 8),
        (e: unknown) => e instanceof ReadError && e.code === 'corrupt-hdf5',
      );
    } finally {
      f.close();
      f.close();
    }
  });

  it('reads tensor values equal to numpy (first values and sum) for every fixture', async () => {
    let checked = 0;
    for (const [path, ref] of Object.entries(REF)) {
      const s = ref.sample;
      if (!s) continue;
      const f = await openHdf5(disk, path);
      try {
        const group = ref.format === 'keras-h5' ? '/model_weights' : '';
        const v = f.readDataset(`${group}/${s.layer}/${s.tensor}`);
        assert.equal(v.length, s.count, path);
        const nums = Array.from(v as ArrayLike<number | bigint>, Number);
        assert.deepEqual(nums.slice(0, 5), s.first, path);
        const sum = nums.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - s.sum) <= 1e-9 * Math.max(1, Math.abs(s.sum)), `${path}: sum ${sum} vs ${s.sum}`);
        checked++;
      } finally {
        f.close();
      }
    }
    assert.ok(checked >= 8, `checked ${checked} fixtures`);
  });

  it('opens bytes in memory the same as a file on disk', async () => {
    const path = 'test/fixtures/real/Dobiasd__frugally-deep/keras_export/lstm.h5';
    const a = await openHdf5(disk, path);
    const b = await openHdf5Bytes(new Uint8Array(readFileSync(path)), path);
    try {
      assert.deepEqual(b.keys('/model_weights'), a.keys('/model_weights'));
      assert.deepEqual(b.attr('/model_weights', 'layer_names'), a.attr('/model_weights', 'layer_names'));
      assert.equal(b.size, a.size);
    } finally {
      a.close();
      b.close();
    }
  });

  it('reads string attributes of every storage as h5py does (fixed/variable length, ASCII/UTF-8, scalar/list)', async () => {
    // Written and read back by test/fixtures/reference/h5/make_string_attrs.py.
    const path = 'test/fixtures/reference/h5/string_attrs.h5';
    const want: Record<string, Record<string, unknown>> = JSON.parse(readFileSync('test/fixtures/reference/h5/string_attrs.json', 'utf8'));
    for (const f of [await openHdf5(disk, path), await openHdf5Bytes(new Uint8Array(readFileSync(path)), path)]) {
      try {
        for (const [obj, attrs] of Object.entries(want)) {
          assert.deepEqual([...f.attrNames(obj)].sort(), Object.keys(attrs).sort(), `attribute names of ${obj}`);
          for (const [name, value] of Object.entries(attrs)) assert.deepEqual(f.attr(obj, name), value, `${obj} ${name}`);
          assert.equal(f.attr(obj, 'absent'), undefined);
        }
      } finally {
        f.close();
      }
    }
  });

  it('refuses bytes that are not HDF5 with corrupt-hdf5 naming the file', async () => {
    await assert.rejects(openHdf5Bytes(new TextEncoder().encode('not hdf5 at all'), 'x/bad.h5'), (e: unknown) => {
      assert.ok(e instanceof ReadError);
      assert.equal(e.code, 'corrupt-hdf5');
      assert.ok(e.message.startsWith('x/bad.h5: '), e.message);
      return true;
    });
  });
});
