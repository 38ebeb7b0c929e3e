// Every transformer a numeric pipeline uses, fitted by Debian's scikit-learn 1.2.1 and pickled with
// pickle and joblib (all compressions for one pipeline): read back here from the files, the fitted
// attributes equal scikit-learn's and transform() equals scikit-learn's transform to 1e-12 relative.
// Reference: test/fixtures/sklearn2/make_preprocessing.py.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { pickleArtifactReader } from '../../src/core/formats/pickle/pickleArtifact';
import { canTransform, transform, untransformable } from '../../src/core/predict/scalerTransform';
import type { Scaler } from '../../src/core/types';

const DIR = join(__dirname, '..', 'fixtures', 'sklearn2');
interface Case {
  name: string;
  files: string[];
  class: string;
  params: Record<string, unknown>;
  inputs: unknown[][];
  transform: unknown[][];
}
const ref = JSON.parse(readFileSync(join(DIR, 'preprocessing_reference.json'), 'utf8')) as { sklearn: string; cases: Case[] };
const num = (v: unknown): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
const source = new NodeFileSource();

function close(a: number, e: number, what: string): void {
  if (Number.isNaN(e)) return assert.ok(Number.isNaN(a), `${what}: expected NaN, got ${a}`);
  if (!Number.isFinite(e)) return assert.equal(a, e, what);
  assert.ok(Math.abs(a - e) <= Math.max(1e-12 * Math.abs(e), 1e-12), `${what}: ${a} vs sklearn ${e}`);
}

async function read(file: string): Promise<Scaler> {
  const path = join(DIR, file);
  const head = readFileSync(path).subarray(0, 64);
  const r = await pickleArtifactReader.read({ path, size: statSync(path).size, head, source });
  assert.equal(r.error, null, `${file}: ${r.error?.message}`);
  assert.ok(r.scaler, `${file}: no scaler`);
  return r.scaler;
}

describe(`preprocessing read and applied as scikit-learn ${ref.sklearn} does`, () => {
  assert.ok(ref.cases.length >= 30);
  for (const c of ref.cases) {
    it(`${c.name} (${c.class}): ${c.files.length} files`, async () => {
      for (const file of c.files) {
        const s = await read(file);
        assert.equal(s.class, c.class, file);
        for (const [k, v] of Object.entries(c.params)) {
          const got = s.params[k];
          assert.ok(got !== undefined, `${file}: param ${k} missing`);
          const want = Array.isArray(v) ? v.map(num) : [num(v)];
          const have = Array.isArray(got) ? got : [got];
          assert.equal(have.length, want.length, `${file}: ${k} length`);
          want.forEach((w, i) => close(have[i], w, `${file}: ${k}[${i}]`));
        }
        assert.ok(canTransform(s), `${file}: ${JSON.stringify(untransformable(s))}`);
        const out = transform(
          s,
          c.inputs.map((r) => r.map(num)),
        );
        assert.equal(out.length, c.transform.length);
        c.transform.forEach((row, i) => {
          assert.equal(out[i].length, row.length, `${file}: row ${i} width`);
          row.forEach((v, j) => close(out[i][j], num(v), `${file}: transform[${i}][${j}]`));
        });
      }
    });
  }
});

describe('the Preprocessing tab lists every step in order with the columns it takes', () => {
  it('ColumnTransformer with a passthrough remainder (sklearn 1.2.1)', async () => {
    const { buildScalerView } = await import('../../src/core/report/viewModel');
    const s = await read('ct_passthrough.joblib');
    const v = buildScalerView(s, join(DIR, 'ct_passthrough.joblib'), DIR, false);
    assert.equal(v.notApplicable, null);
    assert.deepEqual(
      v.steps.map((x) => [x.stepNumber, x.where, x.className, x.takes]),
      [
        [1, 'num', 'StandardScaler', 'a, c'],
        [2, 'remainder', 'passthrough', '1 (b)'],
      ],
    );
  });

  it('a step that cannot be applied is named on the top object', async () => {
    const { buildScalerView } = await import('../../src/core/report/viewModel');
    const s = await read('ct_mixed.pkl');
    const broken = { ...s, steps: [...(s.steps ?? []), { ...s.steps![0], class: 'SplineTransformer', name: 'spl' }] } as Scaler;
    const v = buildScalerView(broken, join(DIR, 'ct_mixed.pkl'), DIR, false);
    assert.equal(v.notApplicable, "ColumnTransformer > step 'spl' (SplineTransformer): there is no TypeScript transform for SplineTransformer");
    assert.deepEqual(
      v.steps.map((x) => x.takes),
      ['0, 1', '2', '0, 1'],
    );
  });
});
