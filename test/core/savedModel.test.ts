// TensorFlow SavedModel reader: saved_model.pb claimed by name and protobuf head, Keras structure from
// keras_metadata.pb (hand-encoded by make_foreign.py from examples/complete-bundle/model.h5's config).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { decodeKerasMetadata, MAX_KERAS_METADATA_BYTES, SAVED_MODEL_NOTE, savedModelReader } from '../../src/core/formats/keras/savedModel';

const DIR = join(__dirname, '..', 'fixtures', 'reference', 'foreign');
const REF = JSON.parse(readFileSync(join(DIR, 'foreign_reference.json'), 'utf8'));
const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-savedmodel-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('savedModelReader', () => {
  it('summarises a Keras SavedModel from keras_metadata.pb as the h5py reading of the same model', async () => {
    const r = await inspectFile(join(DIR, 'keras_savedmodel/my_model/saved_model.pb'), source);
    assert.deepEqual([r.role, r.format, r.error, r.foreign?.framework], ['model', 'unknown', null, 'tf-savedmodel']);
    assert.equal(r.model?.framework, 'keras');
    assert.deepEqual(
      r.model?.layers.map((l) => ({ name: l.name, outputShape: l.outputShape, params: l.params })),
      REF.layers,
    );
    assert.equal(r.model?.totalParams, REF.totalParams);
    // 4*16+16 + 16*8+8 + 8*1+1, by hand
    assert.equal(REF.totalParams, 80 + 136 + 9);
    assert.deepEqual([r.model?.kerasVersion, r.model?.backend, r.model?.className], [REF.kerasVersion, REF.backend, REF.className]);
    assert.ok(r.model?.notes?.includes(SAVED_MODEL_NOTE));
    assert.match(r.foreign?.note ?? '', /keras_metadata\.pb/);
    assert.doesNotMatch(r.foreign?.note ?? '', /missing/, 'variables/variables.index is there');
  });
  it('reads class_name + config at the top of the root metadata (no model_config)', async () => {
    const r = await inspectFile(join(DIR, 'toplevel_savedmodel/my_model/saved_model.pb'), source);
    assert.deepEqual([r.role, r.format, r.error], ['model', 'unknown', null]);
    assert.deepEqual(
      r.model?.layers.map((l) => l.name),
      REF.layers.map((l: { name: string }) => l.name),
    );
    assert.equal(r.model?.totalParams, REF.totalParams);
    // this fixture has no variables/ folder
    assert.match(r.foreign?.note ?? '', new RegExp(`variables/variables.index is missing: TensorFlow cannot restore this model's ${REF.totalParams} weights`));
  });
  it('without keras_metadata.pb: a model, no summary, no error', async () => {
    const r = await inspectFile(join(DIR, 'bare_savedmodel/exported/saved_model.pb'), source);
    assert.deepEqual([r.role, r.format, r.error, r.model, r.foreign?.framework], ['model', 'unknown', null, undefined, 'tf-savedmodel']);
    assert.match(r.foreign?.note ?? '', /without keras_metadata\.pb/);
  });
  it('a truncated keras_metadata.pb: an error naming that file and the byte offset', async () => {
    const meta = join(DIR, 'truncated_savedmodel/my_model/keras_metadata.pb');
    const r = await inspectFile(join(DIR, 'truncated_savedmodel/my_model/saved_model.pb'), source);
    assert.deepEqual([r.role, r.format, r.model, r.foreign?.framework], ['model', 'unknown', undefined, 'tf-savedmodel']);
    assert.equal(r.error?.code, 'invalid-keras-metadata');
    assert.ok(r.error?.message.startsWith(meta), r.error?.message);
    assert.match(r.error?.message ?? '', new RegExp(`at byte ${REF.truncatedOffset}\\)`));
  });
  it('decodes every node and finds the root after the layer nodes', () => {
    const bytes = readFileSync(join(DIR, 'keras_savedmodel/my_model/keras_metadata.pb'));
    assert.equal(bytes.length, REF.kerasMetadataBytes);
    const { nodes, root } = decodeKerasMetadata(bytes, 'keras_metadata.pb');
    assert.equal(nodes, REF.layers.length + 1);
    assert.deepEqual([root?.nodeId, root?.identifier], [0, '_tf_keras_sequential']);
    assert.equal(JSON.parse(root?.metadata ?? '{}').keras_version, REF.kerasVersion);
  });
  it('every cut of keras_metadata.pb gives a ReadError or a summary, never a crash', () => {
    const bytes = readFileSync(join(DIR, 'keras_savedmodel/my_model/keras_metadata.pb'));
    for (let n = 0; n < bytes.length; n += 7) {
      try {
        decodeKerasMetadata(bytes.subarray(0, n), 'cut.pb');
      } catch (e) {
        assert.equal((e as Error).name, 'ReadError');
        assert.match((e as Error).message, /^cut\.pb: .* at byte \d+\)$/);
      }
    }
  });
  it('a length prefix past the end is refused before any allocation', () => {
    // field 1, length varint 2^35 (far more than the 7 bytes there are)
    const bytes = Uint8Array.from([0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    assert.throws(() => decodeKerasMetadata(bytes, 'huge.pb'), /huge\.pb: .*at byte 1\)/);
  });
  it('a root that is not JSON: a ReadError naming the file', async () => {
    const d = join(tmp, 'badjson');
    mkdirSync(d);
    writeFileSync(join(d, 'saved_model.pb'), Uint8Array.from([0x08, 0x01]));
    // SavedObject {node_path: "root" (3), identifier: "_tf_keras_model" (4), metadata: "{oops" (5)}
    const obj = Buffer.concat([
      Buffer.from([0x1a, 4]),
      Buffer.from('root'),
      Buffer.from([0x22, 15]),
      Buffer.from('_tf_keras_model'),
      Buffer.from([0x2a, 5]),
      Buffer.from('{oops'),
    ]);
    writeFileSync(join(d, 'keras_metadata.pb'), Buffer.concat([Buffer.from([0x0a, obj.length]), obj]));
    const r = await inspectFile(join(d, 'saved_model.pb'), source);
    assert.equal(r.error?.code, 'invalid-keras-metadata');
    assert.ok(r.error?.message.startsWith(join(d, 'keras_metadata.pb')));
    assert.match(r.error?.message ?? '', /not valid JSON/);
  });
  it('a subclassed model (no layer list): a model without summary, a note, no error', async () => {
    const d = join(tmp, 'subclassed');
    mkdirSync(d);
    writeFileSync(join(d, 'saved_model.pb'), Uint8Array.from([0x08, 0x01]));
    const meta = Buffer.from(JSON.stringify({ class_name: 'MyModel', config: {}, keras_version: '2.12.0', backend: 'tensorflow' }));
    const head = Buffer.concat([
      Buffer.from([0x1a, 4]),
      Buffer.from('root'),
      Buffer.from([0x22, 15]),
      Buffer.from('_tf_keras_model'),
      Buffer.from([0x2a, meta.length]),
    ]);
    const obj = Buffer.concat([head, meta]);
    writeFileSync(join(d, 'keras_metadata.pb'), Buffer.concat([Buffer.from([0x0a, obj.length]), obj]));
    const r = await inspectFile(join(d, 'saved_model.pb'), source);
    assert.deepEqual([r.role, r.format, r.error, r.model], ['model', 'unknown', null, undefined]);
    assert.match(r.foreign?.note ?? '', /class MyModel\) has no layer list/);
  });
  it('a keras_metadata.pb over the limit is not read (a note, no error)', async () => {
    const dir = join(DIR, 'keras_savedmodel/my_model');
    let reads = 0;
    // the real folder, with keras_metadata.pb claiming one byte over MAX_KERAS_METADATA_BYTES
    const big = Object.assign(Object.create(source) as NodeFileSource, {
      stat: async (p: string) => {
        const st = await source.stat(p);
        return st && p.endsWith('keras_metadata.pb') ? { ...st, size: MAX_KERAS_METADATA_BYTES + 1 } : st;
      },
      readFile: async (p: string) => {
        reads++;
        return source.readFile(p);
      },
    });
    const r = await inspectFile(join(dir, 'saved_model.pb'), big);
    assert.deepEqual([r.role, r.format, r.error, r.model, reads], ['model', 'unknown', null, undefined, 0]);
    assert.match(r.foreign?.note ?? '', new RegExp(`keras_metadata.pb is ${MAX_KERAS_METADATA_BYTES + 1} bytes .* not read`));
  });
  it('claims saved_model.pb by name and protobuf head only', () => {
    assert.equal(savedModelReader.sniff(Uint8Array.from([0x08, 0x01]), 'a/saved_model.pb'), true);
    assert.equal(savedModelReader.sniff(Uint8Array.from([0x12, 0x05]), 'saved_model.pb'), true);
    assert.equal(savedModelReader.sniff(Uint8Array.from([0x78, 0x01]), 'a/saved_model.pb'), false);
    assert.equal(savedModelReader.sniff(Uint8Array.from([0x08, 0x01]), 'a/graph.pb'), false);
  });
});
