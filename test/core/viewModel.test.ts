// View-model builders: summary rows and totals, graph layout, scaler tables, overview roles, curves.
// Inputs are written by hand; expected numbers are worked out in the comments beside them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvLogData } from '../../src/core/formats/logs/csvLog';
import { emaSmooth } from '../../src/core/report/curves';
import { parsePythonJson, readHistoryJsonData } from '../../src/core/formats/logs/historyJson';
import {
  buildArchitecture,
  buildBundleViewModel,
  buildCurves,
  buildOverview,
  buildScalerView,
  exportChart,
  formatBytes,
  formatShape,
  graphLayout,
  summaryRows,
  type LoadedLog,
} from '../../src/core/report/viewModel';
import { DEFAULT_CURVE_OPTIONS } from '../../src/shared/protocol';
import type { Bundle, FileReport, LayerSummary, ModelSummary, Scaler } from '../../src/core/types';

const layer = (
  name: string,
  className: string,
  outputShape: LayerSummary['outputShape'],
  params: number,
  inbound: string[],
  extra: Partial<LayerSummary> = {},
): LayerSummary => ({
  name,
  className,
  outputShape,
  params,
  trainable: true,
  inbound,
  ...extra,
});

// Dense(8->64) = 8*64+64 = 576; Dense(64->32) = 64*32+32 = 2080; BatchNormalization(32) = 4*32 = 128
// (64 of them moving stats, not trainable); Dense(32->1) = 33. Total 576+2080+128+33 = 2817,
// non-trainable 64, trainable 2753. Memory at 4 bytes: 11268 B = 11.00390625 KB -> "11.00 KB".
const nested: ModelSummary = {
  framework: 'keras',
  kerasVersion: '2.4.0',
  className: 'Functional',
  layers: [
    layer('input_1', 'InputLayer', [null, 8], 0, []),
    layer('dense', 'Dense', [null, 64], 576, ['input_1']),
    layer('encoder', 'Sequential', [null, 32], 2208, ['dense'], {
      layers: [layer('dense_a', 'Dense', [null, 32], 2080, []), layer('bn', 'BatchNormalization', [null, 32], 128, ['dense_a'], { nonTrainableParams: 64 })],
    }),
    layer('out', 'Dense', [null, 1], 33, ['encoder'], { trainable: false }),
  ],
  inputShapes: [[null, 8]],
  outputShapes: [[null, 1]],
  totalParams: 2817,
  trainableParams: 2753,
  nonTrainableParams: 64,
};

test('shapes and sizes print as Keras prints them', () => {
  assert.equal(formatShape([null, 8]), '(None, 8)');
  assert.equal(formatShape([null]), '(None,)');
  assert.equal(formatShape([null, 28, 28, 1]), '(None, 28, 28, 1)');
  assert.equal(
    formatShape([
      [null, 8],
      [null, 4],
    ]),
    '[(None, 8), (None, 4)]',
  );
  assert.equal(formatShape(null), '?');
  assert.equal(formatBytes(1000), '1000 B');
  assert.equal(formatBytes(17668), '17.25 KB'); // 17668 / 1024 = 17.2539...
  assert.equal(formatBytes(3 * 1024 * 1024), '3.00 MB');
});

test('summary rows: one per layer, nested model layers one level deeper under their parent', () => {
  const rows = summaryRows(nested);
  assert.deepEqual(
    rows.map((r) => [r.id, r.parentId, r.depth, r.className, r.outputShape, r.params, r.trainable, r.connectedTo, r.hasChildren]),
    [
      ['input_1', null, 0, 'InputLayer', '(None, 8)', 0, true, '', false],
      ['dense', null, 0, 'Dense', '(None, 64)', 576, true, 'input_1', false],
      ['encoder', null, 0, 'Sequential', '(None, 32)', 2208, true, 'dense', true],
      ['encoder/dense_a', 'encoder', 1, 'Dense', '(None, 32)', 2080, true, '', false],
      ['encoder/bn', 'encoder', 1, 'BatchNormalization', '(None, 32)', 128, true, 'dense_a', false],
      ['out', null, 0, 'Dense', '(None, 1)', 33, false, 'encoder', false],
    ],
  );
});

