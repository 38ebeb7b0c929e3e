// scikit-learn 1.x `train_test_split` (sklearn.model_selection._split) reproduced index for index:
// the sizes as `_validate_shuffle_split` computes them, `ShuffleSplit`'s permutation
// (`RandomState(seed).permutation(n)`: test = perm[:n_test], train = perm[n_test:n_test+n_train]),
// shuffle=False as plain slicing, and Keras' `validation_split` (the last fraction, unshuffled).
import { LegacyMT19937 } from './mt19937';

/** A split size as Python wrote it: a float fraction or an int row count. */
export type SplitSize = { kind: 'fraction'; value: number } | { kind: 'count'; value: number };

/** The arguments of one `train_test_split` call that decide the indices. */
export interface SplitSpec {
  testSize: SplitSize | null;
  trainSize: SplitSize | null;
  /** An integer seed; null means `random_state=None` (not reproducible) unless shuffle is false. */
  randomState: number | null;
  shuffle: boolean;
  /** `stratify=` given (not supported). */
  stratify?: boolean;
}

/** Row indices of the two parts, in the order train_test_split returns them. */
export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

/** A split that scikit-learn itself would refuse, or that cannot be reproduced. */
export class SplitError extends Error {}

function fmt(s: SplitSize | null): string {
  if (!s) return 'None';
  return s.kind === 'fraction' ? String(s.value) : String(s.value);
}

/** `_validate_shuffle_split(n_samples, test_size, train_size, default_test_size=0.25)`. */
export function splitSizes(n: number, testSize: SplitSize | null, trainSize: SplitSize | null): { nTrain: number; nTest: number } {
  let test = testSize;
  if (test === null && trainSize === null) test = { kind: 'fraction', value: 0.25 };
  const bad = (s: SplitSize | null): boolean => s !== null && (s.kind === 'count' ? s.value >= n || s.value <= 0 : s.value <= 0 || s.value >= 1);
  if (bad(test)) {
    throw new SplitError(`test_size=${fmt(test)} should be either positive and smaller than the number of samples ${n} or a float in the (0, 1) range`);
  }
  if (bad(trainSize)) {
    throw new SplitError(`train_size=${fmt(trainSize)} should be either positive and smaller than the number of samples ${n} or a float in the (0, 1) range`);
  }
  if (test?.kind === 'fraction' && trainSize?.kind === 'fraction' && test.value + trainSize.value > 1) {
    throw new SplitError(`The sum of test_size and train_size = ${test.value + trainSize.value}, should be in the (0, 1) range`);
  }
  let nTest = test === null ? NaN : test.kind === 'fraction' ? Math.ceil(test.value * n) : test.value;
  let nTrain = trainSize === null ? NaN : trainSize.kind === 'fraction' ? Math.floor(trainSize.value * n) : trainSize.value;
  if (trainSize === null) nTrain = n - nTest;
  else if (test === null) nTest = n - nTrain;
  if (nTrain + nTest > n) {
    throw new SplitError(`The sum of train_size and test_size = ${nTrain + nTest}, should be smaller than the number of samples ${n}`);
  }
  if (nTrain === 0) {
    throw new SplitError(`With n_samples=${n}, test_size=${fmt(testSize)} and train_size=${fmt(trainSize)}, the resulting train set will be empty`);
  }
  return { nTrain, nTest };
}

/** The train and test row indices `train_test_split(..., **spec)` picks among n rows. */
export function trainTestSplit(n: number, spec: SplitSpec): SplitIndices {
  if (spec.stratify) {
    throw new SplitError('train_test_split(stratify=...) is not supported: the stratified split (StratifiedShuffleSplit) is not reproduced');
  }
  const { nTrain, nTest } = splitSizes(n, spec.testSize, spec.trainSize);
  if (!spec.shuffle) {
    const train = new Int32Array(nTrain);
    const test = new Int32Array(nTest);
    for (let i = 0; i < nTrain; i++) train[i] = i;
    for (let i = 0; i < nTest; i++) test[i] = nTrain + i;
    return { train, test };
  }
  if (spec.randomState === null) {
    throw new SplitError('train_test_split was called without random_state: its shuffle differs on every run and cannot be reproduced');
  }
  const perm = new LegacyMT19937(spec.randomState).permutation(n);
  return { test: perm.slice(0, nTest), train: perm.slice(nTest, nTest + nTrain) };
}

/**
 * Keras `fit(validation_split=f)`: the last fraction of the rows, taken before any shuffling
 * (split_at = floor(n * (1 - f))). Returns the indices of the training and validation rows.
 */
export function kerasValidationSplit(n: number, fraction: number): SplitIndices {
  if (!(fraction > 0 && fraction < 1)) throw new SplitError(`validation_split=${fraction} must be in (0, 1)`);
  const at = Math.floor(n * (1 - fraction));
  if (at === 0 || at === n) throw new SplitError(`validation_split=${fraction} leaves no training or no validation rows among ${n}`);
  const train = new Int32Array(at);
  const test = new Int32Array(n - at);
  for (let i = 0; i < at; i++) train[i] = i;
  for (let i = at; i < n; i++) test[i - at] = i;
  return { train, test };
}
