// The preprocessing as ONNX operators (float64) run by onnxruntime equals scikit-learn 1.2.1's
// transform / inverse_transform (test/fixtures/reference/sklearn/make_transform_reference.py) to
// 1e-12; the classes with no ONNX form here are refused by name.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { toScaler } from '../../src/core/formats/pickle/sklearn';
import { pickleArtifactReader } from '../../src/core/formats/pickle/pickleArtifact';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { GraphBuilder } from '../../src/core/export/onnxGraph';
import { DataType, encodeModel } from '../../src/core/export/onnxModel';
import { scalerForward, scalerInverse } from '../../src/core/export/scalerOnnx';
import { transform } from '../../src/core/predict/scalerTransform';
import type { Scaler } from '../../src/core/types';
import { decodeNumber, fromStateJson } from '../fixtures/reference/sklearn/stateJson';

interface Case {
  name: string;
  class: string;
  object: unknown;
  inputs: unknown[][];
  transform: unknown[][];
  inverse?: unknown[][];
}
const ref = JSON.parse(readFileSync('test/fixtures/reference/sklearn/transform_reference.json', 'utf8')) as { cases: Case[] };
const rows = (m: unknown[][]): number[][] => m.map((r) => r.map(decodeNumber));

/** Runs one scaler subgraph (float64 in, float64 out) on rows. */
async function run(s: Scaler, data: number[][], inverse: boolean): Promise<number[][]> {
  const g = new GraphBuilder();
  g.reserve('x');
  const n = data[0].length;
  const v = (inverse ? scalerInverse : scalerForward)(g, s, { name: 'x', shape: [null, n] }, 'scaler');
  g.nodes.push({ opType: 'Identity', inputs: [v.name], outputs: ['y'], name: 'out', attrs: [] });
  const model = encodeModel({
    irVersion: 7,
    opset: 13,
    producerName: 'test',
    producerVersion: '0',
    graphName: 'scaler',
    docString: '',
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: 'x', dataType: DataType.DOUBLE, shape: ['batch', n] }],
    outputs: [{ name: 'y', dataType: DataType.DOUBLE, shape: ['batch', v.shape[1] ?? 'w'] }],
    metadata: {},
  });
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({ x: new ort.Tensor('float64', Float64Array.from(data.flat()), [data.length, n]) });
  const flat = Array.from(out.y.data as Float64Array);
  const w = flat.length / data.length;
  return data.map((_, i) => flat.slice(i * w, (i + 1) * w));
}

