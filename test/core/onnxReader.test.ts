// The ONNX reader against models built with onnx.helper (test/fixtures/onnx/make_onnx.py): every
// expected value (shapes, parameter counts, op counts, opsets, metadata) comes from that script.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { badLocation } from '../../src/core/formats/onnx/onnxReader';
import type { FileReport, LayerSummary } from '../../src/core/types';

const DIR = 'test/fixtures/onnx';
const EXPECTED = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8'));
const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-onnx-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function read(rel: string): Promise<FileReport> {
  return inspectFile(join(DIR, rel), source);
}

function checkAgainstReference(r: FileReport, e: (typeof EXPECTED)['mlp']): void {
  assert.equal(r.error, null);
  assert.deepEqual([r.role, r.format, r.model?.framework], ['model', 'onnx', 'onnx']);
  const m = r.model!;
  assert.equal(m.onnx?.irVersion, e.irVersion);
  assert.equal(m.opsetVersion, e.opset);
  assert.equal(m.onnx?.producerName, e.producer);
  assert.equal(m.onnx?.producerVersion ?? '', e.producerVersion);
  assert.deepEqual(m.opTypes, e.opTypes);
  assert.equal(m.layers.length, e.nodes);
  assert.deepEqual(
    m.layers.map((l) => l.params),
    e.nodeParams,
  );
  assert.equal(m.totalParams, e.totalParams);
  assert.equal(r.weights?.totalParams, e.totalParams);
  assert.deepEqual(m.inputShapes, e.inputShapes);
  assert.deepEqual(m.outputShapes, e.outputShapes);
}

describe('ONNX reader', () => {
  for (const name of ['mlp', 'cnn', 'dynamic', 'pipeline', 'nested_if']) {
    it(`${name}.onnx: opset, op counts, node parameters, totals and shapes equal the generator's`, async () => {
      checkAgainstReference(await read(`models/${name}.onnx`), EXPECTED[name]);
    });
  }

  it('keeps symbolic dims as null with their dim_param names, and the metadata props', async () => {
    const r = await read('models/mlp.onnx');
    const input = r.model!.onnx!.inputs[0];
    assert.deepEqual([input.name, input.dtype, input.shape, input.dimParams], ['input', 'float32', [null, 8], [EXPECTED.mlp.dimParam, null]]);
    assert.deepEqual(r.model!.onnx!.metadata, EXPECTED.mlp.metadata);
    // layers are nodes: className = op type, inbound = the node producing each input
    const l = r.model!.layers;
    assert.deepEqual(
      l.map((x) => [x.name, x.className, x.inbound.join(',')]),
      [
        ['dense_0', 'Gemm', ''],
        ['relu_0', 'Relu', 'dense_0'],
        ['dense_1', 'Gemm', 'relu_0'],
        ['relu_1', 'Relu', 'dense_1'],
        ['dense_2', 'Gemm', 'relu_1'],
      ],
    );
    // weights: the initializers grouped by the node consuming them, 4 bytes per float32
    assert.deepEqual(r.weights!.layers[0], {
      name: 'dense_0',
      tensors: [
        { name: 'W0', shape: [8, 16], dtype: 'float32' },
        { name: 'B0', shape: [16], dtype: 'float32' },
      ],
    });
    assert.equal(r.weights!.bytes, EXPECTED.mlp.totalParams * 4);
  });

  it('an unnamed dim without dim_param is null too (dynamic.onnx output [N, ?])', async () => {
    const r = await read('models/dynamic.onnx');
    assert.deepEqual(r.model!.onnx!.outputs[0].dimParams, ['N', null]);
  });

  it('reads node attributes (Conv kernel_shape, pads, strides)', async () => {
    const r = await read('models/cnn.onnx');
    const conv = r.model!.layers.find((l) => l.name === 'conv')!;
    assert.deepEqual(conv.attributes, EXPECTED.cnn.attributes.conv);
  });

  it('labels the ai.onnx.ml Scaler in front of the network as preprocessing', async () => {
    const r = await read('models/pipeline.onnx');
    const scaler = r.model!.layers[0];
    assert.deepEqual([scaler.className, scaler.domain, scaler.preprocessing], ['Scaler', 'ai.onnx.ml', true]);
    assert.deepEqual(r.model!.onnx!.preprocessing, ['Scaler']);
    assert.deepEqual(r.model!.onnx!.opsets, [
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 1 },
    ]);
    assert.deepEqual((await read('models/mlp.onnx')).model!.onnx!.preprocessing, []);
  });

  it('nested If graphs: branches as nested layers with their own nodes and initializers', async () => {
    const r = await read('models/nested_if.onnx');
    const iff = r.model!.layers.find((l) => l.className === 'If')!;
    const branches = new Map((iff.layers ?? []).map((b) => [b.name, b]));
    for (const [name, sub] of Object.entries(EXPECTED.nested_if.subgraphs) as [string, { nodes: number; params: number }][]) {
      const b = branches.get(name) as LayerSummary;
      assert.equal(b.layers?.length, sub.nodes, name);
      assert.equal(b.params, sub.params, name);
    }
    assert.equal(r.model!.onnx!.subgraphs, 2);
  });

  it('external data inside the folder: found, sized, counted', async () => {
    const r = await read('external/model.onnx');
    checkAgainstReference(r, EXPECTED.external);
    assert.deepEqual(r.model!.onnx!.externalData, [{ location: EXPECTED.external.dataFile, tensors: 4, bytes: EXPECTED.external.dataBytes }]);
  });
});

