import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BundleIndex } from '../../src/core/bundles/bundleIndex';
import { globMatcher } from '../../src/core/io/glob';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildReport } from '../../src/core/report/report';

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
    writeFileSync(
      manifest,
      JSON.stringify({
        files: [
          { path: 'model.h5', role: 'model' },
          { path: 'scaler.joblib', role: 'scaler' },
          { path: 'training_log.csv', role: 'log' },
        ],
      }),
    );
    snap = await index.update([manifest], []);
    assert.deepEqual(
      snap.bundles.filter((x) => x.root === fresh).map((x) => x.files.scaler),
      [[join(fresh, 'scaler.joblib')]],
      'the left-out y_scaler makes no second bundle',
    );
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
    assert.equal(
      second.bundles.find((b) => b.root === join(ws, 'abalone')),
      abalone,
    );
    const wind2 = second.bundles.find((b) => b.root === join(ws, 'wind'))!;
    assert.notEqual(wind2, wind);
    assert.ok(wind2.findings.some((f) => f.code === 'missing-scaler'));
  });

  it('walks symbolic links to folders when the source follows them, and survives a link loop', async () => {
    const { symlinkSync } = await import('node:fs');
    const ws = workspace();
    symlinkSync(join(ws, 'wind'), join(ws, 'linked-wind'));
    symlinkSync(join(ws, 'src'), join(ws, 'src', 'loop')); // src/loop/loop/loop/... without end
    copyFileSync('examples/complete-bundle/scaler.joblib', join(ws, 'src', 'scaler.joblib'));
    class Following extends NodeFileSource {
      override readDir(p: string) {
        return super.readDir(p, { followLinks: true });
      }
    }
    const snap = await new BundleIndex(new Following()).scan([ws]);
    const roots = snap.bundles.map((b) => b.root);
    assert.ok(roots.includes(join(ws, 'linked-wind')), 'a linked folder is walked');
    assert.ok(roots.includes(join(ws, 'wind')));
    // A link back to its own folder (or one above) is not followed (NodeFileSource.readDir): the
    // walk ends at once, with src holding the scaler and no looped copies.
    const copies = roots.filter((r) => r.startsWith(join(ws, 'src')));
    assert.deepEqual(copies, [join(ws, 'src')]);
    const plain = await new BundleIndex(new NodeFileSource()).scan([ws]);
    assert.ok(!plain.bundles.some((b) => b.root === join(ws, 'linked-wind')), 'NodeFileSource does not follow links (like find)');
  });

  it('gives the event loop a turn during a scan with sliceMs, and only then', async () => {
    const ws = workspace();
    const order = async (opts: { sliceMs?: number }): Promise<string[]> => {
      const events: string[] = [];
      setTimeout(() => events.push('timer'), 0);
      await new BundleIndex(new NodeFileSource(), opts).scan([ws]);
      events.push('scan done');
      await new Promise((r) => setTimeout(r, 5));
      return events;
    };
    // NodeFileSource answers synchronously: without slices the whole scan runs before any timer.
    assert.deepEqual(await order({}), ['scan done', 'timer']);
    assert.deepEqual(await order({ sliceMs: 0 }), ['timer', 'scan done']);
  });

  it('skips a folder it cannot list and indexes the rest', async () => {
    const ws = workspace();
    class Refusing extends NodeFileSource {
      override async readDir(p: string) {
        if (p === join(ws, 'abalone')) throw Object.assign(new Error(`EACCES: permission denied, scandir '${p}'`), { code: 'EACCES' });
        return super.readDir(p);
      }
    }
    const snap = await new BundleIndex(new Refusing()).scan([ws]);
    assert.deepEqual(snap.bundles.map((b) => b.root).sort(), [join(ws, 'data'), join(ws, 'wind')]);
  });

  it('forgets a tfjs model: its shard alone is no bundle and raises nothing', async () => {
    const ws = workspace();
    const index = new BundleIndex(new NodeFileSource());
    await index.scan([ws]);
    const manifest = join(ws, 'abalone', 'model.json');
    rmSync(manifest);
    const snap = await index.update([], [manifest]);
    assert.equal(
      snap.bundles.find((b) => b.root === join(ws, 'abalone')),
      undefined,
    );
    assert.ok(!snap.files.some((f) => f.path === join(ws, 'abalone', 'weights.bin') && f.role === 'weights'));
  });
});

