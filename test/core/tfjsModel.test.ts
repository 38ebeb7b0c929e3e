// TensorFlow.js model.json reader: every real tfjs fixture against the numpy reference (manifest
// shapes, shard sizes from os.path.getsize), graph models, missing and short shards.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspectFile, inspectPaths } from '../../src/core/formats/inspect';
import { kerasJsonReader } from '../../src/core/formats/keras/kerasJson';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { parseManifest, tfjsModelReader } from '../../src/core/formats/tfjs/tfjsModel';

const REAL = join(__dirname, '..', 'fixtures', 'real');
const REF = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'reference', 'arch', 'arch_reference.json'), 'utf8'));
const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-tfjs-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface TfjsRef {
  layers: Record<string, number>;
  totalParams: number;
  nonTrainableParams: number;
  groups: { paths: string[]; expectedBytes: number; actualBytes: number }[];
  graph: boolean;
  nodes?: number;
  ops?: Record<string, number>;
  inputs?: string[];
  outputs?: string[];
}

describe('tfjsModelReader on the real fixtures', () => {
  for (const [rel, ref] of Object.entries<TfjsRef>(REF.tfjs)) {
    it(`${rel}: totals, weights and shards equal the reference`, async () => {
      const path = join(REAL, rel);
      const r = await inspectFile(path, source);
      assert.deepEqual([r.role, r.format, r.error], ['model', ref.graph ? 'tfjs-graph' : 'tfjs-layers', null]);
      assert.equal(r.model?.framework, 'tfjs');
      assert.equal(r.model?.totalParams, ref.totalParams);
      assert.equal(r.model?.nonTrainableParams, ref.nonTrainableParams);
      assert.equal(r.weights?.totalParams, ref.totalParams);
      assert.equal(
        r.weights?.bytes,
        ref.groups.reduce((a, g) => a + g.expectedBytes, 0),
      );
      const perLayer = Object.fromEntries(
        (r.weights?.layers ?? []).map((l) => [l.name, l.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0)]),
      );
      assert.deepEqual(perLayer, ref.layers);
      const dir = dirname(path);
      assert.deepEqual(
        r.shards,
        ref.groups.flatMap((g) =>
          g.paths.map((p) => ({ path: join(dir, p.replace(/^\.\//, '')), expectedBytes: g.expectedBytes, actualBytes: g.actualBytes })),
        ),
      );
      if (!ref.graph) {
        for (const l of r.model?.layers ?? []) assert.equal(l.params, ref.layers[l.name] ?? 0, l.name);
        assert.equal(r.model?.notes, undefined, 'config and manifest agree');
        const doc = JSON.parse(readFileSync(path, 'utf8'));
        const topo = doc.modelTopology;
        assert.equal(r.model?.kerasVersion, topo.keras_version);
      } else {
        assert.deepEqual(r.model?.graph, { nodes: ref.nodes, ops: ref.ops, inputs: ref.inputs, outputs: ref.outputs });
        assert.deepEqual(r.model?.layers, []);
        // Placeholder shapes and the signature's output shape (dim size -1 is the batch)
        assert.deepEqual([r.model?.inputShapes, r.model?.outputShapes], [[[null], [null]], [[null, 101]]]);
      }
    });
  }
  it('output shapes follow the layer arithmetic', async () => {
    const crepe = (await inspectFile(join(REAL, 'ml5js__ml5-data-and-models/models/pitch-detection/crepe/model.json'), source)).model!;
    // conv1: 1024 / stride 4 (same) = 256; six 2x1 poolings: 256 / 2 = 128 ... 4; flatten 4*1*64 = 256
    assert.deepEqual(crepe.layers.find((l) => l.name === 'crepe_conv1')?.outputShape, [null, 256, 1, 128]);
    assert.deepEqual(crepe.layers.find((l) => l.name === 'crepe_flatten')?.outputShape, [null, 256]);
    assert.deepEqual([crepe.inputShapes, crepe.outputShapes], [[[null, 1024]], [[null, 360]]]);
    const cvae = (await inspectFile(join(REAL, 'ml5js__ml5-data-and-models/models/CVAE/quick_draw/models/model.json'), source)).model!;
    // concat 16 + 51 = 67; 784 = 7*7*16; two 2x upsamplings 7 -> 28
    assert.deepEqual(cvae.layers.find((l) => l.name === 'concatenate_2')?.outputShape, [null, 67]);
    assert.deepEqual(cvae.outputShapes, [[null, 28, 28, 1]]);
    const ux = (await inspectFile(join(REAL, 'DJCordhose__ux-by-tfjs/model/LSTM/ux.json'), source)).model!;
    // LSTM 50 on 5 features: 4*(5*50+50*50+50) = 11200
    assert.deepEqual(
      ux.layers.map((l) => [l.name, l.outputShape, l.params]),
      [
        ['lstm1', [null, 50], 11200],
        ['batch_normalization_BatchNormalization1', [null, 50], 200],
        ['softmax', [null, 3], 153],
      ],
    );
    const click = (await inspectFile(join(REAL, 'DJCordhose__ux-by-tfjs/model/click/model.json'), source)).model!;
    assert.deepEqual(click.layers[0].outputShape, [null, 5, 2]);
  });
  it('tfjs documents are not claimed by the Keras JSON reader', () => {
    for (const rel of Object.keys(REF.tfjs)) {
      const doc = JSON.parse(readFileSync(join(REAL, rel), 'utf8'));
      assert.equal(kerasJsonReader.sniffJson(doc, rel), false, rel);
      assert.equal(tfjsModelReader.sniffJson(doc, rel), true, rel);
    }
  });
  it('inspecting the folder marks every shard as tfjs-shard weights', async () => {
    const files = await inspectPaths([join(REAL, 'ml5js__ml5-data-and-models/models/pitch-detection/crepe')], source);
    const shards = files.filter((f) => !f.path.endsWith('.json'));
    assert.equal(shards.length, 13);
    assert.ok(shards.every((f) => f.role === 'weights' && f.format === 'tfjs-shard'));
  });
});

describe('tfjsModelReader on broken bundles', () => {
  const copy = (name: string): string => {
    const dst = join(tmp, name);
    cpSync(join(REAL, 'DJCordhose__ux-by-tfjs/model/LSTM'), dst, { recursive: true });
    return dst;
  };
  it('a deleted shard gives tfjs-shard-missing naming it', async () => {
    const dir = copy('missing');
    unlinkSync(join(dir, 'ux.weights.bin'));
    const r = await inspectFile(join(dir, 'ux.json'), source);
    assert.deepEqual([r.role, r.format, r.error?.code], ['model', 'tfjs-layers', 'tfjs-shard-missing']);
    assert.ok(r.error?.message.includes('./ux.weights.bin') && r.error.message.includes('46,212'), r.error?.message);
    assert.deepEqual(r.shards, [{ path: join(dir, 'ux.weights.bin'), expectedBytes: 46212, actualBytes: null }]);
    assert.equal(r.model?.totalParams, 11553, 'the summary is still there');
  });
  it('a truncated shard gives tfjs-shard-size with both byte counts', async () => {
    const dir = copy('short');
    truncateSync(join(dir, 'ux.weights.bin'), 40000);
    const r = await inspectFile(join(dir, 'ux.json'), source);
    assert.deepEqual([r.role, r.format, r.error?.code], ['model', 'tfjs-layers', 'tfjs-shard-size']);
    assert.ok(r.error?.message.includes('40,000') && r.error.message.includes('46,212'), r.error?.message);
  });
  it('several shards per group: per-shard expectation from the first shard size, remainder last', async () => {
    const dir = join(tmp, 'multi');
    cpSync(join(REAL, 'tensorflow__tfjs-examples/abalone-node/trainedModel'), dir, { recursive: true });
    const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const bytes = readFileSync(join(dir, 'weights.bin'));
    // 12,204 bytes cut like the converter does with 5,000-byte shards: 5000 + 5000 + 2204
    writeFileSync(join(dir, 'a.bin'), bytes.subarray(0, 5000));
    writeFileSync(join(dir, 'b.bin'), bytes.subarray(5000, 10000));
    writeFileSync(join(dir, 'c.bin'), bytes.subarray(10000, 11000));
    doc.weightsManifest[0].paths = ['a.bin', 'b.bin', 'c.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(doc));
    const r = await inspectFile(join(dir, 'model.json'), source);
    assert.equal(r.error?.code, 'tfjs-shard-size');
    assert.deepEqual(
      r.shards?.map((s) => [s.expectedBytes, s.actualBytes]),
      [
        [5000, 5000],
        [5000, 5000],
        [2204, 1000],
      ],
    );
    assert.ok(r.error?.message.includes('"c.bin"'), r.error?.message);
  });
  it('a weight group that names no shard is tfjs-shard-missing', async () => {
    const dir = join(tmp, 'nopaths');
    cpSync(join(REAL, 'tensorflow__tfjs-examples/abalone-node/trainedModel'), dir, { recursive: true });
    const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    doc.weightsManifest[0].paths = [];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(doc));
    const r = await inspectFile(join(dir, 'model.json'), source);
    assert.equal(r.error?.code, 'tfjs-shard-missing');
    // (8*50+50) + (50*50+50) + (50+1) = 3051 float32 values = 12,204 bytes
    assert.ok(r.error?.message.includes('12,204'), r.error?.message);
  });
  it('quantized weights count their quantized byte size; bad manifests are refused', () => {
    const g = parseManifest(
      [
        {
          paths: ['x'],
          weights: [
            { name: 'd/kernel', shape: [10, 10], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } },
            { name: 'd/bias', shape: [10], dtype: 'float32', quantization: { dtype: 'float16' } },
            { name: 'e/kernel', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', min: 0, scale: 1 } },
            { name: 'f/mask', shape: [4], dtype: 'bool' },
            { name: 'f/idx', shape: [2], dtype: 'int32' },
          ],
        },
      ],
      'm.json',
    );
    // 100*1 + 10*2 + 3*2 + 4*1 + 2*4 = 138
    assert.equal(g[0].expectedBytes, 138);
    for (const bad of [{}, [{ paths: 'x', weights: [] }], [{ paths: ['x'], weights: [{ name: 'w', shape: [-1] }] }], [{ paths: ['x'] }]]) {
      assert.throws(() => parseManifest(bad, 'm.json'), /m\.json/);
    }
  });
  it('a layers model whose topology is not a model config is not-a-model', async () => {
    const p = join(tmp, 'bad-topology.json');
    writeFileSync(p, JSON.stringify({ format: 'layers-model', modelTopology: { a: 1 }, weightsManifest: [] }));
    const r = await inspectFile(p, source);
    assert.deepEqual([r.role, r.format, r.error?.code], ['model', 'tfjs-layers', 'not-a-model']);
  });
});

describe('tfjs converter version', () => {
  it('reports convertedBy, or generatedBy when a model was saved by tfjs-layers itself', async () => {
    const src = new NodeFileSource();
    const a = await inspectFile('test/fixtures/real/AlexFSmirnov__tfjs-classification-demo/react-app/public/model/model.json', src);
    assert.equal(a.model?.convertedBy, 'TensorFlow.js Converter v2.7.0');
    const b = await inspectFile('test/fixtures/real/tensorflow__tfjs-examples/abalone-node/trainedModel/model.json', src);
    assert.equal(b.model?.convertedBy, 'TensorFlow.js tfjs-layers v1.3.2');
    const c = await inspectFile('test/fixtures/real/ml5js__ml5-data-and-models/models/CVAE/quick_draw/models/model.json', src);
    assert.equal(c.model?.convertedBy, undefined);
  });
});
