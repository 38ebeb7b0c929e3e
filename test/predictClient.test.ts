import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { importMetaUrl, nodeCjs } from '../scripts/esbuildNode.mjs';
import { PredictClient, PredictionError } from '../src/predictClient';

const dist = mkdtempSync(join(tmpdir(), 'mbi-worker-'));
const reference = JSON.parse(readFileSync('examples/reference/complete-bundle.json', 'utf8')) as {
  scaled_inputs: number[][];
  network_outputs: number[][];
};
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
  const wasm = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
  for (const f of readdirSync(wasm)) if (f.endsWith('.wasm')) copyFileSync(join(wasm, f), join(dist, f));
  client = new PredictClient(dist);
});
after(() => {
  client?.dispose();
  rmSync(dist, { recursive: true, force: true });
});

describe('PredictClient (worker thread)', () => {
  it('runs the network in the worker and returns numpy-equal outputs', async () => {
    const text = JSON.stringify(reference.scaled_inputs);
    const r = await client.predict({ target: 'examples/missing-scaler', input: { text, name: 'scaled.json' } });
    assert.equal(r.backend, 'wasm');
    assert.equal(r.rows, reference.scaled_inputs.length);
    r.outputs.forEach((row, i) =>
      assert.ok(Math.abs(row[0] - reference.network_outputs[i][0]) <= 1e-5 * Math.max(1e-3, Math.abs(reference.network_outputs[i][0]))),
    );
  });

  it('reports errors with their code, and keeps serving', async () => {
    await assert.rejects(
      client.predict({ target: 'examples/nope', input: { text: '1,2', name: 'x.csv' } }),
      (e: unknown) => e instanceof PredictionError && e.code === 'not-found' && /examples\/nope/.test(e.message),
    );
    const r = await client.predict({
      target: 'examples/missing-scaler',
      input: { text: JSON.stringify(reference.scaled_inputs.slice(0, 1)), name: 'one.json' },
    });
    assert.equal(r.rows, 1);
  });
});
