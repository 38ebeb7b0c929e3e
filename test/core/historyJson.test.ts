import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ReadError } from '../../src/core/io/errors';
import { historyJsonReader, parsePythonJson, readHistoryJsonBytes, readHistoryJsonData } from '../../src/core/formats/logs/historyJson';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

// Fixtures and expected values: test/fixtures/reference/logs/make_history_json.py (json.dump,
// pandas to_json, default=str dumps; summaries computed in plain Python).
const DIR = 'test/fixtures/logs/history';
type Num = number | string;
type Ref = Record<
  string,
  {
    series: Record<string, { steps: number[]; values: Num[] }>;
    summary: Record<string, { points: number; first: Num; last: Num; min: number; minStep: number; max: number; maxStep: number }>;
  }
>;
const ref = JSON.parse(readFileSync('test/fixtures/reference/logs/history_reference.json', 'utf8')) as Ref;
const dec = (v: Num) => (v === 'NaN' ? NaN : (v as number));
const source = new NodeFileSource();
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8').replace(/\bNaN\b/g, 'null')) as unknown;

describe('historyJson: fixtures through the dispatcher', () => {
  for (const [name, r] of Object.entries(ref)) {
    it(name, async () => {
      const path = `${DIR}/${name}`;
      const rep = await inspectFile(path, source);
      assert.equal(rep.role, 'log');
      assert.equal(rep.format, 'history-json');
      assert.equal(rep.error, null);
      assert.deepEqual(Object.keys(rep.log!.series), Object.keys(r.summary));
      for (const [k, s] of Object.entries(r.summary)) {
        assert.deepEqual(rep.log!.series[k], { ...s, first: dec(s.first), last: dec(s.last) }, `${name} ${k}`);
      }
      const data = readHistoryJsonData(json(path), path);
      for (const [k, s] of Object.entries(r.series)) {
        assert.deepEqual(data.series[k], { steps: s.steps, values: s.values.map(dec) }, `${name} ${k} data`);
      }
    });
  }

  it('history.json: NaN loss kept as a point, skipped for min/max', async () => {
    const rep = await inspectFile(`${DIR}/history.json`, source);
    assert.equal(rep.log!.epochs, 5);
    assert.deepEqual(rep.log!.series.loss, { points: 5, first: 0.6931, last: 0.295, min: 0.295, minStep: 4, max: 0.6931, maxStep: 0 });
  });

  it('fit_dump.json: steps from the epoch list (initial_epoch=10); Keras 1 acc and lr', () => {
    const data = readHistoryJsonData(json(`${DIR}/fit_dump.json`), 'fit_dump.json');
    assert.deepEqual(Object.keys(data.series), ['loss', 'acc', 'lr']);
    assert.deepEqual(data.series.lr, { steps: [10, 11, 12], values: [0.01, 0.01, 0.005] });
  });

  it('a shorter val_ list (validation_freq) keeps its own 0..n-1 steps', () => {
    const data = readHistoryJsonData(json(`${DIR}/training_hist_str.json`), 'x');
    assert.deepEqual(data.series.val_loss, { steps: [0, 1], values: [1.2, 0.8] });
  });
});

describe('historyJson: bytes as Python writes them', () => {
  it('maps NaN to null and the infinities to strings, and reads them as NaN and infinities', () => {
    assert.deepEqual(parsePythonJson('{"loss": [NaN, Infinity, -Infinity, 1]}'), { loss: [null, 'Infinity', '-Infinity', 1] });
    const data = readHistoryJsonBytes(new TextEncoder().encode('{"loss": [0.5, -Infinity, NaN, Infinity]}'), 'h.json');
    assert.deepEqual(data.series.loss, { steps: [0, 1, 2, 3], values: [0.5, -Infinity, NaN, Infinity] });
    const hist = readHistoryJsonBytes(new Uint8Array(readFileSync(`${DIR}/history.json`)), 'history.json');
    assert.deepEqual(hist.series.loss.values, ref['history.json'].series.loss.values.map(dec));
  });

  it('gives invalid-json for broken bytes', () => {
    assert.throws(
      () => readHistoryJsonBytes(new TextEncoder().encode('{"loss": [0.5,'), 'h.json'),
      (e: ReadError) => e.code === 'invalid-json' && e.message.startsWith('h.json: not valid JSON'),
    );
  });
});

describe('historyJson: sniffing', () => {
  const sniff = (v: unknown, path = 'out.json') => historyJsonReader.sniffJson(v, path);
  it('rejects Keras 1 model JSON (top-level loss string) and tfjs model.json', () => {
    for (const p of [
      'test/fixtures/real/charlesll__SiliCat/autoencoder.json',
      'test/fixtures/real/charlesll__SiliCat/silicat/saved/nn_global.json',
      'test/fixtures/real/AlexFSmirnov__tfjs-classification-demo/react-app/public/model/model.json',
      'test/fixtures/real/0xDaksh__Credit-Card-Fraud/model.json',
    ]) {
      assert.equal(sniff(json(p), 'history.json'), false, p);
    }
    assert.equal(typeof (json('test/fixtures/real/charlesll__SiliCat/autoencoder.json') as { loss: unknown }).loss, 'string');
  });

  it('rejects arbitrary dicts, and lets the name break ties for unknown metric names', () => {
    assert.equal(sniff([0.1, 0.2]), false);
    assert.equal(sniff({}), false);
    assert.equal(sniff({ loss: 'mse', optimizer: 'adam' }), false);
    assert.equal(sniff({ loss: [0.1, 'x'] }), false);
    assert.equal(sniff({ weights: [1, 2, 3], bias: [0] }), false);
    assert.equal(sniff({ weights: [1, 2, 3], bias: [0] }, 'runs/my_hist.json'), true);
    assert.equal(sniff({ history: { weights: [1, 2] } }), true, 'a "history" wrapper is enough');
    assert.equal(sniff({ history: { loss: 'x' } }), false);
    assert.equal(sniff({ loss: { a: 1 } }), false, 'pandas columns need integer index keys');
  });

  it('readHistoryJsonData refuses a non-history with a ReadError naming the file', () => {
    assert.throws(
      () => readHistoryJsonData({ class_name: 'Sequential' }, 'm.json'),
      (e: ReadError) => e.code === 'not-a-history' && e.message.startsWith('m.json: '),
    );
  });
});

