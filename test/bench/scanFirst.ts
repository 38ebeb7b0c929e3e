// One cold scan in a fresh process, for scanBench.ts, which bundles this file with esbuild (as the
// extension is bundled) and runs it: prints {"quick": ms, "complete": ms, "peakRssMB"} of the first scan.
import { BundleIndex } from '../../src/core/bundles/bundleIndex';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { InspectPool } from '../../src/inspectPool';

async function main(): Promise<void> {
  // argv[3]: sliceMs, as the extension sets it; argv[4]: a folder holding inspectWorker.js, to read
  // the deep phase's files in worker threads as the extension does
  const sliceMs = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  const pool = process.argv[4] ? new InspectPool(process.argv[4]) : null;
  const index = new BundleIndex(new NodeFileSource(), { sliceMs, inspect: pool ? (p, st) => pool.inspect(p, st) : undefined });
  let t = performance.now();
  await index.quickScan([process.argv[2]]);
  const quick = performance.now() - t;
  t = performance.now();
  await index.complete();
  const complete = performance.now() - t;
  console.log(JSON.stringify({ quick, complete, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
  pool?.dispose();
}

void main();
