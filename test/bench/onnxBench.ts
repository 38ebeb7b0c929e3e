// Benchmark: ONNX Runtime (onnxruntime-node native, onnxruntime-web wasm) vs TensorFlow.js wasm (the
// Keras backend, src/core/predict/network.ts) vs numpy, in the same run, on one dense 8→256→256→1
// network: the Keras weights are converted in memory to ONNX (src/core/predict/onnxDense.ts), so
// every engine runs the same numbers. Prints medians of a 10,000-row batch and of single-row latency
// after warm-up, ratios to numpy (as installed and pinned to one thread), the largest difference
// from numpy, session creation time, and what each build adds to a VSIX (bytes, deflated bytes).
// Run: node --import tsx test/bench/onnxBench.ts   (env: BATCH=10000, RUNS=7, SINGLE=200)
// Needs Debian's /usr/bin/python3 with numpy.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadNetwork, type LayerValues } from '../../src/core/predict/network';
import { denseStack, denseToOnnx } from '../../src/core/predict/onnxDense';
import { loadOnnxNetwork, type OnnxBackendName } from '../../src/core/predict/onnxRuntime';

const RUNS = Number(process.env.RUNS ?? 7);
const BATCH = Number(process.env.BATCH ?? 10_000);
const SINGLE = Number(process.env.SINGLE ?? 200);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function rand(n: number, seed: number, scale = 0.2): Float32Array {
  let s = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * scale;
  }
  return out;
}

const dense = (name: string, units: number, activation: string, extra: Record<string, unknown> = {}) => ({
  class_name: 'Dense',
  config: { name, units, activation, use_bias: true, ...extra },
});
const CONFIG = {
  class_name: 'Sequential',
  config: { name: 'mlp', layers: [dense('d1', 256, 'relu', { batch_input_shape: [null, 8] }), dense('d2', 256, 'relu'), dense('d3', 1, 'linear')] },
};
const SHAPES: [string, number[], number[]][] = [
  ['d1', [8, 256], [256]],
  ['d2', [256, 256], [256]],
  ['d3', [256, 1], [1]],
];

const NUMPY = String.raw`
import json, sys, time
import numpy as np
spec = json.load(open(sys.argv[1]))
W = [(np.array(k, dtype=np.float32).reshape(s), np.array(b, dtype=np.float32)) for k, s, b in spec["weights"]]
def fwd(x):
    h = np.maximum(x @ W[0][0] + W[0][1], 0)
    h = np.maximum(h @ W[1][0] + W[1][1], 0)
    return h @ W[2][0] + W[2][1]
x = np.array(spec["x"], dtype=np.float32).reshape(-1, 8)
x1 = x[:1]
for _ in range(3): fwd(x); fwd(x1)
tb, t1 = [], []
for _ in range(spec["runs"]):
    t = time.perf_counter(); fwd(x); tb.append(time.perf_counter() - t)
    t = time.perf_counter()
    for _ in range(spec["single"]): fwd(x1)
    t1.append((time.perf_counter() - t) / spec["single"])
out = fwd(x)
print(json.dumps({"batch": sorted(tb)[len(tb)//2] * 1000, "single": sorted(t1)[len(t1)//2] * 1000, "out": out[:, 0].astype(float).tolist()}))
`;

interface Row {
  name: string;
  batch: number;
  single: number;
  maxRel: number;
  loadMs?: number;
}

async function time(
  predict: (rows: Float32Array[]) => number[][] | Promise<number[][]>,
  rows: Float32Array[],
  reference: number[],
): Promise<Omit<Row, 'name'>> {
  const one = [rows[0]];
  for (let i = 0; i < 3; i++) {
    await predict(rows);
    await predict(one);
  }
  const tb: number[] = [];
  const t1: number[] = [];
  let out: number[][] = [];
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    out = await predict(rows);
    tb.push(performance.now() - t);
    t = performance.now();
    for (let i = 0; i < SINGLE; i++) await predict(one);
    t1.push((performance.now() - t) / SINGLE);
  }
  let maxRel = 0;
  out.forEach((o, i) => (maxRel = Math.max(maxRel, Math.abs(o[0] - reference[i]) / Math.max(Math.abs(reference[i]), 1e-3))));
  return { batch: median(tb), single: median(t1), maxRel };
}

