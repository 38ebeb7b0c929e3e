import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LegacyMT19937 } from '../../../src/core/recover/mt19937';
import { kerasValidationSplit, SplitError, trainTestSplit, type SplitSize } from '../../../src/core/recover/split';

interface Case {
  n: number;
  test_size: number;
  random_state: number;
  error?: string;
  n_train?: number;
  n_test?: number;
  train20?: number[];
  test20?: number[];
  sha256?: string;
}
const REF = JSON.parse(readFileSync(join(__dirname, '../../fixtures/recover/split_reference.json'), 'utf8')) as {
  cases: Case[];
  extra: { n: number; kwargs: Record<string, number | boolean>; train: number[]; test: number[] }[];
  permutation30: Record<string, number[]>;
};

const size = (v: number | undefined): SplitSize | null =>
  v === undefined ? null : Number.isInteger(v) ? { kind: 'count', value: v } : { kind: 'fraction', value: v };

function digest(train: Int32Array, test: Int32Array): string {
  const buf = Buffer.alloc(8 * (train.length + test.length));
  let o = 0;
  for (const a of [train, test]) {
    for (const v of a) o = buf.writeBigInt64LE(BigInt(v), o);
  }
  return createHash('sha256').update(buf).digest('hex');
}

describe('numpy legacy RandomState', () => {
  it('permutation(30) equals numpy 1.24 for seeds 0, 1, 42, 2**32-1', () => {
    for (const [seed, perm] of Object.entries(REF.permutation30)) {
      assert.deepEqual(Array.from(new LegacyMT19937(Number(seed)).permutation(30)), perm, `seed ${seed}`);
    }
  });
  it('refuses seeds numpy refuses', () => {
    assert.throws(() => new LegacyMT19937(-1), /between 0 and 2\*\*32 - 1/);
    assert.throws(() => new LegacyMT19937(2 ** 32), /between 0 and 2\*\*32 - 1/);
  });
});

describe('train_test_split reproduced', () => {
  it(`equals scikit-learn 1.2.1 on all ${REF.cases.length} reference cases (n x test_size x random_state)`, () => {
    let compared = 0;
    for (const c of REF.cases) {
      const spec = { testSize: size(c.test_size), trainSize: null, randomState: c.random_state, shuffle: true };
      const label = `n=${c.n} test_size=${c.test_size} random_state=${c.random_state}`;
      if (c.error) {
        assert.throws(
          () => trainTestSplit(c.n, spec),
          (e: Error) => e instanceof SplitError && e.message === c.error,
          label,
        );
        continue;
      }
      const { train, test } = trainTestSplit(c.n, spec);
      assert.equal(train.length, c.n_train, label);
      assert.equal(test.length, c.n_test, label);
      assert.deepEqual(Array.from(test.slice(0, 20)), c.test20, label);
      assert.deepEqual(Array.from(train.slice(0, 20)), c.train20, label);
      assert.equal(digest(train, test), c.sha256, label);
      compared++;
    }
    assert.ok(compared >= 80, `${compared} compared`);
  });
  it('shuffle=False, train_size and the default test_size equal scikit-learn', () => {
    for (const e of REF.extra) {
      const k = e.kwargs;
      const r = trainTestSplit(e.n, {
        testSize: size(k.test_size as number | undefined),
        trainSize: size(k.train_size as number | undefined),
        randomState: (k.random_state as number | undefined) ?? null,
        shuffle: k.shuffle !== false,
      });
      assert.deepEqual(Array.from(r.train), e.train, JSON.stringify(k));
      assert.deepEqual(Array.from(r.test), e.test, JSON.stringify(k));
    }
  });
  it('refuses stratify and random_state=None clearly', () => {
    const base = { testSize: size(0.2), trainSize: null, randomState: 0, shuffle: true };
    assert.throws(() => trainTestSplit(100, { ...base, stratify: true }), /stratify=.*not supported/);
    assert.throws(() => trainTestSplit(100, { ...base, randomState: null }), /without random_state/);
  });
  it('Keras validation_split takes the last fraction', () => {
    const r = kerasValidationSplit(10, 0.25);
    assert.deepEqual(Array.from(r.test), [7, 8, 9]); // floor(10 * 0.75) = 7
    assert.equal(r.train.length, 7);
  });
});
