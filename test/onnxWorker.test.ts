// The shipped layout of ONNX Runtime (scripts/esbuildNode.mjs copyOnnxRuntime): the prediction worker
// bundle, onnxruntime-node copied into dist/node_modules for this platform and onnxruntime-web's wasm
// beside the bundle, in a temporary folder outside the repository (nothing resolves from its
// node_modules). Both builds give the numpy reference of test/fixtures/onnx/make_onnx.py.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { copyOnnxRuntime, importMetaUrl, nodeCjs } from '../scripts/esbuildNode.mjs';
import { PredictClient } from '../src/predictClient';

const dist = mkdtempSync(join(tmpdir(), 'mbi-onnx-worker-'));
const E = JSON.parse(readFileSync('test/fixtures/onnx/expected.json', 'utf8'));
let client: PredictClient;

before(async () => {
  await build({
    entryPoints: ['src/predictWorker.ts'],
    outfile: join(dist, 'predictWorker.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
    ...nodeCjs,
    banner: { js: importMetaUrl },
  });
  copyOnnxRuntime(dist);
  client = new PredictClient(dist);
});
after(() => {
  client?.dispose();
  rmSync(dist, { recursive: true, force: true });
});

function close(actual: number[][], expected: number[][]): void {
  actual.forEach((row, i) =>
    row.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) <= 1e-5 * Math.max(Math.abs(expected[i][j]), 1e-3), `${v} vs ${expected[i][j]}`)),
  );
}

describe('ONNX predictions in the bundled worker', () => {
  it('auto runs onnxruntime-node from dist/node_modules', async () => {
    const text = JSON.stringify(E.mlp.sampleInput);
    const r = await client.predict({ target: resolve('test/fixtures/onnx/models/mlp.onnx'), input: { text, name: 'x.json' } });
    assert.equal(r.backend, 'onnxruntime-node');
    close(r.outputs, E.mlp.sampleOutput);
  });

  it('wasm runs onnxruntime-web from the wasm beside the bundle', async () => {
    const text = JSON.stringify(E.cnn.sampleInput);
    const r = await client.predict({ target: resolve('test/fixtures/onnx/models/cnn.onnx'), input: { text, name: 'x.json' }, backend: 'wasm' });
    assert.equal(r.backend, 'onnxruntime-web');
    close(r.outputs, E.cnn.sampleOutput);
  });
});
