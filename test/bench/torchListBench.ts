// Listing a large PyTorch checkpoint without reading its storages: a ~500 MB state dict (zip and
// legacy containers) made by Debian's /usr/bin/python3 + torch in a temp folder (deleted afterwards),
// then listed by the registry's reader in fresh child processes (so peak RSS belongs to one listing).
// Baseline in the same run: reading the whole file once (what a reader that slurps it would pay).
// Goal (issue 15): under 0.5 s and 200 MB. Medians over RUNS.
// Run: node --import tsx test/bench/torchListBench.ts [--mb 500] [--runs 5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function child(path: string, mode: string): Promise<void> {
  const t0 = performance.now();
  let tensors = 0;
  let params: number;
  if (mode === 'list') {
    const r = await inspectFile(path, new NodeFileSource());
    if (r.error) throw new Error(r.error.message);
    tensors = r.weights!.layers.reduce((a, l) => a + l.tensors.length, 0);
    params = r.weights!.totalParams;
  } else {
    const bytes = await new NodeFileSource().readFile(path);
    params = bytes.length;
  }
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, tensors, params, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3], process.argv[4]);
  const mb = arg('--mb', 500);
  const runs = arg('--runs', 5);
  const dir = mkdtempSync(join(tmpdir(), 'mbi-torch-bench-'));
  try {
    const script = join(dir, 'make.py');
    // 40 layers of Linear(n, n) float32 + bias, plus BatchNorm buffers: ~mb MB in total.
    writeFileSync(
      script,
      [
        'import sys, collections, torch',
        'mb, out = int(sys.argv[1]), sys.argv[2]',
        'n = int(((mb * 2**20) / 4 / 40) ** 0.5)',
        'sd = collections.OrderedDict()',
        'for i in range(40):',
        '    sd[f"blocks.{i}.fc.weight"] = torch.zeros(n, n)',
        '    sd[f"blocks.{i}.fc.bias"] = torch.zeros(n)',
        '    sd[f"blocks.{i}.bn.running_mean"] = torch.zeros(n)',
        '    sd[f"blocks.{i}.bn.num_batches_tracked"] = torch.tensor(0)',
        'torch.save(sd, out + "/big.pt")',
        'torch.save(sd, out + "/big_legacy.pth", _use_new_zipfile_serialization=False)',
        'print(n)',
      ].join('\n'),
    );
    const t0 = performance.now();
    const py = spawnSync('/usr/bin/python3', [script, String(mb), dir], { encoding: 'utf8' });
    if (py.status !== 0) throw new Error(py.stderr);
    console.log(`made ${mb} MB checkpoints (n=${py.stdout.trim()}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const name of ['big.pt', 'big_legacy.pth']) {
      const path = join(dir, name);
      const size = statSync(path).size;
      for (const mode of ['list', 'read-whole']) {
        const res: { ms: number; maxRssMB: number; tensors: number; params: number }[] = [];
        for (let i = 0; i < runs; i++) {
          const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', path, mode], { encoding: 'utf8' });
          if (r.status !== 0) throw new Error(r.stderr);
          res.push(JSON.parse(r.stdout));
        }
        const ms = median(res.map((r) => r.ms));
        const rss = median(res.map((r) => r.maxRssMB));
        const extra = mode === 'list' ? `, ${res[0].tensors} tensors, ${res[0].params.toLocaleString('en-US')} params` : '';
        console.log(
          `${name} (${(size / 2 ** 20).toFixed(0)} MB) ${mode.padEnd(10)}: median ${ms.toFixed(1)} ms, peak RSS ${rss.toFixed(0)} MB (runs: ${res.map((r) => r.ms.toFixed(0)).join(' ')} ms)${extra}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
