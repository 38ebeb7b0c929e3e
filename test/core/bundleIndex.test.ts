import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BundleIndex } from '../../src/core/bundleIndex';
import { globMatcher } from '../../src/core/glob';
import { NodeFileSource } from '../../src/core/nodeFileSource';
import { buildReport } from '../../src/core/report';

/** A NodeFileSource that counts whole-file and range reads per path. */
class CountingSource extends NodeFileSource {
  reads = new Map<string, number>();
  private count(p: string): void {
    this.reads.set(p, (this.reads.get(p) ?? 0) + 1);
  }
  override async readFile(p: string): Promise<Uint8Array> {
    this.count(p);
    return super.readFile(p);
  }
  override async readRange(p: string, o: number, l: number): Promise<Uint8Array> {
    this.count(p);
    return super.readRange(p, o, l);
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'mbi-index-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function workspace(): string {
  const ws = mkdtempSync(join(tmp, 'ws-'));
  cpSync('examples/complete-bundle', join(ws, 'wind'), { recursive: true });
  cpSync('test/fixtures/real/tensorflow__tfjs-examples/abalone-node/trainedModel', join(ws, 'abalone'), { recursive: true });
  mkdirSync(join(ws, 'src'));
  writeFileSync(join(ws, 'src', 'train.py'), 'print(1)\n');
  mkdirSync(join(ws, 'node_modules', 'x'), { recursive: true });
  copyFileSync('examples/complete-bundle/model.h5', join(ws, 'node_modules', 'x', 'model.h5'));
  mkdirSync(join(ws, 'data'));
  copyFileSync('examples/complete-bundle/model.h5', join(ws, 'data', 'big.h5'));
  return ws;
}

describe('BundleIndex', () => {
  it('scans like buildReport, skipping excluded folders, globs and source files without opening them', async () => {
    const ws = workspace();
    const source = new CountingSource();
    const index = new BundleIndex(source, { excludeGlobs: ['data/**'] });
    const snap = await index.scan([ws]);
    assert.deepEqual(snap.bundles.map((b) => b.root).sort(), [join(ws, 'abalone'), join(ws, 'wind')]);
    const report = await buildReport([join(ws, 'wind'), join(ws, 'abalone')], new NodeFileSource());
    assert.deepEqual(
      snap.bundles.map((b) => [b.root, b.complete, b.findings.map((f) => f.code)]).sort(),
      report.bundles.map((b) => [b.root, b.complete, b.findings.map((f) => f.code)]).sort(),
    );
    assert.ok(!source.reads.has(join(ws, 'src', 'train.py')), 'a .py file is not opened');
    assert.ok(![...source.reads.keys()].some((p) => p.includes('node_modules') || p.includes('/data/')));
  });

  it('re-reads only changed files, and updates findings when a scaler is deleted and restored', async () => {
    const ws = workspace();
    const source = new CountingSource();
    const index = new BundleIndex(source);
    await index.scan([ws]);
    const wind = () => index.snapshot().bundles.find((b) => b.root === join(ws, 'wind'))!;
    assert.ok(!wind().findings.some((f) => f.code === 'missing-scaler'));

    source.reads.clear();
    await index.scan([ws]);
    assert.equal(source.reads.size, 0, `a warm re-scan reads nothing: ${[...source.reads.keys()].join(', ')}`);

    const scaler = join(ws, 'wind', 'scaler.joblib');
    const saved = join(tmp, `saved-${Date.now()}.joblib`);
    copyFileSync(scaler, saved);
    rmSync(scaler);
    await index.update([], [scaler]);
    assert.equal(wind().findings.find((f) => f.code === 'missing-scaler')?.severity, 'error');

    source.reads.clear();
    copyFileSync(saved, scaler);
    await index.update([scaler], []);
    assert.deepEqual([...source.reads.keys()], [scaler]);
    assert.ok(!wind().findings.some((f) => f.code === 'missing-scaler'));
  });

  it('re-checks a tfjs model when its shard goes', async () => {
    const ws = workspace();
    const index = new BundleIndex(new NodeFileSource());
    await index.scan([ws]);
    const shard = join(ws, 'abalone', 'weights.bin');
    rmSync(shard);
    const snap = await index.update([], [shard]);
    const b = snap.bundles.find((x) => x.root === join(ws, 'abalone'))!;
    assert.ok(b.findings.some((f) => f.code === 'tfjs-shard-missing'));
  });

  it('only sniffs files over maxEagerBytes (HDF5 and scaler-named pickles still read)', async () => {
    const ws = workspace();
    copyFileSync(join(ws, 'wind', 'scaler.joblib'), join(ws, 'wind', 'features.joblib'));
    const index = new BundleIndex(new NodeFileSource(), { maxEagerBytes: 1000 });
    const snap = await index.scan([join(ws, 'wind')]);
    const file = (name: string) => snap.files.find((f) => f.path.endsWith(`/${name}`));
    // training_log.csv is over 1000 bytes: its role and format, no content
    assert.equal(file('training_log.csv')!.role, 'log');
    assert.equal(file('training_log.csv')!.format, 'keras-csv-log');
    assert.equal(file('training_log.csv')!.log, undefined);
    assert.ok(file('model.h5')!.model);
    assert.equal(file('scaler.joblib')!.scaler?.nFeaturesIn, 4);
    assert.equal(file('features.joblib'), undefined, 'a large pickle not named like a scaler is not bundled');
  });

  it('opens only extensions an artifact can have (and none), unless openAllFiles', async () => {
    const ws = workspace();
    const odd = join(ws, 'wind', 'prep.dat');
    copyFileSync(join(ws, 'wind', 'scaler.joblib'), odd);
    const source = new CountingSource();
    const snap = await new BundleIndex(source).scan([ws]);
    assert.ok(!source.reads.has(odd));
    assert.ok(source.reads.has(join(ws, 'abalone', 'weights.bin')));
    assert.ok(!snap.files.some((f) => f.path === odd));
    const all = await new BundleIndex(new NodeFileSource(), { openAllFiles: true }).scan([ws]);
    assert.equal(all.files.find((f) => f.path === odd)?.role, 'scaler');
  });

  it('adds a new bundle folder given as one change, and follows a manifest written later', async () => {
    const ws = workspace();
    const index = new BundleIndex(new NodeFileSource());
    await index.scan([ws]);
    const fresh = join(ws, 'fresh');
    cpSync('examples/complete-bundle', fresh, { recursive: true });
    let snap = await index.update([fresh], []);
    const b = snap.bundles.find((x) => x.root === fresh)!;
    assert.equal(b.complete, true);
    assert.equal(b.files.scaler.length, 2);
    // A manifest that leaves the target scaler out: the bundle follows it.
    const manifest = join(fresh, 'model-bundle.json');
    writeFileSync(manifest, JSON.stringify({ files: [{ path: 'model.h5', role: 'model' }, { path: 'scaler.joblib', role: 'scaler' }, { path: 'training_log.csv', role: 'log' }] }));
    snap = await index.update([manifest], []);
    assert.deepEqual(snap.bundles.filter((x) => x.root === fresh).map((x) => x.files.scaler), [[join(fresh, 'scaler.joblib')]], 'the left-out y_scaler makes no second bundle');
    rmSync(manifest);
    snap = await index.update([], [manifest]);
    assert.equal(snap.bundles.find((x) => x.root === fresh)!.files.scaler.length, 2);
  });

  it('ignores changes inside excluded folders and virtual environments', async () => {
    const ws = workspace();
    const index = new BundleIndex(new NodeFileSource(), { excludeDirs: ['scratch'] });
    const before = (await index.scan([ws])).bundles.map((b) => b.root).sort();
    const venv = join(ws, 'env', 'lib');
    mkdirSync(venv, { recursive: true });
    writeFileSync(join(ws, 'env', 'pyvenv.cfg'), 'home = /usr/bin\n');
    const inVenv = join(venv, 'model.h5');
    copyFileSync('examples/complete-bundle/model.h5', inVenv);
    const inNodeModules = join(ws, 'node_modules', 'x', 'other.h5');
    copyFileSync('examples/complete-bundle/model.h5', inNodeModules);
    mkdirSync(join(ws, 'scratch'));
    const inScratch = join(ws, 'scratch', 'model.h5');
    copyFileSync('examples/complete-bundle/model.h5', inScratch);
    const snap = await index.update([inVenv, inNodeModules, inScratch, join(ws, 'env')], []);
    assert.deepEqual(snap.bundles.map((b) => b.root).sort(), before);
    assert.ok(!snap.files.some((f) => f.path === inVenv || f.path === inNodeModules || f.path === inScratch));
  });

  it('re-validates only the bundle a change touches (the others are the same objects)', async () => {
    const ws = workspace();
    const index = new BundleIndex(new NodeFileSource());
    const first = await index.scan([ws]);
    const abalone = first.bundles.find((b) => b.root === join(ws, 'abalone'))!;
    const wind = first.bundles.find((b) => b.root === join(ws, 'wind'))!;
    const scaler = join(ws, 'wind', 'scaler.joblib');
    rmSync(scaler);
    const second = await index.update([], [scaler]);
    assert.equal(second.bundles.find((b) => b.root === join(ws, 'abalone')), abalone);
    const wind2 = second.bundles.find((b) => b.root === join(ws, 'wind'))!;
    assert.notEqual(wind2, wind);
    assert.ok(wind2.findings.some((f) => f.code === 'missing-scaler'));
  });

  it('forgets a tfjs model: its shard alone is no bundle and raises nothing', async () => {
    const ws = workspace();
    const index = new BundleIndex(new NodeFileSource());
    await index.scan([ws]);
    const manifest = join(ws, 'abalone', 'model.json');
    rmSync(manifest);
    const snap = await index.update([], [manifest]);
    assert.equal(snap.bundles.find((b) => b.root === join(ws, 'abalone')), undefined);
    assert.ok(!snap.files.some((f) => f.path === join(ws, 'abalone', 'weights.bin') && f.role === 'weights'));
  });
});

describe('globMatcher', () => {
  it('matches `**`, `*`, `?` and `{a,b}` against relative paths and their folders', () => {
    const m = globMatcher(['data/**', '**/*.tmp', 'runs/exp?/**', '**/{build,dist}/**', 'notes.*']);
    assert.ok(m('data/big.h5'));
    assert.ok(m('data'));
    assert.ok(m('a/b/c.tmp'));
    assert.ok(m('c.tmp'));
    assert.ok(m('runs/exp1/model.h5'));
    assert.ok(!m('runs/exp10/model.h5'));
    assert.ok(m('x/build/model.h5'));
    assert.ok(m('dist/y/model.h5'));
    assert.ok(m('notes.csv'));
    assert.ok(!m('sub/notes.csv'));
    assert.ok(!m('database/model.h5'));
    assert.ok(!m('a/b/c.tmpx'));
    assert.ok(!globMatcher([])('anything'));
    assert.ok(!globMatcher(['  '])('anything'));
  });
});
