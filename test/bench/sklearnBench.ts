// Benchmark: scaler files read by our pickle reader vs joblib.load, and transform / inverse_transform
// in TypeScript vs scikit-learn, on the same files (our benign fixtures in test/fixtures/sklearn) in
// the same run. Prints medians of 7 runs after warm-up and the ratio ours / Python.
// Run: node --import tsx test/bench/sklearnBench.ts   (needs Debian's /usr/bin/python3 with sklearn)
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { pickleArtifactReader } from '../../src/core/formats/pickle/pickleArtifact';
import { inverseTransform, transform } from '../../src/core/predict/scalerTransform';
import type { Scaler } from '../../src/core/types';

const RUNS = 7;
const ROWS = 100_000;
const DIR = join(__dirname, '..', 'fixtures', 'sklearn');
const FILES = [
  'standard.joblib',
  'minmax.joblib',
  'robust.joblib',
  'power_yj.joblib',
  'quantile_uniform.joblib',
  'quantile_normal.pkl',
  'pipe_standard_minmax.joblib',
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(f: () => unknown): number {
  f();
  const ts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    f();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(ts);
}

async function main(): Promise<void> {
  const py = spawnSync(
    '/usr/bin/python3',
    [
      '-W',
      'ignore',
      '-c',
      `
import json, sys, timeit, joblib, numpy as np
files, rows, runs, d = json.loads(sys.argv[1])
out = {}
rng = np.random.default_rng(1)
for f in files:
    path = d + '/' + f
    est = joblib.load(path)
    n = est.n_features_in_
    X = rng.normal(size=(rows, n)) * 10 + 5
    ts = sorted(timeit.repeat(lambda: joblib.load(path), number=1, repeat=runs))[runs // 2]
    tt = sorted(timeit.repeat(lambda: est.transform(X), number=1, repeat=runs))[runs // 2]
    Y = est.transform(X)
    ti = sorted(timeit.repeat(lambda: est.inverse_transform(Y), number=1, repeat=runs))[runs // 2]
    out[f] = {'load': ts * 1e3, 'transform': tt * 1e3, 'inverse': ti * 1e3, 'n': n}
print(json.dumps(out))
`,
      JSON.stringify([FILES, ROWS, RUNS, DIR]),
    ],
    { encoding: 'utf8' },
  );
  if (py.status !== 0) throw new Error(py.stderr);
  const ref = JSON.parse(py.stdout) as Record<string, { load: number; transform: number; inverse: number; n: number }>;
  const source = new NodeFileSource();
  console.log(`rows ${ROWS}, median of ${RUNS} runs (ms); ratio = ours / Python`);
  console.log('file                          read   joblib  ratio | transform sklearn ratio | inverse sklearn ratio');
  for (const f of FILES) {
    const p = join(DIR, f);
    const st = statSync(p);
    const head = readFileSync(p).subarray(0, 4096);
    let scaler: Scaler | undefined;
    const readMs = await (async () => {
      const ts: number[] = [];
      for (let i = 0; i <= RUNS; i++) {
        const t0 = process.hrtime.bigint();
        scaler = (await pickleArtifactReader.read({ path: p, size: st.size, head, source })).scaler;
        if (i > 0) ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return median(ts);
    })();
    const n = ref[f].n;
    const X: number[][] = [];
    let s = 12345;
    for (let i = 0; i < ROWS; i++) {
      const r: number[] = [];
      for (let j = 0; j < n; j++) {
        s = (s * 1664525 + 1013904223) >>> 0;
        r.push((s / 2 ** 32 - 0.5) * 30 + 5);
      }
      X.push(r);
    }
    const tt = time(() => transform(scaler!, X));
    const Y = transform(scaler!, X);
    const ti = time(() => inverseTransform(scaler!, Y));
    const r = ref[f];
    console.log(
      `${f.padEnd(28)} ${readMs.toFixed(2).padStart(6)} ${r.load.toFixed(2).padStart(7)} ${(readMs / r.load).toFixed(2).padStart(6)} |` +
        ` ${tt.toFixed(1).padStart(8)} ${r.transform.toFixed(1).padStart(7)} ${(tt / r.transform).toFixed(2).padStart(5)} |` +
        ` ${ti.toFixed(1).padStart(7)} ${r.inverse.toFixed(1).padStart(7)} ${(ti / r.inverse).toFixed(2).padStart(5)}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
