// Benchmark: summarizeModelConfig on long functional configs, in file order and reversed (the
// worst case for a pass-until-no-progress walk), as a ratio to JSON.parse of the same document.
// Run: node --import tsx test/bench/architecture.bench.ts
import { summarizeModelConfig } from '../../src/core/formats/shared/architecture';

function chain(n: number, reversed: boolean): string {
  const layers: unknown[] = [];
  for (let i = 1; i < n; i++) {
    layers.push({ class_name: 'Dense', name: `l${i}`, config: { name: `l${i}`, units: 8 }, inbound_nodes: [[[`l${i - 1}`, 0, 0, {}]]] });
  }
  if (reversed) layers.reverse();
  layers.unshift({ class_name: 'InputLayer', name: 'l0', config: { name: 'l0', batch_input_shape: [null, 8] }, inbound_nodes: [] });
  return JSON.stringify({ class_name: 'Model', config: { name: 'm', layers, input_layers: [['l0', 0, 0]], output_layers: [[`l${n - 1}`, 0, 0]] } });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

for (const n of [1000, 10000]) {
  for (const reversed of [false, true]) {
    const text = chain(n, reversed);
    const parse: number[] = [];
    const summarize: number[] = [];
    for (let run = 0; run < 7; run++) {
      let t = performance.now();
      const doc = JSON.parse(text);
      parse.push(performance.now() - t);
      t = performance.now();
      summarizeModelConfig(doc, { framework: 'keras', kerasVersion: '2.2.4' });
      summarize.push(performance.now() - t);
    }
    const p = median(parse);
    const s = median(summarize);
    console.log(`${n} layers ${reversed ? 'reversed' : 'in order'}: JSON.parse ${p.toFixed(1)} ms, summarize ${s.toFixed(1)} ms, ratio ${(s / p).toFixed(1)}`);
  }
}
