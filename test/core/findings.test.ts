// Findings of one bundle, on FileReports built by hand (sizes and times computed in the comments).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkExitCode } from '../../src/core/bundles/bundle';
import { FINDING_CODES, findingDocsAnchor, LOG_AFTER_WEIGHTS_MS, SCALER_WEIGHTS_GAP_MS, stemOf, validateBundle } from '../../src/core/bundles/findings';
import type { FileReport, Finding, LayerSummary, ModelSummary, Scaler, Shape } from '../../src/core/types';

const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

function dense(name: string, inputs: number, units: number): LayerSummary {
  // Dense params = inputs * units (kernel) + units (bias)
  return { name, className: 'Dense', outputShape: [null, units], params: inputs * units + units, trainable: true, inbound: [] };
}

function summary(
  input: Shape,
  output: Shape,
  layers: LayerSummary[] = [dense('dense', Number(input[input.length - 1]), Number(output[1]))],
  extra: Partial<ModelSummary> = {},
): ModelSummary {
  const total = layers.reduce((a, l) => a + l.params, 0);
  return {
    framework: 'keras',
    kerasVersion: '2.15.0',
    className: 'Sequential',
    layers,
    inputShapes: [input],
    outputShapes: [output],
    totalParams: total,
    trainableParams: total,
    nonTrainableParams: 0,
    ...extra,
  };
}

function model(path: string, m: ModelSummary, mtimeMs = T0): FileReport {
  return { path, role: 'model', format: 'keras-h5', error: null, model: m, mtimeMs };
}

function scaler(path: string, nFeaturesIn: number, mtimeMs = T0, cls = 'StandardScaler'): FileReport {
  const s: Scaler = {
    class: cls,
    module: 'sklearn.preprocessing._data',
    sklearnVersion: '1.2.1',
    nFeaturesIn,
    featureNames: null,
    params: { mean_: new Array(nFeaturesIn).fill(0), scale_: new Array(nFeaturesIn).fill(1) },
  };
  return { path, role: 'scaler', format: 'joblib', error: null, scaler: s, mtimeMs };
}

function log(path: string, series: string[] = ['loss', 'val_loss'], mtimeMs = T0): FileReport {
  const one = { points: 10, first: 1, last: 0.1, min: 0.1, minStep: 9, max: 1, maxStep: 0 };
  return {
    path,
    role: 'log',
    format: 'keras-csv-log',
    error: null,
    log: { source: 'keras-csv-log', epochs: 10, series: Object.fromEntries(series.map((s) => [s, one])) },
    mtimeMs,
  };
}

function codes(fs: Finding[]): string[] {
  return fs.map((f) => `${f.severity}:${f.code}`).sort();
}

const tabular = () => summary([null, 4], [null, 1]);

