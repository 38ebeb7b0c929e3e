// Predictions never run without the bundle's preprocessing: unreadable or unusable scalers, several
// candidates and size-only target guesses refuse with the file, the step and the reason, unless the
// user skips that side explicitly (then every result says so).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { predict, type PredictRequest } from '../../src/core/predict/predict';
import { planPreprocessing } from '../../src/core/predict/scalerChoice';
import { validateBundle } from '../../src/core/bundles/findings';
import { inspectPaths } from '../../src/core/formats/inspect';
import { buildPredictionSchema } from '../../src/core/predict/predictSchema';
import { validateWebviewMessage } from '../../src/shared/protocol';
import type { FileReport, Scaler } from '../../src/core/types';

const source = new NodeFileSource();
const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
const reference = JSON.parse(readFileSync('examples/reference/complete-bundle.json', 'utf8')) as {
  network_outputs: number[][];
  outputs: number[][];
};
const csv = readFileSync('examples/inputs.csv', 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'mbi-prep-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A bundle folder: the example model plus the given files (name -> source path or bytes). */
function bundle(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  copyFileSync('examples/complete-bundle/model.h5', join(dir, 'model.h5'));
  for (const [n, src] of Object.entries(files)) {
    if (typeof src === 'string') copyFileSync(src, join(dir, n));
    else writeFileSync(join(dir, n), src);
  }
  return dir;
}

function req(target: string, extra: Partial<PredictRequest> = {}): PredictRequest {
  return { target, input: { text: csv, name: 'inputs.csv' }, wasmDir, ...extra };
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  return p.then(
    () => {
      throw new Error('expected predict to refuse');
    },
    (e: { code: string; message: string }) => e,
  );
}

function close(actual: number[][], expected: number[][], rel: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, i) =>
    row.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) <= rel * Math.max(Math.abs(expected[i][j]), 1e-3), `row ${i}: ${v} vs ${expected[i][j]}`)),
  );
}

const SCALER = 'examples/complete-bundle/scaler.joblib';
const Y_SCALER = 'examples/complete-bundle/y_scaler.joblib';
const HOSTILE = 'test/fixtures/hostile/generated/pipeline_functiontransformer_os_system.pkl';

