// numpy's legacy `RandomState` generator (MT19937) as far as `train_test_split` uses it: seeding by
// an integer (numpy's `_legacy_seeding` calls `mt19937_seed` for an int in [0, 2**32-1]), 32-bit
// draws, `random_interval` (masked rejection sampling) and the legacy `permutation` / `shuffle`.
// Written from the algorithm's description (Matsumoto & Nishimura 1998) and numpy's documented
// legacy behaviour; checked against numpy 1.24 by test/fixtures/recover/make_split_reference.py.

const N = 624;
const M = 397;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const MATRIX_A = 0x9908b0df;

/** A Mersenne Twister seeded like `numpy.random.RandomState(seed)` for an integer seed. */
export class LegacyMT19937 {
  private readonly key = new Uint32Array(N);
  private pos = N;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`random_state ${seed}: numpy seeds must be integers between 0 and 2**32 - 1`);
    }
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.key[i] = s;
      // s = 1812433253 * (s ^ (s >> 30)) + i + 1, modulo 2**32.
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
    this.pos = N;
  }

  private generate(): void {
    const k = this.key;
    let i = 0;
    for (; i < N - M; i++) {
      const y = (k[i] & UPPER) | (k[i + 1] & LOWER);
      k[i] = k[i + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < N - 1; i++) {
      const y = (k[i] & UPPER) | (k[i + 1] & LOWER);
      k[i] = k[i + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (k[N - 1] & UPPER) | (k[0] & LOWER);
    k[N - 1] = k[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }

  /** The next 32-bit output (tempered), as an unsigned number. */
  nextUint32(): number {
    if (this.pos === N) this.generate();
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform integer in [0, max] by masked rejection sampling (numpy's `random_interval`). */
  randomInterval(max: number): number {
    if (max === 0) return 0;
    if (max > 0xffffffff) throw new RangeError(`random_interval(${max}): more than 2**32 rows is not supported`);
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    for (;;) {
      const v = (this.nextUint32() & mask) >>> 0;
      if (v <= max) return v;
    }
  }

  /** Shuffles in place as the legacy `RandomState.shuffle` does for a 1-d array. */
  shuffle(a: { length: number; [i: number]: number }): void {
    for (let i = a.length - 1; i >= 1; i--) {
      const j = this.randomInterval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** `RandomState.permutation(n)`: arange(n) shuffled. */
  permutation(n: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    this.shuffle(a);
    return a;
  }
}
