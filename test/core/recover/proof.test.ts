import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeLoss } from '../../../src/core/recover/proof';
import { readRecipeCells, symText } from '../../../src/core/recover/recipe';

describe('Keras losses recomputed', () => {
  it('mse / mae average over every element; crossentropies clip at 1e-7 as Keras does', () => {
    const y = [[1], [3]];
    const p = [[0], [1]];
    assert.equal(computeLoss('mse', y, p), 2.5); // (1 + 4) / 2
    assert.equal(computeLoss('mae', y, p), 1.5); // (1 + 2) / 2
    assert.equal(computeLoss('mse', [[1, 2]], [[0, 0]]), 2.5); // (1 + 4) / 2 per sample
    const bce = computeLoss('binary_crossentropy', [[1], [0]], [[0.5], [0.25]]);
    assert.ok(Math.abs(bce - -(Math.log(0.5 + 1e-7) + Math.log(0.75 + 1e-7)) / 2) < 1e-15);
    assert.ok(Math.abs(computeLoss('categorical_crossentropy', [[0, 1]], [[0.2, 0.6]]) - -Math.log(0.75)) < 1e-15); // 0.6 / (0.2 + 0.6)
    assert.ok(Math.abs(computeLoss('sparse_categorical_crossentropy', [[1]], [[0.25, 0.75]]) - -Math.log(0.75)) < 1e-15);
    assert.ok(Math.abs(computeLoss('binary_crossentropy', [[1]], [[0]]) - -Math.log(1e-7 + 1e-7)) < 1e-9); // clipped, not infinite
    assert.throws(() => computeLoss('mse', [[1, 2]], [[1]]), /gives 1 output\(s\) per row but the targets have 2/);
  });
  it('y = df.pop(...) takes the column out of the frame', () => {
    const r = readRecipeCells(["df = pd.read_csv('d.csv')\ny = df.pop('target')\nX = df\nsc = MinMaxScaler()\nX = sc.fit_transform(X)\n"], false, 't.py');
    assert.equal(symText(r.scalers[0].fitOn), "data.drop(columns=['target'])");
  });
});
