// Curve logic: pairing, best epoch, overfitting onset, smoothing (values worked out by hand), decimation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bestPoint,
  emaSmooth,
  higherIsBetter,
  lttbIndices,
  metricDirection,
  movingAverage,
  overfittingOnset,
  pairSeries,
  parseSeriesName,
  splitRestarts,
  type NamedSeries,
} from '../../src/core/report/curves';

const s = (name: string, run = 'r'): NamedSeries => ({ run, name, steps: [0, 1], values: [1, 2] });

test('series names: Keras, TensorBoard folders and tags, learning rate', () => {
  assert.deepEqual(parseSeriesName('loss'), { metric: 'loss', split: 'train' });
  assert.deepEqual(parseSeriesName('val_loss'), { metric: 'loss', split: 'validation' });
  assert.deepEqual(parseSeriesName('val_acc'), { metric: 'acc', split: 'validation' });
  assert.deepEqual(parseSeriesName('train/epoch_loss'), { metric: 'loss', split: 'train' });
  assert.deepEqual(parseSeriesName('validation/epoch_loss'), { metric: 'loss', split: 'validation' });
  assert.deepEqual(parseSeriesName('validation/epoch_accuracy'), { metric: 'accuracy', split: 'validation' });
  assert.deepEqual(parseSeriesName('train_acc'), { metric: 'acc', split: 'train' });
  assert.deepEqual(parseSeriesName('training_loss'), { metric: 'loss', split: 'train' });
  assert.deepEqual(parseSeriesName('lr'), { metric: 'lr', split: 'other' });
  assert.deepEqual(parseSeriesName('epoch_learning_rate'), { metric: 'learning_rate', split: 'other' });
});

test('accuracy-like metrics are higher-is-better, losses and errors are not', () => {
  for (const m of ['acc', 'accuracy', 'auc', 'precision', 'recall', 'f1_score', 'sparse_categorical_accuracy']) assert.equal(higherIsBetter(m), true, m);
  for (const m of ['loss', 'mae', 'mse', 'mean_absolute_error', 'binary_crossentropy', 'lr']) assert.equal(higherIsBetter(m), false, m);
});

test('metric direction: scores higher, losses and errors lower, names that do not say: null', () => {
  const higher = [
    'acc',
    'accuracy',
    'binary_accuracy',
    'top_k_categorical_accuracy',
    'auc',
    'auc_1',
    'pr_auc',
    'precision',
    'recall_2',
    'f1',
    'f1_score',
    'r2',
    'r2_score',
    'mean_io_u',
    'iou',
    'dice_coef',
    'cosine_similarity',
    'psnr',
    'acc1',
  ];
  const lower = [
    'loss',
    'mae',
    'mse',
    'rmse',
    'mape',
    'msle',
    'mean_absolute_error',
    'mean_squared_logarithmic_error',
    'categorical_crossentropy',
    'kl_divergence',
    'hinge',
    'logcosh',
    'dice_loss',
    'top_k_error',
    'perplexity',
  ];
  const unknown = ['lr', 'learning_rate', 'true_positives', 'widgets', 'score', 'ratio_used', 'time'];
  for (const m of higher) assert.equal(metricDirection(m), 'higher', m);
  for (const m of lower) assert.equal(metricDirection(m), 'lower', m);
  for (const m of unknown) assert.equal(metricDirection(m), null, m);
});

test('pairing: train and validation of one metric in one group, train first, per run', () => {
  const groups = pairSeries([s('val_loss', 'a'), s('loss', 'a'), s('acc', 'a'), s('val_acc', 'a'), s('lr', 'a'), s('loss', 'b'), s('val_loss', 'b')]);
  assert.deepEqual(
    groups.map((g) => [g.metric, g.series.map((x) => `${x.run}:${x.name}:${x.split}`)]),
    [
      ['loss', ['a:loss:train', 'a:val_loss:validation', 'b:loss:train', 'b:val_loss:validation']],
      ['acc', ['a:acc:train', 'a:val_acc:validation']],
      ['lr', ['a:lr:other']],
    ],
  );
  const tb = pairSeries([s('train/epoch_loss', 'logs'), s('validation/epoch_loss', 'logs')]);
  assert.equal(tb.length, 1);
  assert.equal(tb[0].metric, 'loss');
  assert.deepEqual(
    tb[0].series.map((x) => x.split),
    ['train', 'validation'],
  );
});

