// Feature names exactly as fitted: CSV headers / JSON keys are matched to feature_names_in_ as exact
// strings; a trimmed or case-insensitive match is accepted with a warning; anything else is an error
// listing the expected names. Names are never trimmed silently.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { predict } from '../../src/core/predict/predict';
import { parseCsvInput, parseJsonInput } from '../../src/core/predict/predictInput';

const schema = { featureNames: ['Age ', 'größe', 'Income', 'income', 'city code'], nFeatures: 5 };

function error(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected an error');
}

describe('feature names are matched exactly as fitted', () => {
  it('exact names (trailing space, unicode, two names differing only by case) in any order, no warning', () => {
    const notes: string[] = [];
    const rows = parseCsvInput('income,city code,Income,größe,Age \n5,4,3,2,1\n', schema, 'in.csv', notes);
    assert.deepEqual(rows, [[1, 2, 3, 5, 4]]);
    assert.deepEqual(notes, []);
  });

  it('a trimmed match is accepted with a warning that says so', () => {
    const notes: string[] = [];
    const rows = parseCsvInput('Age,größe,Income,income,city code\n1,2,3,4,5\n', schema, 'in.csv', notes);
    assert.deepEqual(rows, [[1, 2, 3, 4, 5]]);
    assert.deepEqual(notes, ['in.csv: column "Age" was matched to the fitted feature "Age " only after trimming spaces; check it is the same feature']);
  });

  it('a case-insensitive match is accepted with a warning; NFC and NFD spellings match after normalising', () => {
    const notes: string[] = [];
    const s = { featureNames: ['Wind Speed', 'größe'], nFeatures: 2 };
    const rows = parseCsvInput(`wind speed,${'größe'.normalize('NFD')}\n1,2\n`, s, 'in.csv', notes);
    assert.deepEqual(rows, [[1, 2]]);
    assert.equal(notes.length, 2);
    assert.match(notes[0], /was matched to the fitted feature "größe" only after unicode normalisation/);
    assert.match(notes[1], /"wind speed" was matched to the fitted feature "Wind Speed" only case-insensitively/);
  });

  it('a loose match that could be either of two features is an error listing the expected names', () => {
    const e = error(() => parseCsvInput('Age ,größe,INCOME,x,city code\n1,2,3,4,5\n', schema, 'in.csv'));
    assert.equal(e.code, 'input-columns');
    assert.match(e.message, /^in\.csv: the columns "INCOME" match the features "Income", "income" only case-insensitively, which is ambiguous/);
    assert.match(e.message, /\(the scaler was fitted on: "Age ", "größe", "Income", "income", "city code"\)$/);
  });

  it('an unmatched column is an error listing the expected names exactly (spaces shown)', () => {
    const e = error(() => parseCsvInput('Age ,groesse,Income,income,city code\n1,2,3,4,5\n', schema, 'in.csv'));
    assert.equal(
      e.message,
      `in.csv: missing feature 'größe'; unknown column 'groesse' (the scaler was fitted on: "Age ", "größe", "Income", "income", "city code")`,
    );
  });

  it('JSON object keys follow the same rules', () => {
    const notes: string[] = [];
    assert.deepEqual(parseJsonInput([{ 'AGE ': 1, größe: 2, Income: 3, income: 4, 'city code': 5 }], schema, 'rows.json', notes), [[1, 2, 3, 4, 5]]);
    assert.match(notes[0], /"AGE " was matched to the fitted feature "Age " only case-insensitively/);
  });

  it('predict: a header in other case runs with the warning in preprocessing.notes (outputs equal the numpy reference)', async () => {
    const ref = JSON.parse(readFileSync('examples/reference/complete-bundle.json', 'utf8')) as { outputs: number[][] };
    const csv = readFileSync('examples/inputs.csv', 'utf8').replace('wind_speed', 'Wind_Speed');
    const r = await predict(
      { target: 'examples/complete-bundle', input: { text: csv, name: 'in.csv' }, wasmDir: 'node_modules/@tensorflow/tfjs-backend-wasm/dist' },
      new NodeFileSource(),
    );
    assert.deepEqual(r.preprocessing.notes, [
      'in.csv: column "Wind_Speed" was matched to the fitted feature "wind_speed" only case-insensitively; check it is the same feature',
    ]);
    r.outputs.forEach((row, i) => assert.ok(Math.abs(row[0] - ref.outputs[i][0]) < 1e-5 * Math.abs(ref.outputs[i][0])));
  });
});