describe('validateBundle: missing parts', () => {
  it('raises nothing on a complete tabular bundle', () => {
    assert.deepEqual(validateBundle([model('p/model.h5', tabular()), scaler('p/scaler.joblib', 4), log('p/training_log.csv')], 'p'), []);
  });

  it('missing-scaler is an error for tabular inputs, with the joblib.dump fix, on the model file', () => {
    const f = validateBundle([model('p/model.h5', tabular()), log('p/log.csv')], 'p');
    assert.deepEqual(codes(f), ['error:missing-scaler']);
    assert.equal(f[0].path, 'p/model.h5');
    assert.match(f[0].message, /predictions on raw inputs will be wrong/);
    assert.match(f[0].message, /joblib\.dump\(scaler, "scaler\.joblib"\)/);
  });

  it('missing-scaler is information only for images, and for inputs wider than 256', () => {
    const img = summary(
      [null, 28, 28, 1],
      [null, 10],
      [{ name: 'conv', className: 'Conv2D', outputShape: [null, 26, 26, 8], params: 80, trainable: true, inbound: [] }],
    );
    assert.deepEqual(codes(validateBundle([model('p/cnn.h5', img), log('p/log.csv')], 'p')), ['info:missing-scaler']);
    assert.deepEqual(codes(validateBundle([model('p/wide.h5', summary([null, 1024], [null, 1])), log('p/log.csv')], 'p')), ['info:missing-scaler']);
  });

  it('a target scaler alone still leaves the inputs unscaled', () => {
    const f = validateBundle([model('p/model.h5', tabular()), scaler('p/y_scaler.joblib', 1), log('p/log.csv')], 'p');
    assert.deepEqual(codes(f), ['error:missing-scaler', 'info:target-scaler']);
    assert.match(f.find((x) => x.code === 'missing-scaler')!.message, /only a target scaler/);
  });

  it('missing-log is info; missing-structure / missing-weights are errors on the part that is there', () => {
    assert.deepEqual(codes(validateBundle([model('p/model.h5', tabular()), scaler('p/scaler.pkl', 4)], 'p')), ['info:missing-log']);
    const w: FileReport = { path: 'p/w.weights.h5', role: 'weights', format: 'keras-weights-h5', error: null };
    const onlyWeights = validateBundle([w, scaler('p/scaler.pkl', 4), log('p/log.csv')], 'p');
    assert.deepEqual(codes(onlyWeights), ['error:missing-structure']);
    assert.equal(onlyWeights[0].path, 'p/w.weights.h5');
    const st: FileReport = { path: 'p/model.json', role: 'structure', format: 'keras-json', error: null, model: tabular() };
    const onlyStructure = validateBundle([st, scaler('p/scaler.pkl', 4), log('p/log.csv')], 'p');
    assert.deepEqual(codes(onlyStructure), ['error:missing-weights']);
    assert.equal(onlyStructure[0].path, 'p/model.json');
  });

  it('a scaler with no model is a warning (no missing-log: there is no model to have been trained)', () => {
    const f = validateBundle([scaler('p/scaler.pkl', 4)], 'p');
    assert.deepEqual(codes(f), ['warning:missing-structure']);
    assert.equal(f[0].path, 'p/scaler.pkl');
  });
});

