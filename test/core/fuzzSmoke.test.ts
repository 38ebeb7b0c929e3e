// Seeded smoke run of the fuzz harness (test/fuzz/): a few thousand structure-aware mutants of
// the fixtures, every reader, in-process. Every case must be read or refused with a ReadError /
// an error naming the file, within the per-case budget. The full campaign is `npm run fuzz`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeCase, runCase, type Outcome } from '../fuzz/engine';
import { TARGETS } from '../fuzz/targets';

const SEED = 20261204;
/** Cases per target (sized so that each target takes about a second). */
const CASES: Record<string, number> = {
  pickle: 400,
  joblib: 200,
  hdf5: 200,
  'keras-zip': 80,
  'keras-json': 200,
  tfjs: 100,
  'history-json': 200,
  csv: 300,
  tfevents: 300,
  savedmodel: 300,
  'torch-zip': 300,
  'torch-legacy': 300,
  safetensors: 300,
  onnx: 600,
};
const BUDGET_MS = 3000;

describe('fuzz smoke run (seeded)', () => {
  it('every target has a case count here', () => {
    assert.deepEqual(
      TARGETS.map((t) => t.name).filter((n) => !(n in CASES)),
      [],
    );
  });
  for (const t of TARGETS) {
    it(`${t.name}: ${CASES[t.name] ?? 100} cases, no crash, no unnamed error, none over ${BUDGET_MS} ms`, async () => {
      const seeds = t.seeds();
      assert.ok(seeds.length > 0, 'the target has seed files');
      const bad: string[] = [];
      const kinds: Record<string, number> = {};
      for (let i = 0; i < (CASES[t.name] ?? 100); i++) {
        const o: Outcome = await runCase(makeCase(t, seeds, SEED, i), BUDGET_MS);
        kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
        if (o.kind !== 'ok' && o.kind !== 'rejected') bad.push(`case ${i}: ${o.kind}${'error' in o ? ` ${o.error}` : ''} (${o.ms.toFixed(0)} ms)`);
      }
      assert.deepEqual(bad, [], `replay with: npm run fuzz -- --reader ${t.name} --seed ${SEED}`);
      // the mutants reach the readers: some are read, or refused (the history reader takes almost
      // anything; the tfevents reader refuses a file with any bad record)
      assert.ok((kinds.ok ?? 0) + (kinds.rejected ?? 0) === (CASES[t.name] ?? 100));
      if (t.name !== 'history-json') assert.ok((kinds.rejected ?? 0) > 0, `some ${t.name} mutants are refused`);
      if (t.name !== 'tfevents') assert.ok((kinds.ok ?? 0) > 0, `some ${t.name} mutants are read`);
    });
  }
});
