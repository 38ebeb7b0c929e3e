// Benchmark: workspace scan. Generates (in the temp folder) 100,000 files with 1,000 bundles (real
// small artifacts, see generate(); the rest source, text and data files),
// then prints medians of: cold scan time (a new index) as a ratio to `find <dir> -type f | wc -l` run in
// the same process (both with the OS folder cache warm), warm re-scan, update after one file changes,
// the first scan of the process apart, and peak RSS.
// Run: node --import tsx test/bench/scanBench.ts [files=100000] [bundles=1000]   (DROP_CACHES=1: disk-cold)
import { execSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleIndex } from '../../src/core/bundleIndex';
import { NodeFileSource } from '../../src/core/nodeFileSource';

const FILES = Number(process.argv[2] ?? 100_000);
const BUNDLES = Number(process.argv[3] ?? 1_000);
const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function generate(): string {
  const root = mkdtempSync(join(tmpdir(), 'mbi-scan-'));
  let count = 0;
  // Three kinds of bundle, from real small files: the example (HDF5 model, two scalers, CSV log), the
  // tfjs-examples abalone model (model.json + weights.bin, with a CSV log beside it) and ExoBengal's
  // models/ folder (Keras 3 HDF5 model, scaler and imputer pickles).
  const kinds3: [string, string[], string][] = [
    ['examples/complete-bundle', ['model.h5', 'scaler.joblib', 'y_scaler.joblib', 'training_log.csv'], ''],
    ['test/fixtures/real/tensorflow__tfjs-examples/abalone-node/trainedModel', ['model.json', 'weights.bin'], ''],
    ['test/fixtures/real/gazi-faysal-jubayer__ExoBengal/models', ['cnn_model.h5', 'scaler.pkl', 'imputer.pkl'], 'models'],
  ];
  for (let b = 0; b < BUNDLES; b++) {
    const [from, parts, sub] = kinds3[b % 3];
    const dir = join(root, `project${b % 50}`, `run${b}`);
    mkdirSync(join(dir, sub), { recursive: true });
    for (const p of parts) copyFileSync(join(from, p), join(dir, sub, p));
    count += parts.length;
    if (b % 3 === 1) {
      copyFileSync('examples/complete-bundle/training_log.csv', join(dir, 'training_log.csv'));
      count++;
    }
  }
  const kinds = ['py', 'md', 'txt', 'json', 'csv', 'js', 'npy', 'dat'];
  let i = 0;
  while (count < FILES) {
    const dir = join(root, `src${i % 200}`, `pkg${Math.floor(i / 200) % 25}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    const kind = kinds[i % kinds.length];
    const body = kind === 'json' ? '{"name": "x", "version": 1}' : kind === 'csv' ? 'a,b\n1,2\n' : `file ${i}\n`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.${kind}`), body);
    i++;
    count++;
  }
  return root;
}

async function main(): Promise<void> {
  console.log(`generating ${FILES} files with ${BUNDLES} bundles...`);
  const root = generate();
  try {
    const findMs: number[] = [];
    const cold: number[] = [];
    const warm: number[] = [];
    const update: number[] = [];
    let peak = 0;
    let first = 0;
    execSync(`find ${root} -type f | wc -l`); // warm the folder cache for both sides alike
    for (let r = 0; r < RUNS; r++) {
      // DROP_CACHES=1 (root only; slows every process on the machine): file contents come from disk.
      if (process.env.DROP_CACHES === '1') execSync('sync; echo 3 > /proc/sys/vm/drop_caches', { shell: '/bin/bash' });
      let t = performance.now();
      const n = execSync(`find ${root} -type f | wc -l`, { encoding: 'utf8' }).trim();
      findMs.push(performance.now() - t);
      const index = new BundleIndex(new NodeFileSource());
      t = performance.now();
      const snap = await index.scan([root]);
      cold.push(performance.now() - t);
      if (r === 0) {
        first = cold[0];
        console.log(`find: ${n} files; index: ${snap.files.length} artifact files, ${snap.bundles.length} bundles`);
      }
      t = performance.now();
      await index.scan([root]);
      warm.push(performance.now() - t);
      const changed = join(root, 'project6', 'run6', 'training_log.csv');
      const now = Date.now() / 1000 + r + 1;
      utimesSync(changed, now, now);
      t = performance.now();
      await index.update([changed], []);
      update.push(performance.now() - t);
    }
    peak = process.resourceUsage().maxRSS * 1024;
    const f = median(findMs);
    const c = median(cold);
    console.log(`cold scan:   ${c.toFixed(0)} ms  (find -type f | wc -l: ${f.toFixed(0)} ms, ratio ${(c / f).toFixed(2)}x; goal < 3x)`);
    console.log(`first scan of the process (readers loaded and compiled): ${first.toFixed(0)} ms, ratio ${(first / f).toFixed(2)}x`);
    console.log(`warm rescan: ${median(warm).toFixed(0)} ms (full walk + stat, nothing re-read)`);
    console.log(`update after one file changed: ${median(update).toFixed(1)} ms (goal < 50 ms)`);
    console.log(`peak RSS: ${(peak / 1024 / 1024).toFixed(0)} MB; medians of ${RUNS} runs`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
