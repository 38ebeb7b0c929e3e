// Hostile and broken PyTorch files (test/fixtures/torch/hostile, made by make_torch.py from real
// torch.save output with one part changed): each gives a clear error naming the file, refused
// globals are named and never run, and nothing is read past a storage.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readZipDirectory } from '../../src/core/codecs/zip';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const DIR = join(__dirname, '..', 'fixtures', 'torch');
const H = join(DIR, 'hostile');
const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-torch-hostile-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('hostile PyTorch files', () => {
  it('a storage shorter than its tensor: an error naming the storage, no values read', async () => {
    const p = join(H, 'short_storage.pt');
    const r = await inspectFile(p, source);
    assert.deepEqual([r.role, r.format, r.error?.code], ['weights', 'pytorch', 'invalid-pytorch']);
    assert.ok(r.error!.message.startsWith(p));
    assert.match(r.error!.message, /storage 0 holds 100 bytes but 128 float32 elements need 512/);
  });

  it('builtins.open in data.pkl: dangerous, named, never run', async () => {
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      const r = await inspectFile(join(H, 'open_global.pt'), source);
      assert.equal(r.pickle?.verdict, 'dangerous');
      assert.equal(r.error?.code, 'unsafe-pickle');
      assert.deepEqual(
        r.pickle?.refused.map((x) => x.global),
        ['__builtin__.open'],
      );
      assert.match(r.error!.message, /__builtin__\.open/);
      assert.equal(existsSync(join(tmp, 'PWNED_BY_TORCH_FIXTURE')), false, 'the global was never called');
    } finally {
      process.chdir(cwd);
    }
  });

  it('torch.storage._load_from_bytes is refused (it would unpickle raw bytes)', async () => {
    const r = await inspectFile(join(H, 'load_from_bytes.pt'), source);
    assert.equal(r.pickle?.verdict, 'dangerous');
    assert.deepEqual(
      r.pickle?.refused.map((x) => x.global),
      ['torch.storage._load_from_bytes'],
    );
    assert.equal(r.weights, undefined);
  });

  it('a cut data.pkl: a pickle error naming the file, nothing listed', async () => {
    const p = join(H, 'cut_pickle.pt');
    const r = await inspectFile(p, source);
    assert.equal(r.format, 'pytorch');
    assert.match(r.error?.code ?? '', /^pickle-/);
    assert.ok(r.error!.message.startsWith(p));
    assert.equal(r.weights, undefined);
  });

  it('a legacy file cut inside its last storage: truncated, with the offsets', async () => {
    const p = join(H, 'truncated_legacy.pth');
    const r = await inspectFile(p, source);
    assert.equal(r.error?.code, 'truncated-pytorch');
    const size = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')).hostile.legacySize;
    assert.match(r.error!.message, new RegExp(`past the end of the ${size}-byte file \\(truncated\\)`));
  });

  it('a zip cut before its central directory: corrupt-zip naming the file', async () => {
    const pt = readFileSync(join(DIR, 'state_dict_zip.pt'));
    const p = join(tmp, 'cut.pt');
    writeFileSync(p, pt.subarray(0, pt.length - 30));
    const r = await inspectFile(p, source);
    assert.deepEqual([r.format, r.error?.code], ['pytorch', 'corrupt-zip']);
    assert.ok(r.error!.message.startsWith(p));
  });

  it('the zip directory reader takes ZIP64 end records (fields all 0xFF..): pickle.dumps({}) is 6 bytes', async () => {
    const p = join(__dirname, '..', 'fixtures', 'reference', 'foreign', 'models', 'zip64.pt');
    const entries = await readZipDirectory(source, p, readFileSync(p).length);
    assert.deepEqual(
      entries.map((e) => [e.name, e.size]),
      [
        ['archive/data.pkl', 6],
        ['archive/data/0', 64],
      ],
    );
  });

  it('a torch.save of a dict without tensors: not-a-model, not a crash', async () => {
    const r = await inspectFile(join(__dirname, '..', 'fixtures', 'reference', 'foreign', 'models', 'model.pt'), source);
    assert.deepEqual([r.format, r.error?.code], ['pytorch', 'not-a-model']);
  });

  it('a persistent id of the wrong shape or an unknown storage type is refused', async () => {
    // A legacy-format file built by hand: magic, protocol 1001, sys info {}, then a data pickle whose
    // persistent id names `torch.EvilStorage`.
    const magic = Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
    const proto = Buffer.from([0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e]);
    const sys = Buffer.from([0x80, 0x02, 0x7d, 0x2e]);
    const pid = Buffer.concat([
      Buffer.from('\x80\x02(X\x07\x00\x00\x00storagectorch\nEvilStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04Ntq\x00Q.', 'latin1'),
    ]);
    const p = join(tmp, 'evil_storage.pth');
    writeFileSync(p, Buffer.concat([magic, proto, sys, pid]));
    const r = await inspectFile(p, source);
    assert.equal(r.pickle?.verdict, 'unsupported');
    assert.deepEqual(
      r.pickle?.refused.map((x) => x.global),
      ['torch.EvilStorage'],
    );
  });
});
