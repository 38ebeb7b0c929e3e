import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bundleMainFile,
  bundleParts,
  countProblems,
  countsLabel,
  describeScriptFindings,
  describeSnapshot,
  effectiveSeverity,
  fileSummary,
  FINDING_DOCS_URL,
  findingLink,
  findingTarget,
  parseSeverityOverrides,
} from '../../src/core/bundles/diagnosticsModel';
import { lintPythonScript } from '../../src/core/lint/scriptLint';
import type { Bundle, FileReport } from '../../src/core/types';

const bundleFilesOf = (b: Bundle): string[] => Object.values(b.files).flat();
const report = (path: string, role: FileReport['role'], error: FileReport['error'] = null): FileReport => ({ path, role, format: 'unknown', error });

/** A bundle with a structure JSON + weights HDF5 + log, no scaler, and one unreadable weights file. */
function bundleA(): Bundle {
  return {
    root: '/ws/runs/a',
    files: { scaler: [], structure: ['/ws/runs/a/model.json'], weights: ['/ws/runs/a/weights.h5'], model: [], log: ['/ws/runs/a/log.csv'] },
    complete: false,
    findings: [
      { code: 'missing-scaler', severity: 'error', message: 'No scaler.', path: null },
      { code: 'weights-structure-mismatch', severity: 'error', message: 'Layer dense_2 differs.', path: '/ws/runs/a/weights.h5' },
      { code: 'stale-artifact', severity: 'warning', message: 'Log newer than weights.', path: '/ws/runs/a/log.csv' },
      { code: 'missing-log', severity: 'info', message: 'dup test', path: '/ws/runs/a' },
    ],
  };
}

test('links point at the docs anchor of the code', () => {
  assert.equal(FINDING_DOCS_URL, 'https://github.com/model-bundle-inspector/model-bundle-inspector/blob/main/docs/bundles.md');
  assert.equal(findingLink('missing-scaler'), `${FINDING_DOCS_URL}#missing-scaler`);
});

test('overrides: valid values kept (info accepted as information), invalid ones named', () => {
  const r = parseSeverityOverrides({ 'missing-log': 'off', 'stale-artifact': 'Error', 'target-scaler': 'info', bad: 'loud', worse: 3 });
  assert.deepEqual(r.overrides, { 'missing-log': 'off', 'stale-artifact': 'error', 'target-scaler': 'information' });
  assert.deepEqual(r.invalid, ['bad', 'worse']);
  assert.deepEqual(parseSeverityOverrides(undefined), { overrides: {}, invalid: [] });
  assert.deepEqual(parseSeverityOverrides(['x']).invalid, ['(not an object)']);
  assert.equal(effectiveSeverity('missing-log', 'info', {}), 'information');
  assert.equal(effectiveSeverity('missing-log', 'info', { 'missing-log': 'off' }), null);
  assert.equal(effectiveSeverity('x', 'warning', { x: 'hint' }), 'hint');
  // keys of Object.prototype are not overrides
  assert.equal(effectiveSeverity('constructor', 'error', {}), 'error');
});

test('bundle findings: own path kept, null or folder path goes to the main file; links and source set', () => {
  const b = bundleA();
  assert.equal(bundleMainFile(b), '/ws/runs/a/model.json');
  const d = describeSnapshot({ files: [], bundles: [b] });
  assert.deepEqual([...d.keys()], ['/ws/runs/a/model.json', '/ws/runs/a/weights.h5', '/ws/runs/a/log.csv']);
  const main = d.get('/ws/runs/a/model.json')!;
  assert.deepEqual(
    main.map((x) => [x.code, x.severity]),
    [
      ['missing-scaler', 'error'],
      ['missing-log', 'information'],
    ],
  );
  assert.equal(main[0].link, `${FINDING_DOCS_URL}#missing-scaler`);
  assert.equal(main[0].source, 'model-bundles');
  assert.equal(main[0].bundleRoot, '/ws/runs/a');
  assert.deepEqual(main[0].range, { startLine: 0, startCol: 0, endLine: 0, endCol: 0 });
  assert.equal(d.get('/ws/runs/a/log.csv')![0].severity, 'warning');
});

