import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';

// The shipped bundles (esbuild output) behave like the sources: both TensorFlow.js backends are
// registered in dist/cli.js (esbuild would drop their side-effect imports) and HDF5 loads there.
before(() => {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

const ref = JSON.parse(readFileSync('examples/reference/complete-bundle.json', 'utf8')) as { outputs: number[][] };

describe('dist/cli.js', () => {
  for (const backend of ['wasm', 'cpu']) {
    it(`predicts the example bundle on the ${backend} backend`, () => {
      const r = spawnSync(
        process.execPath,
        ['dist/cli.js', 'predict', 'examples/complete-bundle', '--input', 'examples/inputs.csv', '--backend', backend, '--json'],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.backend, backend);
      doc.outputs.forEach((row: number[], i: number) =>
        assert.ok(Math.abs(row[0] - ref.outputs[i][0]) <= 1e-5 * Math.abs(ref.outputs[i][0]), `${row[0]} vs ${ref.outputs[i][0]}`),
      );
    });
  }
});
