// `--format tfjs`: the folded TensorFlow.js model reloads in TensorFlow.js (from memory, and through
// the tool's own reader) and gives the pipeline's outputs on raw rows; non-affine preprocessing is refused.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { exportTfjs, type TfjsExportResult } from '../../src/core/export/exportTfjs';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { initBackend } from '../../src/core/predict/network';
import { predict } from '../../src/core/predict/predict';
import { assertClose } from './exportHelpers';

const source = new NodeFileSource();
const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
const tmp = mkdtempSync(join(tmpdir(), 'mbi-tfjs-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const ref = JSON.parse(readFileSync('examples/reference/complete-bundle.json', 'utf8')) as { features: string[]; inputs: number[][]; outputs: number[][] };
const EXO = 'test/fixtures/real/gazi-faysal-jubayer__ExoBengal/models';

/** Loads the exported files with TensorFlow.js itself (tf.io.fromMemory) and runs rows. */
async function reload(r: TfjsExportResult, rows: number[][]): Promise<number[][]> {
  await initBackend('auto', wasmDir);
  const doc = JSON.parse(new TextDecoder().decode(r.files[0].bytes));
  const bin = r.files[1].bytes;
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: doc.modelTopology,
      weightSpecs: doc.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }),
  );
  try {
    const y = model.predict(tf.tensor2d(rows.map((row) => Array.from(Float32Array.from(row))))) as tf.Tensor;
    return y.arraySync() as number[][];
  } finally {
    model.dispose();
  }
}

function write(r: TfjsExportResult, dir: string): string {
  for (const f of r.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.bytes);
  }
  return join(dir, dirname(r.files[0].path));
}

const csv = (rows: number[][]): string => `${rows.map((row) => row.join(',')).join('\n')}\n`;

describe('export tfjs: preprocessing folded into the Dense layers', () => {
  it('complete-bundle: MinMaxScaler into the first Dense, y MinMaxScaler into the last; equals numpy and predict', async () => {
    const r = await exportTfjs({ target: 'examples/complete-bundle', toolVersion: 'test' }, source, 'wind');
    assert.deepEqual(
      r.files.map((f) => f.path),
      ['wind/model.json', 'wind/group1-shard1of1.bin'],
    );
    assert.deepEqual([r.scalers[0].class, r.targetScaler?.class], ['MinMaxScaler', 'MinMaxScaler']);
    const rows = ref.inputs.map((row) => Array.from(Float32Array.from(row)));
    const got = await reload(r, rows);
    assertClose(got, ref.outputs, 'tfjs export vs numpy');
    const tool = await predict(
      { target: 'examples/complete-bundle', input: { text: `${ref.features.join(',')}\n${csv(rows)}`, name: 'rows.csv' }, wasmDir },
      source,
    );
    assertClose(got, tool.outputs, 'tfjs export vs predict');
    // The tool's own reader takes the exported folder as a bundle without scalers: raw rows in, target units out.
    const dir = write(r, join(tmp, 'a'));
    const again = await predict({ target: dir, input: { text: csv(rows), name: 'rows.csv' }, wasmDir }, source);
    assert.equal(again.scaledInput, false);
    assertClose(again.outputs, ref.outputs, 'reloaded by predict');
    const doc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    assert.equal(doc.generatedBy, 'model-bundles test');
    assert.deepEqual(JSON.parse(doc.userDefinedMetadata.model_bundles['model_bundles.preprocessing']).steps, [
      { file: 'scaler.joblib', class: 'MinMaxScaler' },
    ]);
  });

  it('ExoBengal: StandardScaler (9 features, offsets up to 23,791) folded; equals predict with the scaler', async () => {
    const r = await exportTfjs({ target: EXO, scalers: [`${EXO}/scaler.pkl`], toolVersion: 'test' }, source, 'exo');
    const rows = [
      [9.49, 2.26, 793, 0.927, 4.47, 5455, 0.146, 2.96, 615.8],
      [54.4, 2.83, 443, 0.868, 4.47, 5455, 0.586, 4.51, 874.8],
      [1.74, 14.6, 638, 0.791, 4.54, 5805, 0.969, 1.78, 10829],
    ].map((row) => Array.from(Float32Array.from(row)));
    const got = await reload(r, rows);
    const tool = await predict({ target: EXO, scaler: `${EXO}/scaler.pkl`, input: { text: csv(rows), name: 'rows.csv' }, wasmDir }, source);
    assertClose(got, tool.outputs, 'ExoBengal tfjs vs predict');
  });

  it('refuses what cannot be folded exactly, naming it', async () => {
    await assert.rejects(
      exportTfjs({ target: EXO, scalers: [`${EXO}/imputer.pkl`, `${EXO}/scaler.pkl`], toolVersion: 'test' }, source, 'x'),
      /imputer\.pkl: SimpleImputer is not an affine map per feature.*--format onnx/,
    );
    await assert.rejects(
      exportTfjs({ target: 'examples/complete-bundle', scalers: ['test/fixtures/sklearn/minmax_clip.joblib'], toolVersion: 'test' }, source, 'x'),
      /MinMaxScaler clips its output/,
    );
    await assert.rejects(
      exportTfjs({ target: 'examples/missing-scaler', toolVersion: 'test' }, source, 'x'),
      (e: { code?: string }) => e.code === 'missing-scaler',
    );
  });
});