test('architecture totals and memory: 4 bytes per parameter, or the stored weights when known', () => {
  const report: FileReport = { path: '/b/model.h5', role: 'model', format: 'keras-h5', error: null, model: nested };
  const a = buildArchitecture(report, '/b', null);
  assert.deepEqual(a.totals, { total: 2817, trainable: 2753, nonTrainable: 64 });
  assert.equal(a.memoryBytes, 11268);
  assert.equal(a.memoryText, '11.00 KB');
  assert.equal(a.name, 'model.h5');
  assert.deepEqual(a.inputShapes, ['(None, 8)']);
  assert.ok(a.graph, 'functional model gets a graph');
  const withWeights = buildArchitecture(report, '/b', 20480);
  assert.equal(withWeights.memoryText, '20.00 KB');
  const seq = buildArchitecture({ ...report, model: { ...nested, className: 'Sequential' } }, '/b', null);
  assert.equal(seq.graph, null);
});

test('graph layout: a layer sits one row below its deepest inbound layer, rows centred', () => {
  const m: ModelSummary = {
    ...nested,
    layers: [
      layer('a', 'InputLayer', [null, 4], 0, []),
      layer('b', 'Dense', [null, 2], 10, ['a']),
      layer('c', 'Dense', [null, 2], 10, ['a']),
      layer('d', 'Concatenate', [null, 4], 0, ['b', 'c']),
    ],
  };
  const g = graphLayout(m);
  assert.ok(g);
  // boxes 168 wide with 24 gaps: two columns -> width 2*(168+24)+24 = 408; three rows of 40 + 32 gaps -> 3*72+32 = 248
  assert.equal(g.width, 408);
  assert.equal(g.height, 248);
  const at = Object.fromEntries(g.nodes.map((n) => [n.id, [n.x, n.y]]));
  // row 0 holds one box: x = (408-168)/2 = 120; row 1 holds two: x0 = (408-360)/2 = 24, then 24+192 = 216
  assert.deepEqual(at, { a: [120, 32], b: [24, 104], c: [216, 104], d: [120, 176] });
  assert.deepEqual(g.edges, [
    { from: 'a', to: 'b' },
    { from: 'a', to: 'c' },
    { from: 'b', to: 'd' },
    { from: 'c', to: 'd' },
  ]);
  // a cycle (malformed config) does not hang
  const cyc = graphLayout({ ...m, layers: [layer('x', 'Dense', null, 0, ['y']), layer('y', 'Dense', null, 0, ['x'])] });
  assert.ok(cyc);
  assert.equal(cyc.nodes.length, 2);
});

test('MinMaxScaler table: named features, fitted columns in a stable order, range bars on a common axis', () => {
  const s: Scaler = {
    class: 'MinMaxScaler',
    module: 'sklearn.preprocessing._data',
    sklearnVersion: '1.2.1',
    nFeaturesIn: 2,
    featureNames: ['age', 'income'],
    params: { scale_: [0.1, 0.5], min_: [0, 0.5], data_min_: [0, -1], data_max_: [10, 1], data_range_: [10, 2], n_samples_seen_: 100 },
  };
  const v = buildScalerView(s, '/b/scaler.joblib', '/b', false);
  assert.deepEqual(
    v.columns.map((c) => c.param),
    ['data_min_', 'data_max_', 'data_range_', 'min_', 'scale_'],
  );
  assert.deepEqual(
    v.features.map((f) => [f.name, f.values, f.range]),
    [
      ['age', [0, 10, 10, 0, 0.1], { lo: 0, hi: 10 }],
      ['income', [-1, 1, 2, 0.5, 0.5], { lo: -1, hi: 1 }],
    ],
  );
  assert.deepEqual(v.axis, { lo: -1, hi: 10 });
  assert.deepEqual(v.extras, [{ param: 'n_samples_seen_', value: '100' }]);
  assert.equal(v.rangeLabel, 'data_min_ .. data_max_');
});

