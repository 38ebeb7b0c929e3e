import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NodeFileSource } from '../../../src/core/io/nodeFileSource';
import { inspectFile } from '../../../src/core/formats/inspect';
import { buildReport } from '../../../src/core/report/report';
import { predict } from '../../../src/core/predict/predict';
import { recoverScaler, type RecoverRequest } from '../../../src/core/recover/recover';
import { samplePickles } from '../../fixtures/recover/samples';

const FIX = join(__dirname, '../../fixtures/recover');
const EXPECTED = JSON.parse(readFileSync(join(FIX, 'bundle_expected.json'), 'utf8'));
const source = new NodeFileSource();
const recover = (req: Omit<RecoverRequest, 'runModel'>) => recoverScaler({ ...req, runModel: (r) => predict(r, source) }, source);
const tmp = mkdtempSync(join(tmpdir(), 'recover-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function bundleCopy(name: string): string {
  const dir = join(tmp, name);
  cpSync(join(FIX, 'bundle'), dir, { recursive: true });
  return dir;
}

function close(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs sklearn ${b}`);
}

describe('recover-scaler end to end (bundle made by make_bundle.py)', () => {
  it('recovers the lost MinMaxScaler, proves it within 0.1%, saves it, and the bundle is complete', async () => {
    const dir = bundleCopy('ok');
    const before = await buildReport([dir], source);
    assert.ok(before.bundles[0].findings.some((f) => f.code === 'missing-scaler'));
    const r = await recover({ bundle: dir, now: new Date('2026-12-04T12:00:00Z') });
    assert.equal(r.error, null);
    assert.equal(r.status, 'proven');
    assert.equal(r.exitCode, 0);
    assert.equal(r.recipe?.split?.randomState, 42);
    assert.equal(r.recipe?.split?.nTest, EXPECTED.n_test);
    assert.equal(r.recipe?.scaler?.fittedRows, EXPECTED.n_train);
    assert.ok(r.proof && r.proof.gapPercent! < 0.1, r.proof?.message);
    close(r.proof!.logged!, EXPECTED.val_loss_last, 'logged val_loss');
    assert.match(r.proof!.message, /^recomputed val_loss \d+\.\d{6} vs logged \d+\.\d{6} \(\d+\.\d+%\)$/);
    const s = r.scaler!;
    assert.equal(s.class, 'MinMaxScaler');
    assert.deepEqual(s.featureNames, EXPECTED.feature_names_in_);
    assert.equal(s.params.n_samples_seen_, EXPECTED.n_samples_seen_);
    for (const k of ['scale_', 'min_', 'data_min_', 'data_max_', 'data_range_']) {
      (s.params[k] as number[]).forEach((v, j) => close(v, EXPECTED[k][j], `${k}[${j}]`));
    }
    // Save, then read back with the project's own pickle reader.
    assert.deepEqual(
      r.files.map((f) => f.path.slice(dir.length + 1)),
      ['scaler.pkl', 'scaler.recovery.json'],
    );
    for (const f of r.files) writeFileSync(f.path, f.bytes);
    const back = await inspectFile(join(dir, 'scaler.pkl'), source);
    assert.equal(back.error, null);
    assert.equal(back.pickle?.verdict, 'safe');
    assert.equal(back.scaler?.class, 'MinMaxScaler');
    assert.equal(back.scaler?.sklearnVersion, '1.2.1');
    assert.deepEqual(back.scaler?.featureNames, EXPECTED.feature_names_in_);
    for (const k of ['scale_', 'min_', 'data_min_', 'data_max_', 'data_range_']) {
      assert.deepEqual(back.scaler?.params[k], s.params[k], k);
    }
    const record = JSON.parse(readFileSync(join(dir, 'scaler.recovery.json'), 'utf8'));
    assert.equal(
      record.provenance.data.sha256,
      createHash('sha256')
        .update(readFileSync(join(dir, 'data.csv')))
        .digest('hex'),
    );
    assert.equal(record.provenance.data.rows, 500);
    assert.equal(record.provenance.fittedRows, 400);
    assert.equal(record.recovered, '2026-12-04T12:00:00.000Z');
    assert.equal(record.proof.status, 'proven');
    assert.equal(record.class, 'sklearn.preprocessing._data.MinMaxScaler');
    const after2 = await buildReport([dir], source);
    const b = after2.bundles[0];
    assert.equal(b.complete, true);
    assert.deepEqual(b.files.scaler, [join(dir, 'scaler.pkl')]);
    assert.deepEqual(
      b.findings.map((f) => f.code),
      ['recovered-scaler'],
    );
  });

  it('a wrong random_state fails the proof and names what to check', async () => {
    const dir = bundleCopy('wrong-seed');
    const r = await recover({ bundle: dir, set: { random_state: '7' } });
    assert.equal(r.status, 'failed');
    assert.equal(r.exitCode, 1);
    assert.ok(r.proof!.gapPercent! > 1, r.proof!.message);
    assert.match(r.proof!.message, /over 1%, the recipe is probably wrong/);
    assert.match(r.proof!.check[0], /^random_state=7 \(given, not from the script\)/);
  });

  it('a random_state read from a variable is a blank (exit 2), filled by the user', async () => {
    const dir = bundleCopy('blank');
    const script = readFileSync(join(dir, 'train.py'), 'utf8').replace('random_state=42', 'random_state=SEED');
    writeFileSync(join(dir, 'train.py'), `SEED = int(os.environ["SEED"])\n${script}`);
    const r = await recover({ bundle: dir });
    assert.equal(r.exitCode, 2);
    assert.deepEqual(
      r.blanks.map((b) => b.field),
      ['random_state'],
    );
    assert.match(r.error!, /random_state=SEED is not a literal/);
    assert.equal(r.files.length, 0);
    const filled = await recover({ bundle: dir, set: { random_state: '42' } });
    assert.equal(filled.status, 'proven');
  });

  it('pd.read_excel is refused clearly; no log means the proof is missing', async () => {
    const dir = bundleCopy('excel');
    writeFileSync(join(dir, 'train.py'), readFileSync(join(dir, 'train.py'), 'utf8').replace('pd.read_csv("data.csv")', 'pd.read_excel("data.xlsx")'));
    const r = await recover({ bundle: dir });
    assert.equal(r.exitCode, 2);
    assert.match(r.error!, /pd\.read_excel is not supported/);
    // the sheet exported as CSV and given as the data file: the rest of the recipe applies
    const withCsv = await recover({ bundle: dir, data: join(dir, 'data.csv') });
    assert.equal(withCsv.status, 'proven', withCsv.error ?? withCsv.proof?.message);
    const noLog = bundleCopy('nolog');
    rmSync(join(noLog, 'training.log'));
    writeFileSync(join(noLog, 'requirements.txt'), 'numpy==1.26.4\nscikit-learn==1.3.2\n');
    const r2 = await recover({ bundle: noLog });
    assert.equal(r2.status, 'unproven');
    assert.equal(r2.exitCode, 1);
    assert.match(r2.proof!.message, /proof missing: the bundle has no training log/);
    assert.equal(r2.scaler?.sklearnVersion, '1.3.2'); // the workspace's pin
  });
});

describe('recover-scaler when only the proof is out of reach', () => {
  it('validation data built in a loop: the scaler is recovered (exit 1), the proof says why it is missing', async () => {
    const dir = bundleCopy('loop');
    const script = readFileSync(join(dir, 'train.py'), 'utf8').replace(
      'X_test = scaler.transform(X_test)',
      'X_test = np.array([window(X_test, i) for i in range(len(X_test))])',
    );
    writeFileSync(join(dir, 'train.py'), script);
    const r = await recover({ bundle: dir });
    assert.equal(r.status, 'unproven');
    assert.equal(r.exitCode, 1);
    assert.match(r.proof!.message, /^proof missing: the validation data \(X_test, y_test\) cannot be reproduced/);
    (r.scaler!.params.data_min_ as number[]).forEach((v, j) => close(v, EXPECTED.data_min_[j], `data_min_[${j}]`));
  });
});

describe('recover-scaler on a notebook with a target scaler and validation_split (bundle2)', () => {
  const EX2 = JSON.parse(readFileSync(join(FIX, 'bundle2_expected.json'), 'utf8'));
  it('recovers StandardScaler (fitted on all X after dropna) and the target MinMaxScaler(-1, 1), proves the MAE', async () => {
    const dir = join(tmp, 'b2');
    cpSync(join(FIX, 'bundle2'), dir, { recursive: true });
    const r = await recover({ bundle: dir });
    assert.equal(r.error, null);
    assert.equal(r.status, 'proven', r.proof?.message);
    assert.equal(r.proof!.loss, 'mae');
    assert.equal(r.proof!.validationRows, EX2.n_val);
    assert.ok(r.proof!.gapPercent! < 0.1);
    close(r.proof!.logged!, EX2.val_loss_last, 'logged');
    assert.equal(r.recipe?.split?.nTest, 50);
    assert.equal(r.recipe?.split?.nTrain, EX2.rows_after_dropna - 50);
    assert.equal(r.scaler?.class, 'StandardScaler');
    assert.equal(r.scaler?.featureNames, null);
    assert.equal(r.scaler?.params.n_samples_seen_, EX2.x.n_samples_seen_);
    for (const k of ['mean_', 'var_', 'scale_']) (r.scaler!.params[k] as number[]).forEach((v, j) => close(v, EX2.x[k][j], `x ${k}[${j}]`));
    assert.equal(r.targetScaler?.class, 'MinMaxScaler');
    assert.deepEqual((r.targetScaler as { hyper?: unknown }).hyper, { feature_range: [-1, 1], copy: true, clip: false });
    for (const k of ['scale_', 'min_', 'data_min_', 'data_max_'])
      (r.targetScaler!.params[k] as number[]).forEach((v, j) => close(v, EX2.y[k][j], `y ${k}[${j}]`));
    assert.deepEqual(
      r.files.map((f) => f.path.slice(dir.length + 1)),
      ['scaler.pkl', 'scaler.recovery.json', 'y_scaler.pkl', 'y_scaler.recovery.json'],
    );
  });
});

describe('written pickles', () => {
  const ref = JSON.parse(readFileSync(join(FIX, 'scaler_reference.json'), 'utf8'));
  const verdict = JSON.parse(readFileSync(join(FIX, 'written/verdict.json'), 'utf8'));
  it(`scikit-learn ${verdict.sklearn} loaded all ${verdict.cases} written pickles (pickle.load and joblib.load) equal to a fresh fit`, () => {
    assert.ok(verdict.cases >= 17);
    assert.equal(verdict.ok, verdict.cases, JSON.stringify(verdict.verdicts.filter((v: { ok: boolean }) => !v.ok)));
  });
  it('the code still writes exactly the bytes scikit-learn checked, and our reader reads them back', async () => {
    for (const s of samplePickles(ref)) {
      const p = join(FIX, 'written', s.file);
      assert.deepEqual(Buffer.from(s.bytes), readFileSync(p), s.file);
      const r = await inspectFile(p, source);
      assert.equal(r.error, null, s.file);
      assert.equal(r.scaler?.class, s.cls, s.file);
      assert.deepEqual(r.scaler?.featureNames ?? null, s.names, s.file);
      assert.equal(r.scaler?.nFeaturesIn, 5);
    }
  });
});
