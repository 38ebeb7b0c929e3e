// Fuzzing loadPickleBytes with seeded random mutations of the control files (byte flips,
// truncations, insertions, length-field inflation): every case must either read or give a clear
// error naming the file, never throw, and finish within a per-case time bound.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPickleBytes } from '../../src/core/formats/pickle/joblib';

const CONTROLS = join(__dirname, '..', 'fixtures', 'hostile', 'controls');
const BIG = join(__dirname, '..', 'fixtures', 'reference', 'pickle');
/** The 28 controls, plus the bigger compressed joblib files (fewer cases each). */
const inputs: { name: string; path: string; cases: number }[] = [
  ...readdirSync(CONTROLS)
    .sort()
    .map((name) => ({ name, path: join(CONTROLS, name), cases: 200 })),
  ...readdirSync(BIG)
    .filter((n) => n.endsWith('.joblib'))
    .sort()
    .map((name) => ({ name, path: join(BIG, name), cases: 40 })),
];
const SEED = 0x5eed1234;
const PER_CASE_MS = 1500;

/** mulberry32: small seeded PRNG so that every run mutates the same way. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: Uint8Array, r: () => number): { bytes: Uint8Array; how: string } {
  const pick = (n: number) => Math.floor(r() * n);
  const kind = pick(5);
  if (kind === 0) {
    const b = src.slice();
    const n = 1 + pick(4);
    for (let i = 0; i < n; i++) b[pick(b.length)] ^= 1 << pick(8);
    return { bytes: b, how: `flip ${n}` };
  }
  if (kind === 1) {
    const at = pick(src.length);
    return { bytes: src.slice(0, at), how: `truncate at ${at}` };
  }
  if (kind === 2) {
    const at = pick(src.length);
    const ins = Uint8Array.from({ length: 1 + pick(8) }, () => pick(256));
    const b = new Uint8Array(src.length + ins.length);
    b.set(src.subarray(0, at));
    b.set(ins, at);
    b.set(src.subarray(at), at + ins.length);
    return { bytes: b, how: `insert ${ins.length} at ${at}` };
  }
  if (kind === 3) {
    // Length-field inflation: overwrite 1, 2, 4 or 8 bytes with a large little-endian value.
    const b = src.slice();
    const w = [1, 2, 4, 8][pick(4)];
    const at = pick(Math.max(1, b.length - w));
    for (let i = 0; i < w; i++) b[at + i] = i === w - 1 ? 0x7f : 0xff;
    return { bytes: b, how: `inflate ${w} at ${at}` };
  }
  const b = src.slice();
  const at = pick(b.length);
  b[at] = pick(256);
  return { bytes: b, how: `set byte ${at}` };
}

test(`fuzz: ${inputs.length} files x 40-200 seeded mutations never throw or hang`, () => {
  const r = rng(SEED);
  let read = 0;
  let errors = 0;
  let refused = 0;
  let slowest = 0;
  const t0 = performance.now();
  let cases = 0;
  for (const { name, path, cases: n } of inputs) {
    const src = new Uint8Array(readFileSync(path));
    cases += n;
    for (let i = 0; i < n; i++) {
      const { bytes, how } = mutate(src, r);
      const t = performance.now();
      let res;
      try {
        res = loadPickleBytes(bytes, { path: name });
      } catch (e) {
        assert.fail(`${name} (${how}) threw: ${e instanceof Error ? e.stack : String(e)}`);
      }
      const dt = performance.now() - t;
      slowest = Math.max(slowest, dt);
      assert.ok(dt < PER_CASE_MS, `${name} (${how}) took ${dt.toFixed(0)} ms`);
      if (res.error) {
        errors++;
        assert.notEqual(res.error.code, 'pickle-internal', `${name} (${how}): unexpected exception: ${res.error.message}`);
        assert.ok(res.error.message.includes(name), `${name} (${how}): error does not name the file: ${res.error.message}`);
        assert.equal(res.value, null);
        assert.notEqual(res.report.verdict, 'safe');
      } else if (res.report.verdict === 'safe') {
        read++;
        assert.notEqual(res.value, undefined);
      } else {
        refused++;
        assert.equal(res.value, null);
        assert.ok(res.report.refused.length > 0);
      }
    }
  }
  const total = performance.now() - t0;
  assert.equal(read + errors + refused, cases);
  assert.ok(cases >= 5000);
  assert.ok(errors > 0 && read > 0, `mutations both break and keep files (read ${read}, errors ${errors})`);
  assert.ok(total < 20_000, `whole fuzz took ${total.toFixed(0)} ms`);
  console.log(`fuzz: ${read} read, ${refused} refused, ${errors} errors; slowest case ${slowest.toFixed(1)} ms, total ${total.toFixed(0)} ms`);
});