test('a finding about a subfolder (not a file of the index) is shown on the main file', () => {
  const b = bundleA();
  b.findings = [{ code: 'stale-artifact', severity: 'warning', message: 'logs/ is older.', path: '/ws/runs/a/logs' }];
  const files = bundleFilesOf(b).map((p) => report(p, 'other'));
  const d = describeSnapshot({ files, bundles: [b] });
  assert.deepEqual([...d.keys()], ['/ws/runs/a/model.json']);
  // without a list of files the path is trusted as given
  assert.equal(findingTarget(b.findings[0], b), '/ws/runs/a/logs');
});

test('overrides change and remove diagnostics; counts follow them', () => {
  const b = bundleA();
  const d = describeSnapshot({ files: [], bundles: [b] }, { 'missing-scaler': 'warning', 'stale-artifact': 'off' });
  assert.equal(d.get('/ws/runs/a/model.json')![0].severity, 'warning');
  assert.equal(d.has('/ws/runs/a/log.csv'), false);
  assert.deepEqual(countProblems(b.findings), { errors: 2, warnings: 1, infos: 1 });
  assert.deepEqual(countProblems(b.findings, { 'missing-scaler': 'warning', 'stale-artifact': 'off', 'missing-log': 'hint' }), {
    errors: 1,
    warnings: 1,
    infos: 1,
  });
  assert.equal(countsLabel({ errors: 2, warnings: 1, infos: 0 }), '2 errors, 1 warning');
  assert.equal(countsLabel({ errors: 0, warnings: 0, infos: 0 }), '');
});

test('unreadable files: one diagnostic unless a bundle already reports it; role other ignored; duplicates merged', () => {
  const b = bundleA();
  b.findings.push({ code: 'unreadable-file', severity: 'error', message: 'Truncated HDF5.', path: '/ws/runs/a/weights.h5' });
  const files = [
    report('/ws/runs/a/weights.h5', 'weights', { code: 'truncated-hdf5', message: 'Truncated HDF5.' }),
    report('/ws/loose/scaler.pkl', 'scaler', { code: 'pickle-limit', message: 'scaler.pkl: nesting too deep at offset 812.' }),
    report('/ws/notes.txt', 'other', { code: 'not-a-model', message: 'Not a model.' }),
  ];
  const twice = { ...b, root: '/ws/runs/a-copy' };
  const d = describeSnapshot({ files, bundles: [b, twice] });
  assert.deepEqual(
    d.get('/ws/runs/a/weights.h5')!.map((x) => x.code),
    ['weights-structure-mismatch', 'unreadable-file'],
  );
  assert.deepEqual(d.get('/ws/loose/scaler.pkl'), [
    {
      path: '/ws/loose/scaler.pkl',
      severity: 'error',
      message: 'scaler.pkl: nesting too deep at offset 812. (pickle-limit)',
      range: { startLine: 0, startCol: 0, endLine: 0, endCol: 0 },
      code: 'unreadable-file',
      link: `${FINDING_DOCS_URL}#unreadable-file`,
      source: 'model-bundles',
      bundleRoot: null,
    },
  ]);
  assert.equal(d.has('/ws/notes.txt'), false);
});

test('bundle parts: missing scaler, weights in error, log in warning, structure ok', () => {
  const parts = bundleParts(bundleA());
  assert.deepEqual(
    parts.map((p) => [p.part, p.label, p.present, p.status, p.problems.map((x) => x.finding.code)]),
    [
      ['scaler', 'Scaler', false, 'missing', ['missing-scaler']],
      ['structure', 'Structure', true, 'ok', []],
      ['weights', 'Weights', true, 'error', ['weights-structure-mismatch']],
      ['log', 'Training log', true, 'warning', ['stale-artifact', 'missing-log']],
    ],
  );
});

