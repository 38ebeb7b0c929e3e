import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { asScaler, fitScaler, FitError, type FittableClass } from '../../../src/core/recover/fitScaler';
import type { PyOut } from '../../../src/core/recover/pyValues';
import { transform } from '../../../src/core/predict/scalerTransform';

type Plain = null | boolean | number | string | Plain[];
const REF = JSON.parse(readFileSync(join(__dirname, '../../fixtures/recover/scaler_reference.json'), 'utf8')) as {
  data: Record<string, (number | null)[][]>;
  results: { data: string; class: FittableClass; kwargs: Record<string, Plain>; keys: string[]; state: Record<string, Plain>; n_samples_seen_type: string }[];
};

function lit(v: Plain): PyOut {
  if (v === null) return { t: 'none' };
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (typeof v === 'number') return Number.isInteger(v) ? { t: 'int', v } : { t: 'float', v };
  if (typeof v === 'string') return { t: 'str', v };
  return { t: 'tuple', items: v.map(lit) };
}

function columns(rows: (number | null)[][]): Float64Array[] {
  return rows[0].map((_, j) => Float64Array.from(rows, (r) => r[j] ?? NaN));
}

function close(a: number | null, b: number, label: string): void {
  if (a === null) {
    assert.ok(Number.isNaN(b), `${label}: expected NaN, got ${b}`);
    return;
  }
  const tol = 1e-12 * Math.max(1, Math.abs(a));
  assert.ok(Math.abs(a - b) <= tol, `${label}: sklearn ${a}, ours ${b} (diff ${a - b})`);
}

describe('fitScaler against scikit-learn 1.2.1', () => {
  it(`fitted parameters equal to 1e-12 in ${REF.results.length} class x argument x data cases`, () => {
    for (const r of REF.results) {
      const label = `${r.class}(${JSON.stringify(r.kwargs)}) on ${r.data}`;
      // quantile_range etc. are floats in the script: (10.0, 90.0) are written as floats.
      const args = Object.fromEntries(
        Object.entries(r.kwargs).map(([k, v]) => [
          k,
          k === 'quantile_range' ? { t: 'tuple', items: (v as number[]).map((x) => ({ t: 'float', v: x })) } : lit(v),
        ]),
      ) as Record<string, PyOut>;
      const fitted = fitScaler({ cls: r.class, args }, columns(REF.data[r.data]), null);
      assert.deepEqual(
        fitted.state.map(([k]) => k),
        r.keys,
        `${label}: instance dict keys`,
      );
      for (const [k, v] of fitted.state) {
        const want = r.state[k];
        if (v.t === 'f8' || v.t === 'i8') {
          assert.ok(Array.isArray(want), `${label}.${k}`);
          assert.equal(v.data.length, (want as Plain[]).length);
          v.data.forEach((x, j) => close((want as (number | null)[])[j], x, `${label}.${k}[${j}]`));
        } else if (v.t === 'none') assert.equal(want, null, `${label}.${k}`);
        else if (v.t === 'int' || v.t === 'i8scalar') {
          assert.equal(v.v, want, `${label}.${k}`);
          if (k === 'n_samples_seen_') assert.equal(v.t === 'int' ? 'int' : 'int64', r.n_samples_seen_type, `${label}: n_samples_seen_ type`);
        } else if (v.t === 'tuple')
          assert.deepEqual(
            v.items.map((x) => (x as { v: number }).v),
            want,
            `${label}.${k}`,
          );
        else if (v.t === 'bool') assert.equal(v.v, want, `${label}.${k}`);
      }
    }
  });
  it('feature_names_in_ comes right after the hyperparameters when fitted on a DataFrame', () => {
    const f = fitScaler({ cls: 'MinMaxScaler', args: {} }, [Float64Array.from([1, 2, 4])], ['a']);
    assert.deepEqual(
      f.state.map(([k]) => k),
      ['feature_range', 'copy', 'clip', 'feature_names_in_', 'n_features_in_', 'n_samples_seen_', 'scale_', 'min_', 'data_min_', 'data_max_', 'data_range_'],
    );
    const s = asScaler(f, '1.2.1');
    assert.deepEqual(s.featureNames, ['a']);
    assert.deepEqual(transform(s, [[1], [4]]), [[0], [1]]);
  });
  it('refuses what scikit-learn refuses', () => {
    const c = [Float64Array.from([1, 2])];
    assert.throws(() => fitScaler({ cls: 'MinMaxScaler', args: { feature_range: lit([1, 0]) } }, c, null), FitError);
    assert.throws(() => fitScaler({ cls: 'StandardScaler', args: { nope: lit(1) } }, c, null), /has no argument 'nope'/);
    assert.throws(() => fitScaler({ cls: 'RobustScaler', args: { quantile_range: lit([80, 20]) } }, c, null), /Invalid quantile range/);
  });
});
