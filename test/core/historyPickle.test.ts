import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { historyFromPyValue } from '../../src/core/formats/pickle/historyPickle';
import { NdArray, PyObject, PyTuple, type PyValue } from '../../src/core/formats/pickle/pyValue';
import { decodeNumber, dtypeOf, fromStateJson } from '../fixtures/reference/sklearn/stateJson';

// Reference: test/fixtures/reference/sklearn/make_params_reference.py (the pickled histories as Python loads them).
const ref = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'reference', 'sklearn', 'params_reference.json'), 'utf8')) as {
  files: Record<string, { value?: unknown; history?: Record<string, unknown[]> }>;
};

describe('history pickles equal the Python reference', () => {
  const entries = Object.entries(ref.files).filter(([, e]) => e.history);
  assert.equal(entries.length, 4);
  for (const [rel, e] of entries) {
    it(rel, () => {
      const log = historyFromPyValue(fromStateJson(e.value));
      assert.ok(log);
      assert.equal(log.source, 'history-pickle');
      assert.deepEqual(Object.keys(log.series), Object.keys(e.history!));
      for (const [name, values] of Object.entries(e.history!)) {
        assert.deepEqual(log.series[name].values, values.map(decodeNumber), name);
        assert.deepEqual(
          log.series[name].steps,
          values.map((_, i) => i),
        );
      }
    });
  }
});

describe('historyFromPyValue (hand-built values)', () => {
  const f4 = dtypeOf('<f4');
  it('accepts numpy float scalars and tuples, uses the wrapper epoch list as steps', () => {
    const v = new Map<string, PyValue>([
      [
        'history',
        new Map<string, PyValue>([
          ['loss', [new NdArray(f4, [], [0.5], true), new NdArray(f4, [], [0.25], true)]],
          ['mae', new PyTuple([2, 1])],
        ]),
      ],
      ['epoch', [5, 6]],
    ]);
    const log = historyFromPyValue(v);
    assert.deepEqual(log, {
      source: 'history-pickle',
      series: { loss: { steps: [5, 6], values: [0.5, 0.25] }, mae: { steps: [5, 6], values: [2, 1] } },
    });
  });
  it('refuses dicts that are not histories', () => {
    assert.equal(historyFromPyValue(new Map<string, PyValue>([['scaler', new PyObject('x.Y', null)]])), null);
    assert.equal(historyFromPyValue(new Map<string, PyValue>([['loss', [1, 'a']]])), null);
    assert.equal(historyFromPyValue(new Map<string, PyValue>([['loss', []]])), null);
    assert.equal(historyFromPyValue(new Map()), null);
    assert.equal(historyFromPyValue([1, 2, 3]), null);
    assert.equal(historyFromPyValue(new Map<PyValue, PyValue>([[1, [1, 2]]]) as PyValue), null);
  });
});