describe('predict refuses without the bundle preprocessing', () => {
  it('a refused (unsafe) scaler pickle: refuses naming the file and the global; --no-scaler runs and says so', async () => {
    const dir = bundle('refused', { 'scaler.pkl': HOSTILE, 'y_scaler.joblib': Y_SCALER });
    const e = await refusal(predict(req(dir), source));
    assert.equal(e.code, 'preprocessing-unusable');
    assert.match(e.message, new RegExp(`^${dir}/scaler\\.pkl: the bundle's input preprocessing cannot be used: .*posix\\.system`));
    assert.match(e.message, /--no-scaler/);
    const r = await predict(req(dir, { skipScaler: true }), source);
    assert.equal(r.scaledInput, false);
    assert.equal(r.preprocessing.input, null);
    assert.equal(r.preprocessing.skipped.input, true);
    assert.equal(r.preprocessing.target?.path, `${dir}/y_scaler.joblib`);
    assert.equal(r.preprocessing.target?.class, 'MinMaxScaler');
    assert.equal(r.preprocessing.notes.length, 1);
    assert.match(r.preprocessing.notes[0], new RegExp(`--no-scaler\\): ${dir}/scaler\\.pkl was not applied`));
  });

  it('a truncated joblib scaler: refuses with the read error', async () => {
    const bytes = readFileSync(SCALER);
    const dir = bundle('truncated', { 'scaler.joblib': bytes.subarray(0, Math.floor(bytes.length / 2)), 'y_scaler.joblib': Y_SCALER });
    const e = await refusal(predict(req(dir), source));
    assert.equal(e.code, 'preprocessing-unusable');
    assert.match(e.message, new RegExp(`^${dir}/scaler\\.joblib: the bundle's input preprocessing cannot be used: `));
  });

  it('a bundle finding preprocessing-unusable (error) names the file', async () => {
    const dir = join(tmp, 'refused');
    const files = await inspectPaths([dir], source);
    const f = validateBundle(files, dir).filter((x) => x.code === 'preprocessing-unusable');
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'error');
    assert.equal(f[0].path, `${dir}/scaler.pkl`);
    assert.match(f[0].message, /posix\.system.*Predictions refuse to run without it/);
  });

  it('the view: the form schema carries the issue, and the webview may ask to skip preprocessing explicitly', async () => {
    const dir = join(tmp, 'refused');
    const schema = buildPredictionSchema(await inspectPaths([dir], source));
    assert.equal(schema.scaler, null);
    assert.match(schema.preprocessingIssue ?? '', new RegExp(`^${dir}/scaler\\.pkl: the bundle's input preprocessing cannot be used: .*posix\\.system`));
    const ok = validateWebviewMessage({ type: 'predict', input: 'a\n1', skipPreprocessing: true });
    assert.deepEqual(ok, { ok: true, message: { type: 'predict', input: 'a\n1', skipPreprocessing: true } });
    assert.equal(validateWebviewMessage({ type: 'predict', input: 'a\n1', skipPreprocessing: 'yes' }).ok, false);
  });

  it('two scalers that both fit: refuses listing both; --scaler chooses (outputs equal the numpy reference)', async () => {
    const dir = bundle('two', { 'scaler.joblib': SCALER, 'scaler_v2.joblib': SCALER, 'y_scaler.joblib': Y_SCALER });
    const e = await refusal(predict(req(dir), source));
    assert.equal(e.code, 'scaler-ambiguous');
    assert.match(e.message, new RegExp(`${dir}/scaler\\.joblib \\(MinMaxScaler\\), ${dir}/scaler_v2\\.joblib \\(MinMaxScaler\\)`));
    assert.match(e.message, /--scaler FILE/);
    const r = await predict(req(dir, { scaler: join(dir, 'scaler_v2.joblib') }), source);
    assert.equal(r.preprocessing.input?.path, join(dir, 'scaler_v2.joblib'));
    close(r.outputs, reference.outputs, 1e-5);
  });

  it('an unreadable target scaler: refuses; --no-target-scaler gives the network outputs and says so', async () => {
    const dir = bundle('badtarget', { 'scaler.joblib': SCALER, 'y_scaler.joblib': new Uint8Array([0x80, 0x04, 0x95, 1, 2]) });
    const e = await refusal(predict(req(dir), source));
    assert.equal(e.code, 'preprocessing-unusable');
    assert.match(e.message, new RegExp(`^${dir}/y_scaler\\.joblib: the bundle's target scaler cannot be used`));
    assert.match(e.message, /--no-target-scaler/);
    const r = await predict(req(dir, { skipTargetScaler: true }), source);
    assert.equal(r.unscaledOutput, false);
    assert.equal(r.preprocessing.input?.class, 'MinMaxScaler');
    assert.match(r.preprocessing.notes[0], /y_scaler\.joblib was not applied/);
    close(r.outputs, reference.network_outputs, 1e-5);
  });

  it('a scaler as wide as the output but not named as a target: refuses the guess; --target-scaler maps back', async () => {
    const dir = bundle('sizeguess', { 'scaler.joblib': SCALER, 'extra.joblib': Y_SCALER });
    const e = await refusal(predict(req(dir), source));
    assert.equal(e.code, 'scaler-ambiguous');
    assert.match(e.message, new RegExp(`${dir}/extra\\.joblib is as wide as the model's output \\(1\\)`));
    const r = await predict(req(dir, { targetScaler: join(dir, 'extra.joblib') }), source);
    close(r.outputs, reference.outputs, 1e-5);
    const n = await predict(req(dir, { skipTargetScaler: true }), source);
    close(n.outputs, reference.network_outputs, 1e-5);
  });

  it('--scaler FILE[key] picks one object of a dict-wrapped file', async () => {
    const dir = bundle('dictpick', { 'scalers.joblib': 'test/fixtures/predict/scalers_dict.joblib', 'scaler_other.joblib': SCALER });
    const e = await refusal(predict(req(dir), source));
    assert.equal(e.code, 'scaler-ambiguous');
    assert.match(e.message, new RegExp(`${dir}/scaler_other\\.joblib \\(MinMaxScaler\\), ${dir}/scalers\\.joblib\\[x\\] \\(MinMaxScaler\\)`));
    const r = await predict(req(dir, { scaler: `${dir}/scalers.joblib[x]` }), source);
    assert.equal(r.preprocessing.input?.path, `${dir}/scalers.joblib[x]`);
    assert.equal(r.preprocessing.target?.path, `${dir}/scalers.joblib[y_scaler]`);
    close(r.outputs, reference.outputs, 1e-5);
    const bad = await refusal(predict(req(dir, { scaler: `${dir}/scalers.joblib[nope]` }), source));
    assert.match(bad.message, /holds no object at nope/);
  });

  it('an imputer and a scaler beside each other: refuses the guess; --scaler A --scaler B applies both in order', async () => {
    const dir = bundle('chain', { 'imputer.joblib': 'test/fixtures/sklearn2/imputer4.joblib', 'scaler.joblib': SCALER, 'y_scaler.joblib': Y_SCALER });
    const e = await refusal(predict(req(dir), source));
    assert.equal(e.code, 'scaler-ambiguous');
    assert.match(e.message, /imputer\.joblib \(SimpleImputer\), .*scaler\.joblib \(MinMaxScaler\).*--scaler A --scaler B/);
    const r = await predict(req(dir, { scalers: [join(dir, 'imputer.joblib'), join(dir, 'scaler.joblib')] }), source);
    assert.deepEqual(r.preprocessing.input, {
      path: `${join(dir, 'imputer.joblib')} + ${join(dir, 'scaler.joblib')}`,
      class: 'Pipeline',
      steps: ['imputer.joblib (SimpleImputer)', 'scaler.joblib (MinMaxScaler)'],
    });
    close(r.outputs, reference.outputs, 1e-5);
    // An empty cell is filled by the imputer (its statistic from scikit-learn), exactly as if typed in.
    const prep = JSON.parse(readFileSync('test/fixtures/sklearn2/preprocessing_reference.json', 'utf8')) as {
      cases: { name: string; params: Record<string, number[]> }[];
    };
    const stat = prep.cases.find((c) => c.name === 'imputer4')!.params.statistics_;
    const lines = csv.trim().split('\n');
    const cells = lines[1].split(',');
    const holed = [lines[0], ['', ...cells.slice(1)].join(','), ...lines.slice(2)].join('\n');
    const filled = [lines[0], [String(stat[0]), ...cells.slice(1)].join(','), ...lines.slice(2)].join('\n');
    const scalers = [join(dir, 'imputer.joblib'), join(dir, 'scaler.joblib')];
    const a = await predict({ ...req(dir, { scalers }), input: { text: holed, name: 'holed.csv' } }, source);
    const b = await predict({ ...req(dir, { scalers }), input: { text: filled, name: 'filled.csv' } }, source);
    assert.deepEqual(a.outputs, b.outputs);
    assert.notDeepEqual(a.outputs[0], r.outputs[0]);
    // Without an imputer first, an empty cell stays an input error.
    const e2 = await refusal(predict({ ...req(dir, { scaler: join(dir, 'scaler.joblib') }), input: { text: holed, name: 'holed.csv' } }, source));
    assert.equal(e2.code, 'input-value');
  });

  it('an explicit --scaler that cannot be read refuses too', async () => {
    const dir = join(tmp, 'two');
    const e = await refusal(predict(req(dir, { scaler: join(dir, 'nope.joblib') }), source));
    assert.equal(e.code, 'preprocessing-unusable');
    assert.match(e.message, /nope\.joblib: --scaler: no such file/);
  });
});

