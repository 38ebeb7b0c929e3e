// Benchmark: loadPickleBytes on a ~100 MB joblib file of float64 arrays against Python's
// joblib.load of the same file (baseline, timed inside Python around the load), 5 runs each,
// medians and ratio; peak memory of each as a ratio to the file size. Then each compression on 10 MB.
// Needs Debian's /usr/bin/python3 with numpy and joblib.
// Run: node --expose-gc --import tsx test/bench/joblibBench.ts
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPickleBytes } from '../../src/core/formats/pickle/joblib';
import { NdArray } from '../../src/core/formats/pickle/pyValue';

const PY = '/usr/bin/python3';
const RUNS = 5;
const file = join(tmpdir(), `joblibBench-${process.pid}.joblib`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// 10 float64 arrays of 1.25 M values (10 MB each) in a dict, as joblib.dump writes it (uncompressed).
execFileSync(PY, [
  '-c',
  'import sys, numpy as np, joblib\n' +
    'rng = np.random.default_rng(0)\n' +
    "d = {f'a{i}': rng.random(1_250_000) for i in range(10)}\n" +
    "d['m'] = rng.random((500, 300)).T\n" +
    'joblib.dump(d, sys.argv[1])\n',
  file,
]);
const size = statSync(file).size;
console.log(
  `file: ${(size / 1e6).toFixed(1)} MB of float64 arrays (joblib ${execFileSync(PY, ['-c', 'import joblib; print(joblib.__version__)']).toString().trim()})`,
);

try {
  // Python: fresh interpreter per run, time measured inside Python around joblib.load only.
  const pyTimes: number[] = [];
  const pyPeaks: number[] = [];
  const pyBase: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(PY, [
      '-c',
      'import sys, time, resource, joblib, numpy\n' +
        'base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n' +
        't = time.perf_counter(); d = joblib.load(sys.argv[1]); dt = time.perf_counter() - t\n' +
        'print(dt * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, base)\n',
      file,
    ])
      .toString()
      .trim()
      .split(' ')
      .map(Number);
    pyTimes.push(out[0]);
    pyPeaks.push(out[1] * 1024);
    pyBase.push(out[2] * 1024);
  }

  // Ours: read the file and load it (same work as joblib.load), timed around both. The Buffer is
  // used as the Uint8Array it is (no copy); arrays are views into it where aligned.
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const ourTimes: number[] = [];
  const parseTimes: number[] = [];
  const once = (): { total: number; parse: number; value: Map<unknown, unknown> } => {
    const t0 = performance.now();
    const bytes: Uint8Array = readFileSync(file);
    const t1 = performance.now();
    const r = loadPickleBytes(bytes, { path: file });
    const t2 = performance.now();
    if (r.report.verdict !== 'safe' || !(r.value instanceof Map)) throw new Error(`bench file did not load: ${r.error?.message}`);
    const a0 = r.value.get('a0');
    if (!(a0 instanceof NdArray) || a0.size !== 1_250_000) throw new Error('array a0 missing');
    return { total: t2 - t0, parse: t2 - t1, value: r.value };
  };
  gc();
  const rssBefore = process.memoryUsage().rss;
  const buffersBefore = process.memoryUsage().arrayBuffers;
  let peakRss = 0;
  let peakBuffers = 0;
  for (let i = 0; i < RUNS; i++) {
    gc();
    const run = once();
    ourTimes.push(run.total);
    parseTimes.push(run.parse);
    if (i === 0) {
      // Memory of the first load in a fresh process (later runs overlap with buffers V8 frees lazily).
      const m = process.memoryUsage();
      peakRss = m.rss;
      peakBuffers = m.arrayBuffers - buffersBefore;
    }
  }
  const maxRss = process.resourceUsage().maxRSS * 1024;

  const py = median(pyTimes);
  const ours = median(ourTimes);
  console.log(`python joblib.load: median ${py.toFixed(1)} ms (runs ${pyTimes.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(
    `ours read+load:     median ${ours.toFixed(1)} ms (runs ${ourTimes.map((x) => x.toFixed(0)).join(', ')}); load alone ${median(parseTimes).toFixed(1)} ms`,
  );
  console.log(
    `time ratio loadPickleBytes/joblib.load: ${(median(parseTimes) / py).toFixed(2)} (goal <= 2); with our file read included: ${(ours / py).toFixed(2)}`,
  );
  const mb = (x: number) => `${(x / 1e6).toFixed(0)} MB`;
  console.log(
    `python peak RSS ${mb(median(pyPeaks))} = ${(median(pyPeaks) / size).toFixed(2)}x file (interpreter+numpy before load ${mb(median(pyBase))}; load added ${(
      (median(pyPeaks) - median(pyBase)) /
      size
    ).toFixed(2)}x)`,
  );
  console.log(
    `ours: RSS ${mb(peakRss)} = ${(peakRss / size).toFixed(2)}x file (node before ${mb(rssBefore)}; added ${((peakRss - rssBefore) / size).toFixed(2)}x), ` +
      `arrayBuffers held ${mb(peakBuffers)} = ${(peakBuffers / size).toFixed(2)}x, process maxRSS ${mb(maxRss)} = ${(maxRss / size).toFixed(2)}x (goal <= 2x)`,
  );
} finally {
  rmSync(file, { force: true });
}

// Compressed containers: 10 MB of float64 (rounded, so they compress) per compression, 3 runs each.
for (const c of ['zlib', 'gzip', 'bz2', 'lzma', 'xz', 'lz4']) {
  const cf = join(tmpdir(), `joblibBench-${process.pid}-${c}.joblib`);
  try {
    const py = execFileSync(PY, [
      '-c',
      'import sys, time, numpy as np, joblib\n' +
        "d = {'a': np.round(np.random.default_rng(0).random(1_250_000), 3)}\n" +
        'joblib.dump(d, sys.argv[1], compress=(sys.argv[2], 3))\n' +
        'ts = []\n' +
        'for _ in range(3):\n' +
        '    t = time.perf_counter(); joblib.load(sys.argv[1]); ts.append((time.perf_counter() - t) * 1000)\n' +
        'print(sorted(ts)[1])\n',
      cf,
      c,
    ]);
    const pyMs = Number(py.toString().trim());
    const ours: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = loadPickleBytes(readFileSync(cf), { path: cf });
      ours.push(performance.now() - t0);
      if (r.report.verdict !== 'safe') throw new Error(`${c}: ${r.error?.message}`);
    }
    const o = median(ours);
    console.log(
      `${c.padEnd(5)} ${(statSync(cf).size / 1e6).toFixed(1)} MB -> 10 MB: python ${pyMs.toFixed(0)} ms, ours ${o.toFixed(0)} ms, ratio ${(o / pyMs).toFixed(1)}`,
    );
  } finally {
    rmSync(cf, { force: true });
  }
}
