// One cold scan in a fresh process, for scanBench.ts, which bundles this file with esbuild (as the
// extension is bundled) and runs it: prints {"quick": ms, "complete": ms, "peakRssMB"} of the first scan.
import { BundleIndex } from '../../src/core/bundleIndex';
import { NodeFileSource } from '../../src/core/nodeFileSource';

async function main(): Promise<void> {
  // argv[3]: sliceMs, as the extension sets it
  const sliceMs = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  const index = new BundleIndex(new NodeFileSource(), { sliceMs });
  let t = performance.now();
  await index.quickScan([process.argv[2]]);
  const quick = performance.now() - t;
  t = performance.now();
  await index.complete();
  const complete = performance.now() - t;
  console.log(JSON.stringify({ quick, complete, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
}

void main();
