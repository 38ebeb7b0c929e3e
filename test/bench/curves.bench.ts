// Benchmark: a 1,000,000-point training log (train + validation) through the curve pipeline
// (EMA, LTTB to 2,000 points, markers) against the baseline of sending it whole, in the same run.
// Run: npx tsx test/bench/curves.bench.ts
import { buildCurves, type LoadedLog } from '../../src/core/report/viewModel';
import { DEFAULT_CURVE_OPTIONS } from '../../src/shared/protocol';

const N = 1_000_000;
const steps = Array.from({ length: N }, (_, i) => i);
let seed = 1;
const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
const loss = steps.map((i) => Math.exp(-i / 2e5) + 0.02 * rnd());
const val = steps.map((i) => Math.exp(-i / 2e5) + (i / N) ** 2 * 0.5 + 0.05 * rnd());
const log: LoadedLog = {
  path: '/r/log.csv',
  format: 'keras-csv-log',
  data: { source: 'keras-csv-log', series: { loss: { steps, values: loss }, val_loss: { steps, values: val } } },
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => unknown, runs = 5): { ms: number; out: unknown } {
  const t: number[] = [];
  let out: unknown;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    out = fn();
    t.push(performance.now() - t0);
  }
  return { ms: median(t), out };
}

const baseline = time(() => JSON.stringify(log.data));
const pipeline = time(() => JSON.stringify(buildCurves('/r', [log], { ...DEFAULT_CURVE_OPTIONS, smoothing: 'ema', emaWeight: 0.9 })));
const baseBytes = (baseline.out as string).length;
const pipeBytes = (pipeline.out as string).length;
console.log(`points per series: ${N.toLocaleString('en-US')} x 2`);
console.log(`baseline (serialise whole log): median ${baseline.ms.toFixed(1)} ms, ${(baseBytes / 1e6).toFixed(1)} MB message`);
console.log(`pipeline (EMA + LTTB 2000 + markers + serialise): median ${pipeline.ms.toFixed(1)} ms, ${(pipeBytes / 1e3).toFixed(1)} kB message`);
console.log(`time ratio pipeline/baseline: ${(pipeline.ms / baseline.ms).toFixed(2)}; message size ratio: ${(pipeBytes / baseBytes).toFixed(4)}`);
