// The input contract: its JSON Schemas accept good rows and refuse bad ones (Ajv, draft 2020-12),
// and its OpenAPI document validates against the official OpenAPI 3.1 schema
// (test/fixtures/schemas/SOURCES.md). Expected values: deploy_reference.json, written by
// test/fixtures/reference/deploy/make_deploy_reference.py with scikit-learn and joblib.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildContract, ContractError, type InputContract } from '../../src/core/deploy/contract';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildReport } from '../../src/core/report/report';
import type { Bundle, FileReport } from '../../src/core/types';

const REF = JSON.parse(readFileSync('test/fixtures/reference/deploy/deploy_reference.json', 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'mbi-contract-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function ajv(): Ajv2020 {
  const a = new Ajv2020({ strict: true, allErrors: true });
  addFormats(a);
  // The contract's own annotations (documentation keywords of the `x-` kind).
  a.addVocabulary(['x-extrapolation', 'x-training-range']);
  return a;
}

async function contractOf(path: string, strictRanges = false): Promise<InputContract> {
  const report = await buildReport([path], new NodeFileSource());
  assert.equal(report.bundles.length, 1);
  return buildContract(report.bundles[0], report.files, { strictRanges });
}

describe('input contract of the example bundle (MinMaxScaler with feature names)', () => {
  const ref = REF.complete;

  it('names the scaler’s features with their training ranges, all required, no extra fields', async () => {
    const c = await contractOf('examples/complete-bundle');
    assert.deepEqual(
      c.features.map((f) => f.name),
      ref.features,
    );
    assert.deepEqual(c.row.required, ref.features);
    for (let i = 0; i < ref.features.length; i++) {
      const p = (c.row.properties as Record<string, Record<string, unknown>>)[ref.features[i]];
      assert.equal(p.type, 'number');
      assert.deepEqual(p['x-training-range'], { minimum: ref.data_min[i], maximum: ref.data_max[i] });
      assert.equal(p.minimum, undefined, 'ranges are documentation by default');
      assert.match(String(p['x-extrapolation']), /^warn: /);
    }
    assert.equal(c.sources.preprocessing, 'examples/complete-bundle/scaler.joblib (MinMaxScaler)');
    assert.equal(c.sources.target, 'examples/complete-bundle/y_scaler.joblib (MinMaxScaler)');
    assert.deepEqual(c.outputs, ['y0']);
    assert.deepEqual(c.notes, []);
  });

  it('accepts good rows and batches, refuses missing, extra and mistyped fields', async () => {
    const c = await contractOf('examples/complete-bundle');
    const a = ajv();
    const row = a.compile(c.row);
    const batch = a.compile(c.batch);
    const atMin = Object.fromEntries(ref.features.map((n: string, i: number) => [n, ref.data_min[i]]));
    assert.ok(row(c.example), JSON.stringify(row.errors));
    assert.ok(row(atMin));
    // Outside the range is extrapolation: accepted by default.
    assert.ok(row({ ...atMin, wind_speed: ref.data_max[0] * 10 }));
    assert.equal(row({ ...atMin, pitch_angle: 'steep' }), false);
    const { temperature: _t, ...missing } = atMin;
    assert.equal(row(missing), false);
    assert.equal(row({ ...atMin, humidity: 3 }), false);
    assert.ok(batch([c.example, atMin]));
    assert.equal(batch([]), false);
    assert.equal(batch([c.example, { ...atMin, air_density: null }]), false);
  });

  it('--strict-ranges: the training range becomes minimum/maximum', async () => {
    const c = await contractOf('examples/complete-bundle', true);
    const row = ajv().compile(c.row);
    const atMax = Object.fromEntries(ref.features.map((n: string, i: number) => [n, ref.data_max[i]]));
    assert.ok(row(atMax));
    assert.equal(row({ ...atMax, wind_speed: ref.data_max[0] + 1e-9 }), false);
    assert.equal(row({ ...atMax, temperature: ref.data_min[2] - 0.5 }), false);
  });

  it('OpenAPI 3.1 document: valid against the official schema; request = batch, response = outputs', async () => {
    const c = await contractOf('examples/complete-bundle');
    const a = ajv();
    // The official schema is not written for Ajv's strict mode (patternProperties without type): it
    // is compiled as published, in non-strict mode; our own schemas stay strict.
    const official = new Ajv2020({ strict: false, allErrors: true });
    addFormats(official);
    // Ajv resolves `$dynamicRef` only to a `$dynamicAnchor` at a schema resource's root; the official
    // schema has its one anchor (`meta`) on `$defs/schema`. Validated alone (no dialect extending it),
    // every `{"$dynamicRef": "#meta"}` resolves to exactly that definition, so it is replaced by the
    // equivalent static `{"$ref": "#/$defs/schema"}` (JSON Schema 2020-12, section 8.2.3.2).
    const text = readFileSync('test/fixtures/schemas/openapi-3.1.schema.json', 'utf8');
    const count = text.split('"$dynamicRef": "#meta"').length - 1;
    assert.equal(count, 4);
    const validate = official.compile(JSON.parse(text.replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"')));
    assert.ok(validate(c.openapi), JSON.stringify(validate.errors));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking a plain JSON document
    const post = (c.openapi.paths as any)['/predict'].post;
    assert.equal(post.requestBody.content['application/json'].schema.$ref, '#/components/schemas/Batch');
    assert.equal(post.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/Prediction');
    // The components compile as JSON Schema 2020-12 (the dialect the document declares), refs resolved.
    // (`components` is no JSON Schema keyword: that wrapper is added in non-strict mode.)
    const loose = new Ajv2020({ strict: false });
    loose.addSchema({ $id: 'urn:test:oas', components: c.openapi.components });
    const doc = loose.compile({ $ref: 'urn:test:oas#/components/schemas/Batch' });
    assert.ok(doc([c.example]));
    assert.equal(doc([{ ...c.example, wind_speed: 'fast' }]), false);
    const pred = a.compile({ $id: 'urn:test:pred', ...(c.openapi.components as { schemas: { Prediction: object } }).schemas.Prediction });
    assert.ok(pred({ outputs: [[2762.3], [169.6]] }));
    assert.equal(pred({ outputs: [[1, 2]] }), false, 'one output per row');
    // A broken document is refused by the official schema (the check can fail).
    assert.equal(validate({ ...c.openapi, info: { title: 'x' } }), false);
  });
});

describe('input contract of a ColumnTransformer (StandardScaler + OneHotEncoder, remainder dropped)', () => {
  const ref = REF.ct_names;
  const dir = mkdtempSync(join(tmp, 'ct-'));
  copyFileSync('test/fixtures/sklearn/ct_names.joblib', join(dir, 'preprocessing.joblib'));

  it('categories as enum, means as description, the dropped column free', async () => {
    const c = await contractOf(dir);
    assert.deepEqual(
      c.features.map((f) => f.name),
      ref.features,
    );
    const props = c.row.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(props.colour.enum, ref.colour_categories);
    for (let i = 0; i < ref.num_columns.length; i++) {
      const f = c.features.find((x) => x.name === ref.num_columns[i])!;
      assert.deepEqual(f.center, { kind: 'mean', value: ref.mean[i], scale: ref.scale[i] });
      assert.equal(props[ref.num_columns[i]].type, 'number');
    }
    assert.equal(ref.remainder, 'drop');
    assert.equal(c.features.find((f) => f.name === 'ratio')!.dropped, true);
    assert.ok(c.notes.some((n) => n.includes('no readable model structure')));
    const row = ajv().compile(c.row);
    assert.ok(row(c.example), JSON.stringify(row.errors));
    assert.ok(row({ age: 1.5, income: 51, ratio: 'anything', colour: 'green' }));
    assert.equal(row({ age: 1.5, income: 51, ratio: 0, colour: 'purple' }), false);
    assert.equal(row({ age: '1.5', income: 51, ratio: 0, colour: 'red' }), false);
  });

  it('an imputer and a scaler saved as two files: null accepted, ranges from the scaler', async () => {
    const ref = REF.imputer_then_minmax;
    assert.equal(ref.imputer_features, ref.minmax_features);
    const d = mkdtempSync(join(tmp, 'chain-'));
    copyFileSync('test/fixtures/sklearn/imputer_mean.joblib', join(d, 'imputer.joblib'));
    copyFileSync('test/fixtures/sklearn/minmax.joblib', join(d, 'scaler.joblib'));
    const c = await contractOf(d);
    assert.equal(c.features.length, ref.minmax_features);
    c.features.forEach((f, i) => {
      assert.equal(f.nullable, true);
      assert.deepEqual(f.range, { min: ref.data_min[i], max: ref.data_max[i] });
      assert.equal(f.via, 'scaler.joblib: MinMaxScaler');
    });
    const row = ajv().compile(c.row);
    assert.ok(row({ ...c.example, x1: null }), JSON.stringify(row.errors));
    assert.equal(row({ ...c.example, x1: 'n/a' }), false);
    assert.ok(
      c.notes.some((n) => n.includes('imputer.joblib and scaler.joblib')),
      c.notes.join('\n'),
    );
  });

  it('an array-fitted scaler gets x0..xn names with a note', async () => {
    const d = mkdtempSync(join(tmp, 'plain-'));
    copyFileSync('test/fixtures/sklearn/minmax.joblib', join(d, 'scaler.joblib'));
    const c = await contractOf(d);
    assert.equal(c.features[0].name, 'x0');
    assert.ok(
      c.notes.some((n) => n.includes('no feature_names_in_')),
      c.notes.join('\n'),
    );
  });
});

describe('contract refusals', () => {
  const bundle = (root: string): Bundle => ({
    root,
    files: { scaler: [], structure: [], weights: [], model: [`${root}/m.json`], log: [] },
    complete: false,
    findings: [],
  });
  const model = (path: string, inputShapes: (number | null)[][]): FileReport => ({
    path,
    role: 'model',
    format: 'tfjs-layers',
    error: null,
    model: {
      framework: 'tfjs',
      kerasVersion: null,
      className: 'Sequential',
      layers: [],
      inputShapes,
      outputShapes: [[null, 1]],
      totalParams: 0,
      trainableParams: 0,
      nonTrainableParams: 0,
    },
  });

  it('refuses a sequence input and several inputs, naming the file', () => {
    assert.throws(
      () => buildContract(bundle('b'), [model('b/m.json', [[null, 25, 5]])]),
      (e: Error) => e instanceof ContractError && /b\/m\.json: .*\[None, 25, 5\]/.test(e.message),
    );
    assert.throws(
      () =>
        buildContract(bundle('b'), [
          model('b/m.json', [
            [null, 3],
            [null, 2],
          ]),
        ]),
      /2 inputs/,
    );
  });

  it('a model without scaler: x0..xn from its input size, with a note', () => {
    const c = buildContract(bundle('b'), [model('b/m.json', [[null, 3]])]);
    assert.deepEqual(c.row.required, ['x0', 'x1', 'x2']);
    assert.ok(c.notes.some((n) => n.startsWith('No preprocessing object')));
  });
});
