// Checkpoint series in bundle grouping: Keras ModelCheckpoint output (in a checkpoints/ folder or
// beside the model) collapses into the bundle of its run, listed as `checkpoints`, with findings
// only against the main model. Folders are built from real files copied under checkpoint names;
// the orders expected below are read off the names by hand (epoch/step numbers written beside them).
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildManifest, checkpointName } from '../../src/core/bundles/bundle';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildReport } from '../../src/core/report/report';
import { formatBundle } from '../../src/core/report/textReport';
import type { Bundle } from '../../src/core/types';

const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-ckpt-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const MODEL = 'examples/complete-bundle/model.h5';
const OTHER_NET = 'test/fixtures/real/0xDaksh__Credit-Card-Fraud/model.h5';
/** Parameter counts computed with h5py (make_params.py beside it). */
const PARAMS = JSON.parse(readFileSync('test/fixtures/reference/checkpoints/params.json', 'utf8')) as Record<string, { params: number }>;

let n = 0;
function folder(): string {
  const dir = join(tmp, `c${n++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The complete example bundle (model.h5, scaler.joblib, y_scaler.joblib, training_log.csv) in a fresh folder. */
function completeRun(): string {
  const dir = folder();
  cpSync('examples/complete-bundle', dir, { recursive: true });
  return dir;
}

function copyAs(src: string, dir: string, ...names: string[]): void {
  for (const name of names) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    copyFileSync(src, join(dir, name));
  }
}

async function bundlesOf(dir: string): Promise<Bundle[]> {
  return (await buildReport([dir], source)).bundles;
}

const findingsOf = (b: Bundle) => b.findings.map((f) => `${f.severity}:${f.code}:${f.path}`).sort();

describe('checkpointName', () => {
  it('reads epochs, steps and metric values out of ModelCheckpoint names', () => {
    // weights.{epoch:02d}-{val_loss:.2f}.hdf5: the first bare number is the epoch.
    assert.deepEqual(checkpointName('run/weights.07-0.40.hdf5'), { key: 'weights', step: 7, variant: null, worded: true });
    assert.deepEqual(checkpointName('weights.3.hdf5'), { key: 'weights', step: 3, variant: null, worded: false });
    assert.deepEqual(checkpointName('model-epoch05.h5'), { key: 'model', step: 5, variant: null, worded: true });
    assert.deepEqual(checkpointName('ckpt_010.weights.h5'), { key: '', step: 10, variant: null, worded: true });
    assert.deepEqual(checkpointName('model_epoch_12_val_loss_0.0312.keras'), { key: 'model', step: 12, variant: null, worded: true });
    assert.deepEqual(checkpointName('model_step-1500.h5'), { key: 'model', step: 1500, variant: null, worded: true });
    assert.deepEqual(checkpointName('best_model.h5'), { key: '', step: null, variant: 'best', worded: true });
    assert.deepEqual(checkpointName('model_latest.h5'), { key: 'model', step: null, variant: 'last', worded: true });
  });

  it('reads filepath patterns of public ModelCheckpoint calls, formatted for one epoch', () => {
    // 'LSTM+BN5--{epoch:02d}--{val_lev_cer:.3f}.hdf5': BN5 is glued, 03 is the epoch.
    assert.deepEqual(checkpointName('LSTM+BN5--03--0.123.hdf5'), { key: 'lstm+bn5', step: 3, variant: null, worded: true });
    // 'k46_diabets_{epoch:02d}-{val_loss:.4f}.hdf5'
    assert.deepEqual(checkpointName('modelCheckpoint/k46_diabets_05-0.1234.hdf5'), { key: 'k46_diabets', step: 5, variant: null, worded: true });
    // 'model.{epoch:04d}-{val_acc:.4f}.h5'
    assert.deepEqual(checkpointName('model.0010-0.9712.h5'), { key: 'model', step: 10, variant: null, worded: true });
    // 'saved_models/model-{epoch:03d}.h5': one bare number, a series only with its siblings.
    assert.deepEqual(checkpointName('saved_models/model-007.h5'), { key: 'model', step: 7, variant: null, worded: false });
    // 'best_ukraine_model.hdf5' (the _model suffix is dropped from stems)
    assert.deepEqual(checkpointName('best_ukraine_model.hdf5'), { key: 'ukraine', step: null, variant: 'best', worded: true });
  });

  it('leaves names whose numbers are part of the name, not a series', () => {
    assert.equal(checkpointName('model.h5'), null);
    assert.equal(checkpointName('model_a.h5'), null);
    assert.equal(checkpointName('vgg16.h5'), null); // the number is glued to letters
    assert.equal(checkpointName('resnet50_scaler.pkl'), null);
    assert.equal(checkpointName('model_fold_3.h5'), null); // k-fold models are separate models
    assert.equal(checkpointName('model_seed_42.h5'), null);
    assert.equal(checkpointName('BestModel_CNN.h5'), null); // "best" glued to letters is part of the name
  });
});

describe('checkpoint series in bundles', () => {
  it('collapses Keras ModelCheckpoint output in checkpoints/ into the run bundle (no findings beyond the plain bundle)', async () => {
    const dir = completeRun();
    copyAs(MODEL, dir, 'checkpoints/weights.01-0.41.hdf5', 'checkpoints/weights.02-0.39.hdf5', 'checkpoints/weights.03-0.37.hdf5');
    const bs = await bundlesOf(dir);
    assert.equal(bs.length, 1);
    const [b] = bs;
    assert.equal(b.root, dir);
    assert.deepEqual(b.files.model, [join(dir, 'model.h5')]);
    // epochs 1, 2, 3
    assert.deepEqual(
      b.checkpoints,
      ['01-0.41', '02-0.39', '03-0.37'].map((e) => join(dir, `checkpoints/weights.${e}.hdf5`)),
    );
    assert.equal(b.complete, true);
    // The plain example bundle gets exactly this one information (its y_scaler.joblib).
    assert.deepEqual(findingsOf(b), [`info:target-scaler:${join(dir, 'y_scaler.joblib')}`]);
  });

  it('reports missing-scaler once, on the main model, when the scaler is removed', async () => {
    const dir = completeRun();
    rmSync(join(dir, 'scaler.joblib'));
    rmSync(join(dir, 'y_scaler.joblib'));
    copyAs(MODEL, dir, 'checkpoints/weights.01-0.41.hdf5', 'checkpoints/weights.02-0.39.hdf5', 'checkpoints/weights.03-0.37.hdf5');
    const bs = await bundlesOf(dir);
    assert.equal(bs.length, 1);
    assert.deepEqual(findingsOf(bs[0]), [`error:missing-scaler:${join(dir, 'model.h5')}`]);
    assert.equal(bs[0].checkpoints?.length, 3);
  });

  it('collapses checkpoints saved beside the model, ordered by epoch/step', async () => {
    const dir = completeRun();
    copyAs(
      MODEL,
      dir,
      'model-epoch05.h5',
      'ckpt_010.weights.h5',
      'weights.01-0.40.hdf5',
      'model_epoch_12_val_loss_0.0312.keras',
      'best_model.h5',
      'last_model.h5',
    );
    // best_model and last_model carry no number: after the numbered ones, by file time (last newest).
    utimesSync(join(dir, 'best_model.h5'), new Date('2026-01-01T10:00:00Z'), new Date('2026-01-01T10:00:00Z'));
    const bs = await bundlesOf(dir);
    assert.equal(bs.length, 1);
    const [b] = bs;
    assert.equal(b.root, dir);
    assert.deepEqual(b.files.model, [join(dir, 'model.h5')]);
    assert.deepEqual(b.files.weights, []);
    // epochs/steps: weights.01 → 1, model-epoch05 → 5, ckpt_010 → 10, model_epoch_12 → 12; then best (older), last.
    assert.deepEqual(
      b.checkpoints,
      ['weights.01-0.40.hdf5', 'model-epoch05.h5', 'ckpt_010.weights.h5', 'model_epoch_12_val_loss_0.0312.keras', 'best_model.h5', 'last_model.h5'].map((f) =>
        join(dir, f),
      ),
    );
    assert.deepEqual(findingsOf(b), [`info:target-scaler:${join(dir, 'y_scaler.joblib')}`]);
  });

  it('takes the highest epoch as the main model when the folder holds only checkpoints', async () => {
    const dir = completeRun();
    rmSync(join(dir, 'model.h5'));
    copyAs(MODEL, dir, 'checkpoints/weights.10-0.35.hdf5', 'checkpoints/weights.02-0.39.hdf5', 'checkpoints/weights.09-0.36.hdf5');
    const bs = await bundlesOf(dir);
    assert.equal(bs.length, 1);
    const [b] = bs;
    assert.equal(b.root, dir);
    // epochs 10 > 9 > 2 (10 sorts before 9 as text: the order is numeric)
    assert.deepEqual(b.files.model, [join(dir, 'checkpoints/weights.10-0.35.hdf5')]);
    assert.deepEqual(b.checkpoints, [join(dir, 'checkpoints/weights.02-0.39.hdf5'), join(dir, 'checkpoints/weights.09-0.36.hdf5')]);
    assert.deepEqual(findingsOf(b), [`info:target-scaler:${join(dir, 'y_scaler.joblib')}`]);
  });

  it('prefers best over last without a plain model, and the newest file when no word or number decides', async () => {
    const dir = completeRun();
    rmSync(join(dir, 'model.h5'));
    copyAs(MODEL, dir, 'best_model.h5', 'last_model.h5');
    const [b] = await bundlesOf(dir);
    assert.deepEqual(b.files.model, [join(dir, 'best_model.h5')]);
    assert.deepEqual(b.checkpoints, [join(dir, 'last_model.h5')]);

    const dir2 = completeRun();
    rmSync(join(dir2, 'model.h5'));
    copyAs(MODEL, dir2, 'model_last.h5', 'model_latest.h5');
    utimesSync(join(dir2, 'model_latest.h5'), new Date('2026-01-01T10:00:00Z'), new Date('2026-01-01T10:00:00Z'));
    const bs2 = await bundlesOf(dir2);
    assert.equal(bs2.length, 1);
    assert.deepEqual(bs2[0].files.model, [join(dir2, 'model_last.h5')]); // newer than model_latest.h5 (set to 2026-01-01)
    assert.deepEqual(bs2[0].checkpoints, [join(dir2, 'model_latest.h5')]);
  });

  it('gives a structure (model.json) the latest weights checkpoint as its weights', async () => {
    const dir = folder();
    copyFileSync('examples/missing-scaler/model.json', join(dir, 'model.json'));
    copyFileSync('examples/missing-scaler/training_log.csv', join(dir, 'training_log.csv'));
    copyAs('examples/missing-scaler/model_weights.h5', dir, 'checkpoints/weights.01.h5', 'checkpoints/weights.02.h5');
    const bs = await bundlesOf(dir);
    assert.equal(bs.length, 1);
    const [b] = bs;
    assert.deepEqual(b.files.structure, [join(dir, 'model.json')]);
    assert.deepEqual(b.files.weights, [join(dir, 'checkpoints/weights.02.h5')]);
    assert.deepEqual(b.checkpoints, [join(dir, 'checkpoints/weights.01.h5')]);
    // No scaler in examples/missing-scaler: that one error, on the structure (no weights-structure-mismatch).
    assert.deepEqual(findingsOf(b), [`error:missing-scaler:${join(dir, 'model.json')}`]);
  });

  it('keeps models told apart by letters, glued numbers, folds or another network as separate bundles', async () => {
    const dir = folder();
    copyAs(MODEL, dir, 'model_a.h5', 'model_b.h5');
    copyFileSync('examples/complete-bundle/scaler.joblib', join(dir, 'model_a_scaler.joblib'));
    assert.deepEqual((await bundlesOf(dir)).map((b) => b.root).sort(), [join(dir, 'model_a'), join(dir, 'model_b')]);

    const glued = folder();
    copyAs(MODEL, glued, 'net16.h5', 'net19.h5');
    assert.equal((await bundlesOf(glued)).length, 2);

    // Numbered models each with a scaler of its own are separate models, not checkpoints.
    const own = folder();
    copyAs(MODEL, own, 'model_1.h5', 'model_2.h5');
    copyAs('examples/complete-bundle/scaler.joblib', own, 'model_1_scaler.joblib', 'model_2_scaler.joblib');
    const ownBundles = await bundlesOf(own);
    assert.deepEqual(ownBundles.map((b) => b.root).sort(), [join(own, 'model_1'), join(own, 'model_2')]);
    assert.deepEqual(
      ownBundles.map((b) => b.files.scaler.length),
      [1, 1],
    );

    const folds = folder();
    copyAs(MODEL, folds, 'model_fold_1.h5', 'model_fold_2.h5');
    assert.equal((await bundlesOf(folds)).length, 2);

    // Same checkpoint-like name, but a different network: 225 vs 1711 parameters (h5py).
    assert.notEqual(PARAMS[MODEL].params, PARAMS[OTHER_NET].params);
    const other = completeRun();
    copyAs(MODEL, other, 'model_epoch_01.h5');
    copyAs(OTHER_NET, other, 'model_epoch_02.h5');
    const bs = await bundlesOf(other);
    assert.deepEqual(bs.map((b) => b.root).sort(), [join(other, 'model'), join(other, 'model_epoch_02')]);
    const main = bs.find((b) => b.root === join(other, 'model'))!;
    assert.deepEqual(main.checkpoints, [join(other, 'model_epoch_01.h5')]);
    assert.equal(bs.find((b) => b.root !== join(other, 'model'))!.checkpoints, undefined);
  });

  it("takes a checkpoints/ copy with the model's own name for a checkpoint, not the main model", async () => {
    const dir = completeRun();
    copyAs(MODEL, dir, 'checkpoints/model.h5');
    const bs = await bundlesOf(dir);
    assert.equal(bs.length, 1);
    assert.deepEqual(bs[0].files.model, [join(dir, 'model.h5')]);
    assert.deepEqual(bs[0].checkpoints, [join(dir, 'checkpoints/model.h5')]);
    assert.deepEqual(findingsOf(bs[0]), [`info:target-scaler:${join(dir, 'y_scaler.joblib')}`]);
  });

  it('collapses one folder per checkpoint (checkpoints/epoch_05/model.h5...) into the run', async () => {
    const dir = completeRun();
    copyAs(MODEL, dir, 'checkpoints/epoch_05/model.h5', 'checkpoints/epoch_10/model.h5', 'checkpoints/epoch_2/model.h5');
    const bs = await bundlesOf(dir);
    assert.equal(bs.length, 1);
    assert.equal(bs[0].root, dir);
    assert.deepEqual(bs[0].files.model, [join(dir, 'model.h5')]);
    // folder epochs 2, 5, 10
    assert.deepEqual(
      bs[0].checkpoints,
      ['epoch_2', 'epoch_05', 'epoch_10'].map((e) => join(dir, 'checkpoints', e, 'model.h5')),
    );
    assert.deepEqual(findingsOf(bs[0]), [`info:target-scaler:${join(dir, 'y_scaler.joblib')}`]);

    // Without model.h5, the highest step folder holds the main model.
    const run = completeRun();
    rmSync(join(run, 'model.h5'));
    copyAs(MODEL, run, 'checkpoint-500/model.h5', 'checkpoint-1000/model.h5', 'checkpoint-1500/model.h5');
    const [b] = await bundlesOf(run);
    assert.equal(b.root, run);
    assert.deepEqual(b.files.model, [join(run, 'checkpoint-1500/model.h5')]);
    assert.deepEqual(b.checkpoints, [join(run, 'checkpoint-500/model.h5'), join(run, 'checkpoint-1000/model.h5')]);
    assert.deepEqual(findingsOf(b), [`info:target-scaler:${join(run, 'y_scaler.joblib')}`]);
  });

  it('takes model files in checkpoint folders for checkpoints whatever their name', async () => {
    const dir = completeRun();
    copyAs(MODEL, dir, 'checkpoints/epoch_10/weights.h5', 'checkpoints/epoch_9/weights.h5', 'ckpt/final_weights.h5');
    const bs = await bundlesOf(dir);
    assert.equal(bs.length, 1);
    assert.deepEqual(bs[0].files.model, [join(dir, 'model.h5')]);
    // weights.h5 in folders of epochs 9 and 10 (series by folder step), then ckpt/final_weights.h5 (no number).
    assert.deepEqual(bs[0].checkpoints, [
      join(dir, 'checkpoints/epoch_9/weights.h5'),
      join(dir, 'checkpoints/epoch_10/weights.h5'),
      join(dir, 'ckpt/final_weights.h5'),
    ]);
  });

  it('writes a manifest listing the main model only; with it the checkpoints belong to no bundle', async () => {
    const dir = completeRun();
    copyAs(MODEL, dir, 'checkpoints/weights.01-0.41.hdf5', 'checkpoints/weights.02-0.39.hdf5');
    const [b] = await bundlesOf(dir);
    const text = await buildManifest(b);
    const listed = (JSON.parse(text) as { files: { path: string; role: string }[] }).files.map((f) => `${f.role}:${f.path}`);
    assert.deepEqual(listed, ['scaler:scaler.joblib', 'scaler:y_scaler.joblib', 'model:model.h5', 'log:training_log.csv']);
    writeFileSync(join(dir, 'model-bundle.json'), text);
    const bs = await bundlesOf(dir);
    assert.equal(bs.length, 1);
    assert.equal(bs[0].checkpoints, undefined);
    assert.deepEqual(findingsOf(bs[0]), [`info:target-scaler:${join(dir, 'y_scaler.joblib')}`]);
  });

  it('has no checkpoints field on a bundle without checkpoints', async () => {
    const [b] = await bundlesOf(completeRun());
    assert.equal('checkpoints' in b, false);
  });
});

describe('checkpoints in the text report', () => {
  it('prints one line with the count and the latest checkpoint', async () => {
    const dir = completeRun();
    copyAs(MODEL, dir, 'checkpoints/weights.01-0.41.hdf5', 'checkpoints/weights.12-0.30.hdf5', 'checkpoints/weights.03-0.37.hdf5');
    const [b] = await bundlesOf(dir);
    const lines = formatBundle(b);
    assert.deepEqual(
      lines.filter((l) => l.includes('checkpoints')),
      ['  checkpoints  3 (latest: weights.12-0.30.hdf5)'],
    );
    assert.equal(
      lines.some((l) => l.includes('weights.01-0.41')),
      false,
    );
    assert.deepEqual(
      formatBundle({ ...b, checkpoints: undefined }).filter((l) => l.includes('checkpoints')),
      [],
    );
  });
});
