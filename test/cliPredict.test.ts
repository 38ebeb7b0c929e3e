// model-bundles predict and the bundle's preprocessing: refusals exit 2 with one line naming the
// file, --no-scaler / --no-target-scaler run and say so, --json reports which preprocessing ran.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const tmp = mkdtempSync(join(tmpdir(), 'mbi-clipred-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = join(tmp, 'refused');
mkdirSync(dir);
copyFileSync('examples/complete-bundle/model.h5', join(dir, 'model.h5'));
copyFileSync('test/fixtures/hostile/generated/pipeline_functiontransformer_os_system.pkl', join(dir, 'scaler.pkl'));
copyFileSync('examples/complete-bundle/y_scaler.joblib', join(dir, 'y_scaler.joblib'));

describe('model-bundles predict with unusable preprocessing', () => {
  it('exits 2 with one line naming the scaler file and the refused global', () => {
    const r = cli('predict', dir, '--input', 'examples/inputs.csv');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, new RegExp(`^model-bundles: ${dir}/scaler\\.pkl: the bundle's input preprocessing cannot be used: .*posix\\.system.*--no-scaler`));
  });

  it('--no-scaler --json runs, says which preprocessing ran and carries the warning', () => {
    const j = cli('predict', dir, '--input', 'examples/inputs.csv', '--no-scaler', '--json');
    assert.equal(j.code, 0, j.stderr);
    const doc = JSON.parse(j.stdout);
    assert.equal(doc.scaledInput, false);
    assert.equal(doc.preprocessing.input, null);
    assert.deepEqual(doc.preprocessing.target, { path: `${dir}/y_scaler.joblib`, class: 'MinMaxScaler', steps: ['MinMaxScaler'] });
    assert.deepEqual(doc.preprocessing.skipped, { input: true, target: false });
    assert.equal(doc.preprocessing.notes.length, 1);
    assert.match(doc.preprocessing.notes[0], new RegExp(`^input preprocessing skipped on request \\(--no-scaler\\): ${dir}/scaler\\.pkl was not applied`));
  });

  it('an ambiguous choice exits 2 listing the candidates (core tests check that --scaler chooses)', () => {
    const two = join(tmp, 'two');
    mkdirSync(two);
    for (const f of ['model.h5', 'scaler.joblib', 'y_scaler.joblib']) copyFileSync(`examples/complete-bundle/${f}`, join(two, f));
    copyFileSync('examples/complete-bundle/scaler.joblib', join(two, 'scaler_old.joblib'));
    const r = cli('predict', two, '--input', 'examples/inputs.csv');
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      new RegExp(
        `several preprocessing objects could scale the model's inputs: ${two}/scaler\\.joblib \\(MinMaxScaler\\), ${two}/scaler_old\\.joblib \\(MinMaxScaler\\)`,
      ),
    );
  });
});
