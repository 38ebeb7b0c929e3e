// Bundles holding TensorFlow SavedModels or models of other frameworks (fixtures made by
// test/fixtures/reference/foreign/make_foreign.py): a scaler beside them raises no false alarm, a
// SavedModel's Keras structure is checked against the scaler, other frameworks alone are no bundle.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BundleIndex } from '../../src/core/bundles/bundleIndex';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildReport } from '../../src/core/report/report';

const FOREIGN = 'test/fixtures/reference/foreign';
const tmp = mkdtempSync(join(tmpdir(), 'mbi-foreign-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** run/ with a scaler (4 features, like the SavedModel's Keras config) and a log, plus `extra`. */
function run(extra: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmp, 'run-'));
  copyFileSync('examples/complete-bundle/scaler.joblib', join(dir, 'scaler.joblib'));
  copyFileSync('examples/complete-bundle/training_log.csv', join(dir, 'training_log.csv'));
  extra(dir);
  return dir;
}

const codes = (b: { findings: { severity: string; code: string; path: string | null }[] }, root: string) =>
  b.findings.map((f) => `${f.severity}:${f.code}:${f.path?.slice(root.length + 1)}`).sort();

describe('bundles with a SavedModel or another framework', () => {
  it('takes a SavedModel folder as the model of the bundle around it, checked through keras_metadata.pb', async () => {
    const dir = run((d) => cpSync(join(FOREIGN, 'keras_savedmodel', 'my_model'), join(d, 'my_model'), { recursive: true }));
    const report = await buildReport([dir], new NodeFileSource());
    assert.equal(report.bundles.length, 1);
    const b = report.bundles[0];
    assert.equal(b.root, dir);
    assert.deepEqual(b.files.model, [join(dir, 'my_model', 'saved_model.pb')]);
    assert.deepEqual(b.files.scaler, [join(dir, 'scaler.joblib')]);
    // No missing-structure / missing-scaler: the SavedModel is the model, the scaler fits its 4 inputs.
    assert.deepEqual(codes(b, dir), []);
    assert.equal(b.complete, true);
  });

  it("flags a scaler fitted on another width than the SavedModel's input", async () => {
    const dir = mkdtempSync(join(tmp, 'wrong-'));
    cpSync(join(FOREIGN, 'keras_savedmodel', 'my_model'), join(dir, 'my_model'), { recursive: true });
    // ExoBengal's scaler: StandardScaler fitted on 6 features (test/fixtures/real/.../SOURCES.md)
    copyFileSync('test/fixtures/real/gazi-faysal-jubayer__ExoBengal/models/scaler.pkl', join(dir, 'scaler.pkl'));
    const report = await buildReport([dir], new NodeFileSource());
    const scaler = report.files.find((f) => f.path.endsWith('scaler.pkl'))!;
    const n = scaler.scaler!.nFeaturesIn;
    assert.notEqual(n, 4);
    assert.deepEqual(codes(report.bundles[0], dir), ['error:scaler-input-mismatch:scaler.pkl', 'info:missing-log:my_model/saved_model.pb']);
    assert.match(
      report.bundles[0].findings.find((f) => f.code === 'scaler-input-mismatch')!.message,
      new RegExp(`fitted on ${n} features but the model takes 4`),
    );
  });

  // model.onnx, .pt and .safetensors are read now (onnxBundle, torchBundle tests)
  for (const name of ['model.tflite']) {
    it(`lists ${name} beside a scaler with one information finding, and alone makes no bundle`, async () => {
      const dir = run((d) => copyFileSync(join(FOREIGN, 'models', name), join(d, name)));
      const report = await buildReport([dir], new NodeFileSource());
      assert.equal(report.bundles.length, 1);
      assert.deepEqual(report.bundles[0].files.model, [join(dir, name)]);
      assert.deepEqual(codes(report.bundles[0], dir), [`info:foreign-model:${name}`]);
      const alone = mkdtempSync(join(tmp, 'alone-'));
      copyFileSync(join(FOREIGN, 'models', name), join(alone, name));
      assert.deepEqual((await buildReport([alone], new NodeFileSource())).bundles, []);
    });
  }

  it('agrees in the quick phase: the same bundles, none for a lone PyTorch model', async () => {
    const ws = mkdtempSync(join(tmp, 'ws-'));
    mkdirSync(join(ws, 'torch'));
    copyFileSync(join(FOREIGN, 'models', 'model.pt'), join(ws, 'torch', 'model.pt'));
    const saved = join(ws, 'exp1');
    mkdirSync(saved);
    cpSync(join(FOREIGN, 'keras_savedmodel', 'my_model'), join(saved, 'my_model'), { recursive: true });
    copyFileSync('examples/complete-bundle/scaler.joblib', join(saved, 'scaler.joblib'));
    const index = new BundleIndex(new NodeFileSource());
    const quick = await index.quickScan([ws]);
    assert.deepEqual(
      quick.bundles.map((b) => b.root),
      [saved],
    );
    assert.deepEqual(quick.bundles[0].files.model, [join(saved, 'my_model', 'saved_model.pb')]);
    const done = await index.complete();
    assert.deepEqual(
      done.bundles.map((b) => b.root),
      [saved],
    );
    assert.deepEqual(codes(done.bundles[0], saved), ['info:missing-log:my_model/saved_model.pb']);
  });
});

describe('predictions on a bundle whose model cannot be run', () => {
  it("names the SavedModel and says why instead of 'no model'", async () => {
    const { predict } = await import('../../src/core/predict/predict');
    const dir = run((d) => cpSync(join(FOREIGN, 'keras_savedmodel', 'my_model'), join(d, 'my_model'), { recursive: true }));
    await assert.rejects(
      () => predict({ target: dir, input: { text: 'a,b,c,d\n1,2,3,4\n', name: 'rows.csv' } }, new NodeFileSource()),
      (e: Error & { code?: string }) =>
        e.code === 'not-a-model' && e.message.startsWith(join(dir, 'my_model', 'saved_model.pb')) && /variables\/ are not read/.test(e.message),
    );
  });
});
