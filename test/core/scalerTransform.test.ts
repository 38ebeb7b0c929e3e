import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ReadError } from '../../src/core/io/errors';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { pickleArtifactReader } from '../../src/core/formats/pickle/pickleArtifact';
import { canInverse, canTransform, featureRanges, interp, inverseTransform, normCdf, normPpf, transform } from '../../src/core/predict/scalerTransform';
import { toScaler, type SklearnScaler } from '../../src/core/formats/pickle/sklearn';
import type { Scaler } from '../../src/core/types';
import { paramsRef } from '../fixtures/reference/sklearn/paramsRef';
import { decodeNumber, fromStateJson } from '../fixtures/reference/sklearn/stateJson';

// Reference: test/fixtures/reference/sklearn/make_transform_reference.py (scikit-learn 1.2.1).
const REF_DIR = join(__dirname, '..', 'fixtures', 'reference', 'sklearn');
interface Case {
  name: string;
  file: string;
  class: string;
  object: unknown;
  inputs: unknown[][];
  transform: unknown[][];
  inverse?: unknown[][];
  ranges?: { min: unknown; max: unknown }[];
}
const ref = JSON.parse(readFileSync(join(REF_DIR, 'transform_reference.json'), 'utf8')) as { cases: Case[] };
const rows = (m: unknown[][]): number[][] => m.map((r) => r.map(decodeNumber));

