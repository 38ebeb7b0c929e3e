// PyTorch torch.save files (fixtures and reference values from test/fixtures/torch/make_torch.py,
// computed by torch 1.13): both containers, state dicts, checkpoint dicts, Lightning, dtypes, views,
// TorchScript and whole-module pickles. Tensor sums are read back through the storages' offsets.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspectFile } from '../../src/core/formats/inspect';
import { unpickleTorch } from '../../src/core/formats/pickle/torchPickle';
import { viewCheckpoint } from '../../src/core/formats/torch/checkpoint';
import { readTensorValues } from '../../src/core/formats/torch/tensorData';
import { openTorchFile, sniffTorch } from '../../src/core/formats/torch/torchFile';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const DIR = join(__dirname, '..', 'fixtures', 'torch');
const EXP = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8'));
const source = new NodeFileSource();

type Ref = { shape: number[]; dtype: string; sum: number; first: number | null };

async function open(name: string) {
  const path = join(DIR, name);
  const bytes = readFileSync(path);
  return { path, file: await openTorchFile(source, path, bytes.length, bytes.subarray(0, 4096), unpickleTorch) };
}

/** Every tensor of the file's model: shape, dtype, and the sum and first element of its values. */
async function tensorsOf(name: string): Promise<Record<string, Ref>> {
  const { path, file } = await open(name);
  const view = viewCheckpoint(file.data.value!);
  assert.ok(view, name);
  const out: Record<string, Ref> = {};
  for (const { name: key, tensor } of view.tensors) {
    const v = await readTensorValues(source, path, tensor, file.storages.get(tensor.storage.key)!, file.byteOrder);
    out[key] = { shape: tensor.shape, dtype: tensor.storage.dtype, sum: v.reduce((a, b) => a + b, 0), first: v.length ? v[0] : null };
  }
  return out;
}

function assertTensors(actual: Record<string, Ref>, expected: Record<string, Ref>, what: string): void {
  assert.deepEqual(Object.keys(actual), Object.keys(expected), `${what}: keys in order`);
  for (const [k, e] of Object.entries(expected)) {
    const a = actual[k];
    assert.deepEqual(a.shape, e.shape, `${what} ${k} shape`);
    assert.equal(a.dtype, e.dtype, `${what} ${k} dtype`);
    assert.ok(Math.abs(a.sum - e.sum) <= 1e-9 * Math.max(1, Math.abs(e.sum)), `${what} ${k} sum ${a.sum} vs ${e.sum}`);
    if (e.first === null) assert.equal(a.first, null);
    else assert.ok(Math.abs(a.first! - e.first) <= 1e-12 * Math.max(1, Math.abs(e.first)), `${what} ${k} first ${a.first} vs ${e.first}`);
  }
}

describe('torch.save containers', () => {
  it('sniffs by extension and content: zip first entry, legacy magic number', () => {
    const zip = readFileSync(join(DIR, 'state_dict_zip.pt'));
    const legacy = readFileSync(join(DIR, 'state_dict_legacy.pth'));
    assert.equal(sniffTorch(zip, 'a.pt'), 'zip');
    assert.equal(sniffTorch(zip, 'pytorch_model.bin'), 'zip');
    assert.equal(sniffTorch(zip, 'checkpoint.pth.tar'), 'zip', 'the ImageNet example names checkpoints .pth.tar');
    assert.equal(sniffTorch(zip, 'a.zip'), null);
    assert.equal(sniffTorch(legacy, 'a.pth'), 'legacy');
    assert.equal(sniffTorch(legacy, 'last.ckpt'), 'legacy');
    assert.equal(sniffTorch(Uint8Array.from([0x80, 0x02, 0x7d, 0x2e]), 'plain.pth'), null, 'a pickle without the magic number');
  });

  for (const name of ['state_dict_zip.pt', 'state_dict_legacy.pth']) {
    it(`${name}: every tensor's shape, dtype and values equal torch's`, async () => {
      assertTensors(await tensorsOf(name), EXP.state_dict.tensors, name);
    });
  }

  for (const name of ['dtypes.pt', 'dtypes_legacy.pth']) {
    it(`${name}: float16, bfloat16, float64, int8/16/32/64, uint8, bool, a 0-d tensor, a transposed view and two views of one storage`, async () => {
      assertTensors(await tensorsOf(name), EXP.dtypes.tensors, name);
      const { file } = await open(name);
      const view = viewCheckpoint(file.data.value!)!;
      const t = view.tensors.find((x) => x.name === 'transposed')!.tensor;
      assert.deepEqual(t.stride, EXP.dtypes.transposedStride);
      const a = view.tensors.find((x) => x.name === 'view_a')!.tensor;
      const b = view.tensors.find((x) => x.name === 'view_b')!.tensor;
      assert.equal(a.storage, b.storage, 'one storage object for both views');
      assert.equal(file.storages.size, EXP.dtypes.storages);
    });
  }

  for (const name of ['proto4.pt', 'proto4_legacy.pth']) {
    it(`${name}: pickle protocol 4 (FRAME opcodes, framed magic number)`, async () => {
      assertTensors(await tensorsOf(name), EXP.state_dict.tensors, name);
    });
  }

  it('a lone tensor saved by torch.save: one tensor, its values', async () => {
    assertTensors(await tensorsOf('lone_tensor.pt'), { tensor: EXP.lone_tensor }, 'lone_tensor.pt');
  });

  it('nn.Parameter values (torch._utils._rebuild_parameter)', async () => {
    const t = await tensorsOf('parameter.pt');
    assertTensors(t, EXP.parameter, 'parameter.pt');
    const { file } = await open('parameter.pt');
    assert.equal(viewCheckpoint(file.data.value!)!.tensors[0].tensor.parameter, true);
  });
});

