// Per-file cost of the readers on small real artifacts (the "deep" phase of a workspace scan):
// median time of inspectFile(path, NodeFileSource, {explicit:false}) per file after warm-up,
// against two baselines measured in the same script: Node's readFileSync of the same file (raw
// I/O), and Python's own read of it (h5py open + attributes + dataset shapes; joblib.load /
// pickle.load; pandas.read_csv), timed inside one /usr/bin/python3 process.
// A third column runs inspectFile over a FileSource whose readFile is readFileSync (NodeFileSource's
// is fs.promises.readFile): how much of a small file's time is the thread-pool round trips.
// Run: node --import tsx test/bench/readersBench.ts [--reps 200] [--json out.json]
// Benchmarks may spawn processes; the product never does.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const PY = '/usr/bin/python3';

/** NodeFileSource with a synchronous readFile (the benchmark's "sync readFile" column). */
class SyncReadSource extends NodeFileSource {
  override async readFile(path: string): Promise<Uint8Array> {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
}
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const REPS = Number(arg('--reps', '200'));
const WARMUP = Math.max(20, REPS >> 2);

type Kind = 'h5' | 'pickle' | 'joblib' | 'csv' | 'json';
const FILES: { path: string; kind: Kind }[] = [
  { path: 'examples/complete-bundle/model.h5', kind: 'h5' },
  { path: 'test/fixtures/real/gazi-faysal-jubayer__ExoBengal/models/cnn_model.h5', kind: 'h5' },
  { path: 'test/fixtures/real/Dobiasd__frugally-deep/test/stateful_test/temp_stateful.h5', kind: 'h5' },
  { path: 'test/fixtures/real/HrushikeshSS10__Bank-Churn-Prediction/model.weights.h5', kind: 'h5' },
  { path: 'examples/complete-bundle/scaler.joblib', kind: 'joblib' },
  { path: 'examples/complete-bundle/y_scaler.joblib', kind: 'joblib' },
  { path: 'test/fixtures/real/gazi-faysal-jubayer__ExoBengal/models/scaler.pkl', kind: 'pickle' },
  { path: 'test/fixtures/real/gazi-faysal-jubayer__ExoBengal/models/imputer.pkl', kind: 'pickle' },
  { path: 'examples/complete-bundle/training_log.csv', kind: 'csv' },
  { path: 'test/fixtures/real/tensorflow__tfjs-examples/abalone-node/trainedModel/model.json', kind: 'json' },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Python: one process, every file of the list read REPS times after warm-up, median per file (ms).
const PY_SCRIPT = `
import sys, json, time, statistics, pickle, h5py, joblib, pandas
reps = int(sys.argv[1]); files = json.loads(sys.argv[2])
def h5(p):
    with h5py.File(p, 'r') as f:
        def visit(name, obj):
            dict(obj.attrs)
            if isinstance(obj, h5py.Dataset): obj.shape, obj.dtype
        dict(f.attrs); f.visititems(visit)
def pk(p):
    with open(p, 'rb') as fh: pickle.load(fh)
readers = {'h5': h5, 'pickle': pk, 'joblib': joblib.load, 'csv': pandas.read_csv,
           'json': lambda p: json.load(open(p))}
out = {}
for p, k in files:
    fn = readers[k]
    for _ in range(max(5, reps // 4)): fn(p)
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); fn(p); ts.append((time.perf_counter() - t) * 1000)
    out[p] = statistics.median(ts)
print(json.dumps(out))
`;

function pythonTimes(): Record<string, number> {
  const r = spawnSync(PY, ['-c', PY_SCRIPT, String(REPS), JSON.stringify(FILES.map((f) => [f.path, f.kind]))], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) {
    console.error(`python baseline failed: ${r.stderr.slice(-400)}`);
    return {};
  }
  return JSON.parse(r.stdout) as Record<string, number>;
}

async function main(): Promise<void> {
  const source = new NodeFileSource();
  const syncSource = new SyncReadSource();
  const rows: { file: string; ms: number; syncMs: number; readMs: number; pyMs: number | null; format: string }[] = [];
  for (const { path } of FILES) {
    const abs = resolve(path);
    let format = '';
    for (let i = 0; i < WARMUP; i++) {
      format = (await inspectFile(abs, source, { explicit: false })).format;
      await inspectFile(abs, syncSource, { explicit: false });
    }
    // the two sources alternate, so machine load affects both alike
    const ts: number[] = [];
    const ss: number[] = [];
    for (let i = 0; i < REPS; i++) {
      let t = performance.now();
      await inspectFile(abs, source, { explicit: false });
      ts.push(performance.now() - t);
      t = performance.now();
      await inspectFile(abs, syncSource, { explicit: false });
      ss.push(performance.now() - t);
    }
    const rs: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const t = performance.now();
      readFileSync(abs);
      rs.push(performance.now() - t);
    }
    rows.push({ file: path, ms: median(ts), syncMs: median(ss), readMs: median(rs), pyMs: null, format });
  }
  const py = pythonTimes();
  for (const r of rows) r.pyMs = py[r.file] ?? null;
  console.log(`reps ${REPS} (warm-up ${WARMUP}), medians in ms; Node ${process.version}`);
  console.log('| file | format | inspectFile | with sync readFile | readFileSync | inspectFile / readFileSync | Python read | inspectFile / Python |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const short = r.file.replace(/^test\/fixtures\/real\//, '');
    const py = r.pyMs === null ? 'n/a' : r.pyMs.toFixed(3);
    const pyRatio = r.pyMs === null ? 'n/a' : (r.ms / r.pyMs).toFixed(2);
    console.log(
      `| ${short} | ${r.format} | ${r.ms.toFixed(3)} | ${r.syncMs.toFixed(3)} | ${r.readMs.toFixed(3)} | ${(r.ms / r.readMs).toFixed(0)} | ${py} | ${pyRatio} |`,
    );
  }
  const out = arg('--json', '');
  if (out) writeFileSync(out, JSON.stringify(rows, null, 2));
}

void main();
