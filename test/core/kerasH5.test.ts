// Keras HDF5 reader against reference data made by h5py (test/fixtures/reference/h5/make_h5_reference.py).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FileSource, FileStat } from '../../src/core/io/fileSource';
import { openHdf5 } from '../../src/core/codecs/hdf5';
import { inspectFile } from '../../src/core/formats/inspect';
import { kerasH5Reader } from '../../src/core/formats/keras/kerasH5';
import { stringAttr } from '../../src/core/formats/keras/kerasWeights';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import type { FileReport } from '../../src/core/types';

interface RefTensor {
  name: string;
  shape: number[];
  dtype: string;
}
interface RefEntry {
  format: string;
  role: string;
  kerasVersion: string | null;
  backend: string | null;
  layers: { name: string; tensors: RefTensor[] }[];
  totalParams: number;
  bytes: number;
}

const REF: Record<string, RefEntry> = JSON.parse(readFileSync('test/fixtures/reference/h5/h5_reference.json', 'utf8'));
const disk = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-kerash5-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A FileSource with no local paths (as in a virtual workspace): files are read as bytes. */
class MemorySource implements FileSource {
  constructor(private readonly files: Map<string, Uint8Array>) {}
  async readFile(path: string): Promise<Uint8Array> {
    const b = this.files.get(path);
    if (!b) throw new Error(`${path}: no such file`);
    return b;
  }
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    return (await this.readFile(path)).subarray(offset, offset + length);
  }
  async stat(path: string): Promise<FileStat | null> {
    const b = this.files.get(path);
    return b ? { size: b.length, mtimeMs: 0, isDirectory: false } : null;
  }
  async readDir(): Promise<{ name: string; isDirectory: boolean }[]> {
    return [];
  }
  localPath(): string | null {
    return null;
  }
}

const h5Paths = Object.keys(REF).filter((p) => REF[p].format !== 'keras-zip');

function assertMatchesReference(r: FileReport, ref: RefEntry, path: string): void {
  assert.equal(r.format, ref.format, `${path}: format`);
  assert.equal(r.role, ref.role, `${path}: role`);
  if (ref.format === 'unknown') {
    assert.equal(r.error?.code, 'not-a-keras-h5');
    assert.ok(r.error?.message.includes(path), r.error?.message);
    assert.equal(r.weights, undefined);
    return;
  }
  assert.equal(r.error, null, `${path}: ${JSON.stringify(r.error)}`);
  assert.ok(r.weights, `${path}: weights`);
  assert.deepEqual(
    r.weights.layers.map((l) => l.name),
    ref.layers.map((l) => l.name),
    `${path}: layer names in order`,
  );
  for (let i = 0; i < ref.layers.length; i++) {
    assert.deepEqual(r.weights.layers[i].tensors, ref.layers[i].tensors, `${path}: tensors of ${ref.layers[i].name}`);
  }
  assert.equal(r.weights.totalParams, ref.totalParams, `${path}: totalParams`);
  assert.equal(r.weights.bytes, ref.bytes, `${path}: bytes`);
  if (ref.format === 'keras-h5') assert.ok(r.model, `${path}: a full model has a model summary`);
  if (r.model) {
    // The architecture summary (reconciled with the weights) must agree with h5py's totals.
    assert.equal(r.model.kerasVersion, ref.kerasVersion, `${path}: model.kerasVersion`);
    assert.equal(r.model.totalParams, ref.totalParams, `${path}: model.totalParams`);
  }
}