describe('PyTorch reports', () => {
  it('a state dict: role weights, format pytorch, layers split at the last dot, buffers counted', async () => {
    for (const name of ['state_dict_zip.pt', 'state_dict_legacy.pth']) {
      const r = await inspectFile(join(DIR, name), source);
      assert.deepEqual([r.role, r.format, r.error], ['weights', 'pytorch', null], name);
      assert.equal(r.weights!.totalParams, EXP.state_dict.totalParams);
      assert.deepEqual(
        r.weights!.layers.map((l) => l.name),
        ['encoder.fc1', 'encoder.bn', 'head'],
      );
      assert.deepEqual(
        r.weights!.layers.flatMap((l) => l.tensors.map((t) => `${l.name}.${t.name}`)),
        EXP.state_dict.keys,
      );
      assert.equal(r.pickle!.verdict, 'safe');
      assert.deepEqual(r.torch, {
        kind: 'state-dict',
        container: name.endsWith('.pt') ? 'zip' : 'legacy',
        stateDictKey: null,
        metadata: {},
        input: { layer: 'encoder.fc1', kind: 'linear', width: 8 },
      });
    }
  });

  it('a checkpoint dict: the model_state_dict counted, the optimizer excluded, metadata and per-epoch lists', async () => {
    const r = await inspectFile(join(DIR, 'checkpoint.pth'), source);
    assert.deepEqual([r.role, r.format, r.error], ['weights', 'pytorch', null]);
    assert.equal(r.weights!.totalParams, EXP.checkpoint.totalParams);
    assert.equal(r.torch!.kind, 'checkpoint');
    assert.equal(r.torch!.stateDictKey, 'model_state_dict');
    assert.equal(r.torch!.otherTensors, EXP.checkpoint.optimizerTensors);
    const md = r.torch!.metadata;
    assert.equal(md.epoch, EXP.checkpoint.epoch);
    assert.equal(md.loss, EXP.checkpoint.loss);
    assert.equal(md.best_acc, EXP.checkpoint.best_acc);
    assert.deepEqual(md.args, EXP.checkpoint.args);
    assert.deepEqual((md.optimizer_state_dict as { tensors: number }).tensors, EXP.checkpoint.optimizerTensors);
    assert.equal(r.log!.epochs, EXP.checkpoint.train_losses.length);
    const val = EXP.checkpoint.val_losses as number[];
    assert.deepEqual(r.log!.series.val_losses, {
      points: val.length,
      first: val[0],
      last: val[val.length - 1],
      min: Math.min(...val),
      minStep: val.indexOf(Math.min(...val)),
      max: Math.max(...val),
      maxStep: val.indexOf(Math.max(...val)),
    });
    assertTensors(await tensorsOf('checkpoint.pth'), EXP.checkpoint.tensors, 'checkpoint.pth');
  });

  it('a history saved as a list of per-epoch dicts: one series per number, steps from its epoch key', async () => {
    const r = await inspectFile(join(DIR, 'history_records.pt'), source);
    const h = EXP.history_records;
    for (const name of ['loss', 'val_loss']) {
      const vals = h[name] as number[];
      const min = Math.min(...vals);
      const max = Math.max(...vals);
      assert.deepEqual(
        r.log!.series[name],
        {
          points: vals.length,
          first: vals[0],
          last: vals[vals.length - 1],
          min,
          minStep: h.epochs[vals.indexOf(min)],
          max,
          maxStep: h.epochs[vals.indexOf(max)],
        },
        name,
      );
    }
    // a collections.defaultdict(list) of metrics: a dict, its factory never called
    assert.equal(r.log!.series.acc.points, h.acc.length);
    assert.equal(r.log!.series.acc.last, h.acc[h.acc.length - 1]);
    assert.ok(r.pickle!.globals.includes('collections.defaultdict'));
  });

  it('a Lightning checkpoint: state_dict, epoch, global_step, version and hyper-parameters', async () => {
    const r = await inspectFile(join(DIR, 'lightning.ckpt'), source);
    assert.deepEqual([r.role, r.format, r.error], ['weights', 'pytorch', null]);
    assert.equal(r.torch!.kind, 'lightning');
    assert.equal(r.torch!.stateDictKey, 'state_dict');
    assert.equal(r.weights!.totalParams, EXP.lightning.totalParams);
    assert.deepEqual(
      r.weights!.layers.flatMap((l) => l.tensors.map((t) => `${l.name}.${t.name}`)),
      EXP.lightning.keys,
    );
    const md = r.torch!.metadata;
    assert.equal(md.epoch, EXP.lightning.epoch);
    assert.equal(md.global_step, EXP.lightning.global_step);
    assert.equal(md['pytorch-lightning_version'], EXP.lightning.version);
    assert.deepEqual(md.hyper_parameters, EXP.lightning.hyper_parameters);
    assert.equal(r.torch!.input?.layer, 'model.encoder.fc1');
  });

  it('a checkpoint whose model entry is a dict of state dicts: keys joined with dots, a Conv2d input', async () => {
    const r = await inspectFile(join(DIR, 'nested.pt'), source);
    assert.deepEqual([r.role, r.format, r.error], ['weights', 'pytorch', null]);
    assert.equal(r.torch!.stateDictKey, 'model');
    assert.deepEqual(
      r.weights!.layers.flatMap((l) => l.tensors.map((t) => `${l.name}.${t.name}`)),
      EXP.nested.keys,
    );
    assert.equal(r.weights!.totalParams, EXP.nested.totalParams);
    assert.deepEqual(r.torch!.input, { layer: 'features', kind: 'conv', width: EXP.nested.inChannels });
  });

  it('argparse.Namespace args are read as the dict of their attributes (a set as a list)', async () => {
    const r = await inspectFile(join(DIR, 'namespace_args.pt'), source);
    assert.deepEqual([r.role, r.format, r.error], ['weights', 'pytorch', null]);
    assert.equal(r.torch!.stateDictKey, 'model');
    assert.deepEqual(r.torch!.metadata.args, EXP.namespace.args);
    assert.equal(r.torch!.metadata.device, 'cuda:1', 'torch.device as its string');
    assert.equal(r.weights!.totalParams, EXP.namespace.totalParams);
  });

  it('a checkpoint holding another class (pathlib): unsupported-pickle naming it, not called a module', async () => {
    const r = await inspectFile(join(DIR, 'hostile', 'other_class.pt'), source);
    assert.deepEqual([r.role, r.format, r.error?.code], ['weights', 'pytorch', 'unsupported-pickle']);
    assert.deepEqual(r.torch!.classes, ['pathlib.PurePosixPath']);
    assert.match(r.error!.message, /pathlib\.PurePosixPath/);
    assert.equal(r.weights, undefined);
  });

  it('a whole pickled module: unsupported, the classes it needs named, nothing built', async () => {
    const r = await inspectFile(join(DIR, 'whole_module.pt'), source);
    assert.deepEqual([r.role, r.format, r.error?.code], ['model', 'pytorch', 'pytorch-module-pickle']);
    assert.equal(r.pickle!.verdict, 'unsupported');
    assert.equal(r.weights, undefined);
    assert.deepEqual(r.torch!.classes, EXP.whole_module.classes);
    for (const c of EXP.whole_module.classes as string[]) assert.ok(r.error!.message.includes(c), c);
  });

  it('a TorchScript archive: format torchscript, its tensors listed, its classes named, its code never run', async () => {
    const r = await inspectFile(join(DIR, 'scripted.pt'), source);
    assert.deepEqual([r.role, r.format, r.error], ['model', 'torchscript', null]);
    assert.equal(r.weights!.totalParams, EXP.torchscript.totalParams);
    assert.equal(r.pickle!.verdict, 'unsupported');
    assert.ok(r.torch!.classes!.includes('__torch__.Net'));
    assertTensors(await tensorsOf('scripted.pt'), EXP.torchscript.tensors, 'scripted.pt');
  });
});