test('StandardScaler range is mean ± std, RobustScaler center ± IQR/2; unnamed features get x0, x1...', () => {
  const std = buildScalerView(
    { class: 'StandardScaler', module: 'm', sklearnVersion: null, nFeaturesIn: 1, featureNames: null, params: { mean_: [5], var_: [4], scale_: [2] } },
    'y_scaler.pkl',
    '.',
    true,
  );
  assert.deepEqual(std.features[0].range, { lo: 3, hi: 7 }); // 5 ± 2
  assert.equal(std.features[0].name, 'x0');
  assert.equal(std.columns.find((c) => c.param === 'scale_')?.label, 'std (scale_)');
  const rob = buildScalerView(
    { class: 'RobustScaler', module: 'm', sklearnVersion: null, nFeaturesIn: 1, featureNames: null, params: { center_: [1], scale_: [4] } },
    's.pkl',
    '.',
    false,
  );
  assert.deepEqual(rob.features[0].range, { lo: -1, hi: 3 }); // 1 ± 4/2
});

const bundle: Bundle = {
  root: '/w/run',
  files: {
    scaler: ['/w/run/y_scaler.joblib', '/w/run/scaler.pkl'],
    structure: [],
    weights: [],
    model: ['/w/run/model.h5'],
    log: ['/w/run/loss.png', '/w/run/old.csv'],
  },
  complete: false,
  findings: [
    { code: 'unsafe-pickle', severity: 'error', message: 'scaler.pkl names posix.system', path: '/w/run/scaler.pkl' },
    { code: 'made-up-code', severity: 'info', message: 'x', path: null },
  ],
};
const files: FileReport[] = [
  { path: '/w/run/model.h5', role: 'model', format: 'keras-h5', error: null, model: nested, size: 40960, mtimeMs: 1_700_000_000_000 },
  {
    path: '/w/run/y_scaler.joblib',
    role: 'scaler',
    format: 'joblib',
    error: null,
    scaler: { class: 'MinMaxScaler', module: 'm', sklearnVersion: '1.2.1', nFeaturesIn: 1, featureNames: null, params: { data_min_: [0], data_max_: [3000] } },
  },
  {
    path: '/w/run/scaler.pkl',
    role: 'scaler',
    format: 'sklearn-pickle',
    error: null,
    pickle: { verdict: 'dangerous', globals: ['posix.system'], refused: [{ global: 'posix.system', reason: 'runs a command' }] },
  },
  { path: '/w/run/loss.png', role: 'log', format: 'image', error: null },
  {
    path: '/w/run/old.csv',
    role: 'log',
    format: 'keras-csv-log',
    error: null,
    log: { source: 'keras-csv-log', epochs: 2, series: { loss: { points: 2, first: 1, last: 0.5, min: 0.5, minStep: 1, max: 1, maxStep: 0 } } },
  },
];

test('overview: roles with status, findings with fixes, sizes and versions', () => {
  const o = buildOverview(bundle, files);
  assert.deepEqual(
    o.roles.map((r) => [r.role, r.status]),
    [
      ['scaler', 'present'],
      ['structure', 'covered-by-model'],
      ['weights', 'covered-by-model'],
      ['log', 'present'],
    ],
  );
  assert.match(o.findings[0].fix ?? '', /Do not load this pickle/);
  assert.equal(o.findings[1].fix, null);
  const model = o.files.find((f) => f.name === 'model.h5');
  assert.equal(model?.sizeText, '40.00 KB');
  assert.equal(model?.mtimeMs, 1_700_000_000_000);
  assert.deepEqual(o.versions, { keras: ['2.4.0'], sklearn: ['1.2.1'], tfjs: [] });
  const broken = buildOverview({ ...bundle, files: { ...bundle.files, scaler: ['/w/run/bad.pkl'], model: [] } }, [
    { path: '/w/run/bad.pkl', role: 'scaler', format: 'sklearn-pickle', error: { code: 'truncated-pickle', message: 'ends at 12' } },
  ]);
  assert.deepEqual(
    broken.roles.map((r) => r.status),
    ['error', 'missing', 'missing', 'present'],
  );
});