function dirBytes(dir: string, filter: (name: string) => boolean = () => true): { raw: number; deflated: number } {
  let raw = 0;
  let deflated = 0;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (filter(p)) {
        const b = readFileSync(p);
        raw += b.length;
        deflated += deflateSync(b, { level: 6 }).length;
      }
    }
  };
  walk(dir);
  return { raw, deflated };
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mbi-onnx-bench-'));
  let seed = 1;
  const layers: LayerValues[] = SHAPES.map(([name, ks, bs]) => ({
    name,
    tensors: [
      { name: `${name}/kernel`, shape: ks, values: rand(ks[0] * ks[1], seed++) },
      { name: `${name}/bias`, shape: bs, values: rand(bs[0], seed++) },
    ],
  }));
  const rows = Array.from({ length: BATCH }, (_, i) => rand(8, 1000 + i, 4));
  const spec = {
    runs: RUNS,
    single: SINGLE,
    x: rows.flatMap((r) => Array.from(r)),
    weights: layers.map((l) => [Array.from(l.tensors[0].values), l.tensors[0].shape, Array.from(l.tensors[1].values)]),
  };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  writeFileSync(join(dir, 'fwd.py'), NUMPY);
  const runNumpy = (env: NodeJS.ProcessEnv): { batch: number; single: number; out: number[] } => {
    const py = spawnSync('/usr/bin/python3', [join(dir, 'fwd.py'), join(dir, 'spec.json')], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
    if (py.status !== 0) throw new Error(py.stderr);
    return JSON.parse(py.stdout);
  };
  const numpy = runNumpy(process.env);
  const numpy1 = runNumpy({ ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });
  const reference = numpy1.out;
  const results: Row[] = [
    { name: 'numpy (as installed)', batch: numpy.batch, single: numpy.single, maxRel: 0 },
    { name: 'numpy (1 thread)', batch: numpy1.batch, single: numpy1.single, maxRel: 0 },
  ];

  // TensorFlow.js wasm, the Keras backend of the predict worker
  tf.env().set('PROD', true);
  setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
  await tf.setBackend('wasm');
  await tf.ready();
  let t0 = performance.now();
  const net = await loadNetwork(CONFIG, layers);
  const tfLoad = performance.now() - t0;
  results.push({ name: 'tfjs-wasm', ...(await time((r) => net.predict(r), rows, reference)), loadMs: tfLoad });
  net.dispose();

  // The same network converted in memory to ONNX
  t0 = performance.now();
  const stack = denseStack(CONFIG, layers);
  if (!stack) throw new Error('the dense stack was not recognised');
  const bytes = denseToOnnx(stack);
  const convertMs = performance.now() - t0;
  for (const backend of ['onnxruntime-node', 'onnxruntime-web'] as OnnxBackendName[]) {
    t0 = performance.now();
    const onnx = await loadOnnxNetwork({ bytes, inputShape: [null, 8], outputShape: [null, 1] }, backend, `${process.cwd()}/node_modules/onnxruntime-web/dist`);
    const loadMs = performance.now() - t0;
    results.push({ name: backend, ...(await time((r) => onnx.predict(r), rows, reference)), loadMs });
    onnx.dispose();
  }

  const base = numpy.batch;
  const base1 = numpy1.batch;
  console.log(
    `dense 8-256-256-1, batch ${BATCH} rows, ${RUNS} runs (medians); single row: mean of ${SINGLE} calls; Keras -> ONNX conversion ${convertMs.toFixed(2)} ms`,
  );
  console.log('engine                 | batch ms | x numpy | x numpy-1t | single-row ms | max rel. diff vs numpy | load ms');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(22)} | ${r.batch.toFixed(2).padStart(8)} | ${(r.batch / base).toFixed(2).padStart(7)} | ${(r.batch / base1).toFixed(2).padStart(10)} | ${r.single.toFixed(4).padStart(13)} | ${r.maxRel.toExponential(1).padStart(22)} | ${r.loadMs === undefined ? '' : r.loadMs.toFixed(0)}`,
    );
  }
  // What each build adds to a VSIX (vsce zips with deflate).
  const web = dirBytes('node_modules/onnxruntime-web/dist', (p) => /ort-wasm-simd-threaded\.(wasm|mjs)$/.test(p));
  const nodeLinux = dirBytes('node_modules/onnxruntime-node/bin/napi-v6/linux/x64');
  const nodeAll = dirBytes('node_modules/onnxruntime-node/bin');
  const nodeJs = dirBytes('node_modules/onnxruntime-node/dist');
  const common = dirBytes('node_modules/onnxruntime-common/dist/cjs');
  console.log(`VSIX payload: onnxruntime-web wasm+loader ${mb(web.raw)} (${mb(web.deflated)} deflated, every platform)`);
  console.log(
    `              onnxruntime-node linux-x64 binaries ${mb(nodeLinux.raw)} (${mb(nodeLinux.deflated)} deflated, one platform) + js ${mb(nodeJs.raw + common.raw)}`,
  );
  console.log(`              onnxruntime-node all platforms ${mb(nodeAll.raw)} (${mb(nodeAll.deflated)} deflated)`);
  rmSync(dir, { recursive: true, force: true });
}

void main();
