// The model card of the example bundle, checked against values Python computed from the same files
// (deploy_reference.json, by test/fixtures/reference/deploy/make_deploy_reference.py: hashlib,
// joblib, csv, h5py).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bestValidation, buildCard, cardNumber } from '../../src/core/deploy/card';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildReport } from '../../src/core/report/report';

const REF = JSON.parse(readFileSync('test/fixtures/reference/deploy/deploy_reference.json', 'utf8')).complete;
const tmp = mkdtempSync(join(tmpdir(), 'mbi-card-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function card(path: string, pinRoot?: string): Promise<string> {
  const source = new NodeFileSource();
  const report = await buildReport([path], source, { pinRoot });
  assert.equal(report.bundles.length, 1);
  return buildCard(report.bundles[0], report.files, source, { tool: report.tool });
}

describe('model card', () => {
  it('of the example bundle: hashes, architecture, training, preprocessing ranges, contract, versions, findings', async () => {
    const md = await card('examples/complete-bundle');
    for (const [file, hash] of Object.entries(REF.sha256 as Record<string, string>)) {
      assert.match(md, new RegExp(`\\| \`examples/complete-bundle/${file.replace('.', '\\.')}\` \\| [a-z0-9-]+ \\| \\d+ \\| \`${hash}\` \\|`), file);
    }
    assert.ok(md.includes(`- keras Sequential, Keras ${REF.keras_version} (\`model.h5\`)`));
    assert.ok(md.includes(`- parameters: ${REF.total_params} total, ${REF.total_params} trainable, 0 non-trainable`));
    assert.ok(md.includes(`- \`training_log.csv\` (keras-csv-log): ${REF.epochs} epochs`));
    assert.ok(md.includes(`- best val_loss: ${cardNumber(REF.best_val_loss)} at epoch ${REF.best_val_epoch}`), md);
    REF.features.forEach((name: string, i: number) => {
      assert.ok(md.includes(`| MinMaxScaler | ${name} | training range ${cardNumber(REF.data_min[i])} .. ${cardNumber(REF.data_max[i])} |`), name);
      assert.ok(md.includes(`- ${name}: number; training range ${cardNumber(REF.data_min[i])} .. ${cardNumber(REF.data_max[i])}`), `${name} in the contract`);
    });
    assert.ok(md.includes(`| MinMaxScaler | x0 | training range ${cardNumber(REF.y_data_min[0])} .. ${cardNumber(REF.y_data_max[0])} |`));
    assert.ok(md.includes(`| scikit-learn | ${REF.sklearn_version} | scaler.joblib | _sklearn_version |`));
    assert.ok(md.includes(`| keras | ${REF.keras_version} | model.h5 | keras_version |`));
    assert.match(md, /\| info \| target-scaler \| y_scaler\.joblib \| /);
  });

  it('lists version drift among the findings when the workspace pins another scikit-learn', async () => {
    const ws = mkdtempSync(join(tmp, 'ws-'));
    mkdirSync(join(ws, 'wind'));
    for (const f of ['model.h5', 'scaler.joblib', 'y_scaler.joblib', 'training_log.csv'])
      copyFileSync(join('examples/complete-bundle', f), join(ws, 'wind', f));
    writeFileSync(join(ws, 'requirements.txt'), 'scikit-learn==1.4.2\ntensorflow==2.13.1\n');
    // The pins sit above the bundle's folder: found up to pinRoot (the CLI passes its working folder).
    const md = await card(join(ws, 'wind'), ws);
    assert.match(md, /\| warning \| version-drift \| scaler\.joblib \| scaler\.joblib, y_scaler\.joblib were saved with scikit-learn 1\.2\.1 /);
  });

  it('best validation value: the minimum of a loss, the maximum of an accuracy', () => {
    const s = (min: number, minStep: number, max: number, maxStep: number) => ({ points: 3, first: 0, last: 0, min, minStep, max, maxStep });
    assert.deepEqual(bestValidation({ source: 'keras-csv-log', epochs: 3, series: { loss: s(0, 2, 1, 0), val_accuracy: s(0.5, 0, 0.9, 1) } }), {
      series: 'val_accuracy',
      value: 0.9,
      step: 1,
    });
    assert.deepEqual(bestValidation({ source: 'keras-csv-log', epochs: 3, series: { val_accuracy: s(0.5, 0, 0.9, 1), val_loss: s(0.1, 2, 1, 0) } }), {
      series: 'val_loss',
      value: 0.1,
      step: 2,
    });
    assert.equal(bestValidation({ source: 'keras-csv-log', epochs: 3, series: { loss: s(0, 2, 1, 0) } }), null);
  });

  it('the CLI writes the card to --out and refuses a missing path', () => {
    const out = join(tmp, 'card.md');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'card', 'examples/complete-bundle', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(readFileSync(out, 'utf8').startsWith('# Model card: complete-bundle\n'));
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'card', join(tmp, 'nope')], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /nope: no such file or folder/);
  });
});