describe('validateBundle: cross-file checks', () => {
  it("scaler-input-mismatch: 13 features vs the model's 4, on the scaler", () => {
    const f = validateBundle([model('p/model.h5', tabular()), scaler('p/scaler.pkl', 13), log('p/log.csv')], 'p');
    assert.deepEqual(codes(f), ['error:scaler-input-mismatch']);
    assert.equal(f[0].path, 'p/scaler.pkl');
    assert.match(f[0].message, /13 features but the model takes 4/);
  });

  it('sequence inputs: the scaler sees the last dimension (5) or flattened windows (30 × 5 = 150)', () => {
    const seq = summary(
      [null, 30, 5],
      [null, 1],
      [{ name: 'lstm', className: 'LSTM', outputShape: [null, 8], params: 4 * (8 * (5 + 8) + 8), trainable: true, inbound: [] }],
    );
    const run = (n: number) => codes(validateBundle([model('p/lstm.h5', seq), scaler('p/scaler.pkl', n), log('p/log.csv')], 'p'));
    assert.deepEqual(run(5), []);
    assert.deepEqual(run(150), []);
    assert.deepEqual(run(7), ['error:scaler-input-mismatch']);
  });

  it('weights-structure-mismatch: Dense(4→8) needs 4*8+8 = 40 values, the weights hold 4*16+16 = 80', () => {
    const st: FileReport = {
      path: 'p/model.json',
      role: 'structure',
      format: 'keras-json',
      error: null,
      model: summary([null, 4], [null, 8], [dense('dense', 4, 8)]),
    };
    const wOf = (units: number): FileReport => ({
      path: 'p/model.weights.h5',
      role: 'weights',
      format: 'keras-weights-h5',
      error: null,
      weights: {
        layers: [
          {
            name: 'dense',
            tensors: [
              { name: 'kernel', shape: [4, units], dtype: 'float32' },
              { name: 'bias', shape: [units], dtype: 'float32' },
            ],
          },
        ],
        totalParams: 4 * units + units,
        bytes: 4 * (4 * units + units),
      },
    });
    const bad = validateBundle([st, wOf(16), scaler('p/scaler.pkl', 4), log('p/log.csv')], 'p');
    assert.deepEqual(codes(bad), ['error:weights-structure-mismatch']);
    assert.equal(bad[0].path, 'p/model.weights.h5');
    assert.match(bad[0].message, /40 parameters.*80 values/);
    assert.deepEqual(validateBundle([st, wOf(8), scaler('p/scaler.pkl', 4), log('p/log.csv')], 'p'), []);
  });

  it('target-scaler: by name, or by size (one other scaler as wide as the output, 3 ≠ 4)', () => {
    const m3 = summary([null, 4], [null, 3]);
    const byName = validateBundle([model('p/m.h5', m3), scaler('p/scaler.pkl', 4), scaler('p/target_scaler.pkl', 3), log('p/log.csv')], 'p');
    assert.deepEqual(codes(byName), ['info:target-scaler']);
    assert.equal(byName[0].path, 'p/target_scaler.pkl');
    const bySize = validateBundle([model('p/m.h5', m3), scaler('p/scaler.pkl', 4), scaler('p/other.pkl', 3), log('p/log.csv')], 'p');
    assert.deepEqual(codes(bySize), ['info:target-scaler']);
    assert.equal(bySize[0].path, 'p/other.pkl');
    // An imputer as wide as the input is not a target scaler.
    assert.deepEqual(
      codes(validateBundle([model('p/m.h5', m3), scaler('p/scaler.pkl', 4), scaler('p/imputer.pkl', 4, T0, 'SimpleImputer'), log('p/log.csv')], 'p')),
      [],
    );
  });

  it('missing-target-scaler only for an x-named scaler with a regression log', () => {
    const parts = (series: string[]) => [model('p/m.h5', tabular()), scaler('p/x_scaler.joblib', 4), log('p/log.csv', series)];
    const f = validateBundle(parts(['loss', 'mae', 'val_mae']), 'p');
    assert.deepEqual(codes(f), ['warning:missing-target-scaler']);
    assert.equal(f[0].path, 'p/x_scaler.joblib');
    assert.match(f[0].message, /joblib\.dump\(y_scaler, "y_scaler\.joblib"\)/);
    assert.deepEqual(codes(validateBundle(parts(['loss', 'accuracy', 'val_accuracy']), 'p')), []);
    assert.deepEqual(codes(validateBundle(parts(['loss', 'val_loss']), 'p')), []);
    // With the y scaler there, it is a target scaler instead.
    assert.deepEqual(codes(validateBundle([...parts(['loss', 'mae']), scaler('p/y_scaler.joblib', 1)], 'p')), ['info:target-scaler']);
    // A plain `scaler.joblib` says nothing about targets.
    assert.deepEqual(codes(validateBundle([model('p/m.h5', tabular()), scaler('p/scaler.joblib', 4), log('p/log.csv', ['loss', 'mae'])], 'p')), []);
  });

  it('lambda-layer warning and keras3-tfjs info on the model file', () => {
    const m = summary([null, 4], [null, 1], undefined, { pythonOnlyLayers: ['Lambda'], kerasVersion: '3.3.3' });
    const f = validateBundle([model('p/m.keras', m), scaler('p/scaler.pkl', 4), log('p/log.csv')], 'p');
    assert.deepEqual(codes(f), ['info:keras3-tfjs', 'warning:lambda-layer']);
    assert.ok(f.every((x) => x.path === 'p/m.keras'));
    assert.match(f.find((x) => x.code === 'lambda-layer')!.message, /Lambda.*cannot run outside Python/);
  });

  it('file errors: shards, unsafe and unsupported pickles, anything else unreadable', () => {
    const err = (path: string, role: FileReport['role'], code: string): FileReport => ({
      path,
      role,
      format: 'unknown',
      error: { code, message: `${path}: ${code}` },
    });
    const f = validateBundle(
      [
        {
          ...model('p/model.json', tabular()),
          format: 'tfjs-layers',
          error: { code: 'tfjs-shard-missing', message: 'p/model.json: shard group1-shard1of1.bin is missing' },
        },
        err('p/scaler.pkl', 'scaler', 'unsafe-pickle'),
        err('p/fn.pkl', 'scaler', 'unsupported-pickle'),
        err('p/log.csv', 'log', 'csv-bad-value'),
      ],
      'p',
    );
    const byCode = Object.fromEntries(f.map((x) => [x.code, x]));
    assert.equal(byCode['tfjs-shard-missing'].severity, 'error');
    assert.equal(byCode['tfjs-shard-missing'].path, 'p/model.json');
    assert.equal(byCode['unsafe-pickle'].severity, 'error');
    assert.match(byCode['unsafe-pickle'].message, /^p\/scaler\.pkl: unsafe-pickle\. .*do not load it/);
    assert.equal(byCode['unsupported-pickle'].severity, 'warning');
    assert.equal(byCode['unreadable-file'].severity, 'error');
    assert.equal(byCode['unreadable-file'].path, 'p/log.csv');
    assert.match(byCode['unreadable-file'].message, /^p\/log\.csv: csv-bad-value\./);
  });
});