function assertClose(actual: number[][], expected: number[][], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: rows`);
  expected.forEach((row, i) => {
    assert.equal(actual[i].length, row.length, `${what}: row ${i} width`);
    row.forEach((e, j) => {
      const a = actual[i][j];
      if (Number.isNaN(e)) return assert.ok(Number.isNaN(a), `${what} [${i}][${j}]: expected NaN, got ${a}`);
      assert.ok(Math.abs(a - e) <= Math.max(1e-12 * Math.abs(e), 1e-12), `${what} [${i}][${j}]: ${a} vs sklearn ${e}`);
    });
  });
}

/** Classes (or steps) without an ONNX form in scalerOnnx.ts. */
const NO_ONNX = /PowerTransformer|QuantileTransformer/;

describe('export onnx: scikit-learn preprocessing as ONNX operators equals scikit-learn', () => {
  const supported = ref.cases.filter((c) => !NO_ONNX.test(JSON.stringify(c.object)));
  it('covers the supported classes', () =>
    assert.deepEqual([...new Set(supported.map((c) => c.class))].sort(), [
      'FeatureUnion',
      'MaxAbsScaler',
      'MinMaxScaler',
      'Normalizer',
      'Pipeline',
      'RobustScaler',
      'SimpleImputer',
      'StandardScaler',
    ]));
  for (const c of supported) {
    it(`${c.name} (${c.class})`, async () => {
      const s = toScaler(fromStateJson(c.object))!;
      assertClose(await run(s, rows(c.inputs), false), rows(c.transform), `${c.name} transform`);
      if (c.inverse) assertClose(await run(s, rows(c.transform), true), rows(c.inverse), `${c.name} inverse_transform`);
      else await assert.rejects(run(s, rows(c.transform), true), /inverse_transform cannot be written/);
    });
  }
  it("ColumnTransformer (ct_indices without its QuantileTransformer step) equals the tool's transform", async () => {
    const c = ref.cases.find((x) => x.name === 'ct_indices')!;
    const ct = toScaler(fromStateJson(c.object))!;
    const s: Scaler = { ...ct, steps: (ct.steps ?? []).filter((step) => step.class !== 'QuantileTransformer') };
    assert.deepEqual(
      s.steps!.map((x) => x.class),
      ['StandardScaler', 'MinMaxScaler'],
    );
    const input = rows(c.inputs);
    assertClose(await run(s, input, false), transform(s, input), 'ColumnTransformer');
    assert.equal(transform(s, input)[0].length, 3);
  });
  for (const c of ref.cases.filter((x) => NO_ONNX.test(JSON.stringify(x.object)))) {
    it(`${c.name} (${c.class}): refused, naming the class`, async () => {
      const s = toScaler(fromStateJson(c.object))!;
      await assert.rejects(run(s, rows(c.inputs), false), (e: Error) =>
        /^(PowerTransformer|QuantileTransformer) cannot be written as ONNX operators/.test(e.message),
      );
    });
  }
});

// OneHotEncoder of numeric categories: the fitted objects of test/fixtures/sklearn2 (pickled by
// Debian's scikit-learn 1.2.1, make_preprocessing.py) read from their files, run by onnxruntime,
// equal to scikit-learn's own transform recorded beside them.
describe('export onnx: OneHotEncoder as ONNX operators equals scikit-learn', () => {
  const DIR = 'test/fixtures/sklearn2';
  const pre = JSON.parse(readFileSync(`${DIR}/preprocessing_reference.json`, 'utf8')) as {
    cases: { name: string; files: string[]; class: string; inputs: unknown[][]; transform: unknown[][] }[];
  };
  const source = new NodeFileSource();
  async function readScaler(file: string): Promise<Scaler> {
    const path = `${DIR}/${file}`;
    const r = await pickleArtifactReader.read({ path, size: statSync(path).size, head: readFileSync(path).subarray(0, 64), source });
    assert.equal(r.error, null, `${file}: ${r.error?.message}`);
    return r.scaler!;
  }
  for (const name of ['ohe_ignore', 'ohe_drop_first', 'ohe_if_binary']) {
    it(`${name}: equal to scikit-learn`, async () => {
      const c = pre.cases.find((x) => x.name === name)!;
      const s = await readScaler(c.files[0]);
      assert.equal(s.class, 'OneHotEncoder');
      assertClose(await run(s, rows(c.inputs), false), rows(c.transform), name);
    });
  }
  it("handle_unknown='error': a value outside the fitted categories makes the row NaN (scikit-learn raises), never a plausible number", async () => {
    const c = pre.cases.find((x) => x.name === 'ohe_drop_first')!;
    const s = await readScaler(c.files[0]);
    assert.equal((s as { hyper?: Record<string, unknown> }).hyper?.handle_unknown ?? 'error', 'error');
    const good = rows(c.inputs)[0];
    const out = await run(s, [good, [good[0], 12345]], false);
    assert.ok(out[0].every((v) => !Number.isNaN(v)));
    assert.ok(out[1].every((v) => Number.isNaN(v)));
  });
  it('infrequent categories are refused by name', async () => {
    const c = pre.cases.find((x) => x.name === 'ohe_infrequent')!;
    const s = await readScaler(c.files[0]);
    await assert.rejects(run(s, rows(c.inputs), false), /OneHotEncoder with infrequent categories/);
  });
});
