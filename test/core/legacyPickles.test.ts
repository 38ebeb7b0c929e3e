// Old preprocessing pickles (Python 2 protocols 0 and 2, numpy dtype args as ints, copy_reg, __builtin__,
// _codecs.encode bytes, object arrays, numpy scalars in the state, scikit-learn 0.17-0.20 module paths,
// joblib 0.9 side files) read with the values the generator wrote, and applied.
// Reference: test/fixtures/sklearn2/make_legacy_pickles.py (files assembled opcode by opcode).
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { inspectPaths } from '../../src/core/formats/inspect';
import { transform } from '../../src/core/predict/scalerTransform';
import { buildBundles } from '../../src/core/bundles/bundle';
import { formatBundle } from '../../src/core/report/textReport';
import type { FileReport } from '../../src/core/types';

const DIR = join('test', 'fixtures', 'sklearn2', 'legacy');
interface Case {
  file: string;
  cls?: string;
  module?: string;
  version?: string;
  params?: Record<string, number | number[]>;
  nFeaturesIn?: number;
  featureNames?: string[];
  sideFiles?: string[];
  inputs?: unknown[][];
  transform?: number[][];
  history?: Record<string, number[]>;
  missing?: string;
  escape?: string;
}
const ref = JSON.parse(readFileSync(join(DIR, 'legacy_reference.json'), 'utf8')) as { cases: Case[] };
const source = new NodeFileSource();
const num = (v: unknown): number => (v === 'nan' ? NaN : (v as number));

async function report(file: string): Promise<FileReport> {
  const path = join(DIR, file);
  assert.ok(statSync(path).isFile());
  const r = (await inspectPaths([path], source)).find((x) => x.path === path);
  assert.ok(r, `${file}: no report`);
  return r;
}

function close(a: number, e: number, what: string): void {
  assert.ok(Math.abs(a - e) <= Math.max(1e-12 * Math.abs(e), 1e-12), `${what}: ${a} vs ${e}`);
}

