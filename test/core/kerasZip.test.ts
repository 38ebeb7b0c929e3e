// .keras zip reader against reference data made by Python's zipfile + h5py
// (test/fixtures/reference/h5/make_h5_reference.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import type { FileSource, FileStat } from '../../src/core/io/fileSource';
import { inspectFile } from '../../src/core/formats/inspect';
import { kerasZipReader } from '../../src/core/formats/keras/kerasZip';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const KERAS = 'test/fixtures/real/2mdtln__FlowNet-ANN/25-06/model.keras';
const REF = JSON.parse(readFileSync('test/fixtures/reference/h5/h5_reference.json', 'utf8'))[KERAS] as {
  format: string;
  role: string;
  kerasVersion: string;
  layers: { name: string; tensors: { name: string; shape: number[]; dtype: string }[] }[];
  totalParams: number;
  bytes: number;
  configLayers: string[];
};
const disk = new NodeFileSource();

/** In-memory files, no local paths. */
class MemorySource implements FileSource {
  readonly files = new Map<string, Uint8Array>();
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

/** Offset of the first central directory header (signature PK\x01\x02). */
function centralDirectory(zip: Uint8Array): number {
  for (let i = zip.length - 22; i >= 0; i--) {
    if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 0x05 && zip[i + 3] === 0x06) {
      return new DataView(zip.buffer, zip.byteOffset).getUint32(i + 16, true);
    }
  }
  throw new Error('no end of central directory');
}

