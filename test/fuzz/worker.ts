// Fuzz worker: runs cases [from, to) of one target and reports each start and each failure to
// the parent (run.ts), which watches for hangs and memory.
import { parentPort, workerData } from 'node:worker_threads';
import { makeCase, runCase } from './engine';
import { targetByName } from './targets';

interface Job {
  target: string;
  seed: number;
  from: number;
  to: number;
  budgetMs: number;
  rssLimit: number;
}

async function main(): Promise<void> {
  const job = workerData as Job;
  const t = targetByName(job.target);
  const seeds = t.seeds();
  const port = parentPort!;
  let rssPeak = 0;
  for (let i = job.from; i < job.to; i++) {
    const c = makeCase(t, seeds, job.seed, i);
    port.postMessage({ type: 'start', i });
    const o = await runCase(c, job.budgetMs);
    const rss = process.memoryUsage.rss();
    if (rss > rssPeak) rssPeak = rss;
    if (o.kind !== 'ok' && o.kind !== 'rejected') port.postMessage({ type: 'fail', i, outcome: o });
    else if (rss > job.rssLimit)
      port.postMessage({
        type: 'fail',
        i,
        outcome: { kind: 'memory', ms: o.ms, rss },
      });
    else if (o.kind === 'rejected') port.postMessage({ type: 'rejected', i, code: o.code });
    if ((i - job.from) % 500 === 0) port.postMessage({ type: 'rss', rss: rssPeak });
  }
  port.postMessage({ type: 'done', rss: rssPeak });
}

void main();
