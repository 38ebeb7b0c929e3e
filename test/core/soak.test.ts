// Shortened soak (test/bench/soak.ts, `npm run soak` runs a minute): a fake training run rewrites
// its CSV log and checkpoint every 100 ms for 6 s while the index follows through the debounce.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runSoak } from '../bench/soak';

it('soak (6 s): last epoch seen, nothing left broken, no file broken longer than one debounce period, heap flat', async () => {
  const r = await runSoak({
    seconds: 6,
    periodMs: 100,
    delayMs: 300,
    maxWaitMs: 1000,
  });
  assert.ok(r.writes >= 20, `${r.writes} writes`);
  assert.equal(r.epochsSeen, r.epochsWritten, 'the index has the last epoch');
  assert.deepEqual(r.finalErrors, []);
  assert.ok(r.updates >= 3, `${r.updates} updates`);
  assert.ok(r.longestBrokenMs <= r.debounceMs + 1500, `broken for ${r.longestBrokenMs} ms`);
  assert.ok(r.heapLastMb < r.heapFirstMb * 1.5 + 32, `heap ${r.heapFirstMb.toFixed(0)} -> ${r.heapLastMb.toFixed(0)} MB`);
});