test('a log appended by a restarted training splits into runs where the step goes back', () => {
  const parts = splitRestarts({ run: 'log.csv', name: 'loss', steps: [0, 1, 2, 0, 1], values: [5, 4, 3, 6, 5], wallTime: [10, 11, 12, 20, 21] });
  assert.deepEqual(
    parts.map((p) => [p.run, p.steps, p.values, p.wallTime]),
    [
      ['log.csv #1', [0, 1, 2], [5, 4, 3], [10, 11, 12]],
      ['log.csv #2', [0, 1], [6, 5], [20, 21]],
    ],
  );
});

test('best epoch: min for losses, max for accuracy, NaN skipped, null when nothing finite', () => {
  const steps = [0, 1, 2, 3, 4];
  assert.deepEqual(bestPoint(steps, [3, 2, NaN, 1, 1.5], false), { index: 3, step: 3, value: 1 });
  assert.deepEqual(bestPoint(steps, [0.5, 0.7, 0.9, NaN, 0.8], true), { index: 2, step: 2, value: 0.9 });
  // ties keep the first
  assert.deepEqual(bestPoint([10, 20, 30], [1, 1, 2], false), { index: 0, step: 10, value: 1 });
  assert.equal(bestPoint([0, 1], [NaN, NaN], false), null);
});

test('overfitting onset: validation rises while training falls, and never comes back below', () => {
  const steps = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const train = { steps, values: steps.map((i) => 10 - i) };
  const val = { steps, values: [5, 4, 3, 2, 1, 2, 3, 4, 5, 6, 7] };
  // window 3: at i=3 the points are 2,1,2 (slope 0, not rising); at i=4 they are 1,2,3 (rising)
  assert.deepEqual(overfittingOnset(train, val, 3), { step: 4, index: 4 });
  // a temporary rise the validation loss recovers from is not the onset
  const bumpy = { steps, values: [5, 4, 3, 4, 5, 2, 1, 1.5, 2, 3, 4] };
  assert.deepEqual(overfittingOnset(train, bumpy, 3), { step: 6, index: 6 });
  // training rising too: no onset
  const rising = { steps, values: steps.map((i) => i) };
  assert.equal(overfittingOnset(rising, val, 3), null);
  // validation only falling: no onset
  assert.equal(overfittingOnset(train, { steps, values: steps.map((i) => 10 - i) }, 3), null);
  // steps are matched by value: validation logged every other epoch
  const sparse = { steps: [0, 2, 4, 6, 8, 10], values: [5, 3, 1, 3, 5, 7] };
  assert.deepEqual(overfittingOnset(train, sparse, 3), { step: 4, index: 2 });
});

test('overfitting onset for higher-is-better metrics: validation falls while training rises, and never comes back above', () => {
  const steps = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const train = { steps, values: steps.map((i) => 0.5 + 0.04 * i) }; // 0.5 .. 0.9, rising
  const val = { steps, values: [0.5, 0.6, 0.7, 0.8, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3] };
  // window 3: at i=3 the points are 0.8, 0.9, 0.8 (slope 0, not falling); at i=4 they are
  // 0.9, 0.8, 0.7 (falling) while training rises, and val_acc never gets back above 0.9 -> step 4
  assert.deepEqual(overfittingOnset(train, val, 3, 'higher'), { step: 4, index: 4 });
  // the same series read as a loss: val falling at the end is improvement, not overfitting; the
  // rise at the start (i=0: 0.5, 0.6, 0.7) comes with a rising train, so no onset
  assert.equal(overfittingOnset(train, val, 3, 'lower'), null);
  // a dip the validation accuracy recovers from is not the onset:
  // 0.5 0.6 0.7 0.6 0.5 0.8 0.9 0.85 0.8 0.7 0.6
  // i=2 (0.7, 0.6, 0.5) falls, but 0.8 comes later > 0.7; i=6 (0.9, 0.85, 0.8) falls and nothing
  // after it reaches 0.9 -> step 6 (i=5: 0.8, 0.9, 0.85 has slope +0.025, rising)
  const bumpy = { steps, values: [0.5, 0.6, 0.7, 0.6, 0.5, 0.8, 0.9, 0.85, 0.8, 0.7, 0.6] };
  assert.deepEqual(overfittingOnset(train, bumpy, 3, 'higher'), { step: 6, index: 6 });
  // training accuracy falling too: no onset
  const falling = { steps, values: steps.map((i) => 0.9 - 0.04 * i) };
  assert.equal(overfittingOnset(falling, val, 3, 'higher'), null);
  // validation only rising: no onset
  assert.equal(overfittingOnset(train, { steps, values: steps.map((i) => 0.1 * i) }, 3, 'higher'), null);
});

