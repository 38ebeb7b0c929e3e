// The module tree of PyTorch / safetensors state dicts (the architecture tab): modules from the key
// prefixes, parameters per module against torch's own per-module sums (make_torch.py), shapes per
// tensor, type guesses, and the bundle view model carrying it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspectFile } from '../../src/core/formats/inspect';
import { guessModuleType, moduleTree } from '../../src/core/formats/torch/moduleTree';
import { stateDictInput } from '../../src/core/formats/shared/stateDictInput';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { DEFAULT_CURVE_OPTIONS } from '../../src/shared/protocol';
import { buildReport } from '../../src/core/report/report';
import { buildBundleViewModel } from '../../src/core/report/viewModel';

const DIR = join(__dirname, '..', 'fixtures', 'torch');
const EXP = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8'));
const source = new NodeFileSource();

describe('PyTorch module tree', () => {
  it('modules from key prefixes, with the parameters torch counts per module', async () => {
    const r = await inspectFile(join(DIR, 'state_dict_zip.pt'), source);
    const root = moduleTree(r.weights!);
    assert.equal(root.params, EXP.state_dict.totalParams);
    assert.deepEqual(
      root.children.map((c) => c.name),
      ['encoder', 'head'],
    );
    const encoder = root.children[0];
    assert.deepEqual(
      encoder.children.map((c) => [c.path, c.kind]),
      [
        ['encoder.fc1', 'module'],
        ['encoder.bn', 'module'],
      ],
    );
    const byPath = new Map<string, number>();
    const stack = [root];
    while (stack.length) {
      const n = stack.pop()!;
      byPath.set(n.path, n.params);
      stack.push(...n.children);
    }
    for (const [path, params] of Object.entries(EXP.state_dict.modules as Record<string, number>)) assert.equal(byPath.get(path), params, path);
    const fc1 = encoder.children[0];
    assert.equal(fc1.typeGuess, 'Linear(8→16)');
    assert.deepEqual(
      fc1.children.map((c) => [c.name, c.shape, c.dtype, c.params]),
      [
        ['weight', [16, 8], 'float32', 128],
        ['bias', [16], 'float32', 16],
      ],
    );
    assert.equal(encoder.children[1].typeGuess, 'BatchNorm(16)');
    assert.equal(root.children[1].typeGuess, 'Linear(16→1)');
  });

  it('guesses conv, recurrent, embedding and attention modules from their tensors', () => {
    assert.equal(
      guessModuleType(
        'conv1',
        new Map([
          ['weight', [32, 3, 5, 5]],
          ['bias', [32]],
        ]),
      ),
      'Conv2d(3→32, kernel 5×5)',
    );
    assert.equal(
      guessModuleType(
        'lstm',
        new Map([
          ['weight_ih_l0', [64, 10]],
          ['weight_hh_l0', [64, 16]],
        ]),
      ),
      'LSTM(10→16)',
    );
    assert.equal(
      guessModuleType(
        'gru',
        new Map([
          ['weight_ih_l0', [48, 10]],
          ['weight_hh_l0', [48, 16]],
        ]),
      ),
      'GRU(10→16)',
    );
    assert.equal(guessModuleType('tok_emb', new Map([['weight', [1000, 32]]])), 'Embedding(1000, 32)');
    assert.equal(guessModuleType('attn', new Map([['in_proj_weight', [96, 32]]])), 'MultiheadAttention(32)');
  });

  it('the input width a scaler must match: first Linear / Conv / RNN weight; none behind an embedding', () => {
    assert.deepEqual(
      stateDictInput([
        { name: 'bn0.weight', shape: [8] },
        { name: 'fc.weight', shape: [4, 8] },
      ]),
      { layer: 'fc', kind: 'linear', width: 8 },
    );
    assert.deepEqual(stateDictInput([{ name: 'rnn.weight_ih_l0', shape: [64, 5] }]), { layer: 'rnn', kind: 'rnn', width: 5 });
    assert.deepEqual(stateDictInput([{ name: 'c.weight', shape: [16, 1, 7] }]), { layer: 'c', kind: 'conv', width: 1 });
    assert.equal(
      stateDictInput([
        { name: 'emb.weight', shape: [100, 16] },
        { name: 'fc.weight', shape: [3, 16] },
      ]),
      null,
    );
    assert.equal(stateDictInput([{ name: 'transformer.wte.weight', shape: [50257, 768] }]), null);
  });

  it("the bundle view's curves tab summarises a checkpoint's own per-epoch lists", async () => {
    const { copyFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'mbi-torch-vm-'));
    try {
      copyFileSync(join(DIR, 'checkpoint.pth'), join(dir, 'checkpoint.pth'));
      copyFileSync(join(DIR, 'bundle', 'scaler.joblib'), join(dir, 'scaler.joblib'));
      const report = await buildReport([dir], source);
      const vm = buildBundleViewModel({ bundle: report.bundles[0], files: report.files, logs: [], curveOptions: DEFAULT_CURVE_OPTIONS });
      assert.deepEqual(
        vm.curves.summaries.map((x) => [x.path, x.series.map((y) => [y.name, y.points, y.last])]),
        [
          [
            'checkpoint.pth',
            [
              ['train_losses', 5, EXP.checkpoint.train_losses[4]],
              ['val_losses', 5, EXP.checkpoint.val_losses[4]],
            ],
          ],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the bundle view: the state dict in the architecture tab with its tree, trainable params without buffers', async () => {
    const dir = join(DIR, 'bundle');
    const report = await buildReport([dir], source);
    const vm = buildBundleViewModel({ bundle: report.bundles[0], files: report.files, logs: [], curveOptions: DEFAULT_CURVE_OPTIONS });
    assert.equal(vm.architecture.length, 1);
    const a = vm.architecture[0];
    assert.equal(a.framework, 'pytorch');
    assert.equal(a.className, 'state dict');
    assert.equal(a.totals.total, EXP.state_dict.totalParams);
    assert.equal(a.totals.trainable, EXP.state_dict.trainableParams);
    assert.equal(a.totals.nonTrainable, EXP.state_dict.totalParams - EXP.state_dict.trainableParams);
    assert.deepEqual(a.inputShapes, ['(None, 8)']);
    const t = a.moduleTree!;
    assert.equal(t.total, EXP.state_dict.totalParams);
    assert.equal(t.tensors, EXP.state_dict.keys.length);
    assert.equal(t.modules, 4);
    assert.deepEqual(
      t.rows.slice(0, 4).map((r) => [r.id, r.parentId, r.depth, r.kind, r.shape]),
      [
        ['encoder', null, 0, 'module', ''],
        ['encoder.fc1', 'encoder', 1, 'module', ''],
        ['encoder.fc1.weight', 'encoder.fc1', 2, 'tensor', '(16, 8)'],
        ['encoder.fc1.bias', 'encoder.fc1', 2, 'tensor', '(16,)'],
      ],
    );
  });
});
