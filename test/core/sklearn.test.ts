import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NdArray, PyObject, PySlice, PyTuple, type PyValue } from '../../src/core/formats/pickle/pyValue';
import { findScalers, toScaler } from '../../src/core/formats/pickle/sklearn';
import { assertScalerMatches, paramsRef } from '../fixtures/reference/sklearn/paramsRef';
import { dtypeOf, fromStateJson } from '../fixtures/reference/sklearn/stateJson';

// Reference: test/fixtures/reference/sklearn/make_params_reference.py (restricted joblib.load under
// scikit-learn 1.2.1, every value read from the raw pickled state).
describe('findScalers on values built from the pickled state equals the reference', () => {
  const entries = Object.entries(paramsRef.files).filter(([, e]) => e.value !== undefined);
  assert.ok(entries.length >= 60);
  for (const [rel, e] of entries) {
    it(rel, () => {
      const found = findScalers(fromStateJson(e.value));
      assert.equal(found.length, e.scalers.length, 'number of scikit-learn objects');
      e.scalers.forEach((s, i) => assertScalerMatches(found[i], s, `${rel} #${i}`));
    });
  }
});

const f8 = dtypeOf('<f8');
const arr = (xs: number[]): NdArray => new NdArray(f8, [xs.length], xs);

describe('toScaler (hand-built values)', () => {
  it('reads an old (0.20) StandardScaler without n_features_in_: count from scale_, version kept', () => {
    const state = new Map<string, PyValue>([
      ['with_mean', true],
      ['with_std', true],
      ['copy', true],
      ['mean_', arr([1, 2, 3])],
      ['var_', arr([4, 9, 16])],
      ['scale_', arr([2, 3, 4])],
      ['n_samples_seen_', 10],
      ['_sklearn_version', '0.20.3'],
    ]);
    const s = toScaler(new PyObject('sklearn.preprocessing.data.StandardScaler', state));
    assert.ok(s);
    assert.equal(s.class, 'StandardScaler');
    assert.equal(s.module, 'sklearn.preprocessing.data');
    assert.equal(s.sklearnVersion, '0.20.3');
    assert.equal(s.nFeaturesIn, 3);
    assert.deepEqual(s.params, { mean_: [1, 2, 3], var_: [4, 9, 16], scale_: [2, 3, 4], n_samples_seen_: 10 });
    assert.deepEqual(s.hyper, { with_mean: true, with_std: true, copy: true });
  });

  it('reads the pre-0.20 Imputer and a version-less (pre-0.18) object', () => {
    const s = toScaler(
      new PyObject(
        'sklearn.preprocessing.imputation.Imputer',
        new Map<string, PyValue>([
          ['strategy', 'mean'],
          ['statistics_', arr([0.5, 1.5])],
        ]),
      ),
    );
    assert.ok(s);
    assert.equal(s.class, 'Imputer');
    assert.equal(s.sklearnVersion, null);
    assert.equal(s.nFeaturesIn, 2);
    assert.deepEqual(s.params, { statistics_: [0.5, 1.5] });
  });

  it('flattens 2-D arrays in C order, turns int64 (also bigint) and bools into numbers, skips strings', () => {
    const q = new NdArray(f8, [2, 3], [1, 2, 3, 4, 5, 6]);
    const i8 = new NdArray(dtypeOf('<i8'), [2], [7, 2n ** 60n]);
    const b = new NdArray(dtypeOf('|b1'), [3], [true, false, true]);
    const names = new NdArray(dtypeOf('|O'), [3], ['a', 'b', 'c']);
    const s = toScaler(
      new PyObject(
        'sklearn.preprocessing._data.QuantileTransformer',
        new Map<string, PyValue>([
          ['quantiles_', q],
          ['counts_', i8],
          ['mask_', b],
          ['feature_names_in_', names],
          ['flag_', true],
          ['label_', 'x'],
          ['_private_', 5],
        ]),
      ),
    );
    assert.ok(s);
    assert.deepEqual(s.params, { quantiles_: [1, 2, 3, 4, 5, 6], counts_: [7, 2 ** 60], mask_: [1, 0, 1], flag_: 1 });
    assert.deepEqual(s.featureNames, ['a', 'b', 'c']);
    assert.equal(s.nFeaturesIn, 3); // quantiles_ has 3 columns
  });

  it('resolves a ColumnTransformer slice and boolean mask into column indices', () => {
    const sub = (): PyObject => new PyObject('sklearn.preprocessing._data.MaxAbsScaler', new Map<string, PyValue>([['scale_', arr([1])]]));
    const ct = new PyObject(
      'sklearn.compose._column_transformer.ColumnTransformer',
      new Map<string, PyValue>([
        ['n_features_in_', 5],
        [
          'transformers_',
          [
            new PyTuple(['a', sub(), new PySlice(1, null, 2)]),
            new PyTuple(['b', sub(), new NdArray(dtypeOf('|b1'), [5], [true, false, false, false, true])]),
            new PyTuple(['c', 'drop', [2]]),
          ],
        ],
      ]),
    );
    const s = toScaler(ct);
    assert.ok(s);
    assert.deepEqual(
      s.steps?.map((x) => [x.name, x.class, x.columns]),
      [
        ['a', 'MaxAbsScaler', [1, 3]],
        ['b', 'MaxAbsScaler', [0, 4]],
        ['c', 'drop', [2]],
      ],
    );
  });

  it('ignores classes outside the table and non-sklearn modules', () => {
    assert.equal(toScaler(new PyObject('sklearn.preprocessing._polynomial.SplineTransformer', new Map())), null);
    assert.equal(toScaler(new PyObject('mylib.StandardScaler', new Map())), null);
    assert.equal(toScaler(new Map() as PyValue), null);
  });

  it('findScalers visits shared values once and keeps dict order', () => {
    const a = new PyObject('sklearn.preprocessing._data.MinMaxScaler', new Map<string, PyValue>([['scale_', arr([1])]]));
    const b = new PyObject('sklearn.preprocessing._data.RobustScaler', new Map<string, PyValue>([['scale_', arr([1])]]));
    const v = new Map<string, PyValue>([
      ['x', a],
      ['nested', [b, a]],
      ['features', ['f1']],
    ]);
    assert.deepEqual(
      findScalers(v).map((s) => s.class),
      ['MinMaxScaler', 'RobustScaler'],
    );
  });

  it('never throws on odd states: not a dict, garbage steps, columns and categories', () => {
    const odd: PyValue[] = [null, 3, 'x', [1, 2], new PyTuple([]), new PyTuple([new Map(), null])];
    for (const state of odd) {
      for (const cls of ['StandardScaler', 'Pipeline', 'ColumnTransformer', 'OneHotEncoder']) {
        const s = toScaler(new PyObject(`sklearn.preprocessing._data.${cls}`, state));
        assert.ok(s);
        assert.deepEqual(s.params, {});
      }
    }
    const garbage = new Map<string, PyValue>([
      ['steps', [new PyTuple(['a']), 5, new PyTuple([1, 'passthrough']), new PyTuple(['b', null])]],
      ['transformers_', [new PyTuple(['c', new PyObject('sklearn.preprocessing._data.MaxAbsScaler', null), new PySlice('a', {} as PyValue, 0)])]],
      ['categories_', [new NdArray(dtypeOf('<c16'), [1], [[1, 2]] as unknown as number[]), 'zz']],
      ['feature_names_in_', new NdArray(f8, [2], [1, 2])],
    ]);
    for (const cls of ['Pipeline', 'ColumnTransformer', 'OneHotEncoder']) {
      const s = toScaler(new PyObject(`sklearn.compose.${cls}`, garbage));
      assert.ok(s);
      assert.equal(s.featureNames, null);
    }
  });

  it('does not let state keys touch prototypes', () => {
    const s = toScaler(
      new PyObject(
        'sklearn.preprocessing._data.StandardScaler',
        new Map<string, PyValue>([
          ['__proto__', new Map([['polluted', true]])],
          ['constructor', 'x'],
          ['toString_', 3],
        ]),
      ),
    );
    assert.ok(s);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(s.params.toString_, 3);
    assert.equal(s.hyper?.constructor, 'x');
  });
});
