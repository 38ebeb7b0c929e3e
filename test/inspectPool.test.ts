// The index's worker pool: the same reports as reading in-process (the real fixtures of every
// format), a scan through the pool equal to one without it, and a dead worker's files read anyway.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { importMetaUrl, nodeCjs } from '../scripts/esbuildNode.mjs';
import { BundleIndex } from '../src/core/bundles/bundleIndex';
import { inspectFile } from '../src/core/formats/inspect';
import { NodeFileSource } from '../src/core/io/nodeFileSource';
import { InspectPool } from '../src/inspectPool';

const dist = mkdtempSync(join(tmpdir(), 'mbi-inspect-worker-'));
let pool: InspectPool;

before(async () => {
  await build({ entryPoints: ['src/inspectWorker.ts'], outfile: join(dist, 'inspectWorker.js'), bundle: true, platform: 'node', format: 'cjs', logLevel: 'error', ...nodeCjs, banner: { js: importMetaUrl } });
  pool = new InspectPool(dist, 2);
});
after(() => {
  pool?.dispose();
  rmSync(dist, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('InspectPool (worker threads)', () => {
  it('gives the same report as inspectFile for every real fixture and the example bundle', async () => {
    const source = new NodeFileSource();
    const files = [...filesUnder(resolve('test/fixtures/real')), ...filesUnder(resolve('examples/complete-bundle'))].filter((f) => !f.endsWith('.md'));
    assert.ok(files.length > 30);
    const viaPool = await Promise.all(files.map((f) => pool.inspect(f, statSync(f))));
    for (let i = 0; i < files.length; i++) {
      const st = statSync(files[i]);
      const inline = await inspectFile(files[i], source, { explicit: false, stat: { size: st.size, mtimeMs: st.mtimeMs, isDirectory: false } });
      assert.deepEqual(viaPool[i], inline, files[i]);
    }
  });

  it('serves a scan: bundles and findings equal to a scan without workers', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'mbi-inspect-ws-'));
    try {
      cpSync('examples/complete-bundle', join(ws, 'wind'), { recursive: true });
      cpSync('test/fixtures/real/gazi-faysal-jubayer__ExoBengal', join(ws, 'exo'), { recursive: true });
      cpSync('test/fixtures/real/tensorflow__tfjs-examples/abalone-node/trainedModel', join(ws, 'abalone'), { recursive: true });
      const used: string[] = [];
      const withPool = await new BundleIndex(new NodeFileSource(), {
        inspect: (p, st) => {
          used.push(p);
          return pool.inspect(p, st);
        },
      }).scan([ws]);
      const without = await new BundleIndex(new NodeFileSource()).scan([ws]);
      assert.ok(used.some((p) => p.endsWith('model.h5')) && used.some((p) => p.endsWith('scaler.joblib')));
      assert.deepEqual(withPool.bundles, without.bundles);
      assert.deepEqual(withPool.files, without.files);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('reads a file in-process when its worker is gone', async () => {
    const dead = new InspectPool(join(dist, 'no-such-folder'), 1);
    const ws = mkdtempSync(join(tmpdir(), 'mbi-inspect-dead-'));
    try {
      cpSync('examples/complete-bundle', ws, { recursive: true });
      const snap = await new BundleIndex(new NodeFileSource(), { inspect: (p, st) => dead.inspect(p, st) }).scan([ws]);
      assert.equal(snap.bundles.length, 1);
      assert.equal(snap.bundles[0].complete, true);
      assert.equal(snap.files.find((f) => f.path.endsWith('scaler.joblib'))?.scaler?.nFeaturesIn, 4);
    } finally {
      dead.dispose();
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
