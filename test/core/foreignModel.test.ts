// Models of other frameworks: claimed by extension AND content, role model, format unknown, a
// `foreign` note; malformed ones are left to the readers that took them before.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { foreignModelReader, listZipNames, sniffForeign } from '../../src/core/formats/foreignModel';
import { sniffOnnx } from '../../src/core/formats/onnx/onnxReader';
import { inspectFile } from '../../src/core/formats/inspect';
import { binaryReaders } from '../../src/core/formats/readers';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const DIR = join(__dirname, '..', 'fixtures', 'reference', 'foreign');
const REF = JSON.parse(readFileSync(join(DIR, 'foreign_reference.json'), 'utf8'));
const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-foreign-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('foreignModelReader', () => {
  it('a torch.save zip (.pt): pytorch, its storages counted, the pickle not loaded', async () => {
    const r = await inspectFile(join(DIR, 'models/model.pt'), source);
    assert.deepEqual([r.role, r.format, r.error, r.foreign?.framework], ['model', 'unknown', null, 'pytorch']);
    assert.equal(r.pickle, undefined, 'no pickle report: data.pkl is never read');
    assert.match(r.foreign?.note ?? '', new RegExp(`${REF.ptStorages} tensor storages`));
  });
  it('a legacy torch.save pickle (.pth): pytorch', async () => {
    const r = await inspectFile(join(DIR, 'models/legacy.pth'), source);
    assert.deepEqual([r.role, r.format, r.error, r.foreign?.framework], ['model', 'unknown', null, 'pytorch']);
    assert.equal(r.pickle, undefined);
  });
  it('torch.save files named .bin (pytorch_model.bin) or .ckpt: pytorch; other .bin files as before', async () => {
    for (const [from, to] of [['models/model.pt', 'pytorch_model.bin'], ['models/legacy.pth', 'legacy_model.bin'], ['models/model.pt', 'last.ckpt']]) {
      const p = join(tmp, to);
      writeFileSync(p, readFileSync(join(DIR, from)));
      const r = await inspectFile(p, source);
      assert.deepEqual([r.role, r.format, r.error, r.foreign?.framework], ['model', 'unknown', null, 'pytorch'], to);
    }
    const plain = join(tmp, 'plain.bin');
    writeFileSync(plain, Uint8Array.from([0x80, 0x02, 0x7d, 0x2e]));
    assert.equal(sniffForeign(Uint8Array.from([0x80, 0x02, 0x7d, 0x2e]), plain), null, 'a pickle without the torch magic');
    const nopkl = join(tmp, 'group1-shard1of1.bin');
    writeFileSync(nopkl, readFileSync(join(DIR, 'bad/nopkl.pt')));
    assert.equal((await inspectFile(nopkl, source)).foreign, undefined);
  });
  it('a .pth pickle without the torch magic stays with the pickle reader', async () => {
    const p = join(tmp, 'plain.pth');
    // PROTO 2, EMPTY_DICT, STOP
    writeFileSync(p, Uint8Array.from([0x80, 0x02, 0x7d, 0x2e]));
    const r = await inspectFile(p, source);
    assert.equal(r.foreign, undefined);
    assert.notEqual(r.pickle, undefined, 'read by pickleArtifact as before');
  });
  it('a .pt zip without data.pkl is not claimed: read as before (kerasZip)', async () => {
    const p = join(DIR, 'bad/nopkl.pt');
    const r = await inspectFile(p, source);
    assert.equal(r.foreign, undefined);
    assert.deepEqual(await listZipNames(source, p, readFileSync(p).length), ['archive/readme.txt']);
    // the same report as the reader after foreignModel gives it
    const bytes = readFileSync(p);
    const kerasZip = binaryReaders.find((b) => b !== foreignModelReader && b.sniff(bytes.subarray(0, 4096), p));
    assert.equal(kerasZip?.name, 'kerasZip');
    const before = await kerasZip!.read({ path: p, size: bytes.length, head: bytes.subarray(0, 4096), source });
    assert.deepEqual([r.role, r.format, r.error], [before.role, before.format, before.error ?? null]);
  });
  it('an ONNX model is read by the ONNX reader now (format onnx, its IR version and producer), not listed as foreign', async () => {
    const r = await inspectFile(join(DIR, 'models/model.onnx'), source);
    assert.deepEqual([r.role, r.format, r.error, r.foreign], ['model', 'onnx', null, undefined]);
    assert.equal(r.model?.onnx?.irVersion, REF.onnx.irVersion);
    assert.equal(`${r.model?.onnx?.producerName} ${r.model?.onnx?.producerVersion}`, REF.onnx.producer);
  });
  it('a TFLite flatbuffer: tflite; without TFL3 it is not claimed', async () => {
    const r = await inspectFile(join(DIR, 'models/model.tflite'), source);
    assert.deepEqual([r.role, r.format, r.error, r.foreign?.framework], ['model', 'unknown', null, 'tflite']);
    const bad = await inspectFile(join(DIR, 'bad/notflite.tflite'), source);
    assert.deepEqual([bad.role, bad.format, bad.foreign], ['other', 'unknown', undefined]);
  });
  it('a safetensors file: tensors and parameters counted', async () => {
    const r = await inspectFile(join(DIR, 'models/weights.safetensors'), source);
    assert.deepEqual([r.role, r.format, r.error, r.foreign?.framework], ['model', 'unknown', null, 'safetensors']);
    // 4*16 + 16 + 1 (a scalar)
    assert.equal(REF.safetensors.params, 64 + 16 + 1);
    assert.match(r.foreign?.note ?? '', new RegExp(`${REF.safetensors.tensors} tensors, ${REF.safetensors.params} parameters`));
  });
  it('a safetensors header longer than the file: an error, nothing allocated for it', async () => {
    const p = join(DIR, 'bad/short.safetensors');
    const r = await inspectFile(p, source);
    assert.deepEqual([r.role, r.foreign?.framework, r.error?.code], ['model', 'safetensors', 'invalid-safetensors']);
    assert.ok(r.error?.message.startsWith(p));
    // 8 length bytes + 7 bytes of {"a":1}
    assert.match(r.error?.message ?? '', /header of 1048576 bytes runs past the end of the 15-byte file/);
  });
  it('safetensors data offsets past the data: an error naming the tensor', async () => {
    const p = join(tmp, 'off.safetensors');
    const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
    const len = Buffer.alloc(8);
    len.writeUInt32LE(header.length, 0);
    writeFileSync(p, Buffer.concat([len, header, Buffer.alloc(4)]));
    const r = await inspectFile(p, source);
    assert.equal(r.error?.code, 'invalid-safetensors');
    assert.match(r.error?.message ?? '', /tensor w's data_offsets \[0, 8\] are outside the 4 data bytes/);
  });
  it('content decides with the extension: no claim on the wrong extension or the wrong bytes', () => {
    const tfl = readFileSync(join(DIR, 'models/model.tflite'));
    assert.equal(sniffForeign(tfl, 'model.tflite'), 'tflite');
    assert.equal(sniffForeign(tfl, 'model.bin'), null);
    assert.equal(sniffOnnx(Uint8Array.from([0x08, 0x80]), 'm.onnx'), false, 'incomplete varint');
    assert.equal(sniffOnnx(Uint8Array.from([0x0a, 0x01]), 'm.onnx'), false);
    assert.equal(sniffForeign(Uint8Array.from([0x08, 0x08]), 'm.onnx'), null, 'ONNX is no longer foreign');
    assert.equal(sniffForeign(Uint8Array.from([0x80, 0x01, 0x2e]), 'm.pt'), null, 'pickle protocol 1 is no torch.save');
    assert.equal(sniffForeign(Uint8Array.from([0x50, 0x4b, 0x03, 0x04]), 'model.keras'), null);
    assert.equal(sniffForeign(readFileSync(join(DIR, 'models/model.pt')), 'model.pt'), 'pytorch-zip');
  });
  it('a ZIP64 torch archive (end record fields all 0xFF..): pytorch, entries listed from the ZIP64 record', async () => {
    const p = join(DIR, 'models/zip64.pt');
    assert.deepEqual(await listZipNames(source, p, readFileSync(p).length), ['archive/data.pkl', 'archive/data/0']);
    const r = await inspectFile(p, source);
    assert.deepEqual([r.role, r.error, r.foreign?.framework], ['model', null, 'pytorch']);
    assert.match(r.foreign?.note ?? '', /1 tensor storage\)/);
  });
  it('listZipNames refuses a cut archive and lists the torch entries in order', async () => {
    const pt = readFileSync(join(DIR, 'models/model.pt'));
    const names = await listZipNames(source, join(DIR, 'models/model.pt'), pt.length);
    assert.deepEqual(names, ['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/data/1', 'archive/version']);
    const cut = join(tmp, 'cut.pt');
    writeFileSync(cut, pt.subarray(0, pt.length - 30));
    assert.equal(await listZipNames(source, cut, pt.length - 30), null);
    const r = await inspectFile(cut, source);
    assert.equal(r.foreign, undefined, 'a cut .pt is left to kerasZip, which reports it');
    assert.equal(r.error?.code, 'corrupt-zip');
  });
});
