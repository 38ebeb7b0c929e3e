// Keras structure JSON reader: which documents it claims and what it reports for the real files.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspectFile } from '../../src/core/formats/inspect';
import { isKerasModelJson, kerasJsonReader } from '../../src/core/formats/keras/kerasJson';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { tfjsModelReader } from '../../src/core/formats/tfjs/tfjsModel';

const REAL = join(__dirname, '..', 'fixtures', 'real');
const REF = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'reference', 'arch', 'arch_reference.json'), 'utf8'));
const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-kerasjson-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Structure JSON fixtures and their totals: h5py sums for the pairs, hand arithmetic for the rest. */
const STRUCTURE: [string, number, number][] = [
  ['0xDaksh__Credit-Card-Fraud/model.json', REF.pairs['0xDaksh__Credit-Card-Fraud/model.json'].totalParams, 0],
  ['charlesll__SiliCat/silicat/saved/nn_global.json', REF.pairs['charlesll__SiliCat/silicat/saved/nn_global.json'].totalParams, 0],
  // conv 5*5*3*32+32, 3*3*32*16+16, 3*3*16*16+16, dense 2704*1024+1024, 1024*512+512, 512+1
  ['2dongheee__Udacity-CarND-Behavioral-Cloning-P3/model.json', 2432 + 4624 + 2320 + 2769920 + 524800 + 513, 0],
  // encoder 2,192,320 + decoder 2,340,803 (see architecture.test.ts), BN moving stats 2*(32+64+128)*2
  ['Arksyd96__denoising-autoencoder-keras/autoencoder.json', 2192320 + 2340803, 896],
  // convs 296+4624+9232+4616+289, dense 12800128+1290+1408+12900000
  ['charlesll__SiliCat/autoencoder.json', 296 + 4624 + 9232 + 4616 + 289 + 12800128 + 1290 + 1408 + 12900000, 0],
];

describe('kerasJsonReader', () => {
  for (const [rel, total, nonTrainable] of STRUCTURE) {
    it(`${rel}: structure, keras-json, ${total} parameters`, async () => {
      const r = await inspectFile(join(REAL, rel), source);
      assert.deepEqual([r.role, r.format, r.error], ['structure', 'keras-json', null]);
      assert.equal(r.model?.framework, 'keras');
      assert.deepEqual([r.model?.totalParams, r.model?.nonTrainableParams], [total, nonTrainable]);
      const doc = JSON.parse(readFileSync(join(REAL, rel), 'utf8'));
      assert.equal(r.model?.kerasVersion, doc.keras_version);
      assert.equal(tfjsModelReader.sniffJson(doc, rel), false, 'not a tfjs document');
    });
  }
  it('claims a Keras 3 config.json (from the FlowNet .keras zip)', async () => {
    const cfg = REF.kerasZip['2mdtln__FlowNet-ANN/25-06/model.keras'].config;
    assert.equal(isKerasModelJson(cfg), true);
    const p = join(tmp, 'config.json');
    writeFileSync(p, JSON.stringify(cfg));
    const r = await inspectFile(p, source);
    assert.deepEqual([r.role, r.format, r.error, r.model?.className], ['structure', 'keras-json', null, 'Sequential']);
    // 4*64+64 + 64*128+128 + 128*64+64 + 64*2+2 (= the h5py sum of model.weights.h5)
    assert.equal(r.model?.totalParams, 320 + 8320 + 8256 + 130);
    assert.equal(r.model?.totalParams, REF.kerasZip['2mdtln__FlowNet-ANN/25-06/model.keras'].totalParams);
  });
  it('claims a bare topology {keras_version, backend, model_config} and reads its version', async () => {
    const topo = JSON.parse(readFileSync(join(REAL, 'ml5js__ml5-data-and-models/models/CVAE/quick_draw/models/model.json'), 'utf8')).modelTopology;
    const p = join(tmp, 'topology.json');
    writeFileSync(p, JSON.stringify(topo));
    const r = await inspectFile(p, source);
    assert.deepEqual([r.format, r.error, r.model?.kerasVersion], ['keras-json', null, '2.2.2']);
    // the numpy sum of the manifest shapes of the same model
    assert.equal(r.model?.totalParams, REF.tfjs['ml5js__ml5-data-and-models/models/CVAE/quick_draw/models/model.json'].totalParams);
  });
  it('does not claim non-models: plain objects, training configs, optimizer configs, tfjs documents', () => {
    const tfjs = JSON.parse(readFileSync(join(REAL, 'DJCordhose__ux-by-tfjs/model/click/model.json'), 'utf8'));
    for (const v of [
      { a: 1 },
      { loss: 'mse', optimizer: { name: 'Nadam', lr: 0.002 }, sample_weight_mode: null },
      { optimizer_config: { class_name: 'Adam', config: {} }, loss: 'mse', metrics: ['acc'] },
      { class_name: 'Adam', config: { learning_rate: 0.001 } },
      { class_name: 'Sequential', config: 'nope' },
      tfjs,
      { modelTopology: tfjs.modelTopology },
      [1, 2, 3],
    ]) {
      assert.equal(kerasJsonReader.sniffJson(v, 'x.json'), false, JSON.stringify(v).slice(0, 80));
    }
  });
  it('a model class with a broken layer list is read as structure with a not-a-model error', async () => {
    const p = join(tmp, 'broken.json');
    writeFileSync(p, JSON.stringify({ class_name: 'Sequential', config: [{ config: { units: 3 } }] }));
    const r = await inspectFile(p, source);
    assert.deepEqual([r.role, r.format, r.error?.code], ['structure', 'keras-json', 'not-a-model']);
    assert.ok(r.error?.message.startsWith(p) && r.error.message.includes('layer #1'), r.error?.message);
  });
  it('JSON that is no model at all is left unclaimed (not-a-model from the dispatcher)', async () => {
    const p = join(tmp, 'other.json');
    writeFileSync(p, '{"a": 1}');
    const r = await inspectFile(p, source);
    assert.deepEqual([r.format, r.error?.code], ['unknown', 'not-a-model']);
  });
});
