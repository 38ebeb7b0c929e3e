import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsvInput, parseJsonInput } from '../../src/core/predict/predictInput';

const named = { featureNames: ['age', 'income', 'score'], nFeatures: 3 };
const count = { featureNames: null, nFeatures: 2 };

function code(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected an error');
}

describe('parseCsvInput', () => {
  it('reorders named columns to the scaler feature order', () => {
    const rows = parseCsvInput('score,age,income\n0.5,30,1000\n1,40,2e3\n', named, 'in.csv');
    assert.deepEqual(rows, [
      [30, 1000, 0.5],
      [40, 2000, 1],
    ]);
  });

  it('takes headerless rows in order, with CRLF, semicolons and quotes', () => {
    assert.deepEqual(parseCsvInput('1;2\r\n"3";4\r\n', count), [
      [1, 2],
      [3, 4],
    ]);
  });

  it('names the missing and unknown columns', () => {
    const e = code(() => parseCsvInput('age,income,height\n1,2,3\n', named, 'in.csv'));
    assert.equal(e.code, 'input-columns');
    assert.match(e.message, /^in\.csv: missing feature 'score'; unknown column 'height'/);
  });

  it('names line and column of a non-numeric or empty value', () => {
    const a = code(() => parseCsvInput('age,income,score\n1,2,3\n4,abc,6\n', named, 'in.csv'));
    assert.equal(a.code, 'input-value');
    assert.equal(a.message, "in.csv: line 3, column 'income': 'abc', not a number");
    const b = code(() => parseCsvInput('1,\n', count, 'x.csv'));
    assert.equal(b.message, 'x.csv: line 1, column 2: an empty value');
  });

  it('rejects a wrong number of columns without a header', () => {
    const e = code(() => parseCsvInput('1,2,3\n', count, 'x.csv'));
    assert.equal(e.message, 'x.csv: row 1 has 3 values but the model takes 2 features');
  });
});

describe('parseJsonInput', () => {
  it('reads arrays and objects keyed by feature name', () => {
    assert.deepEqual(parseJsonInput([[1, 2]], count), [[1, 2]]);
    assert.deepEqual(parseJsonInput([{ score: 3, income: 2, age: 1 }], named), [[1, 2, 3]]);
  });

  it('names row and feature of a bad value', () => {
    const e = code(() => parseJsonInput([{ age: 1, income: '2', score: 3 }], named, 'rows.json'));
    assert.equal(e.message, `rows.json: row 0, feature 'income': "2" is not a number`);
    const f = code(() => parseJsonInput({ a: 1 }, named, 'rows.json'));
    assert.equal(f.code, 'input-format');
  });
});
