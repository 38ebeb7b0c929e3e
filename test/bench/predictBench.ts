// Benchmark: TensorFlow.js inference (wasm and cpu backends) vs a numpy forward pass on the same
// weights, in the same run. Dense 8→256→256→1 and a small CNN (28×28×1 → conv 16 → pool → conv 32 →
// pool → dense 10). Prints medians of batch throughput (10,000 rows) and single-row latency after
// warm-up, and the ratios to numpy (multi-threaded BLAS and pinned to one thread).
// Run: node --import tsx test/bench/predictBench.ts (env: BATCH, CNN_BATCH, RUNS, BACKENDS=wasm,cpu)
// Needs Debian's /usr/bin/python3 with numpy.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadNetwork, type LayerValues } from '../../src/core/predict/network';

const RUNS = Number(process.env.RUNS ?? 7);
const BACKENDS = (process.env.BACKENDS ?? 'wasm,cpu').split(',') as ('wasm' | 'cpu')[];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function rand(n: number, seed: number): Float32Array {
  let s = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * 0.2;
  }
  return out;
}

function dense(name: string, units: number, activation: string, extra: Record<string, unknown> = {}) {
  return { class_name: 'Dense', config: { name, units, activation, use_bias: true, ...extra } };
}

const models = {
  dense: {
    config: {
      class_name: 'Sequential',
      config: { name: 'mlp', layers: [dense('d1', 256, 'relu', { batch_input_shape: [null, 8] }), dense('d2', 256, 'relu'), dense('d3', 1, 'linear')] },
    },
    inputShape: [8],
    weights: [
      ['d1', [8, 256], [256]],
      ['d2', [256, 256], [256]],
      ['d3', [256, 1], [1]],
    ] as [string, number[], number[]][],
  },
  cnn: {
    config: {
      class_name: 'Sequential',
      config: {
        name: 'cnn',
        layers: [
          {
            class_name: 'Conv2D',
            config: { name: 'c1', filters: 16, kernel_size: [3, 3], activation: 'relu', padding: 'valid', batch_input_shape: [null, 28, 28, 1] },
          },
          { class_name: 'MaxPooling2D', config: { name: 'p1', pool_size: [2, 2] } },
          { class_name: 'Conv2D', config: { name: 'c2', filters: 32, kernel_size: [3, 3], activation: 'relu', padding: 'valid' } },
          { class_name: 'MaxPooling2D', config: { name: 'p2', pool_size: [2, 2] } },
          { class_name: 'Flatten', config: { name: 'f' } },
          dense('out', 10, 'linear'),
        ],
      },
    },
    inputShape: [28, 28, 1],
    weights: [
      ['c1', [3, 3, 1, 16], [16]],
      ['c2', [3, 3, 16, 32], [32]],
      ['out', [800, 10], [10]],
    ] as [string, number[], number[]][],
  },
};