describe('legacy preprocessing pickles', () => {
  for (const c of ref.cases.filter((x) => x.cls)) {
    it(`${c.file}: ${c.module}.${c.cls} ${c.version}`, async () => {
      const r = await report(c.file);
      assert.equal(r.error, null, r.error?.message);
      assert.equal(r.role, 'scaler');
      const s = r.scaler!;
      assert.equal(s.class, c.cls);
      assert.equal(s.module, c.module);
      assert.equal(s.sklearnVersion, c.version);
      assert.equal(s.nFeaturesIn, c.nFeaturesIn);
      if (c.featureNames) assert.deepEqual(s.featureNames, c.featureNames);
      for (const [k, v] of Object.entries(c.params!)) assert.deepEqual(s.params[k], v, k);
      if (c.sideFiles)
        assert.deepEqual(
          r.sideFiles?.map((f) => [f.path, f.present]),
          c.sideFiles.map((f) => [join(DIR, c.file, '..', f), true]),
        );
      const out = transform(
        s,
        c.inputs!.map((row) => row.map(num)),
      );
      c.transform!.forEach((row, i) => row.forEach((v, j) => close(out[i][j], v, `${c.file} [${i}][${j}]`)));
    });
  }

  for (const c of ref.cases.filter((x) => x.history))
    it(`a history pickle without an extension (${c.file}) is a training log`, async () => {
      const r = await report(c.file);
      assert.equal(r.error, null);
      assert.equal(r.role, 'log');
      assert.equal(r.format, 'history-pickle');
      assert.deepEqual(Object.keys(r.log!.series).sort(), Object.keys(c.history!).sort());
      assert.equal(r.log!.series.loss.last, c.history!.loss.at(-1));
      assert.equal(r.log!.series.val_loss.min, Math.min(...c.history!.val_loss));
    });
  it('an extensionless text file that only looks like a pickle is not claimed', async () => {
    const { sniffContainer } = await import('../../src/core/formats/pickle/pickleArtifact');
    assert.equal(sniffContainer(new TextEncoder().encode('(dp is not a pickle\n'), 'notes/README'), null);
    assert.equal(sniffContainer(new TextEncoder().encode('(dp0\nS'), 'notes/history.txt'), null);
  });

  it('a missing joblib 0.9 side file is an error naming it; the side files are listed', async () => {
    const c = ref.cases.find((x) => x.missing)!;
    const r = await report(c.file);
    assert.equal(r.error?.code, 'missing-side-file');
    assert.match(r.error!.message, new RegExp(`scaler_legacy\\.pkl_03\\.npy`));
    assert.deepEqual(
      r.sideFiles?.map((f) => f.present),
      [true, true, false],
    );
  });

  it('check: the side files are part of the scaler; a missing one is a missing-side-file finding', async () => {
    const dir = join(DIR, 'joblib09_missing');
    const [b] = buildBundles(await inspectPaths([dir], source));
    assert.deepEqual(b.sideFiles, [
      {
        scaler: join(dir, 'scaler_legacy.pkl'),
        files: [1, 2, 3].map((i) => join(dir, `scaler_legacy.pkl_0${i}.npy`)),
        missing: [join(dir, 'scaler_legacy.pkl_03.npy')],
      },
    ]);
    const f = b.findings.filter((x) => x.code === 'missing-side-file');
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'error');
    assert.match(f[0].message, /the side file scaler_legacy\.pkl_03\.npy is missing beside it/);
    assert.ok(
      formatBundle(b).includes('  side files of scaler_legacy.pkl: scaler_legacy.pkl_01.npy, scaler_legacy.pkl_02.npy, scaler_legacy.pkl_03.npy (missing)'),
    );
    const [ok] = buildBundles(await inspectPaths([join(DIR, 'joblib09')], source));
    assert.deepEqual(ok.sideFiles?.[0].missing, []);
    assert.equal(
      ok.findings.some((x) => x.code === 'missing-side-file' || x.code === 'unreadable-file'),
      false,
    );
  });

  it('a wrapper naming a file outside its folder is refused and nothing is read', async () => {
    const c = ref.cases.find((x) => x.escape)!;
    const r = await report(c.file);
    assert.equal(r.scaler, undefined);
    assert.equal(r.error?.code, 'bad-side-file');
    assert.match(r.error!.message, /\.\.\/joblib09\/scaler_legacy\.pkl_01\.npy/);
  });
});

describe('legacy side files are data only', () => {
  it('a side .npy whose object-array pickle names a dangerous global makes the scaler unsafe, nothing loaded', async () => {
    const { mkdtempSync, copyFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'mbi-side-'));
    try {
      for (const f of ['scaler_legacy.pkl', 'scaler_legacy.pkl_02.npy', 'scaler_legacy.pkl_03.npy']) copyFileSync(join(DIR, 'joblib09', f), join(dir, f));
      copyFileSync(join('test', 'fixtures', 'hostile', 'picklescan', 'dns_exfiltration.npy'), join(dir, 'scaler_legacy.pkl_01.npy'));
      const path = join(dir, 'scaler_legacy.pkl');
      const r = (await inspectPaths([path], source))[0];
      assert.equal(r.scaler, undefined);
      assert.equal(r.error?.code, 'unsafe-pickle');
      assert.match(r.error!.message, /side file scaler_legacy\.pkl_01\.npy cannot be used: it names /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a FunctionTransformer whose func is an allowlisted name that is not a ufunc is read but never applied', async () => {
    const { PyGlobal, PyObject } = await import('../../src/core/formats/pickle/pyValue');
    const { toScaler } = await import('../../src/core/formats/pickle/sklearn');
    const { untransformable } = await import('../../src/core/predict/scalerTransform');
    const ft = toScaler(
      new PyObject(
        'sklearn.preprocessing._function_transformer.FunctionTransformer',
        new Map([
          ['func', new PyGlobal('numpy', 'float64')],
          ['kw_args', null],
        ]),
      ),
    );
    assert.ok(ft);
    assert.deepEqual(untransformable(ft), {
      step: 'FunctionTransformer',
      reason: 'its func is numpy.float64; only func=None or a numpy ufunc such as numpy.log1p is applied here, and a function from the file is never called',
    });
  });
});