describe('kerasH5Reader: every HDF5 fixture against h5py', () => {
  it('covers the fixtures of SOURCES.md', () => {
    for (const want of [
      '0xDaksh__Credit-Card-Fraud/model.h5',
      'charlesll__SiliCat/silicat/saved/nn_global.h5',
      'Dobiasd__frugally-deep/keras_export/lstm.h5',
      'Dobiasd__frugally-deep/test/stateful_test/temp_stateful.h5',
      'gazi-faysal-jubayer__ExoBengal/models/cnn_model.h5',
      'HrushikeshSS10__Bank-Churn-Prediction/model.weights.h5',
      'Ollie-Gullery__Real-Time-Audio-Classification/models/model.keras',
      'chapter6-disentangled-gan/stackedgan_mnist-gen1.h5',
      'SciSharp__Keras.NET/Keras.UnitTest/model.h5',
    ]) {
      assert.ok(
        h5Paths.some((p) => p.endsWith(want)),
        `reference has ${want}`,
      );
    }
  });

  for (const path of h5Paths) {
    it(`${path} (by local path)`, async () => {
      const head = await disk.readRange(path, 0, 4096);
      assert.ok(kerasH5Reader.sniff(head, path), 'sniffed as HDF5');
      assertMatchesReference(await inspectFile(path, disk), REF[path], path);
    });
  }

  it('reads the same from memory when the file has no local path (virtual workspace)', async () => {
    const files = new Map(h5Paths.map((p) => [p, new Uint8Array(readFileSync(p))]));
    const mem = new MemorySource(files);
    for (const path of h5Paths) assertMatchesReference(await inspectFile(path, mem), REF[path], path);
  });

  it('reads keras_version and backend as h5py does', async () => {
    for (const path of h5Paths) {
      const ref = REF[path];
      if (ref.format === 'unknown' || ref.format === 'keras3-weights-h5') continue;
      const f = await openHdf5(disk, path);
      try {
        const group = ref.format === 'keras-h5' ? '/model_weights' : '/';
        assert.equal(stringAttr(f, '/', 'keras_version') ?? stringAttr(f, group, 'keras_version'), ref.kerasVersion, path);
        assert.equal(stringAttr(f, '/', 'backend') ?? stringAttr(f, group, 'backend'), ref.backend, path);
      } finally {
        f.close();
      }
    }
  });
});

