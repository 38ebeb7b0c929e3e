// Models of other frameworks: claimed by extension AND content, role model, format unknown, a
// `foreign` note; malformed ones are left to the readers that took them before.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sniffForeign } from '../../src/core/formats/foreignModel';
import { sniffOnnx } from '../../src/core/formats/onnx/onnxReader';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const DIR = join(__dirname, '..', 'fixtures', 'reference', 'foreign');
const REF = JSON.parse(readFileSync(join(DIR, 'foreign_reference.json'), 'utf8'));
const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-foreign-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('foreignModelReader', () => {
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
  it('content decides with the extension: no claim on the wrong extension or the wrong bytes', () => {
    const tfl = readFileSync(join(DIR, 'models/model.tflite'));
    assert.equal(sniffForeign(tfl, 'model.tflite'), 'tflite');
    assert.equal(sniffForeign(tfl, 'model.bin'), null);
    assert.equal(sniffOnnx(Uint8Array.from([0x08, 0x80]), 'm.onnx'), false, 'incomplete varint');
    assert.equal(sniffOnnx(Uint8Array.from([0x0a, 0x01]), 'm.onnx'), false);
    assert.equal(sniffForeign(Uint8Array.from([0x08, 0x08]), 'm.onnx'), null, 'ONNX is no longer foreign');
    assert.equal(sniffForeign(Uint8Array.from([0x50, 0x4b, 0x03, 0x04]), 'model.keras'), null);
    assert.equal(sniffForeign(readFileSync(join(DIR, 'models/model.pt')), 'model.pt'), null, 'torch.save files have their own reader');
  });
});
