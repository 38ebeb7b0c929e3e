// Fuzz campaign runner: `npm run fuzz -- [--reader NAME[,NAME]] [--cases N] [--seed S]
// [--budget-ms MS] [--hang-ms MS] [--save]`. Each target runs in a worker thread (in-process:
// the readers are called directly, no child process per case); this thread watches it: a case
// that does not finish within --hang-ms is a hang (the worker is stopped and restarted after it),
// a worker that runs out of its heap is a memory overrun. Crashes, hangs, budget overruns and
// memory overruns are saved, minimised, under test/fixtures/fuzz/ (with --save), where
// test/core/fuzzRegressions.test.ts replays them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { makeCase, minimise, runCase, type Outcome } from './engine';
import { TARGETS, targetByName, type FuzzCase } from './targets';

const { values } = parseArgs({
  options: {
    reader: { type: 'string' },
    cases: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    'budget-ms': { type: 'string', default: '2000' },
    'hang-ms': { type: 'string', default: '15000' },
    'heap-mb': { type: 'string', default: '1536' },
    save: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed);
const budgetMs = Number(values['budget-ms']);
const hangMs = Number(values['hang-ms']);
const heapMb = Number(values['heap-mb']);
const targets = values.reader ? values.reader.split(',').map(targetByName) : [...TARGETS];
const OUT = join(__dirname, '..', 'fixtures', 'fuzz');

type Failure = {
  i: number;
  outcome: Outcome | { kind: 'hang' | 'memory'; ms: number; rss?: number; error?: string };
};

interface Stats {
  target: string;
  cases: number;
  ok: number;
  rejected: number;
  failures: Failure[];
  codes: Record<string, number>;
  peakRssMb: number;
  seconds: number;
}

function runWorker(target: string, from: number, to: number, stats: Stats): Promise<number> {
  return new Promise((resolve) => {
    // worker threads do not inherit the parent's --import loader: the worker loads tsx's require hook first
    const w = new Worker(`require('tsx/cjs'); require(${JSON.stringify(join(__dirname, 'worker.ts'))});`, {
      eval: true,
      workerData: {
        target,
        seed,
        from,
        to,
        budgetMs,
        rssLimit: heapMb * 2 * 1024 * 1024,
      },
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    let current = from;
    let last = Date.now();
    let settled = false;
    const finish = (next: number) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      resolve(next);
    };
    const timer = setInterval(() => {
      const rss = process.memoryUsage.rss() / 1048576;
      if (rss > stats.peakRssMb) stats.peakRssMb = rss;
      if (Date.now() - last > hangMs) {
        stats.failures.push({
          i: current,
          outcome: { kind: 'hang', ms: Date.now() - last },
        });
        void w.terminate();
        finish(current + 1);
      }
    }, 250);
    w.on('message', (m: { type: string; i: number; outcome?: Outcome; code?: string; rss?: number }) => {
      if (m.type === 'start') {
        current = m.i;
        last = Date.now();
        stats.cases = Math.max(stats.cases, m.i - 0 + 1);
      } else if (m.type === 'fail') stats.failures.push({ i: m.i, outcome: m.outcome! });
      else if (m.type === 'rejected') {
        stats.rejected++;
        stats.codes[m.code ?? '?'] = (stats.codes[m.code ?? '?'] ?? 0) + 1;
      } else if (m.type === 'done') finish(to);
    });
    w.on('error', (e) => {
      stats.failures.push({
        i: current,
        outcome: {
          kind: 'memory',
          ms: Date.now() - last,
          error: String(e).slice(0, 300),
        },
      });
      finish(current + 1);
    });
    w.on('exit', () => finish(current + 1));
  });
}

async function save(target: string, i: number, c: FuzzCase, o: Failure['outcome']): Promise<string> {
  const dir = join(OUT, `${target}-${o.kind}-s${seed}-${i}`);
  mkdirSync(dir, { recursive: true });
  for (const [n, b] of Object.entries(c.files)) writeFileSync(join(dir, n), b);
  writeFileSync(
    join(dir, 'case.json'),
    `${JSON.stringify({ target, main: c.main, kind: o.kind, seed, index: i, detail: 'error' in o ? o.error : undefined }, null, 2)}\n`,
  );
  return dir;
}

async function main(): Promise<void> {
  const all: Stats[] = [];
  for (const t of targets) {
    const stats: Stats = {
      target: t.name,
      cases: 0,
      ok: 0,
      rejected: 0,
      failures: [],
      codes: {},
      peakRssMb: 0,
      seconds: 0,
    };
    const t0 = Date.now();
    let next = 0;
    while (next < cases) next = await runWorker(t.name, next, cases, stats);
    stats.cases = cases;
    stats.seconds = (Date.now() - t0) / 1000;
    stats.ok = cases - stats.rejected - stats.failures.length;
    const seeds = t.seeds();
    for (const f of stats.failures) {
      const c = makeCase(t, seeds, seed, f.i);
      const kind = f.outcome.kind;
      let msg = `  ${kind} case ${f.i}`;
      if ('error' in f.outcome && f.outcome.error) msg += `: ${f.outcome.error}`;
      console.log(msg);
      if (!values.save) continue;
      let m = c;
      if (kind === 'crash' || kind === 'unnamed' || kind === 'slow') {
        const again = await runCase(c, budgetMs);
        m = await minimise(c, again, budgetMs);
      }
      console.log(`    saved ${await save(t.name, f.i, m, f.outcome)}`);
    }
    const kinds = (k: string) => stats.failures.filter((f) => f.outcome.kind === k).length;
    console.log(
      `${t.name}: ${stats.cases} cases in ${stats.seconds.toFixed(1)} s, ok ${stats.ok}, rejected ${stats.rejected}, crashes ${kinds('crash')}, unnamed errors ${kinds('unnamed')}, over budget ${kinds('slow')}, hangs ${kinds('hang')}, memory ${kinds('memory')}, peak RSS ${stats.peakRssMb.toFixed(0)} MB`,
    );
    all.push(stats);
  }
  if (values.json)
    writeFileSync(
      values.json,
      JSON.stringify(
        all.map((s) => ({
          ...s,
          failures: s.failures.map((f) => ({ i: f.i, kind: f.outcome.kind })),
        })),
        null,
        2,
      ),
    );
  process.exitCode = all.some((s) => s.failures.length) ? 1 : 0;
}

void main();