describe('ONNX reader: hostile files', () => {
  it('a truncated protobuf: truncated-onnx naming the file and the offset', async () => {
    const r = await read('hostile/truncated.onnx');
    assert.deepEqual([r.role, r.format, r.error?.code], ['model', 'onnx', 'truncated-onnx']);
    assert.match(r.error!.message, /^test\/fixtures\/onnx\/hostile\/truncated\.onnx: truncated ONNX protobuf \(.* at byte \d+\)$/);
  });

  it('every cut of a model is refused or read, never throws', async () => {
    const whole = readFileSync(join(DIR, 'models/cnn.onnx'));
    for (let n = 2; n < whole.length; n += 7) {
      const p = join(tmp, `cut${n}.onnx`);
      writeFileSync(p, whole.subarray(0, n));
      const r = await inspectFile(p, source);
      if (r.format === 'onnx') assert.ok(r.error === null || /onnx/.test(r.error.code), `${n}: ${r.error?.code}`);
    }
  });

  it('external data escaping the folder (.., absolute path) is refused, naming the file and the tensor', async () => {
    const esc = await read('hostile/escape.onnx');
    assert.equal(esc.error?.code, 'external-data-outside');
    assert.match(
      esc.error!.message,
      /hostile\/escape\.onnx: tensor 'W0' climbs out of the model's folder with '\.\.' for its external data \('\.\.\/secret\.bin'\)/,
    );
    const abs = await read('hostile/absolute.onnx');
    assert.equal(abs.error?.code, 'external-data-outside');
    assert.match(abs.error!.message, /absolute\.onnx: tensor 'W0' names an absolute path .*'\/etc\/passwd'/);
    // the structure is still reported
    assert.equal(esc.model?.totalParams, 3);
    for (const bad of ['..\\x.bin', 'C:\\data.bin', 'a/../../b', '\\\\server\\share', '']) assert.notEqual(badLocation(bad), null, bad);
    for (const ok of ['weights.bin', './data/w.bin', 'sub\\w.bin']) assert.equal(badLocation(ok), null, ok);
  });

  it('missing and short external data files: clear errors naming them', async () => {
    const missing = await read('hostile/missing.onnx');
    assert.equal(missing.error?.code, 'external-data-missing');
    assert.match(missing.error!.message, /tensor 'W0' keeps its values in test\/fixtures\/onnx\/hostile\/nothere\.bin, which does not exist/);
    const short = await read('hostile/short.onnx');
    assert.equal(short.error?.code, 'external-data-size');
    assert.match(short.error!.message, /needs bytes 0\.\.8 of test\/fixtures\/onnx\/hostile\/short\.bin, which holds 4 bytes/);
  });

  it('a symbolic link inside the folder that leads out of it is refused', async () => {
    const outside = mkdtempSync(join(tmp, 'outside-'));
    const dir = mkdtempSync(join(tmp, 'model-'));
    copyFileSync(join(DIR, 'external/weights.bin'), join(outside, 'weights.bin'));
    copyFileSync(join(DIR, 'external/model.onnx'), join(dir, 'model.onnx'));
    symlinkSync(join(outside, 'weights.bin'), join(dir, 'weights.bin'));
    const r = await inspectFile(join(dir, 'model.onnx'), source);
    assert.equal(r.error?.code, 'external-data-outside');
    assert.match(r.error!.message, /weights\.bin, a symbolic link leading out of the model's folder/);
  });
});

describe('ONNX architecture view model', () => {
  it('node table rows, attributes, preprocessing flags, ModelProto facts and a graph', async () => {
    const { buildArchitecture } = await import('../../src/core/report/viewModel');
    const pipe = buildArchitecture(await read('models/pipeline.onnx'), DIR, null);
    assert.deepEqual(
      pipe.rows.map((r) => [r.name, r.className, r.params, r.preprocessing ?? false]),
      [
        ['Scaler', 'Scaler', 0, true],
        ['MatMul', 'MatMul', 4, false],
        ['Add', 'Add', 1, false],
      ],
    );
    assert.match(pipe.rows[0].detail ?? '', /^domain ai\.onnx\.ml; offset=\[.*\], scale=\[.*\]$/);
    const facts = Object.fromEntries((pipe.facts ?? []).map((f) => [f.label, f.value]));
    assert.equal(facts.Opsets, 'ai.onnx 13, ai.onnx.ml 1');
    assert.equal(facts.Producer, 'skl2onnx 1.13');
    assert.equal(facts['Preprocessing in the graph'], 'Scaler');
    assert.equal(facts.Inputs, 'float_input: float32[?, 4]');
    assert.equal(pipe.totals.total, EXPECTED.pipeline.totalParams);
    assert.deepEqual(
      pipe.graph?.nodes.map((n) => [n.id, n.preprocessing ?? false]),
      [
        ['Scaler', true],
        ['MatMul', false],
        ['Add', false],
      ],
    );
    assert.deepEqual(pipe.graph?.edges, [
      { from: 'Scaler', to: 'MatMul' },
      { from: 'MatMul', to: 'Add' },
    ]);
    const cnn = buildArchitecture(await read('models/cnn.onnx'), DIR, null);
    assert.equal(cnn.rows.find((r) => r.name === 'conv')?.detail, 'kernel_shape=[3, 3], pads=[0, 0, 0, 0], strides=[1, 1]');
    const mlp = buildArchitecture(await read('models/mlp.onnx'), DIR, null);
    assert.equal(Object.fromEntries((mlp.facts ?? []).map((f) => [f.label, f.value]))['Inputs'], 'input: float32[batch, 8]');
  });
});

describe('ONNX reader: large initializers are not loaded', () => {
  it('a 16 MB weight is listed from its header (bytes read stay far below the file size); the model still runs', async () => {
    const { denseStack, denseToOnnx } = await import('../../src/core/predict/onnxDense');
    const n = 2048;
    const kernel = new Float32Array(n * n);
    for (let i = 0; i < n; i++) kernel[i * n + i] = 2; // y = 2x (identity × 2)
    const layers = [
      {
        name: 'big',
        tensors: [
          { name: 'big/kernel', shape: [n, n], values: kernel },
          { name: 'big/bias', shape: [n], values: new Float32Array(n) },
        ],
      },
    ];
    const config = {
      class_name: 'Sequential',
      config: { layers: [{ class_name: 'Dense', config: { name: 'big', units: n, activation: 'linear', batch_input_shape: [null, n] } }] },
    };
    const bytes = denseToOnnx(denseStack(config, layers)!);
    const p = join(tmp, 'big.onnx');
    writeFileSync(p, bytes);
    let read = 0;
    const counting = Object.assign(Object.create(source) as NodeFileSource, {
      readRange: async (path: string, offset: number, length: number) => {
        const b = await source.readRange(path, offset, length);
        read += b.length;
        return b;
      },
      readFile: async (path: string) => {
        const b = await source.readFile(path);
        read += b.length;
        return b;
      },
    });
    const r = await inspectFile(p, counting);
    assert.equal(r.error, null);
    assert.equal(r.model?.totalParams, n * n + n);
    assert.deepEqual(r.weights?.layers[0].tensors[0], { name: 'W0', shape: [n, n], dtype: 'float32' });
    assert.equal(r.weights?.bytes, (n * n + n) * 4);
    assert.ok(read < 1024 * 1024, `read ${read} of ${bytes.length} bytes`);
    const { predict } = await import('../../src/core/predict/predict');
    const row = Array.from({ length: n }, (_, i) => i / n);
    const out = await predict({ target: p, input: { text: JSON.stringify([row]), name: 'x.json' } }, source);
    assert.deepEqual(
      out.outputs[0].slice(0, 4),
      row.slice(0, 4).map((v) => 2 * v),
    );
  });
});

describe('ONNX reader: mutated files', () => {
  it('random byte changes give a report or a clear onnx error, never a crash or a negative count', async () => {
    const whole = readFileSync(join(DIR, 'models/nested_if.onnx'));
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    for (let k = 0; k < 150; k++) {
      const b = Buffer.from(whole);
      for (let j = 0; j < 3; j++) b[1 + (next() % (b.length - 1))] = next() & 0xff;
      const p = join(tmp, `mut${k}.onnx`);
      writeFileSync(p, b);
      const r = await inspectFile(p, source);
      if (r.format !== 'onnx') continue;
      if (r.error) assert.match(r.error.code, /onnx|external-data/, `${k}: ${r.error.code} ${r.error.message}`);
      else assert.ok(r.model!.totalParams >= 0 && Number.isSafeInteger(r.model!.totalParams), `${k}`);
    }
  });
});
