import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { anchorOf, buildManifest, checkExitCode, parseManifest, sha256Hex, stemOf, verifyManifestHashes } from '../../src/core/bundles/bundle';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildReport } from '../../src/core/report/report';
import type { Bundle, Finding } from '../../src/core/types';

const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-bundle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const REAL = 'test/fixtures/real';

let n = 0;
/** A fresh copy of the example's complete bundle (model.h5, scaler.joblib, y_scaler.joblib, training_log.csv). */
function completeBundle(): string {
  const dir = join(tmp, `b${n++}`);
  cpSync('examples/complete-bundle', dir, { recursive: true });
  return dir;
}

async function bundlesOf(dir: string): Promise<Bundle[]> {
  return (await buildReport([dir], source)).bundles;
}

function codes(b: Bundle, atLeast: Finding['severity'][] = ['error', 'warning', 'info']): string[] {
  return b.findings
    .filter((f) => atLeast.includes(f.severity))
    .map((f) => `${f.severity}:${f.code}`)
    .sort();
}

describe('anchorOf / stemOf', () => {
  it('anchors logs, TensorBoard runs and models/ folders at the folder above them', () => {
    assert.equal(anchorOf('proj/model.h5'), 'proj');
    assert.equal(anchorOf('proj/logs/training.csv'), 'proj');
    assert.equal(anchorOf('proj/logs/20240101-120000/train/events.out.tfevents.1.host'), 'proj');
    assert.equal(anchorOf('proj/runs/exp1/validation/events.out.tfevents.1.host'), 'proj');
    assert.equal(anchorOf('proj/train/events.out.tfevents.1.host'), 'proj');
    assert.equal(anchorOf('proj/models/model.h5'), 'proj');
    assert.equal(anchorOf('proj/checkpoints/epoch_05/model.h5'), 'proj');
    assert.equal(anchorOf('proj/checkpoint-500/model.h5'), 'proj');
    assert.equal(anchorOf('proj/ckpts/weights.01-0.40.hdf5'), 'proj');
    assert.equal(anchorOf('proj/exp_05/model.h5'), 'proj/exp_05');
    assert.equal(anchorOf('proj/experiments/exp1/model.h5'), 'proj/experiments/exp1');
    assert.equal(anchorOf('model.h5'), '.');
  });

  it('strips extensions and role suffixes from stems', () => {
    assert.equal(stemOf('a/model_a.h5'), 'model_a');
    assert.equal(stemOf('model_a.weights.h5'), 'model_a');
    assert.equal(stemOf('model_a_scaler.pkl'), 'model_a');
    assert.equal(stemOf('model_a_history.csv'), 'model_a');
  });
});