test('overview: earlier checkpoints listed last (latest first), a model of another framework with its note', async () => {
  const { cpSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { buildReport } = await import('../../src/core/report/report');
  const { NodeFileSource } = await import('../../src/core/io/nodeFileSource');
  const dir = mkdtempSync(join(tmpdir(), 'mbi-overview-'));
  try {
    cpSync('examples/complete-bundle', dir, { recursive: true });
    mkdirSync(join(dir, 'checkpoints'));
    for (const e of ['01-0.40', '02-0.38']) copyFileSync('examples/complete-bundle/model.h5', join(dir, 'checkpoints', `weights.${e}.hdf5`));
    // (ONNX is read since issue 15: a TensorFlow Lite model is the other framework here)
    copyFileSync('test/fixtures/reference/foreign/models/model.tflite', join(dir, 'model.tflite'));
    const report = await buildReport([dir], new NodeFileSource());
    assert.equal(report.bundles.length, 1);
    const o = buildOverview(report.bundles[0], report.files);
    assert.deepEqual(
      o.files.map((f) => [f.name, f.role, f.format]),
      [
        ['scaler.joblib', 'scaler', 'joblib'],
        ['y_scaler.joblib', 'scaler', 'joblib'],
        ['model.h5', 'model', 'keras-h5'],
        ['model.tflite', 'model', 'tflite (not read)'],
        ['training_log.csv', 'log', 'keras-csv-log'],
        ['checkpoints/weights.02-0.38.hdf5', 'checkpoint', 'keras-h5'],
        ['checkpoints/weights.01-0.40.hdf5', 'checkpoint', 'keras-h5'],
      ],
    );
    assert.match(o.files.find((f) => f.name === 'model.tflite')!.note ?? '', /TensorFlow Lite/);
    assert.equal(o.files.find((f) => f.name === 'model.h5')!.note, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// loss falls all along; val_loss is lowest at step 3 (0.45) and rises from there.
const steps = [0, 1, 2, 3, 4, 5, 6, 7];
const csv: LoadedLog = {
  path: '/w/run/training_log.csv',
  format: 'keras-csv-log',
  data: {
    source: 'keras-csv-log',
    series: {
      loss: { steps, values: [1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1] },
      val_loss: { steps, values: [1, 0.7, 0.5, 0.45, 0.5, 0.6, 0.7, 0.8] },
      acc: { steps, values: [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97] },
      val_acc: { steps, values: [0.5, 0.6, 0.65, 0.7, 0.68, 0.66, 0.64, 0.6] },
      lr: { steps, values: [0.01, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001] },
    },
  },
};

test('curves: pairs on one chart each, losses first, best epoch and overfitting onset marked', () => {
  const c = buildCurves('/w/run', [csv], DEFAULT_CURVE_OPTIONS);
  assert.deepEqual(
    c.charts.map((x) => [x.id, x.series.map((s) => `${s.name}:${s.split}`)]),
    [
      ['metric:loss', ['loss:train', 'val_loss:validation']],
      ['metric:acc', ['acc:train', 'val_acc:validation']],
      ['metric:lr', ['lr:other']],
    ],
  );
  const loss = c.charts[0];
  // best = min of val_loss = 0.45 at step 3. Onset (window 5): from step 3 val_loss goes
  // 0.45, 0.5, 0.6, 0.7, 0.8 (rising) while loss falls, and never comes back under 0.45. At step 2
  // the window is rising too, but val_loss later drops to 0.45 < 0.5, so step 2 is not the onset.
  assert.deepEqual(
    loss.markers.map((m) => [m.kind, m.step, m.value]),
    [
      ['best', 3, 0.45],
      ['overfit', 3, 0.45],
    ],
  );
  const acc = c.charts[1];
  assert.equal(acc.higherIsBetter, true);
  // accuracy: best = max of val_acc = 0.7 at step 3. Onset (window 5, higher is better): from step 3
  // val_acc goes 0.7, 0.68, 0.66, 0.64, 0.6 (falling) while acc rises 0.8 .. 0.97, and never gets
  // back above 0.7. At step 2 (0.65, 0.7, 0.68, 0.66, 0.64: slope -0.06/10 < 0, falling too) val_acc
  // later reaches 0.7 > 0.65, so step 2 is not the onset.
  assert.deepEqual(
    acc.markers.map((m) => [m.kind, m.step, m.value]),
    [
      ['best', 3, 0.7],
      ['overfit', 3, 0.7],
    ],
  );
  assert.match(acc.markers[1].label, /val_acc falls while acc rises/);
  assert.match(loss.markers[1].label, /val_loss rises while loss falls/);
  assert.deepEqual(c.charts[2].markers, []);
  assert.equal(loss.series[0].raw, null);
  assert.equal(c.hasWallTime, false);
});

test('curves: smoothing sends raw values beside, decimation holds the point budget', () => {
  const n = 100_000;
  const big: LoadedLog = {
    path: '/w/run/big.csv',
    format: 'keras-csv-log',
    data: {
      source: 'keras-csv-log',
      series: { loss: { steps: Array.from({ length: n }, (_, i) => i), values: Array.from({ length: n }, (_, i) => 1 / (1 + i)) } },
    },
  };
  const c = buildCurves('/w/run', [big], { ...DEFAULT_CURVE_OPTIONS, smoothing: 'ema', emaWeight: 0.5, maxPoints: 500 });
  const s = c.charts[0].series[0];
  assert.ok(s.x.length <= 500);
  assert.equal(s.points, n);
  assert.equal(s.x[0], 0);
  assert.equal(s.x[s.x.length - 1], n - 1);
  assert.ok(s.raw);
  // EMA 0.5 of 1, 1/2: (0.25*1 + 0.5*0.5) / 0.75 = 2/3 at step 1 if kept; step 0 is kept: smoothed 1, raw 1
  assert.equal(s.y[0], 1);
  assert.equal(s.raw[0], 1);
});

test('curves: TensorBoard train/validation folders pair into one run, wall time is relative to the run start', () => {
  const tb = (split: string, values: number[], t0: number): LoadedLog => ({
    path: `/w/run/logs/${split}/events.out.tfevents.1.host`,
    format: 'tfevents',
    data: { source: 'tfevents', series: { epoch_loss: { steps: [0, 1, 2], values, wallTime: [t0, t0 + 10, t0 + 20] } } },
  });
  const logs = [tb('train', [3, 2, 1], 1000), tb('validation', [3.5, 2.5, 2], 1005)];
  const c = buildCurves('/w/run', logs, { ...DEFAULT_CURVE_OPTIONS, xAxis: 'wallTime' });
  assert.equal(c.charts.length, 1);
  assert.deepEqual(c.runs, ['logs']);
  assert.deepEqual(
    c.charts[0].series.map((s) => [s.name, s.split, s.x]),
    [
      ['train/epoch_loss', 'train', [0, 10, 20]],
      ['validation/epoch_loss', 'validation', [5, 15, 25]],
    ],
  );
  assert.equal(c.hasWallTime, true);
  // best validation loss 2 at step 2, drawn at wall time 25 s
  assert.deepEqual(
    c.charts[0].markers.map((m) => [m.kind, m.step, m.x]),
    [['best', 2, 25]],
  );
});

test('export: full data of one chart as CSV and JSON', () => {
  const text = exportChart('/w/run', [csv], 'metric:loss', 'csv');
  assert.ok(text);
  const lines = text.trim().split('\n');
  assert.equal(lines[0], 'run,series,step,wall_time,value');
  assert.equal(lines.length, 1 + 16);
  assert.equal(lines[1], 'training_log.csv,loss,0,,1');
  assert.equal(lines[16], 'training_log.csv,val_loss,7,,0.8');
  const json = JSON.parse(exportChart('/w/run', [csv], 'metric:acc', 'json') ?? 'null');
  assert.equal(json.metric, 'acc');
  assert.deepEqual(json.series[1].values, [0.5, 0.6, 0.65, 0.7, 0.68, 0.66, 0.64, 0.6]);
  assert.equal(exportChart('/w/run', [csv], 'metric:nope', 'csv'), null);
});

test('whole view: focus tab from the file role, images listed, unreadable logs summarised, refused pickle explained', () => {
  const vm = buildBundleViewModel({ bundle, files, logs: [], curveOptions: DEFAULT_CURVE_OPTIONS, focusPath: '/w/run/scaler.pkl' });
  assert.deepEqual(vm.focus, { path: '/w/run/scaler.pkl', tab: 'preprocessing' });
  assert.equal(vm.title, 'run');
  assert.deepEqual(vm.curves.images, [{ path: '/w/run/loss.png', name: 'loss.png', src: null }]);
  assert.deepEqual(
    vm.curves.summaries.map((s) => [s.path, s.series.map((x) => x.name)]),
    [['old.csv', ['loss']]],
  );
  // input scalers first, the target scaler last
  assert.deepEqual(
    vm.preprocessing.scalers.map((s) => [s.name, s.target, s.error]),
    [
      ['scaler.pkl', false, 'not loaded: pickle dangerous'],
      ['y_scaler.joblib', true, null],
    ],
  );
  assert.equal(vm.architecture.length, 1);
  assert.equal(buildBundleViewModel({ bundle, files, logs: [], curveOptions: DEFAULT_CURVE_OPTIONS, focusPath: '/w/run/old.csv' }).focus?.tab, 'curves');
});

test('a file holding several scalers (dict wrapper) lists each, the y one as target; settings and step names shown', () => {
  const x = {
    class: 'MinMaxScaler',
    module: 'm',
    sklearnVersion: null,
    nFeaturesIn: 1,
    featureNames: null,
    params: { data_min_: [0], data_max_: [1] },
    path: 'scaler_x',
    hyper: { feature_range: [0, 1] },
  };
  const y = {
    class: 'StandardScaler',
    module: 'm',
    sklearnVersion: null,
    nFeaturesIn: 1,
    featureNames: null,
    params: { mean_: [3], scale_: [1] },
    path: 'scaler_y',
  };
  const b: Bundle = { root: '/r', files: { scaler: ['/r/scalers.pkl'], structure: [], weights: [], model: [], log: [] }, complete: false, findings: [] };
  const f: FileReport[] = [{ path: '/r/scalers.pkl', role: 'scaler', format: 'sklearn-pickle', error: null, scaler: { ...x, others: [y] } as Scaler }];
  const vm = buildBundleViewModel({ bundle: b, files: f, logs: [], curveOptions: DEFAULT_CURVE_OPTIONS });
  assert.deepEqual(
    vm.preprocessing.scalers.map((s) => [s.className, s.where, s.target, s.settings]),
    [
      ['MinMaxScaler', 'scaler_x', false, [{ param: 'feature_range', value: '[0,1]' }]],
      ['StandardScaler', 'scaler_y', true, []],
    ],
  );
  // a Pipeline's steps keep their names
  const pipe = buildScalerView(
    {
      class: 'Pipeline',
      module: 'sklearn.pipeline',
      sklearnVersion: null,
      nFeaturesIn: null,
      featureNames: null,
      params: {},
      steps: [{ ...x, path: undefined, name: 'scale' } as Scaler],
    },
    '/r/p.pkl',
    '/r',
    false,
  );
  assert.equal(pipe.steps[0].where, 'scale');
  assert.equal(pipe.features.length, 0);
});

test('real CSVLogger logs: best epochs and EMA equal the Python reference (make_curves_reference.py)', () => {
  const root = join(__dirname, '..', '..');
  const ref = JSON.parse(readFileSync(join(root, 'test/fixtures/reference/curves/curves_reference.json'), 'utf8')) as {
    weight: number;
    logs: Record<string, { best: Record<string, { step: number; value: number }>; ema_loss: number[] }>;
  };
  for (const [rel, want] of Object.entries(ref.logs)) {
    const data = readCsvLogData(readFileSync(join(root, rel)), rel);
    const c = buildCurves('.', [{ path: rel, format: 'keras-csv-log', data }], DEFAULT_CURVE_OPTIONS);
    for (const [name, b] of Object.entries(want.best)) {
      const chart = c.charts.find((x) => x.series.some((s) => s.name === name));
      assert.ok(chart, `${rel}: chart of ${name}`);
      const m = chart.markers.find((k) => k.kind === 'best');
      assert.deepEqual([m?.step, m?.value], [b.step, b.value], `${rel} ${name}`);
    }
    const smoothed = emaSmooth(data.series.loss.values, ref.weight);
    assert.equal(smoothed.length, want.ema_loss.length);
    for (let i = 0; i < smoothed.length; i++) assert.ok(Math.abs(smoothed[i] - want.ema_loss[i]) < 1e-12, `${rel} ema[${i}]`);
  }
});

test('curves: a metric whose name does not say its direction gets no markers, and a note says why', () => {
  // same shape as val_acc above (a peak then a fall), but "widgets" is neither a loss nor a score
  const log: LoadedLog = {
    path: '/w/run/custom.csv',
    format: 'keras-csv-log',
    data: {
      source: 'keras-csv-log',
      series: {
        widgets: { steps, values: [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97] },
        val_widgets: { steps, values: [0.5, 0.6, 0.65, 0.7, 0.68, 0.66, 0.64, 0.6] },
      },
    },
  };
  const c = buildCurves('/w/run', [log], DEFAULT_CURVE_OPTIONS);
  assert.equal(c.charts.length, 1);
  assert.deepEqual(c.charts[0].markers, []);
  assert.equal(c.charts[0].higherIsBetter, false);
  assert.deepEqual(c.notes, ['widgets: no best epoch or overfitting onset marked: its name does not say whether higher or lower is better']);
});

test('curves: train_acc / val_acc of a history JSON pair into one chart (train_ prefix taken off)', () => {
  const log: LoadedLog = {
    path: '/w/run/training_history.json',
    format: 'history-json',
    data: { source: 'history-json', series: { train_acc: { steps: [0, 1], values: [50, 60] }, val_acc: { steps: [0, 1], values: [55, 58] } } },
  };
  const c = buildCurves('/w/run', [log], DEFAULT_CURVE_OPTIONS);
  assert.deepEqual(
    c.charts.map((x) => [x.metric, x.series.map((s) => `${s.name}:${s.split}`)]),
    [['acc', ['train_acc:train', 'val_acc:validation']]],
  );
  // best = max of val_acc = 58 at step 1
  assert.deepEqual(
    c.charts[0].markers.map((m) => [m.kind, m.step, m.value]),
    [['best', 1, 58]],
  );
});

test('real logs: best epoch and overfitting onset per direction equal the Python reference (make_direction_reference.py)', () => {
  const root = join(__dirname, '..', '..');
  type Mark = { step: number; value: number };
  const ref = JSON.parse(readFileSync(join(root, 'test/fixtures/reference/curves/direction_reference.json'), 'utf8')) as {
    logs: Record<string, Record<string, { validation: string; direction: 'higher' | 'lower'; best: Mark; onset: Mark | null }>>;
  };
  assert.equal(Object.keys(ref.logs).length, 3);
  let onsets = 0;
  for (const [rel, metrics] of Object.entries(ref.logs)) {
    const bytes = readFileSync(join(root, rel));
    const log: LoadedLog = rel.endsWith('.json')
      ? { path: rel, format: 'history-json', data: readHistoryJsonData(parsePythonJson(bytes.toString('utf8')), rel) }
      : { path: rel, format: 'keras-csv-log', data: readCsvLogData(bytes, rel) };
    const c = buildCurves('.', [log], DEFAULT_CURVE_OPTIONS);
    for (const [metric, want] of Object.entries(metrics)) {
      const chart = c.charts.find((x) => x.metric === metric);
      assert.ok(chart, `${rel}: chart of ${metric}`);
      assert.equal(chart.higherIsBetter, want.direction === 'higher', `${rel} ${metric}`);
      assert.ok(
        chart.series.some((s) => s.name === want.validation && s.split === 'validation'),
        `${rel}: ${want.validation} on the ${metric} chart`,
      );
      const best = chart.markers.find((m) => m.kind === 'best');
      assert.deepEqual([best?.step, best?.value], [want.best.step, want.best.value], `${rel} best ${metric}`);
      const onset = chart.markers.find((m) => m.kind === 'overfit');
      assert.deepEqual(onset ? [onset.step, onset.value] : null, want.onset ? [want.onset.step, want.onset.value] : null, `${rel} onset ${metric}`);
      if (want.onset) onsets++;
    }
  }
  // the real FER-2013 run has one for acc (epoch 83) and one for loss (epoch 81): a test that can fail both ways
  assert.equal(onsets, 2);
});

test('curves: NaN / inf values are left out of the drawn points and counted in a note', () => {
  const gappy: LoadedLog = {
    path: '/r/log.csv',
    format: 'keras-csv-log',
    data: {
      source: 'keras-csv-log',
      series: { loss: { steps: [0, 1, 2, 3], values: [1, 0.5, 0.4, 0.3] }, val_loss: { steps: [0, 1, 2, 3], values: [NaN, 0.6, Infinity, 0.5] } },
    },
  };
  const c = buildCurves('/r', [gappy], DEFAULT_CURVE_OPTIONS);
  const val = c.charts[0].series[1];
  assert.deepEqual([val.x, val.y, val.points], [[1, 3], [0.6, 0.5], 4]);
  assert.deepEqual(c.notes, ['log.csv: val_loss: 2 of 4 values are NaN or infinite and are not drawn']);
  assert.deepEqual(
    c.charts[0].markers.map((m) => [m.kind, m.step]),
    [['best', 3]],
  );
});

test('graph layout orders a row by the mean position of its inbound layers', () => {
  // row 1 is [l, r]; row 2 lists 'fromR' before 'fromL' in the config, but is drawn under its inputs
  const m: ModelSummary = {
    ...nested,
    layers: [
      layer('in', 'InputLayer', [null, 2], 0, []),
      layer('l', 'Dense', [null, 2], 6, ['in']),
      layer('r', 'Dense', [null, 2], 6, ['in']),
      layer('fromR', 'Dense', [null, 2], 6, ['r']),
      layer('fromL', 'Dense', [null, 2], 6, ['l']),
    ],
  };
  const g = graphLayout(m);
  assert.ok(g);
  const x = Object.fromEntries(g.nodes.map((n) => [n.id, n.x]));
  assert.ok(x.fromL < x.fromR, JSON.stringify(x));
  assert.equal(x.fromL, x.l);
  assert.equal(x.fromR, x.r);
});

test('curves: on the wall-time axis, series without wall times are left out with a note', () => {
  const tb: LoadedLog = {
    path: '/w/run/logs/train/events.out.tfevents.1',
    format: 'tfevents',
    data: { source: 'tfevents', series: { epoch_loss: { steps: [0, 1], values: [2, 1], wallTime: [50, 60] } } },
  };
  const c = buildCurves('/w/run', [csv, tb], { ...DEFAULT_CURVE_OPTIONS, xAxis: 'wallTime' });
  assert.deepEqual(
    c.charts.map((x) => x.id),
    ['metric:loss'],
  );
  assert.deepEqual(
    c.charts[0].series.map((s) => [s.name, s.x]),
    [['train/epoch_loss', [0, 10]]],
  );
  assert.deepEqual(c.notes, ['5 series without wall times are not drawn on the wall-time axis']);
  // on the step axis everything is drawn
  assert.equal(buildCurves('/w/run', [csv, tb], DEFAULT_CURVE_OPTIONS).charts.length, 3);
});
