import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspectPaths } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildPredictionSchema } from '../../src/core/predict/predictSchema';
import { validateWebviewMessage, MAX_PREDICT_INPUT } from '../../src/shared/protocol';

const source = new NodeFileSource();

describe('buildPredictionSchema', () => {
  it('names the features of the example bundle with their training ranges and both scalers', async () => {
    const files = await inspectPaths(['examples/complete-bundle'], source);
    const s = buildPredictionSchema(files);
    assert.equal(s.available, true);
    assert.equal(s.model, 'examples/complete-bundle/model.h5');
    assert.equal(s.scaler, 'examples/complete-bundle/scaler.joblib');
    assert.equal(s.targetScaler, 'examples/complete-bundle/y_scaler.joblib');
    assert.equal(s.outputs, 1);
    assert.deepEqual(
      s.features.map((f) => f.name),
      ['wind_speed', 'air_density', 'temperature', 'pitch_angle'],
    );
    // make_examples.py draws wind speeds uniformly in [3, 25): the fitted range lies inside it
    const wind = s.features[0];
    assert.ok(wind.min! > 3 && wind.min! < 3.1 && wind.max! < 25 && wind.max! > 24.9, `${wind.min}..${wind.max}`);
  });

  it('falls back to positional features without a scaler and explains bundles that cannot run', async () => {
    const noScaler = buildPredictionSchema(await inspectPaths(['examples/missing-scaler'], source));
    assert.equal(noScaler.available, true);
    assert.equal(noScaler.scaler, null);
    assert.deepEqual(
      noScaler.features.map((f) => [f.name, f.min]),
      [
        ['x0', null],
        ['x1', null],
        ['x2', null],
        ['x3', null],
      ],
    );
    const scalerOnly = buildPredictionSchema(await inspectPaths(['test/fixtures/real/AlbertFrydensberg__ML_Ops_59/models'], source));
    assert.equal(scalerOnly.available, false);
    assert.match(scalerOnly.reason!, /no model that can run/);
  });
});

describe('predict message validation', () => {
  it('accepts text input and refuses empty, oversized or extra fields', () => {
    assert.deepEqual(validateWebviewMessage({ type: 'predict', input: 'a,b\n1,2\n' }), { ok: true, message: { type: 'predict', input: 'a,b\n1,2\n' } });
    assert.equal(validateWebviewMessage({ type: 'predict', input: '  ' }).ok, false);
    assert.equal(validateWebviewMessage({ type: 'predict', input: 'x'.repeat(MAX_PREDICT_INPUT + 1) }).ok, false);
    assert.equal(validateWebviewMessage({ type: 'predict', input: '1', target: '/etc' }).ok, false);
    assert.equal(validateWebviewMessage({ type: 'predict', input: 42 }).ok, false);
  });
});
