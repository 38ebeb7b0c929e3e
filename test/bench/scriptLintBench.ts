// Benchmark: the training-script lint on a large script (about 20,000 lines) and a 300-cell notebook,
// against the baseline of one regex pass over the same text (what a naive line-regex lint costs),
// medians of 7 runs in the same process; plus the file-watcher batching of a simulated training run.
// Run: npx tsx test/bench/scriptLintBench.ts
import { ChangeBatcher, type TimerApi } from '../../src/core/io/debounce';
import { lintNotebookJson, lintPythonScript } from '../../src/core/lint/scriptLint';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => unknown, runs = 7): { ms: number; out: unknown } {
  const t: number[] = [];
  let out: unknown;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    out = fn();
    t.push(performance.now() - t0);
  }
  return { ms: median(t), out };
}

const block = (i: number): string => `
def make_features_${i}(df):
    """Builds the features of experiment ${i}. scaler.fit(X) here is only text."""
    out = df.copy()  # a comment with model.save("x.h5")
    out["ratio_${i}"] = out["a"] / (out["b"] + 1e-9)
    return out[[c for c in out.columns if c.startswith("ratio")]]

scaler_${i} = MinMaxScaler(feature_range=(0, 1))
X_${i} = scaler_${i}.fit_transform(make_features_${i}(data))
model_${i} = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
model_${i}.compile(optimizer="adam", loss="mse")
history_${i} = model_${i}.fit(X_${i}, y, epochs=10, validation_split=0.2, verbose=0)
model_${i}.save(f"models/model_${i}.h5")
${i % 2 === 0 ? `joblib.dump(scaler_${i}, "models/scaler_${i}.joblib")` : 'print("forgot the scaler")'}
`;
const header = 'import joblib\nimport pandas as pd\nfrom sklearn.preprocessing import MinMaxScaler\nfrom tensorflow import keras\n';
const N = 1300;
const script = header + Array.from({ length: N }, (_, i) => block(i)).join('');
const lines = script.split('\n').length;
const cells = Array.from({ length: 300 }, (_, i) => ({
  cell_type: 'code',
  metadata: {},
  outputs: [],
  execution_count: null,
  source: block(i).split(/(?<=\n)/),
}));
cells.unshift({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: header.split(/(?<=\n)/) });
const notebook = JSON.stringify({ cells, metadata: { language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5 });

const naive = (src: string): number => (src.match(/\b\w+\.fit(_transform)?\(/g) ?? []).length;
const base = time(() => naive(script));
const lint = time(() => lintPythonScript(script));
const findings = (lint.out as unknown[]).length;
console.log(`script: ${lines} lines, ${(script.length / 1024).toFixed(0)} KiB, ${findings} unsaved scalers (expected ${Math.floor(N / 2)})`);
console.log(`  regex baseline ${base.ms.toFixed(2)} ms, lint ${lint.ms.toFixed(1)} ms, ratio ${(lint.ms / base.ms).toFixed(1)}x`);
const nbBase = time(() => naive(notebook));
const nbLint = time(() => lintNotebookJson(notebook));
console.log(`notebook: ${cells.length} cells, ${(notebook.length / 1024).toFixed(0)} KiB, ${(nbLint.out as unknown[]).length} unsaved scalers (expected 150)`);
console.log(`  regex baseline ${nbBase.ms.toFixed(2)} ms, lint ${nbLint.ms.toFixed(1)} ms, ratio ${(nbLint.ms / nbBase.ms).toFixed(1)}x`);

// A 100-epoch training run: the CSV log rewritten every 2 s (an epoch), a checkpoint every 10 epochs,
// TensorBoard events every 0.3 s; with the 500 ms debounce, how many index updates and path re-reads?
class Clock implements TimerApi {
  t = 0;
  timers = new Map<number, { at: number; fn: () => void }>();
  seq = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    this.timers.set(++this.seq, { at: this.t + ms, fn });
    return this.seq;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  now(): number {
    return this.t;
  }
  runUntil(end: number): void {
    for (;;) {
      const next = [...this.timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.t = next[1].at;
      this.timers.delete(next[0]);
      next[1].fn();
    }
    this.t = end;
  }
}
async function trainingRun(): Promise<void> {
  const clock = new Clock();
  let flushes = 0;
  let reads = 0;
  let events = 0;
  const b = new ChangeBatcher(
    (x) => {
      flushes++;
      reads += x.changed.length;
    },
    { timers: clock },
  );
  const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
  for (let ms = 0; ms <= 200_000; ms += 100) {
    clock.runUntil(ms);
    await settle(); // let a flush finish as the event loop would between two timers
    if (ms % 300 === 0) {
      b.add('/run/logs/events.out.tfevents.1', 'changed');
      events++;
    }
    if (ms % 2000 === 0) {
      b.add('/run/training_log.csv', 'changed');
      events++;
    }
    if (ms % 20_000 === 0) {
      b.add('/run/model.h5', 'changed');
      events++;
    }
  }
  clock.runUntil(300_000);
  await settle();
  console.log(`training run: ${events} watcher events -> ${flushes} index updates, ${reads} file re-reads (without batching: ${events} re-reads)`);
  console.log(`  (the event file changes every 300 ms, never quiet for the 500 ms debounce: the 5 s max wait flushes it)`);
}
void trainingRun();
