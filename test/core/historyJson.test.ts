import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ReadError } from '../../src/core/errors';
import { historyJsonReader, parsePythonJson, readHistoryJsonBytes, readHistoryJsonData } from '../../src/core/historyJson';
import { inspectFile } from '../../src/core/inspect';
import { NodeFileSource } from '../../src/core/nodeFileSource';

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
