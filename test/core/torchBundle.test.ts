// PyTorch and safetensors files in bundles (fixtures from test/fixtures/torch/make_torch.py): a state
// dict + scaler + log is a complete bundle; the scaler's n_features_in_ is checked against the first
// Linear layer's input width; whole-module pickles and TorchScript get their findings; Lightning
// checkpoint series collapse into `checkpoints`; `inspect --json` reports it all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { buildReport } from '../../src/core/report/report';

const DIR = join(__dirname, '..', 'fixtures', 'torch');
const EXP = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'mbi-torch-bundle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const source = new NodeFileSource();

const codes = (b: { findings: { severity: string; code: string; path: string | null }[] }, root: string) =>
  b.findings.map((f) => `${f.severity}:${f.code}:${f.path?.slice(root.length + 1)}`).sort();

/** A folder with the given fixture files (`[from, to]`). */
function folder(files: [string, string][]): string {
  const d = mkdtempSync(join(tmp, 'b-'));
  for (const [from, to] of files) copyFileSync(join(DIR, from), join(d, to));
  return d;
}

describe('PyTorch bundles', () => {
  it('model.pt + scaler + CSV log: one complete bundle without findings; the scaler fits the first Linear', async () => {
    const dir = join(DIR, 'bundle');
    const report = await buildReport([dir], source);
    assert.equal(report.bundles.length, 1);
    const b = report.bundles[0];
    assert.deepEqual(b.files.weights, [join(dir, 'model.pt')]);
    assert.deepEqual(b.files.scaler, [join(dir, 'scaler.joblib')]);
    assert.deepEqual(b.files.log, [join(dir, 'training_log.csv')]);
    assert.deepEqual(codes(b, dir), []);
    assert.equal(b.complete, true);
    const scaler = report.files.find((f) => f.path.endsWith('scaler.joblib'))!;
    assert.equal(scaler.scaler!.nFeaturesIn, EXP.bundle.nFeaturesIn);
    const model = report.files.find((f) => f.path.endsWith('model.pt'))!;
    assert.deepEqual(model.torch!.input, { layer: EXP.bundle.firstLinear, kind: 'linear', width: EXP.bundle.inFeatures });
  });

  it('a scaler fitted on another width: scaler-input-mismatch naming the layer', async () => {
    const dir = folder([
      ['bundle/model.pt', 'model.pt'],
      ['bundle/training_log.csv', 'training_log.csv'],
    ]);
    // the example bundle's scaler is fitted on 4 features (examples/complete-bundle)
    copyFileSync('examples/complete-bundle/scaler.joblib', join(dir, 'scaler.joblib'));
    const report = await buildReport([dir], source);
    const n = report.files.find((f) => f.path.endsWith('scaler.joblib'))!.scaler!.nFeaturesIn;
    assert.notEqual(n, EXP.bundle.inFeatures);
    const b = report.bundles[0];
    assert.deepEqual(codes(b, dir), ['error:scaler-input-mismatch:scaler.joblib']);
    assert.match(
      b.findings[0].message,
      new RegExp(`fitted on ${n} features but the model takes 8 \\(input features of its first Linear layer encoder\\.fc1\\)`),
    );
  });

  it('a state dict alone is no bundle (a PyTorch repository is not a broken bundle)', async () => {
    assert.deepEqual((await buildReport([folder([['state_dict_zip.pt', 'model.pt']])], source)).bundles, []);
  });

  it('a state dict + scaler without a log: missing-log with PyTorch advice; a checkpoint holding its losses needs none', async () => {
    const dir = folder([
      ['bundle/model.pt', 'model.pt'],
      ['bundle/scaler.joblib', 'scaler.joblib'],
    ]);
    const b = (await buildReport([dir], source)).bundles[0];
    assert.deepEqual(codes(b, dir), ['info:missing-log:model.pt']);
    assert.match(b.findings[0].message, /SummaryWriter/);
    const dir2 = folder([
      ['checkpoint.pth', 'checkpoint.pth'],
      ['bundle/scaler.joblib', 'scaler.joblib'],
    ]);
    const b2 = (await buildReport([dir2], source)).bundles[0];
    assert.deepEqual(codes(b2, dir2), []);
    assert.equal(b2.complete, true);
  });

  it('a whole pickled module beside a scaler: pytorch-module-pickle, saying to save the state_dict', async () => {
    const dir = folder([
      ['whole_module.pt', 'model.pt'],
      ['bundle/scaler.joblib', 'scaler.joblib'],
      ['bundle/training_log.csv', 'training_log.csv'],
    ]);
    const b = (await buildReport([dir], source)).bundles[0];
    assert.deepEqual(codes(b, dir), ['warning:pytorch-module-pickle:model.pt']);
    assert.match(b.findings[0].message, /__main__\.Net/);
    assert.match(b.findings[0].message, /model\.state_dict\(\)/);
  });

  it('a torch file naming builtins.open beside a scaler: unsafe-pickle with torch.load advice', async () => {
    const dir = folder([
      ['hostile/open_global.pt', 'model.pt'],
      ['bundle/scaler.joblib', 'scaler.joblib'],
      ['bundle/training_log.csv', 'training_log.csv'],
    ]);
    const b = (await buildReport([dir], source)).bundles[0];
    assert.deepEqual(codes(b, dir), ['error:unsafe-pickle:model.pt']);
    assert.match(b.findings[0].message, /__builtin__\.open/);
    assert.match(b.findings[0].message, /torch\.load would run that code/);
  });

  it('a TorchScript archive beside a scaler: torchscript-model, and the scaler is checked against it', async () => {
    const dir = folder([
      ['scripted.pt', 'model.pt'],
      ['bundle/training_log.csv', 'training_log.csv'],
    ]);
    copyFileSync('examples/complete-bundle/scaler.joblib', join(dir, 'scaler.joblib'));
    const b = (await buildReport([dir], source)).bundles[0];
    assert.deepEqual(b.files.model, [join(dir, 'model.pt')]);
    assert.deepEqual(codes(b, dir), ['error:scaler-input-mismatch:scaler.joblib', 'info:torchscript-model:model.pt']);
  });

  it('model.safetensors + scaler + log: a complete bundle', async () => {
    const dir = folder([
      ['model.safetensors', 'model.safetensors'],
      ['bundle/scaler.joblib', 'scaler.joblib'],
      ['bundle/training_log.csv', 'training_log.csv'],
    ]);
    const b = (await buildReport([dir], source)).bundles[0];
    assert.deepEqual(b.files.weights, [join(dir, 'model.safetensors')]);
    assert.deepEqual(codes(b, dir), []);
    assert.equal(b.complete, true);
  });

  it('a Lightning checkpoint series (epoch=N-step=M.ckpt): the highest epoch is the model, the others checkpoints', async () => {
    const names = ['epoch=0-step=50.ckpt', 'epoch=1-step=100.ckpt', 'epoch=3-step=200.ckpt'];
    const dir = folder([
      ...names.map((n): [string, string] => ['lightning.ckpt', n]),
      ['bundle/scaler.joblib', 'scaler.joblib'],
      ['bundle/training_log.csv', 'training_log.csv'],
    ]);
    const report = await buildReport([dir], source);
    assert.equal(report.bundles.length, 1);
    const b = report.bundles[0];
    assert.deepEqual(b.files.weights, [join(dir, 'epoch=3-step=200.ckpt')]);
    assert.deepEqual(b.checkpoints, [join(dir, 'epoch=0-step=50.ckpt'), join(dir, 'epoch=1-step=100.ckpt')]);
    assert.deepEqual(codes(b, dir), []);
  });

  it('predictions on a PyTorch bundle: refused with the reason and the ONNX export to make', async () => {
    const { predict } = await import('../../src/core/predict/predict');
    const dir = join(DIR, 'bundle');
    await assert.rejects(
      () => predict({ target: dir, input: { text: 'a,b,c,d,e,f,g,h\n1,2,3,4,5,6,7,8\n', name: 'rows.csv' } }, source),
      (e: Error & { code?: string }) => e.code === 'not-a-model' && e.message.startsWith(join(dir, 'model.pt')) && /torch\.onnx\.export/.test(e.message),
    );
  });

  it('inspect --json on a PyTorch bundle folder: format pytorch, layers, totalParams, torch summary, the bundle', () => {
    const dir = join(DIR, 'bundle');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'inspect', dir, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const pt = doc.files.find((f: { path: string }) => f.path.endsWith('model.pt'));
    assert.equal(pt.role, 'weights');
    assert.equal(pt.format, 'pytorch');
    assert.equal(pt.weights.totalParams, EXP.state_dict.totalParams);
    assert.deepEqual(
      pt.weights.layers.map((l: { name: string }) => l.name),
      ['encoder.fc1', 'encoder.bn', 'head'],
    );
    assert.equal(pt.torch.kind, 'state-dict');
    assert.equal(pt.torch.input.width, 8);
    assert.equal(doc.bundles.length, 1);
    assert.equal(doc.bundles[0].complete, true);
    assert.deepEqual(doc.bundles[0].findings, []);
  });
});