test('EMA smoothing as TensorBoard (debiased), worked by hand', () => {
  // w = 0.5 on 1, 2, 3:
  // n=1: last = 0.5*0 + 0.5*1 = 0.5;    debias = 1 - 0.5   = 0.5   -> 1
  // n=2: last = 0.5*0.5 + 0.5*2 = 1.25; debias = 1 - 0.25  = 0.75  -> 1.25/0.75 = 5/3
  // n=3: last = 0.5*1.25 + 0.5*3 = 2.125; debias = 1 - 0.125 = 0.875 -> 2.125/0.875 = 17/7
  const out = emaSmooth([1, 2, 3], 0.5);
  assert.equal(out[0], 1);
  assert.ok(Math.abs(out[1] - 5 / 3) < 1e-12);
  assert.ok(Math.abs(out[2] - 17 / 7) < 1e-12);
  // NaN passes through and does not enter the average: 1, NaN, 3 -> 1, NaN, (0.25 + 1.5)/0.75 = 7/3
  const gap = emaSmooth([1, NaN, 3], 0.5);
  assert.equal(gap[0], 1);
  assert.ok(Number.isNaN(gap[1]));
  assert.ok(Math.abs(gap[2] - 7 / 3) < 1e-12);
  // weight 0 and a constant series are unchanged
  assert.deepEqual(emaSmooth([4, 1, 7], 0), [4, 1, 7]);
  assert.deepEqual(emaSmooth([2, 2, 2], 0.9), [2, 2, 2]);
});

test('moving average: trailing window, fewer points at the start', () => {
  // window 2: 1, (1+2)/2, (2+3)/2, (3+4)/2
  assert.deepEqual(movingAverage([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5]);
  // window 3: 3, (3+6)/2, (3+6+9)/3, (6+9+0)/3
  assert.deepEqual(movingAverage([3, 6, 9, 0], 3), [3, 4.5, 6, 5]);
  assert.deepEqual(movingAverage([1, 2], 1), [1, 2]);
});

test('LTTB decimation: point budget, first/last and the extremes kept, ascending indices', () => {
  const n = 100_000;
  const x = Array.from({ length: n }, (_, i) => i);
  const y = x.map((i) => Math.sin(i / 500) + (i % 7) * 0.01);
  y[31_337] = -50; // a single-point dip
  y[77_777] = 80; // a single-point spike
  for (const budget of [10, 100, 2000]) {
    const idx = lttbIndices(x, y, budget);
    assert.ok(idx.length <= budget, `${idx.length} > ${budget}`);
    assert.ok(idx.length >= budget - 1, `${idx.length} uses the budget`);
    assert.equal(idx[0], 0);
    assert.equal(idx[idx.length - 1], n - 1);
    assert.ok(idx.includes(31_337), 'minimum kept');
    assert.ok(idx.includes(77_777), 'maximum kept');
    for (let i = 1; i < idx.length; i++) assert.ok(idx[i] > idx[i - 1]);
  }
  // min and max in the same bucket: both kept, budget still held
  const y2 = x.map(() => 0);
  y2[500] = -1;
  y2[501] = 1;
  const idx2 = lttbIndices(x, y2, 50);
  assert.ok(idx2.length <= 50);
  assert.ok(idx2.includes(500) && idx2.includes(501));
  // a short series is returned whole
  assert.deepEqual(lttbIndices([0, 1, 2], [3, 2, 1], 2000), [0, 1, 2]);
});

test('LTTB picks the peak of each bucket on a triangle wave', () => {
  // peaks at 10, 30, 50, 70, 90 (value 10), valleys at 0, 20, 40... (value 0)
  const x = Array.from({ length: 101 }, (_, i) => i);
  const y = x.map((i) => 10 - Math.abs((i % 20) - 10));
  const idx = lttbIndices(x, y, 13); // 10 buckets of ~9.9 points
  const peaks = [10, 30, 50, 70, 90].filter((p) => idx.includes(p));
  assert.ok(peaks.length >= 4, `peaks kept: ${peaks}`);
});

test('a million-point series decimates quickly', () => {
  const n = 1_000_000;
  const x = new Float64Array(n).map((_, i) => i);
  const y = new Float64Array(n).map((_, i) => Math.exp(-i / 2e5) + Math.sin(i) * 0.01);
  const t0 = performance.now();
  const idx = lttbIndices(x, y, 2000);
  const ms = performance.now() - t0;
  assert.ok(idx.length <= 2000);
  assert.ok(ms < 2000, `${ms} ms`);
});