describe('kerasH5Reader: layouts', () => {
  it('Keras 3 weights: vars in numeric order (vars/10 after vars/9), nested layers, cell sub-objects', async () => {
    const path = 'test/fixtures/reference/h5/keras3_nested.weights.h5';
    const r = await inspectFile(path, disk);
    const big = r.weights?.layers.find((l) => l.name === 'big');
    assert.deepEqual(
      big?.tensors.map((t) => t.name),
      Array.from({ length: 12 }, (_, i) => `vars/${i}`),
    );
    // The file was written with vars/i of shape [i + 1].
    assert.deepEqual(
      big?.tensors.map((t) => t.shape[0]),
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    assert.ok(
      r.weights?.layers.some((l) => l.name === 'inner_dense'),
      'nested layers/sequential/layers/dense',
    );
    // optimizer/vars/0 (100 floats) is optimizer state: 1+..+12 + 4*3+3 + 5*8+2*8+8 + 3*2+2 = 78 + 15 + 64 + 8 = 165.
    assert.equal(r.weights?.totalParams, 165);
  });

  it('Keras 2 weights behind a 512-byte user block, NUL-padded names, int64 tensor', async () => {
    const path = 'test/fixtures/reference/h5/userblock_weights.h5';
    const head = await disk.readRange(path, 0, 4096);
    assert.notEqual(head[0], 0x89, 'magic is not at offset 0');
    const r = await inspectFile(path, disk);
    assert.equal(r.format, 'keras-weights-h5');
    assert.deepEqual(
      r.weights?.layers.map((l) => l.name),
      ['d1', 'dense_10'],
    );
    assert.deepEqual(r.weights?.layers[0].tensors[1], { name: 'd1/bias:0', shape: [3], dtype: 'int64' });
    // 2x3 float32 + 3 int64 = 24 + 24 bytes.
    assert.equal(r.weights?.bytes, 48);
  });

  it('a .keras name with HDF5 content is a full model read by this reader', async () => {
    const path = 'test/fixtures/real/Ollie-Gullery__Real-Time-Audio-Classification/models/model.keras';
    const r = await inspectFile(path, disk);
    assert.equal(r.format, 'keras-h5');
    assert.equal(r.role, 'model');
  });

  it('leaves optimizer_weights out of a full model', async () => {
    const path = 'test/fixtures/real/gazi-faysal-jubayer__ExoBengal/models/cnn_model.h5';
    const r = await inspectFile(path, disk);
    assert.ok(r.weights?.layers.every((l) => !l.name.includes('optimizer')));
    // 9*256+256 + 256*128+128 + 128*64+64 + 64*32+32 + 32*1+1
    assert.equal(r.weights?.totalParams, 2560 + 32896 + 8256 + 2080 + 33);
  });
});

describe('kerasH5Reader: bad input', () => {
  // Files from test/fixtures/reference/h5/make_bad_weight_names.py: dense_1's weight_names lists
  // dense_1/kernel:0 (a dataset) and then a name that is missing, or a group.
  for (const [file, w] of [
    ['bad_weight_missing.h5', 'dense_1/gamma:0'],
    ['bad_weight_group.h5', 'dense_1/sub'],
  ]) {
    it(`a weight name that is not a dataset (${file}) is corrupt-hdf5 naming layer, weight and path`, async () => {
      const path = `test/fixtures/reference/h5/${file}`;
      for (const source of [disk, new MemorySource(new Map([[path, new Uint8Array(readFileSync(path))]]))]) {
        const r = await inspectFile(path, source);
        assert.equal(r.error?.code, 'corrupt-hdf5', JSON.stringify(r.error));
        assert.equal(r.error?.message, `${path}: layer dense_1 names weight ${w} but has no dataset /dense_1/${w}`);
      }
    });
  }

  const fixtures = ['test/fixtures/real/SciSharp__Keras.NET/Keras.UnitTest/model.h5', 'test/fixtures/real/gazi-faysal-jubayer__ExoBengal/models/cnn_model.h5'];
  for (const src of fixtures) {
    it(`truncated copies of ${src} give truncated-hdf5 / corrupt-hdf5 naming the file`, async () => {
      const bytes = new Uint8Array(readFileSync(src));
      const cuts = [8, 64, 200, 1000, Math.floor(bytes.length / 2), bytes.length - 1];
      const files = new Map<string, Uint8Array>();
      for (const n of cuts) files.set(`virtual/cut${n}.h5`, bytes.subarray(0, n));
      const mem = new MemorySource(files);
      for (const n of cuts) {
        const onDisk = join(tmp, `cut${n}.h5`);
        writeFileSync(onDisk, bytes.subarray(0, n));
        for (const [path, source] of [
          [onDisk, disk],
          [`virtual/cut${n}.h5`, mem],
        ] as const) {
          const r = await inspectFile(path, source);
          assert.ok(r.error, `${path}: an error`);
          assert.ok(['truncated-hdf5', 'corrupt-hdf5'].includes(r.error.code), `${path}: ${r.error.code} ${r.error.message}`);
          assert.ok(r.error.message.includes(path), r.error.message);
          // Past the superblock, HDF5's stored end-of-file address shows the truncation.
          if (n >= 200) assert.equal(r.error.code, 'truncated-hdf5', r.error.message);
        }
      }
    });
  }

  it('a full model whose model_config is not JSON keeps its weights and says why', async () => {
    const src = 'test/fixtures/real/SciSharp__Keras.NET/Keras.UnitTest/model.h5';
    const bytes = new Uint8Array(readFileSync(src));
    const at = Buffer.from(bytes).indexOf('{"class_name": "Sequential"');
    assert.ok(at > 0, 'model_config text found in the file');
    const bad = bytes.slice();
    bad[at] = 0x3c; // "{" -> "<"
    const path = join(tmp, 'badconfig.h5');
    writeFileSync(path, bad);
    const r = await inspectFile(path, disk);
    assert.equal(r.format, 'keras-h5');
    assert.equal(r.error?.code, 'invalid-json');
    assert.ok(r.error?.message.includes(path));
    assert.deepEqual(
      r.weights?.layers.map((l) => l.name),
      REF['test/fixtures/real/SciSharp__Keras.NET/Keras.UnitTest/model.h5'].layers.map((l) => l.name),
    );
  });

  it('overwritten bytes never crash the reader', async () => {
    const src = 'test/fixtures/real/Dobiasd__frugally-deep/test/stateful_test/temp_stateful.h5';
    const bytes = new Uint8Array(readFileSync(src));
    for (const at of [96, 800, 1400, 2100, 4000, 6000, 9000]) {
      const bad = bytes.slice();
      for (let i = at; i < Math.min(at + 48, bad.length); i++) bad[i] ^= 0xa5;
      const path = join(tmp, `flip${at}.h5`);
      writeFileSync(path, bad);
      const r = await inspectFile(path, disk);
      if (r.error) {
        assert.match(r.error.code, /^[a-z0-9-]+$/);
        assert.ok(r.error.message.includes(path), r.error.message);
      } else {
        assert.ok(r.weights, `${path}: no error, so weights`);
      }
    }
  });
});

describe('parseKerasJson', () => {
  it("maps Python's NaN, Infinity and -Infinity to null", async () => {
    const { parseKerasJson } = await import('../../src/core/formats/keras/kerasWeights');
    assert.deepEqual(parseKerasJson('{"a": -Infinity, "b": NaN, "c": Infinity, "d": 1}', 'x', 'f.json'), { a: null, b: null, c: null, d: 1 });
  });
});