test('a full-model bundle shows the model under structure and as the Model part', () => {
  const b: Bundle = {
    root: 'r',
    files: { scaler: ['r/s.joblib'], structure: [], weights: [], model: ['r/model.keras'], log: ['r/events.out.tfevents.1'] },
    complete: true,
    findings: [{ code: 'lambda-layer', severity: 'warning', message: 'Lambda', path: 'r/model.keras' }],
  };
  const parts = bundleParts(b, { 'lambda-layer': 'information' });
  assert.deepEqual(
    parts.map((p) => [p.label, p.files, p.status]),
    [
      ['Scaler', ['r/s.joblib'], 'ok'],
      ['Structure', ['r/model.keras'], 'info'],
      ['Model', ['r/model.keras'], 'ok'],
      ['Training log', ['r/events.out.tfevents.1'], 'ok'],
    ],
  );
});

test('script findings become diagnostics with their range (and cell for notebooks)', () => {
  const src = 'from sklearn.preprocessing import MinMaxScaler\nsc = MinMaxScaler()\nX = sc.fit_transform(X)\nmodel.save("m.h5")\n';
  const d = describeScriptFindings('/ws/train.py', lintPythonScript(src));
  assert.equal(d.length, 1);
  // `X = sc.fit_transform(X)`: 4 .. 4+2+1+13 = 20
  assert.deepEqual(d[0].range, { startLine: 2, startCol: 4, endLine: 2, endCol: 20 });
  assert.equal(d[0].code, 'unsaved-scaler');
  assert.equal(d[0].link, `${FINDING_DOCS_URL}#unsaved-scaler`);
  assert.equal(d[0].cell, undefined);
  assert.equal(describeScriptFindings('/ws/nb.ipynb', lintPythonScript(src), {}, true)[0].cell, 0);
  assert.deepEqual(describeScriptFindings('/ws/train.py', lintPythonScript(src), { 'unsaved-scaler': 'off' }), []);
});

test('file summaries for the tree', () => {
  const base = { role: 'scaler' as const, format: 'joblib' as const, error: null };
  assert.equal(
    fileSummary({
      ...base,
      path: 's',
      scaler: { class: 'MinMaxScaler', module: 'm', sklearnVersion: '1.2.1', nFeaturesIn: 8, featureNames: null, params: {} },
    }),
    'MinMaxScaler · 8 features',
  );
  assert.equal(
    fileSummary({
      ...base,
      path: 'p',
      scaler: { class: 'Pipeline', module: 'm', sklearnVersion: null, nFeaturesIn: null, featureNames: null, params: {}, steps: [] },
    }),
    'Pipeline',
  );
  assert.equal(fileSummary({ ...base, path: 'x', pickle: { verdict: 'dangerous', globals: ['posix.system'], refused: [] } }), 'refused: dangerous pickle');
  assert.equal(fileSummary({ ...base, path: 'e', error: { code: 'truncated-hdf5', message: 'm' } }), 'unreadable: truncated-hdf5');
  const model = {
    framework: 'keras' as const,
    kerasVersion: '2.2.4',
    className: 'Sequential',
    layers: [],
    inputShapes: [],
    outputShapes: [],
    totalParams: 4417,
    trainableParams: 4417,
    nonTrainableParams: 0,
  };
  assert.equal(fileSummary({ path: 'm.h5', role: 'model', format: 'keras-h5', error: null, model }), 'Sequential · 4,417 params');
  assert.equal(
    fileSummary({
      path: 'w.h5',
      role: 'weights',
      format: 'keras-weights-h5',
      error: null,
      weights: { layers: [{ name: 'd', tensors: [] }], totalParams: 1234567, bytes: 0 },
    }),
    '1 layer · 1,234,567 params',
  );
  const s = { points: 300, first: 1, last: 0.1, min: 0.1, minStep: 299, max: 1, maxStep: 0 };
  assert.equal(
    fileSummary({
      path: 'l.csv',
      role: 'log',
      format: 'keras-csv-log',
      error: null,
      log: { source: 'keras-csv-log', epochs: 300, series: { loss: s, val_loss: s } },
    }),
    '300 epochs · 2 series',
  );
  assert.equal(fileSummary({ path: 'g1.bin', role: 'weights', format: 'tfjs-shard', error: null }), 'tfjs-shard');
  assert.equal(fileSummary({ path: 'loss.png', role: 'log', format: 'image', error: null }), 'image');
});