// Shapes seen in real history dumps (task h15; the permissive one is test/fixtures/real2/AnnieSang__*):
// written here by hand as small imitations, expected values counted by hand.
describe('historyJson: per-row histories and pandas columns seen in real repositories', () => {
  const read = (v: unknown, path = 'run/history.json') => readHistoryJsonData(v, path).series;
  const sniff = (v: unknown, path = 'out.json') => historyJsonReader.sniffJson(v, path);

  it('DataFrame.to_json(orient="records"): one dict per epoch, steps 0..n-1', () => {
    const s = read([
      { loss: 0.5, val_loss: 0.6 },
      { loss: 0.4, val_loss: null },
    ]);
    assert.deepEqual(s.loss, { steps: [0, 1], values: [0.5, 0.4] });
    assert.deepEqual(s.val_loss.steps, [0, 1]);
    assert.ok(Number.isNaN(s.val_loss.values[1]), 'null (NaN) is kept as a point');
  });

  it('per-row dicts with an integer epoch: steps are the epochs; epoch is no series', () => {
    const s = read([
      { epoch: 1, loss: 0.9 },
      { epoch: 2, loss: 0.7 },
      { epoch: 3, loss: 0.6, val_loss: 0.8 },
    ]);
    assert.deepEqual(s.loss, { steps: [1, 2, 3], values: [0.9, 0.7, 0.6] });
    assert.deepEqual(s.val_loss, { steps: [3], values: [0.8] });
    assert.equal(s.epoch, undefined);
  });

  it('Hugging Face log_history: integer step wins over the fractional epoch; trainer_state.json too', () => {
    const rows = [
      { loss: 0.69, learning_rate: 2e-5, epoch: 0.5, step: 10 },
      { loss: 0.6, learning_rate: 1e-5, epoch: 1.0, step: 20 },
      { eval_loss: 0.55, eval_accuracy: 0.7, epoch: 1.0, step: 20 },
    ];
    const s = read(rows);
    assert.deepEqual(s.loss, { steps: [10, 20], values: [0.69, 0.6] });
    assert.deepEqual(s.eval_loss, { steps: [20], values: [0.55] });
    assert.deepEqual(Object.keys(s).sort(), ['eval_accuracy', 'eval_loss', 'learning_rate', 'loss']);
    const state = { epoch: 1.0, global_step: 20, best_metric: null, log_history: rows, trial_name: null };
    assert.equal(sniff(state, 'trainer_state.json'), true);
    assert.deepEqual(read(state, 'ckpt/trainer_state.json').loss.steps, [10, 20]);
  });

  it('to_json(orient="index") / {epoch: logs}: per-epoch dicts keyed by the epoch', () => {
    const v = { '1': { loss: 0.9, val_loss: 1.0 }, '2': { loss: 0.7, val_loss: 0.8 }, '10': { loss: 0.5, val_loss: 0.6 } };
    assert.equal(sniff(v), true);
    assert.deepEqual(read(v).loss, { steps: [1, 2, 10], values: [0.9, 0.7, 0.5] });
    assert.equal(sniff({ '1': { name: 'a' } }, 'history.json'), false, 'text values: no rows of metrics');
    assert.equal(sniff({ '1': 0.5, '2': 0.4 }, 'history.json'), false, 'no names');
  });

  it('pandas to_json with an empty column {} and a sparse one: the empty one has no points', () => {
    const v = { loss: { '0': 0.45, '1': 0.44, '2': 0.42 }, accuracy: {}, time: { '1': 58.3 } };
    assert.equal(sniff(v, 'train_history.json'), true);
    const s = read(v);
    assert.deepEqual(s.loss.steps, [0, 1, 2]);
    assert.deepEqual(s.accuracy.values, []);
    assert.deepEqual(s.time, { steps: [1], values: [58.3] });
    assert.equal(sniff({ accuracy: {} }, 'history.json'), false, 'no series with a point: no history');
  });

  it('does not take records of other things for a history', () => {
    // a list of runs' hyperparameters (strings among the values), as seen in a model_history.json
    assert.equal(sniff([{ batch_size: 64, optimizer: 'adam', learning_rate: 0.001, epochs: 3 }], 'model_history.json'), false);
    assert.equal(
      sniff([
        { x: 1, y: 2 },
        { x: 2, y: 3 },
      ]),
      false,
      'numbers without a metric name',
    );
    assert.equal(sniff([{ x: 1, y: 2 }], 'history.json'), true, 'unless the file is named like a history');
    assert.equal(sniff([]), false);
    assert.equal(sniff([{}]), false);
    assert.equal(sniff([0.5, 0.4]), false, 'a bare list of numbers has no names');
    assert.equal(sniff([{ loss: 0.5 }, [0.4]]), false, 'every entry must be a dict');
    assert.equal(sniff([{ loss: { a: 1 } }]), false, 'nested values are no metrics');
  });
});