describe('kerasZipReader', () => {
  it(`${KERAS}: layers, tensors and totals equal Python's`, async () => {
    assert.ok(kerasZipReader.sniff(await disk.readRange(KERAS, 0, 4096), KERAS));
    const r = await inspectFile(KERAS, disk);
    assert.equal(r.error, null, JSON.stringify(r.error));
    assert.equal(r.format, 'keras-zip');
    assert.equal(r.role, 'model');
    assert.deepEqual(r.weights?.layers, REF.layers);
    assert.equal(r.weights?.totalParams, REF.totalParams);
    assert.equal(r.weights?.bytes, REF.bytes);
    // Hand check: 4*64+64 + 64*128+128 + 128*64+64 + 64*2+2 = 320 + 8320 + 8256 + 130.
    assert.equal(REF.totalParams, 17026);
    assert.ok(r.model, 'config.json gives a model summary');
    if (r.model) {
      assert.equal(r.model.kerasVersion, REF.kerasVersion);
      assert.equal(r.model.totalParams, REF.totalParams);
    }
  });

  it('orders and names Keras 3 layers from config.json when the weights carry no names', async () => {
    // Rebuild the archive with an inner weights file whose groups are listed alphabetically
    // (dense, dense_1, ..., dense_10 would sort wrongly); names come from the config order.
    const mem = new MemorySource();
    const config = {
      class_name: 'Sequential',
      config: {
        name: 'seq',
        layers: [
          { class_name: 'InputLayer', config: { name: 'in' } },
          { class_name: 'Dense', config: { name: 'first' } },
          { class_name: 'Dropout', config: { name: 'drop' } },
          { class_name: 'Dense', config: { name: 'second' } },
        ],
      },
    };
    const h5 = readFileSync('test/fixtures/reference/h5/keras3_nested.weights.h5');
    mem.files.set(
      'm/a.keras',
      zipSync({
        'config.json': strToU8(JSON.stringify(config)),
        'metadata.json': strToU8('{"keras_version": "3.1.0"}'),
        'model.weights.h5': new Uint8Array(h5),
      }),
    );
    const r = await inspectFile('m/a.keras', mem);
    assert.equal(r.error, null, JSON.stringify(r.error));
    // keras3_nested has groups big, dense (name attr "dense"), lstm, sequential/dense (name "inner_dense"):
    // "dense" is not a config name, but it is the group Keras derives for the first Dense: "first".
    assert.deepEqual(
      r.weights?.layers.map((l) => l.name),
      ['first', 'big', 'lstm', 'inner_dense'],
    );
  });

  it('a truncated model.weights.h5 inside the archive gives truncated-hdf5 naming the archive and entry', async () => {
    const h5 = readFileSync('test/fixtures/reference/h5/keras3_nested.weights.h5');
    const mem = new MemorySource();
    mem.files.set(
      'z/cut.keras',
      zipSync({
        'config.json': strToU8('{"class_name": "Sequential", "config": {"name": "s", "layers": []}}'),
        'model.weights.h5': new Uint8Array(h5).subarray(0, 5000),
      }),
    );
    const r = await inspectFile('z/cut.keras', mem);
    assert.equal(r.format, 'keras-zip');
    assert.equal(r.role, 'model');
    assert.equal(r.error?.code, 'truncated-hdf5', JSON.stringify(r.error));
    assert.ok(r.error?.message.includes('z/cut.keras!model.weights.h5'), r.error?.message);
  });

  it('a zip without config.json is other/unknown with not-a-keras-zip naming the file', async () => {
    const mem = new MemorySource();
    mem.files.set('d/archive.zip', zipSync({ 'readme.txt': strToU8('hello') }));
    const r = await inspectFile('d/archive.zip', mem);
    assert.equal(r.role, 'other');
    assert.equal(r.format, 'unknown');
    assert.equal(r.error?.code, 'not-a-keras-zip');
    assert.ok(r.error?.message.includes('d/archive.zip'));
  });

  it('truncated archives give corrupt-zip naming the file, never a crash', async () => {
    const bytes = new Uint8Array(readFileSync(KERAS));
    const mem = new MemorySource();
    for (const n of [4, 30, 1000, 100000, bytes.length - 10]) {
      const p = `cut/${n}.keras`;
      mem.files.set(p, bytes.subarray(0, n));
      const r = await inspectFile(p, mem);
      assert.equal(r.error?.code, 'corrupt-zip', `${p}: ${JSON.stringify(r.error)}`);
      assert.ok(r.error?.message.includes(p));
      assert.equal(r.format, 'keras-zip');
    }
  });

  it('a corrupted central directory gives corrupt-zip', async () => {
    const bytes = new Uint8Array(readFileSync(KERAS)).slice();
    const cd = centralDirectory(bytes);
    bytes[cd] = 0; // break the first central header's signature
    const mem = new MemorySource();
    mem.files.set('bad.keras', bytes);
    const r = await inspectFile('bad.keras', mem);
    assert.equal(r.error?.code, 'corrupt-zip', JSON.stringify(r.error));
  });

  it('a changed byte inside config.json gives crc-mismatch', async () => {
    const bytes = new Uint8Array(readFileSync(KERAS)).slice();
    const at = Buffer.from(bytes).indexOf('"class_name"');
    assert.ok(at > 0);
    bytes[at + 1] = 0x43; // "class_name" -> "Class_name"
    const mem = new MemorySource();
    mem.files.set('crc.keras', bytes);
    const r = await inspectFile('crc.keras', mem);
    assert.equal(r.error?.code, 'crc-mismatch', JSON.stringify(r.error));
    assert.ok(r.error?.message.includes('config.json'));
  });

  it('refuses an entry claiming more than the limit or an impossible ratio (zip bomb) before inflating', async () => {
    const zip = zipSync({ 'config.json': new Uint8Array(1 << 20) }, { level: 9 });
    const dv = new DataView(zip.buffer, zip.byteOffset);
    const cd = centralDirectory(zip);
    // Central header: uncompressed size at +24. Claim 3 GB.
    dv.setUint32(cd + 24, 3_000_000_000, true);
    const mem = new MemorySource();
    mem.files.set('bomb.keras', zip);
    const r = await inspectFile('bomb.keras', mem);
    assert.equal(r.error?.code, 'zip-limit', JSON.stringify(r.error));
    assert.ok(r.error?.message.includes('bomb.keras'));
  });
});
