// Soak: a fake training run rewrites its CSV log and its checkpoint every `periodMs` while the
// workspace index follows the changes through the same debounce the extension uses
// (ChangeBatcher -> BundleIndex.update). Checks: the last epoch and checkpoint are seen at the
// end (no missed update), the heap does not keep growing, and no file stays reported as broken
// (a half-written checkpoint read mid-write) for longer than one debounce period (maxWaitMs: the
// writes never pause, so every flush comes at the longest wait).
// Run: npm run soak [-- --seconds 60 --period 100]; a 6 s seeded version is in test/core/soak.test.ts.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BundleIndex } from '../../src/core/bundles/bundleIndex';
import { ChangeBatcher } from '../../src/core/io/debounce';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

export interface SoakResult {
  seconds: number;
  writes: number;
  updates: number;
  epochsWritten: number;
  epochsSeen: number;
  finalErrors: string[];
  /** Longest time a file was reported broken, ms. */
  longestBrokenMs: number;
  brokenReports: number;
  debounceMs: number;
  heapFirstMb: number;
  heapLastMb: number;
  heapPeakMb: number;
  rssPeakMb: number;
}

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'complete-bundle');

export async function runSoak(opts: { seconds: number; periodMs: number; delayMs?: number; maxWaitMs?: number }): Promise<SoakResult> {
  const delayMs = opts.delayMs ?? 300;
  const maxWaitMs = opts.maxWaitMs ?? 1000;
  const ws = mkdtempSync(join(tmpdir(), 'mbi-soak-'));
  try {
    const run = join(ws, 'run');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(run);
    for (const f of ['scaler.joblib', 'model.h5']) copyFileSync(join(EXAMPLE, f), join(run, f));
    const h5 = readFileSync(join(EXAMPLE, 'model.h5'));
    const log = join(run, 'training_log.csv');
    const ckpt = join(run, 'model.h5');
    let lines = 'epoch,loss,val_loss\n';
    writeFileSync(log, lines);
    const index = new BundleIndex(new NodeFileSource());
    await index.scan([ws]);
    const errorsOf = () =>
      index
        .snapshot()
        .files.filter((f) => f.error)
        .map((f) => `${f.path}: ${f.error!.code}`);
    let brokenSince: number | null = null;
    let longestBrokenMs = 0;
    let brokenReports = 0;
    let updates = 0;
    const batcher = new ChangeBatcher(
      async (b) => {
        await index.update(b.changed, b.deleted);
        updates++;
        const now = Date.now();
        if (errorsOf().length) {
          brokenReports++;
          brokenSince ??= now;
        } else if (brokenSince !== null) {
          longestBrokenMs = Math.max(longestBrokenMs, now - brokenSince);
          brokenSince = null;
        }
      },
      { delayMs, maxWaitMs },
    );
    const heap: number[] = [];
    let rssPeak = 0;
    const sampler = setInterval(() => {
      heap.push(process.memoryUsage().heapUsed);
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    }, 250);
    const t0 = Date.now();
    let writes = 0;
    let epoch = 0;
    while (Date.now() - t0 < opts.seconds * 1000) {
      // the log: rewritten whole (as pandas / a custom logger does), one more epoch each time
      lines += `${epoch},${(1 / (epoch + 1)).toFixed(6)},${(1.1 / (epoch + 1)).toFixed(6)}\n`;
      writeFileSync(log, lines);
      batcher.add(log, 'changed');
      // the checkpoint: written in two halves with a pause between (a reader can catch it half-written)
      const fh = await open(ckpt, 'w');
      await fh.write(h5, 0, h5.length >> 1, 0);
      batcher.add(ckpt, 'changed');
      await new Promise((r) => setTimeout(r, 5));
      await fh.write(h5, h5.length >> 1, h5.length - (h5.length >> 1), h5.length >> 1);
      await fh.close();
      batcher.add(ckpt, 'changed');
      writes++;
      epoch++;
      await new Promise((r) => setTimeout(r, opts.periodMs));
    }
    await batcher.flushNow();
    clearInterval(sampler);
    if (brokenSince !== null) longestBrokenMs = Math.max(longestBrokenMs, Date.now() - brokenSince);
    const logReport = index.snapshot().files.find((f) => f.path === log);
    batcher.dispose();
    const third = Math.max(1, Math.floor(heap.length / 3));
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length) / 1048576;
    return {
      seconds: (Date.now() - t0) / 1000,
      writes,
      updates,
      epochsWritten: epoch,
      epochsSeen: logReport?.log?.epochs ?? -1,
      finalErrors: errorsOf(),
      longestBrokenMs,
      brokenReports,
      debounceMs: maxWaitMs,
      heapFirstMb: avg(heap.slice(0, third)),
      heapLastMb: avg(heap.slice(-third)),
      heapPeakMb: Math.max(...heap) / 1048576,
      rssPeakMb: rssPeak / 1048576,
    };
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      period: { type: 'string', default: '100' },
    },
  });
  void runSoak({
    seconds: Number(values.seconds),
    periodMs: Number(values.period),
  }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