const NUMPY = String.raw`
import json, sys, time
import numpy as np
spec = json.load(open(sys.argv[1]))
W = {k: [np.array(v[0], dtype=np.float32).reshape(v[1]), np.array(v[2], dtype=np.float32)] for k, v in spec["weights"].items()}
def conv(x, k, b):
    kh, kw, ci, co = k.shape
    n, h, w, _ = x.shape
    oh, ow = h - kh + 1, w - kw + 1
    out = np.zeros((n, oh, ow, co), dtype=np.float32)
    for i in range(kh):
        for j in range(kw):
            out += x[:, i:i+oh, j:j+ow, :] @ k[i, j]
    return np.maximum(out + b, 0)
def pool(x):
    n, h, w, c = x.shape
    return x[:, :h//2*2, :w//2*2, :].reshape(n, h//2, 2, w//2, 2, c).max(axis=(2, 4))
def fwd(x):
    if spec["model"] == "dense":
        h = np.maximum(x @ W["d1"][0] + W["d1"][1], 0)
        h = np.maximum(h @ W["d2"][0] + W["d2"][1], 0)
        return h @ W["d3"][0] + W["d3"][1]
    h = pool(conv(x, *W["c1"]))
    h = pool(conv(h, *W["c2"]))
    return h.reshape(len(h), -1) @ W["out"][0] + W["out"][1]
rng = np.random.default_rng(0)
xb = rng.standard_normal((spec["batch"],) + tuple(spec["shape"])).astype(np.float32)
x1 = xb[:1]
for _ in range(3): fwd(xb); fwd(x1)
tb, t1 = [], []
for _ in range(spec["runs"]):
    t = time.perf_counter(); fwd(xb); tb.append(time.perf_counter() - t)
    t = time.perf_counter()
    for _ in range(100): fwd(x1)
    t1.append((time.perf_counter() - t) / 100)
print(json.dumps({"batch": sorted(tb)[len(tb)//2] * 1000, "single": sorted(t1)[len(t1)//2] * 1000}))
`;

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  const dir = mkdtempSync(join(tmpdir(), 'mbi-bench-'));
  const script = join(dir, 'numpy_forward.py');
  writeFileSync(script, NUMPY);
  const batchRows = Number(process.env.BATCH ?? 10_000);
  const cnnBatch = Number(process.env.CNN_BATCH ?? 1_000);
  const results: string[] = [];
  for (const [name, m] of Object.entries(models)) {
    const batch = name === 'cnn' ? cnnBatch : batchRows;
    let seed = 1;
    const layers: LayerValues[] = m.weights.map(([lname, ks, bs]) => ({
      name: lname,
      tensors: [
        {
          name: `${lname}/kernel`,
          shape: ks,
          values: rand(
            ks.reduce((a, b) => a * b, 1),
            seed++,
          ),
        },
        { name: `${lname}/bias`, shape: bs, values: rand(bs[0], seed++) },
      ],
    }));
    const spec = {
      model: name,
      batch,
      runs: RUNS,
      shape: m.inputShape,
      weights: Object.fromEntries(layers.map((l) => [l.name, [Array.from(l.tensors[0].values), l.tensors[0].shape, Array.from(l.tensors[1].values)]])),
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    // numpy as installed (OpenBLAS may use both cores) and pinned to one thread: tfjs-wasm runs
    // on one thread in Node (its threaded build cannot start workers there), so the second ratio
    // is the like-for-like one.
    const runNumpy = (env: NodeJS.ProcessEnv): { batch: number; single: number } => {
      const py = spawnSync('/usr/bin/python3', [script, join(dir, 'spec.json')], { encoding: 'utf8', env });
      if (py.status !== 0) throw new Error(py.stderr);
      return JSON.parse(py.stdout) as { batch: number; single: number };
    };
    const numpy = runNumpy(process.env);
    const numpy1 = runNumpy({ ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' });
    const perRow = m.inputShape.reduce((a, b) => a * b, 1);
    const rows = Array.from({ length: batch }, (_, i) => rand(perRow, 1000 + i));
    for (const backend of BACKENDS) {
      if (backend === 'wasm') {
        const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
        setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
      }
      await tf.setBackend(backend);
      await tf.ready();
      if (backend === 'wasm' && name === 'dense') {
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
        console.log(`wasm: SIMD ${simd}, multithread ${threads}`);
      }
      const net = await loadNetwork(m.config, layers);
      for (let i = 0; i < 3; i++) {
        net.predict(rows);
        net.predict([rows[0]]);
      }
      const tb: number[] = [];
      const t1: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        let t = performance.now();
        net.predict(rows);
        tb.push(performance.now() - t);
        t = performance.now();
        for (let i = 0; i < 100; i++) net.predict([rows[i % rows.length]]);
        t1.push((performance.now() - t) / 100);
      }
      net.dispose();
      const b = median(tb);
      const s = median(t1);
      results.push(
        `${name.padEnd(6)} ${backend.padEnd(5)} batch ${String(batch).padStart(6)} rows: ${b.toFixed(1).padStart(8)} ms` +
          ` (numpy ${numpy.batch.toFixed(1)} ms, ratio ${(b / numpy.batch).toFixed(2)}x;` +
          ` numpy 1 thread ${numpy1.batch.toFixed(1)} ms, ratio ${(b / numpy1.batch).toFixed(2)}x)` +
          `   single row: ${s.toFixed(3)} ms (numpy ${numpy.single.toFixed(3)} ms, ratio ${(s / numpy.single).toFixed(2)}x)`,
      );
      console.log(results[results.length - 1]);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`\nmedians of ${RUNS} runs; single-row latency averaged over 100 calls per run`);
  console.log('numpy: as installed (OpenBLAS threads = cores) and with OPENBLAS_NUM_THREADS=1; tfjs wasm is single-threaded in Node');
}

void main();
