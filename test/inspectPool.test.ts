// The index's worker pool: the same reports as reading in-process (the real fixtures of every
// format), a scan through the pool equal to one without it, and a dead worker's files read anyway.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  await build({
    entryPoints: ['src/inspectWorker.ts'],
    outfile: join(dist, 'inspectWorker.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
    ...nodeCjs,
    banner: { js: importMetaUrl },
  });
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

describe('InspectPool: hangs and traps (fuzz findings, docs/fuzzing.md)', () => {
  const fake = mkdtempSync(join(tmpdir(), 'mbi-fake-worker-'));
  after(() => rmSync(fake, { recursive: true, force: true }));
  it('a file that never answers is reported as read-timeout and its worker stopped', async () => {
    const dir = join(fake, 'silent');
    mkdirSync(dir);
    writeFileSync(join(dir, 'inspectWorker.js'), 'setInterval(() => {}, 1000);\n');
    const p = new InspectPool(dir, 1, 300);
    const t0 = Date.now();
    const r = await p.inspect('/x/model.h5', { size: 10, mtimeMs: 5 });
    p.dispose();
    assert.equal(r.error?.code, 'read-timeout');
    assert.match(r.error!.message, /^\/x\/model\.h5: reading took longer than 0 s/);
    assert.ok(Date.now() - t0 < 5000);
  });
  it('after a trap in the HDF5 library the worker is replaced (a fresh WebAssembly instance)', async () => {
    const dir = join(fake, 'trap');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'inspectWorker.js'),
      "const { parentPort, threadId } = require('node:worker_threads');\n" +
        "parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, report: { path: m.path, role: 'other', format: 'unknown', mtimeMs: threadId, error: m.path.endsWith('bad.h5') ? { code: 'corrupt-hdf5', message: m.path + ': malformed HDF5 metadata stopped the HDF5 library (unreachable)' } : null } }));\n",
    );
    const p = new InspectPool(dir, 1, 5000);
    const st = { size: 1, mtimeMs: 0 };
    const a = await p.inspect('/x/a.h5', st);
    const b = await p.inspect('/x/b.h5', st);
    const bad = await p.inspect('/x/bad.h5', st);
    const c = await p.inspect('/x/c.h5', st);
    p.dispose();
    assert.equal(a.mtimeMs, b.mtimeMs, 'same worker while nothing trapped');
    assert.equal(bad.mtimeMs, a.mtimeMs);
    assert.notEqual(c.mtimeMs, a.mtimeMs, 'a new worker after the trap');
  });
});