function rep(path: string, scaler: Scaler | null, error: string | null = null): FileReport {
  return {
    path,
    role: 'scaler',
    format: 'joblib',
    error: error ? { code: 'x', message: `${path}: ${error}` } : null,
    ...(scaler ? { scaler } : {}),
  } as FileReport;
}
const leaf = (cls: string, n: number, extra: object = {}): Scaler =>
  ({ class: cls, module: 'sklearn.x', sklearnVersion: '1.2.1', nFeaturesIn: n, featureNames: null, params: {}, ...extra }) as Scaler;

describe('planPreprocessing names the step that cannot be applied', () => {
  it('a pipeline step without a transform', () => {
    const pipe = leaf('Pipeline', 4, {
      steps: [
        { ...leaf('StandardScaler', 4), name: 'std' },
        { ...leaf('SplineTransformer', 4), name: 'spl' },
      ],
    });
    const plan = planPreprocessing([rep('b/pipe.joblib', pipe)], 4, 1);
    assert.equal(plan.input, null);
    assert.equal(plan.inputIssue?.code, 'preprocessing-unusable');
    assert.equal(
      plan.inputIssue?.detail,
      "b/pipe.joblib: the bundle's input preprocessing cannot be used: Pipeline > step 'spl' (SplineTransformer): there is no TypeScript transform for SplineTransformer",
    );
  });

  it('a column transformer step whose columns are unknown', () => {
    const ct = leaf('ColumnTransformer', 4, { steps: [{ ...leaf('StandardScaler', 2), name: 'num' }] });
    const plan = planPreprocessing([rep('b/ct.pkl', ct)], 4, 1);
    assert.match(plan.inputIssue!.detail, /ColumnTransformer > step 'num' \(StandardScaler\): the columns it takes are not known$/);
  });

  it('a label encoder (or an encoder named as the target) is not preprocessing to apply; a lone readable scaler is chosen', () => {
    const plan = planPreprocessing(
      [rep('b/scaler.pkl', leaf('StandardScaler', 4)), rep('b/labels.pkl', leaf('LabelEncoder', 1)), rep('b/y_encoder.pkl', leaf('OneHotEncoder', 1))],
      4,
      3,
    );
    assert.equal(plan.input?.path, 'b/scaler.pkl');
    assert.equal(plan.inputIssue, null);
    assert.equal(plan.targetIssue, null);
  });

  it('a scaler of the wrong width is a mismatch, not silently dropped', () => {
    const plan = planPreprocessing([rep('b/scaler.pkl', leaf('StandardScaler', 5))], 4, 1);
    assert.equal(plan.input, null);
    assert.equal(plan.inputIssue?.code, 'scaler-input-mismatch');
    assert.match(plan.inputIssue!.detail, /takes 5 features but the model takes 4/);
  });

  it('a target scaler without inverse_transform', () => {
    const plan = planPreprocessing([rep('b/scaler.pkl', leaf('StandardScaler', 4)), rep('b/y_scaler.pkl', leaf('Normalizer', 1))], 4, 1);
    assert.equal(plan.input?.path, 'b/scaler.pkl');
    assert.equal(plan.targetIssue?.code, 'preprocessing-unusable');
    assert.match(plan.targetIssue!.detail, /y_scaler\.pkl: the bundle's target scaler cannot be used: Normalizer: Normalizer has no inverse_transform here$/);
  });
});