describe('validateBundle: stale-artifact from file times', () => {
  const run = (weightsAt: number, scalerAt: number, logAt: number) =>
    validateBundle([model('p/m.h5', tabular(), weightsAt), scaler('p/scaler.pkl', 4, scalerAt), log('p/log.csv', undefined, logAt)], 'p');

  it('equal times (a fresh clone) and small gaps raise nothing', () => {
    assert.deepEqual(run(T0, T0, T0), []);
    assert.deepEqual(run(T0, T0 - 23 * HOUR, T0 + 59 * 60 * 1000), []);
    assert.equal(LOG_AFTER_WEIGHTS_MS, HOUR);
    assert.equal(SCALER_WEIGHTS_GAP_MS, DAY);
  });

  it('a log written 3 h after the weights: the weights are from an older run', () => {
    const f = run(T0, T0, T0 + 3 * HOUR);
    assert.deepEqual(codes(f), ['warning:stale-artifact']);
    assert.equal(f[0].path, 'p/log.csv');
    assert.match(f[0].message, /3 h after the newest weights/);
  });

  it('a scaler 2 days older, or 2 days newer, than the weights', () => {
    const older = run(T0 + 2 * DAY, T0, T0 + 2 * DAY);
    assert.deepEqual(codes(older), ['warning:stale-artifact']);
    assert.equal(older[0].path, 'p/scaler.pkl');
    assert.match(older[0].message, /2 day\(s\) older/);
    const newer = run(T0, T0 + 2 * DAY, T0);
    assert.deepEqual(codes(newer), ['warning:stale-artifact']);
    assert.match(newer[0].message, /2 day\(s\) after/);
  });
});

describe('finding catalogue', () => {
  it('has a docs/bundles.md section for every code, and emitted severities are catalogued', () => {
    const doc = readFileSync('docs/bundles.md', 'utf8');
    const headings = new Set([...doc.matchAll(/^## (.+)$/gm)].map((m) => m[1].trim()));
    for (const code of Object.keys(FINDING_CODES)) {
      assert.ok(headings.has(code), `docs/bundles.md lacks "## ${code}"`);
      assert.equal(findingDocsAnchor(code), `#${code}`);
    }
    const emitted = [
      ...validateBundle([model('p/m.h5', tabular())], 'p'),
      ...validateBundle([scaler('p/s.pkl', 4)], 'p'),
      ...validateBundle([model('p/m.h5', tabular()), scaler('p/s.pkl', 9)], 'p'),
    ];
    for (const f of emitted) {
      const entry = FINDING_CODES[f.code as keyof typeof FINDING_CODES];
      assert.ok(entry, f.code);
      assert.ok((entry.severities as readonly string[]).includes(f.severity), `${f.code} ${f.severity}`);
    }
  });

  it('stems pair structure, weights and scalers of one model', () => {
    assert.equal(stemOf('d/model_a.weights.h5'), 'model_a');
    assert.equal(stemOf('d/model_a_scaler.pkl'), 'model_a');
    assert.equal(stemOf('d/model_a-architecture.json'), 'model_a');
  });

  it('check exit code: 0 with only infos, 1 with an error; warnings fail only with strict', () => {
    const b = (f: Finding[]) => [{ root: 'p', files: { scaler: [], structure: [], weights: [], model: [], log: [] }, complete: false, findings: f }];
    const info: Finding = { code: 'missing-log', severity: 'info', message: '', path: 'p' };
    const warn: Finding = { code: 'lambda-layer', severity: 'warning', message: '', path: 'p' };
    const err: Finding = { code: 'missing-scaler', severity: 'error', message: '', path: 'p' };
    assert.equal(checkExitCode(b([info]), true), 0);
    assert.equal(checkExitCode(b([info, warn]), false), 0);
    assert.equal(checkExitCode(b([info, warn]), true), 1);
    assert.equal(checkExitCode(b([err]), false), 1);
    assert.equal(checkExitCode([], true), 0);
  });
});