describe('bundles on real files', () => {
  it('finds no error or warning on the complete real bundle (ExoBengal: scaler + imputer + Keras 3 model)', async () => {
    const [b] = await bundlesOf(`${REAL}/gazi-faysal-jubayer__ExoBengal`);
    assert.equal(b.root, `${REAL}/gazi-faysal-jubayer__ExoBengal`);
    assert.deepEqual(
      b.files.scaler.map((p) => p.split('/').pop()),
      ['imputer.pkl', 'scaler.pkl'],
    );
    assert.deepEqual(codes(b, ['error', 'warning']), []);
    assert.deepEqual(codes(b), ['info:keras3-tfjs', 'info:missing-log']);
  });

  it('is complete and clean for the example bundle, and names its target scaler', async () => {
    const [b] = await bundlesOf(completeBundle());
    assert.equal(b.complete, true);
    assert.deepEqual(codes(b), ['info:target-scaler']);
    assert.match(b.findings[0].path!, /y_scaler\.joblib$/);
  });

  it('attaches a TensorBoard folder (Graph/) to the model beside it', async () => {
    const [b] = await bundlesOf(`${REAL}/0xDaksh__Credit-Card-Fraud`);
    assert.equal(b.files.log.length, 1);
    assert.match(b.files.log[0], /Graph\/events\.out\.tfevents/);
    assert.deepEqual(codes(b), ['error:missing-scaler']);
  });

  it('reports missing-scaler as an error with the fix, when the scaler is removed', async () => {
    const dir = completeBundle();
    rmSync(join(dir, 'scaler.joblib'));
    rmSync(join(dir, 'y_scaler.joblib'));
    const [b] = await bundlesOf(dir);
    assert.equal(b.complete, false);
    const f = b.findings.find((x) => x.code === 'missing-scaler')!;
    assert.equal(f.severity, 'error');
    assert.equal(f.path, join(dir, 'model.h5'));
    assert.match(f.message, /predictions on raw inputs will be wrong/);
    assert.match(f.message, /joblib\.dump\(scaler, "scaler\.joblib"\)/);
    assert.equal(checkExitCode([b], false), 1);
  });

  it("reports a scaler fitted on another feature set (13 features vs the model's 4)", async () => {
    const dir = completeBundle();
    copyFileSync(`${REAL}/AlbertFrydensberg__ML_Ops_59/models/scaler.joblib`, join(dir, 'scaler.joblib'));
    const [b] = await bundlesOf(dir);
    const f = b.findings.find((x) => x.code === 'scaler-input-mismatch')!;
    assert.equal(f.severity, 'error');
    assert.equal(f.path, join(dir, 'scaler.joblib'));
    assert.match(f.message, /fitted on 13 features but the model takes 4/);
  });

  it('reports weights that do not belong to the structure', async () => {
    const dir = join(tmp, 'swapped');
    mkdirSync(dir);
    copyFileSync(`${REAL}/0xDaksh__Credit-Card-Fraud/model.json`, join(dir, 'model.json'));
    copyFileSync('examples/missing-scaler/model_weights.h5', join(dir, 'model_weights.h5'));
    const [b] = await bundlesOf(dir);
    const f = b.findings.find((x) => x.code === 'weights-structure-mismatch')!;
    assert.equal(f.severity, 'error');
    assert.equal(f.path, join(dir, 'model_weights.h5'));
    assert.match(f.message, /model\.json and model_weights\.h5 do not belong together/);
  });

  it('reports a truncated weights file as unreadable, naming it', async () => {
    const dir = completeBundle();
    truncateSync(join(dir, 'model.h5'), 3000);
    const [b] = await bundlesOf(dir);
    const f = b.findings.find((x) => x.code === 'unreadable-file')!;
    assert.equal(f.severity, 'error');
    assert.equal(f.path, join(dir, 'model.h5'));
    assert.match(f.message, /model\.h5/);
  });

  it('reports a dangerous pickle posing as the scaler', async () => {
    const dir = completeBundle();
    copyFileSync('test/fixtures/hostile/generated/joblib_zlib_os_system.joblib', join(dir, 'scaler.joblib'));
    const [b] = await bundlesOf(dir);
    const f = b.findings.find((x) => x.code === 'unsafe-pickle')!;
    assert.equal(f.severity, 'error');
    assert.match(f.message, /posix\.system/);
  });

  it('reports a missing tfjs shard', async () => {
    const dir = join(tmp, 'tfjs');
    cpSync(`${REAL}/tensorflow__tfjs-examples/abalone-node/trainedModel`, dir, { recursive: true });
    rmSync(join(dir, 'weights.bin'));
    const [b] = await bundlesOf(dir);
    assert.ok(b.findings.some((x) => x.code === 'tfjs-shard-missing' && x.severity === 'error' && x.path === join(dir, 'model.json')));
  });

  it('warns about a Lambda layer', async () => {
    const dir = join(tmp, 'lambda');
    mkdirSync(dir);
    const cfg = JSON.parse(readFileSync('examples/missing-scaler/model.json', 'utf8'));
    cfg.config.layers.splice(2, 0, { class_name: 'Lambda', config: { name: 'double_it', function: ['4wEAAAAA', null, null], trainable: true } });
    writeFileSync(join(dir, 'model.json'), JSON.stringify(cfg));
    const [b] = await bundlesOf(dir);
    const f = b.findings.find((x) => x.code === 'lambda-layer')!;
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /Lambda/);
  });

  it('splits a folder with two models by name stem; the shared log goes to both', async () => {
    const dir = join(tmp, 'two');
    mkdirSync(dir);
    copyFileSync('examples/complete-bundle/model.h5', join(dir, 'model_a.h5'));
    copyFileSync('examples/complete-bundle/scaler.joblib', join(dir, 'model_a_scaler.joblib'));
    copyFileSync('examples/complete-bundle/model.h5', join(dir, 'model_b.h5'));
    copyFileSync('examples/complete-bundle/training_log.csv', join(dir, 'training_log.csv'));
    const bs = await bundlesOf(dir);
    assert.deepEqual(bs.map((b) => b.root).sort(), [join(dir, 'model_a'), join(dir, 'model_b')]);
    const a = bs.find((b) => b.root.endsWith('model_a'))!;
    const b = bs.find((x) => x.root.endsWith('model_b'))!;
    assert.deepEqual(a.files.scaler, [join(dir, 'model_a_scaler.joblib')]);
    assert.equal(a.complete, true);
    assert.deepEqual(codes(b), ['error:missing-scaler']);
    assert.deepEqual(b.files.log, [join(dir, 'training_log.csv')]);
  });

  it('follows a manifest instead of guessing, and writes one', async () => {
    const dir = completeBundle();
    mkdirSync(join(dir, 'elsewhere'));
    copyFileSync(join(dir, 'scaler.joblib'), join(dir, 'elsewhere', 'prep.joblib'));
    rmSync(join(dir, 'scaler.joblib'));
    const [guess] = await bundlesOf(dir);
    // guessing: the moved scaler is a bundle of its own, the model keeps only its target scaler
    assert.deepEqual(guess.files.scaler, [join(dir, 'y_scaler.joblib')]);
    assert.equal(guess.complete, false, 'a target scaler alone does not make the bundle complete');
    assert.deepEqual(codes(guess, ['error', 'warning']), ['error:missing-scaler']);
    assert.match(guess.findings.find((f) => f.code === 'missing-scaler')!.message, /only a target scaler/);
    const manifest = {
      files: [
        { path: 'model.h5', role: 'model' },
        { path: 'elsewhere/prep.joblib', role: 'scaler' },
        { path: 'training_log.csv', role: 'log' },
        { path: '../outside.pkl', role: 'scaler' },
      ],
    };
    writeFileSync(join(dir, 'model-bundle.json'), JSON.stringify(manifest));
    const bs = await bundlesOf(dir);
    const m = bs.find((b) => b.root === dir)!;
    assert.deepEqual(m.files.scaler, [join(dir, 'elsewhere/prep.joblib')]);
    assert.equal(m.complete, true);
    assert.deepEqual(codes(m, ['error', 'warning']), []);
    const text = await buildManifest(m, async () => 'f'.repeat(64));
    const doc = JSON.parse(text);
    assert.deepEqual(
      doc.files.map((f: { path: string; role: string }) => `${f.role}:${f.path}`),
      ['scaler:elsewhere/prep.joblib', 'model:model.h5', 'log:training_log.csv'],
    );
    assert.equal(doc.files[0].sha256, 'f'.repeat(64));
  });

  it('warns when the log was written long after the weights (stale-artifact)', async () => {
    const dir = completeBundle();
    const t = Date.now() / 1000;
    utimesSync(join(dir, 'model.h5'), t - 3 * 3600, t - 3 * 3600);
    utimesSync(join(dir, 'training_log.csv'), t, t);
    const [b] = await bundlesOf(dir);
    const f = b.findings.find((x) => x.code === 'stale-artifact')!;
    assert.equal(f.severity, 'warning');
    assert.equal(f.path, join(dir, 'training_log.csv'));
    assert.match(f.message, /written 3 h after the newest weights/);
  });

  it('reports a truncated tfjs shard (tfjs-shard-size) on its model.json', async () => {
    const dir = join(tmp, 'tfjs-short');
    cpSync(`${REAL}/tensorflow__tfjs-examples/abalone-node/trainedModel`, dir, { recursive: true });
    truncateSync(join(dir, 'weights.bin'), 100);
    const [b] = await bundlesOf(dir);
    assert.ok(
      b.findings.some((x) => x.code === 'tfjs-shard-size' && x.severity === 'error' && x.path === join(dir, 'model.json')),
      JSON.stringify(b.findings),
    );
  });

  it('groups models/ and logs/ (with a TensorBoard train/ run) under the project folder', async () => {
    const proj = join(tmp, 'layout');
    mkdirSync(join(proj, 'models'), { recursive: true });
    mkdirSync(join(proj, 'logs', '20240101-120000', 'train'), { recursive: true });
    copyFileSync('examples/complete-bundle/model.h5', join(proj, 'models', 'model.h5'));
    copyFileSync('examples/complete-bundle/scaler.joblib', join(proj, 'models', 'scaler.joblib'));
    copyFileSync('examples/complete-bundle/training_log.csv', join(proj, 'logs', 'training_log.csv'));
    const events = 'events.out.tfevents.1498485909.DESKTOP-GTSE0SD';
    copyFileSync(`${REAL}/0xDaksh__Credit-Card-Fraud/Graph/${events}`, join(proj, 'logs', '20240101-120000', 'train', events));
    const bs = await bundlesOf(proj);
    assert.deepEqual(
      bs.map((b) => b.root),
      [proj],
    );
    assert.equal(bs[0].complete, true);
    assert.equal(bs[0].files.log.length, 2);
    assert.deepEqual(codes(bs[0], ['error', 'warning']), []);
  });

  it('a folder with only a plot (and unrelated files) is no bundle', async () => {
    const dir = join(tmp, 'plots');
    mkdirSync(dir);
    copyFileSync(`${REAL}/2mdtln__FlowNet-ANN/25-06/loss_log_plot.png`, join(dir, 'loss.png'));
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    writeFileSync(join(dir, 'data.csv'), 'a,b\n1,2\n');
    assert.deepEqual(await bundlesOf(dir), []);
  });

  it('finds the target scaler by its size when its name does not say so', async () => {
    const dir = completeBundle();
    renameSync(join(dir, 'y_scaler.joblib'), join(dir, 'power_minmax.joblib'));
    const [b] = await bundlesOf(dir);
    // the model maps 4 inputs to 1 output; power_minmax.joblib has n_features_in_ = 1, scaler.joblib 4
    assert.deepEqual(codes(b), ['info:target-scaler']);
    assert.equal(b.findings[0].path, join(dir, 'power_minmax.joblib'));
  });

  it('warns about a missing target scaler for an x-named scaler and a regression log (mae)', async () => {
    const dir = completeBundle();
    renameSync(join(dir, 'scaler.joblib'), join(dir, 'x_scaler.joblib'));
    rmSync(join(dir, 'y_scaler.joblib'));
    const [b] = await bundlesOf(dir);
    assert.deepEqual(codes(b), ['warning:missing-target-scaler']);
    assert.equal(b.findings[0].path, join(dir, 'x_scaler.joblib'));
    assert.equal(checkExitCode([b], false), 0);
    assert.equal(checkExitCode([b], true), 1);
  });

  it('hashes bytes with SHA-256 (FIPS 180-2 test vectors)', async () => {
    assert.equal(await sha256Hex(new TextEncoder().encode('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(await sha256Hex(new Uint8Array(0)), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('verifies the SHA-256 a manifest records (manifest-hash-mismatch on the changed file)', async () => {
    const dir = completeBundle();
    // sha256 computed by node:crypto here, independently of sha256Hex
    const { createHash } = await import('node:crypto');
    const digest = (p: string) =>
      createHash('sha256')
        .update(readFileSync(join(dir, p)))
        .digest('hex');
    const doc = {
      files: [
        { path: 'model.h5', role: 'model', sha256: digest('model.h5') },
        { path: 'scaler.joblib', role: 'scaler', sha256: digest('scaler.joblib') },
      ],
    };
    const manifest = parseManifest(JSON.stringify(doc), join(dir, 'model-bundle.json'))!;
    assert.deepEqual(await verifyManifestHashes(manifest, source), []);
    copyFileSync(join(dir, 'y_scaler.joblib'), join(dir, 'scaler.joblib'));
    const f = await verifyManifestHashes(manifest, source);
    assert.deepEqual(
      f.map((x) => [x.code, x.severity, x.path]),
      [['manifest-hash-mismatch', 'error', join(dir, 'scaler.joblib')]],
    );
  });

  it('check exit codes: errors fail, warnings only with --strict', () => {
    const b = (severity: Finding['severity']): Bundle => ({
      root: 'x',
      files: { scaler: [], structure: [], weights: [], model: [], log: [] },
      complete: false,
      findings: [{ code: 'c', severity, message: '', path: null }],
    });
    assert.equal(checkExitCode([b('info')], true), 0);
    assert.equal(checkExitCode([b('warning')], false), 0);
    assert.equal(checkExitCode([b('warning')], true), 1);
    assert.equal(checkExitCode([b('error')], false), 1);
  });
});