describe('BundleIndex quick and deep phases', () => {
  /** A workspace with a data CSV far from any bundle and a training log in a logs/ folder beside a model. */
  function layout(): string {
    const ws = workspace();
    mkdirSync(join(ws, 'datasets', 'raw'), { recursive: true });
    writeFileSync(join(ws, 'datasets', 'raw', 'prices.csv'), 'date,price\n2024-01-01,3\n');
    // A training log far from any model: no bundle either way, and not opened by the quick phase.
    mkdirSync(join(ws, 'notes'));
    copyFileSync('examples/complete-bundle/training_log.csv', join(ws, 'notes', 'old_log.csv'));
    mkdirSync(join(ws, 'abalone', 'logs'));
    copyFileSync('examples/complete-bundle/training_log.csv', join(ws, 'abalone', 'logs', 'training_log.csv'));
    return ws;
  }

  it('lists the bundles from first bytes, pending, then validates them like a one-phase report', async () => {
    const ws = layout();
    const source = new CountingSource();
    const index = new BundleIndex(source);
    const quick = await index.quickScan([ws]);
    const wind = join(ws, 'wind');
    const abalone = join(ws, 'abalone');
    const data = join(ws, 'data');
    assert.deepEqual(quick.bundles.map((b) => b.root).sort(), [abalone, data, wind]);
    assert.equal(quick.pending?.size, 3);
    for (const b of quick.bundles) {
      assert.ok(quick.pending!.has(b));
      assert.deepEqual(b.findings, [], 'no findings before the content is read');
      assert.equal(b.complete, false);
    }
    const w = quick.bundles.find((b) => b.root === wind)!;
    assert.deepEqual(w.files, {
      scaler: [join(wind, 'scaler.joblib'), join(wind, 'y_scaler.joblib')],
      structure: [],
      weights: [],
      model: [join(wind, 'model.h5')],
      log: [join(wind, 'training_log.csv')],
    });
    const a = quick.bundles.find((b) => b.root === abalone)!;
    assert.deepEqual(a.files.model, [join(abalone, 'model.json')]);
    assert.deepEqual(a.files.log, [join(abalone, 'logs', 'training_log.csv')], 'a log beside a model is sniffed at once');
    // Only first bytes so far: the HDF5 model, the pickles and model.json were opened for a head only
    // (one range read each), and neither CSV far from a bundle was opened at all.
    assert.equal(source.reads.get(join(wind, 'model.h5')), 1);
    assert.equal(source.reads.get(join(wind, 'scaler.joblib')), 1);
    assert.ok(!source.reads.has(join(ws, 'datasets', 'raw', 'prices.csv')));
    assert.ok(!source.reads.has(join(ws, 'notes', 'old_log.csv')));
    // wind: model.h5, two scalers, its log; abalone: model.json, its log; data/big.h5; plus the two far CSVs.
    assert.equal(quick.toRead, 9);

    const progress: number[] = [];
    const done = await index.complete({ progressMs: 0, onProgress: (s) => progress.push(s.toRead ?? 0) });
    assert.equal(done.pending, undefined);
    assert.equal(done.toRead, undefined);
    assert.ok(progress.length >= 1 && progress.every((n, i) => n >= 0 && (i === 0 || n <= progress[i - 1])), `progress counts down: ${progress}`);
    assert.ok(source.reads.has(join(ws, 'notes', 'old_log.csv')), 'the deep phase sniffs the far CSVs');
    const oneShot = await buildReport([wind, abalone, data], new NodeFileSource());
    const view = (bs: typeof done.bundles) => bs.map((b) => [b.root, b.complete, b.files, b.findings]).sort();
    assert.deepEqual(view(done.bundles), view(oneShot.bundles));
    // The far training log is read (it is a log) but joins no bundle.
    assert.equal(done.files.find((f) => f.path === join(ws, 'notes', 'old_log.csv'))?.role, 'log');
  });

  it('shows the bundles found so far during a long walk', async () => {
    const ws = layout();
    const seen: number[] = [];
    const quick = await new BundleIndex(new NodeFileSource()).quickScan([ws], { progressMs: 0, onProgress: (s) => seen.push(s.bundles.length) });
    // One snapshot per file listed: the counts only grow, up to the final three bundles.
    assert.ok(seen.length > 5, `${seen.length} snapshots`);
    assert.ok(
      seen.every((n, i) => i === 0 || n >= seen[i - 1]),
      seen.join(','),
    );
    assert.ok(seen.at(-1)! <= 3);
    assert.equal(quick.bundles.length, 3);
  });

  it('stops a deep phase when a new scan starts, and the new scan finishes the work', async () => {
    const ws = layout();
    const index = new BundleIndex(new NodeFileSource(), { concurrency: 1 });
    await index.quickScan([ws]);
    let restarted: Promise<unknown> | null = null;
    const first = index.complete({
      progressMs: 0,
      onProgress: () => {
        restarted ??= index.scan([ws]);
      },
    });
    const stale = await first;
    assert.ok((stale.toRead ?? 0) > 0, 'the older deep phase stopped early');
    await Promise.resolve(restarted); // set inside the progress callback
    const snap = index.snapshot();
    assert.equal(snap.toRead, undefined);
    assert.ok(snap.bundles.find((b) => b.root === join(ws, 'wind'))!.findings.some((f) => f.code === 'target-scaler'));
  });

  it("guesses the roles the deep read confirms for the real fixtures' artifacts", async () => {
    const { readFileSync, readdirSync, statSync } = await import('node:fs');
    const { provisionalRole } = await import('../../src/core/bundles/bundleIndex');
    const { binaryReaders } = await import('../../src/core/formats/readers');
    const { inspectFile, MODEL_OR_LOG_JSON, startsAsJson } = await import('../../src/core/formats/inspect');
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (!/\.(md|py|txt)$/.test(n)) files.push(p);
      }
    };
    for (const d of ['examples/complete-bundle', 'test/fixtures/real', 'test/fixtures/real2']) walk(d);
    let guessed = 0;
    const wrong: string[] = [];
    for (const f of files) {
      const head = readFileSync(f).subarray(0, 4096);
      const reader = binaryReaders.find((r) => r.sniff(head, f)) ?? null;
      if (!reader && !(startsAsJson(head) && MODEL_OR_LOG_JSON.test(new TextDecoder().decode(head)))) continue;
      const guess = provisionalRole(head, f, reader);
      if (guess.role === 'other') continue;
      guessed++;
      const read = await inspectFile(f, new NodeFileSource(), { explicit: false });
      if (read.role !== guess.role || read.format !== guess.format) wrong.push(`${f}: ${guess.role}/${guess.format} -> ${read.role}/${read.format}`);
    }
    assert.ok(guessed >= 40, `${guessed} artifacts guessed`);
    // The one miss: a JSON of frugally-deep's tests with Keras-like keys that is no model.
    assert.deepEqual(wrong, ['test/fixtures/real2/Dobiasd__frugally-deep/test/stateful_test/temp_stateful.json: structure/keras-json -> other/unknown']);
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