/** 1e-12 relative, 1e-12 absolute near 0; NaN equals NaN; infinities exactly. */
function assertClose(actual: number[][], expected: number[][], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: row count`);
  for (let i = 0; i < expected.length; i++) {
    assert.equal(actual[i].length, expected[i].length, `${what}: row ${i} length`);
    for (let j = 0; j < expected[i].length; j++) {
      const a = actual[i][j];
      const e = expected[i][j];
      if (Number.isNaN(e)) {
        assert.ok(Number.isNaN(a), `${what} [${i}][${j}]: expected NaN, got ${a}`);
        continue;
      }
      if (!Number.isFinite(e)) {
        assert.equal(a, e, `${what} [${i}][${j}]`);
        continue;
      }
      const tol = Math.max(1e-12 * Math.abs(e), 1e-12);
      assert.ok(Math.abs(a - e) <= tol, `${what} [${i}][${j}]: ${a} vs sklearn ${e} (diff ${Math.abs(a - e)})`);
    }
  }
}

function scalerOf(c: Case): Scaler {
  const s = toScaler(fromStateJson(c.object));
  assert.ok(s, `${c.name}: toScaler gave null`);
  return s;
}

describe('transform / inverseTransform equal scikit-learn 1.2.1 (values built from the pickled state)', () => {
  assert.ok(ref.cases.length >= 25);
  for (const c of ref.cases) {
    it(`${c.name} (${c.class})`, () => {
      const s = scalerOf(c);
      assert.equal(s.class, c.class);
      assert.ok(canTransform(s));
      const out = transform(s, rows(c.inputs));
      assertClose(out, rows(c.transform), `${c.name} transform`);
      if (c.inverse) {
        assert.ok(canInverse(s));
        assertClose(inverseTransform(s, rows(c.transform)), rows(c.inverse), `${c.name} inverse_transform`);
      } else {
        assert.equal(canInverse(s), false);
        assert.throws(() => inverseTransform(s, rows(c.transform)), ReadError);
      }
      if (c.ranges) {
        const r = featureRanges(s);
        assert.ok(r);
        assert.deepEqual(
          r,
          c.ranges.map((x) => ({ min: decodeNumber(x.min), max: decodeNumber(x.max) })),
        );
      }
    });
  }
});

describe('interp (numpy.interp, worked by hand)', () => {
  it('interpolates, clamps outside, takes the last of repeated points', () => {
    const xp = [0, 1, 1, 3];
    const fp = [0, 10, 20, 40];
    assert.equal(interp(0.5, xp, fp), 5); // 0 + (10-0)/(1-0) * 0.5
    assert.equal(interp(1, xp, fp), 20); // largest j with xp[j] <= 1 is j=2
    assert.equal(interp(2, xp, fp), 30); // 20 + (40-20)/(3-1) * (2-1)
    assert.equal(interp(-5, xp, fp), 0);
    assert.equal(interp(9, xp, fp), 40);
    assert.equal(interp(3, xp, fp), 40);
    assert.ok(Number.isNaN(interp(NaN, xp, fp)));
    assert.equal(interp(7, [2], [5]), 5);
  });
});

describe('normal distribution helpers', () => {
  it('norm.ppf / norm.cdf at known points', () => {
    assert.equal(normPpf(0.5), 0);
    assert.equal(normPpf(0), -Infinity);
    assert.equal(normPpf(1), Infinity);
    assert.ok(Number.isNaN(normPpf(1.5)));
    // Phi(1.959963984540054) = 0.975 (the 97.5% quantile of the standard normal).
    assert.ok(Math.abs(normPpf(0.975) - 1.959963984540054) < 1e-14);
    assert.ok(Math.abs(normCdf(1.959963984540054) - 0.975) < 1e-15);
    assert.equal(normCdf(0), 0.5);
  });
});

describe('transform errors and edge cases', () => {
  const std: Scaler = {
    class: 'StandardScaler',
    module: 'sklearn.preprocessing._data',
    sklearnVersion: '1.2.1',
    nFeaturesIn: 2,
    featureNames: null,
    params: { mean_: [1, 2], scale_: [2, 4] },
  };
  it('applies the stored arithmetic: (x - mean) / scale and back', () => {
    assert.deepEqual(transform(std, [[3, 10]]), [[1, 2]]); // (3-1)/2, (10-2)/4
    assert.deepEqual(inverseTransform(std, [[1, 2]]), [[3, 10]]);
  });
  it('uses std_ of pre-0.17 files when scale_ is absent', () => {
    const old: Scaler = { ...std, sklearnVersion: null, params: { mean_: [1, 2], std_: [2, 4] } };
    assert.deepEqual(transform(old, [[3, 10]]), [[1, 2]]);
    assert.deepEqual(inverseTransform(old, [[1, 2]]), [[3, 10]]);
  });
  it('rejects rows of the wrong length, naming the row', () => {
    assert.throws(
      () =>
        transform(std, [
          [1, 2],
          [1, 2, 3],
        ]),
      /row 1 has 3 values but the StandardScaler was fitted on 2/,
    );
  });
  it('rejects classes it cannot apply', () => {
    const ohe: Scaler = { ...std, class: 'SplineTransformer', params: {} };
    assert.equal(canTransform(ohe), false);
    assert.throws(
      () => transform(ohe, [[1, 2]]),
      (e: unknown) => e instanceof ReadError && e.code === 'unsupported-transform',
    );
  });
  it('rejects a scaler without its fitted arrays', () => {
    const broken: Scaler = { ...std, params: { mean_: [1, 2] } };
    assert.throws(() => transform(broken, [[1, 2]]), /no fitted scale_/);
  });
  it('Normalizer leaves an all-zero row alone (norm treated as 1)', () => {
    const nrm: Scaler = { ...std, class: 'Normalizer', params: {} };
    assert.deepEqual(
      transform(nrm, [
        [0, 0],
        [3, 4],
      ]),
      [
        [0, 0],
        [0.6, 0.8],
      ],
    );
  });
  it('no rows in, no rows out (also through composites)', () => {
    assert.deepEqual(transform(std, []), []);
    const step: SklearnScaler = { ...std, name: 's', columns: [-2, -1] };
    const ct: SklearnScaler = { ...std, class: 'ColumnTransformer', steps: [step] };
    assert.deepEqual(transform(ct, []), []);
    assert.deepEqual(transform(ct, [[3, 10]]), [[1, 2]]); // columns -2, -1 of 2 features = 0, 1
  });
  it('featureRanges is null where the scaler does not record its training range', () => {
    assert.equal(featureRanges(std), null);
    const mm: Scaler = { ...std, class: 'MinMaxScaler', params: { data_min_: [0, -1], data_max_: [5, 1] } };
    const imp: Scaler = { ...std, class: 'SimpleImputer', params: { statistics_: [1, 1] } };
    const ranges = [
      { min: 0, max: 5 },
      { min: -1, max: 1 },
    ];
    assert.deepEqual(featureRanges({ ...std, class: 'Pipeline', steps: [imp, mm] }), ranges);
    // After a StandardScaler, MinMax ranges are in scaled space: none reported.
    assert.equal(featureRanges({ ...std, class: 'Pipeline', steps: [std, mm] }), null);
  });
});

describe('end to end: the saved files, read through the pickle reader, transform like scikit-learn', () => {
  const source = new NodeFileSource();
  for (const c of ref.cases) {
    it(`${c.file}`, async () => {
      const p = join(__dirname, '..', 'fixtures', 'sklearn', c.file);
      const st = statSync(p);
      const r = await pickleArtifactReader.read({ path: p, size: st.size, head: readFileSync(p).subarray(0, 4096), source });
      assert.equal(r.error, null, JSON.stringify(r.error));
      const s = r.scaler;
      assert.ok(s);
      assertClose(transform(s, rows(c.inputs)), rows(c.transform), `${c.file} transform`);
      if (c.inverse) assertClose(inverseTransform(s, rows(c.transform)), rows(c.inverse), `${c.file} inverse_transform`);
    });
  }
});

describe('end to end: real files (sklearn 1.5-1.8) and Pipeline controls transform like sklearn 1.2.1 does', () => {
  const source = new NodeFileSource();
  const withTransform = Object.entries(paramsRef.files).filter(([, e]) => e.transform);
  assert.equal(withTransform.length, 6);
  for (const [rel, e] of withTransform) {
    it(rel, async () => {
      const p = join(__dirname, '..', 'fixtures', rel);
      const r = await pickleArtifactReader.read({
        path: p,
        size: statSync(p).size,
        head: readFileSync(p).subarray(0, 4096),
        source,
      });
      assert.ok(r.scaler, JSON.stringify(r.error));
      const t = e.transform!;
      assertClose(transform(r.scaler, rows(t.inputs)), rows(t.outputs), `${rel} transform`);
      if (t.inverse) assertClose(inverseTransform(r.scaler, rows(t.outputs)), rows(t.inverse), `${rel} inverse_transform`);
    });
  }
});
