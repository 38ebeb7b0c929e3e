// Benchmark of the log readers on synthetic files (not run by the test command).
// Run: node --import tsx test/bench/logReaders.bench.ts [events]
// Prints medians of 5 runs and ratios against baselines measured in the same process:
// - tfevents: readTfeventsFile vs reading the same file in 1 MB readRange chunks (I/O only);
// - crc32c: slicing-by-8 vs a one-table (byte-at-a-time) CRC32C;
// - csv: readCsvLogData vs TextDecoder + split('\n') of the same bytes;
// - a large event file (1 MB image records between scalars): readTfeventsFile vs readRange I/O,
//   and the heap growth during the read (it streams: growth stays near the 32 MB decode limit).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c, maskedCrc32c } from '../../src/core/codecs/crc32c';
import { readCsvLogData } from '../../src/core/formats/logs/csvLog';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { readTfeventsFile } from '../../src/core/formats/logs/tfevents';

const N = Number(process.argv[2] ?? 300_000);
const RUNS = 5;

function vint(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

function ld(field: number, payload: number[], out: number[]): void {
  vint((field << 3) | 2, out);
  vint(payload.length, out);
  for (const b of payload) out.push(b);
}

/** One TF2-style scalar event: wall_time, step, summary { value { tag, tensor float, metadata scalars } }. */
function event(step: number, tag: string, x: number): Uint8Array {
  const f32 = new Uint8Array(new Float32Array([x]).buffer);
  const tensor: number[] = [0x08, 1];
  ld(2, [], tensor);
  ld(4, [...f32], tensor);
  const meta: number[] = [];
  const plugin: number[] = [];
  ld(1, [...new TextEncoder().encode('scalars')], plugin);
  ld(1, plugin, meta);
  const value: number[] = [];
  ld(1, [...new TextEncoder().encode(tag)], value);
  ld(8, tensor, value);
  ld(9, meta, value);
  const summary: number[] = [];
  ld(1, value, summary);
  const ev: number[] = [0x09, ...new Uint8Array(new Float64Array([1.7e9 + step]).buffer)];
  ev.push(0x10);
  vint(step, ev);
  ld(5, summary, ev);
  return Uint8Array.from(ev);
}

function record(data: Uint8Array): Uint8Array {
  const r = new Uint8Array(16 + data.length);
  const dv = new DataView(r.buffer);
  dv.setUint32(0, data.length, true);
  dv.setUint32(8, maskedCrc32c(r.subarray(0, 8)), true);
  r.set(data, 12);
  dv.setUint32(12 + data.length, maskedCrc32c(data), true);
  return r;
}

function crcOneTable(bytes: Uint8Array): number {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

async function median(f: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mbi-bench-'));
  try {
    const parts: Uint8Array[] = [];
    const tags = ['epoch_loss', 'epoch_accuracy', 'batch_loss'];
    for (let i = 0; i < N; i++) parts.push(record(event(i, tags[i % 3], 1 / (i + 1))));
    const total = parts.reduce((a, p) => a + p.length, 0);
    const all = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    const file = join(dir, 'events.out.tfevents.1.bench');
    writeFileSync(file, all);
    const src = new NodeFileSource();
    const mb = total / 1e6;

    const io = await median(async () => {
      for (let off = 0; off < total; off += 1 << 20) await src.readRange(file, off, 1 << 20);
    });
    const tf = await median(() => readTfeventsFile(src, file, total));
    console.log(`tfevents: ${N} events, ${mb.toFixed(1)} MB`);
    console.log(
      `  readRange 1 MB chunks (baseline) ${io.toFixed(0)} ms; readTfeventsFile ${tf.toFixed(0)} ms = ${(tf / io).toFixed(2)}x baseline, ${(mb / (tf / 1000)).toFixed(0)} MB/s`,
    );

    const one = await median(() => crcOneTable(all));
    const s8 = await median(() => crc32c(all));
    if (crcOneTable(all) !== crc32c(all)) throw new Error('CRC implementations disagree');
    console.log(
      `crc32c over ${mb.toFixed(1)} MB: one table (baseline) ${one.toFixed(0)} ms; slicing-by-8 ${s8.toFixed(0)} ms = ${(s8 / one).toFixed(2)}x baseline, ${(mb / (s8 / 1000)).toFixed(0)} MB/s`,
    );

    // large file: LARGE_MB image summaries of 1 MB (decoded: their tag and metadata are walked)
    const LARGE_MB = Number(process.env.BENCH_LARGE_MB ?? 256);
    const big = join(dir, 'events.out.tfevents.2.bench');
    const img = new Uint8Array(1 << 20).fill(7);
    const imgEvent: number[] = [];
    const value: number[] = [];
    ld(1, [...new TextEncoder().encode('images/sample')], value);
    ld(4, [...img], value);
    const summary: number[] = [];
    ld(1, value, summary);
    ld(5, summary, imgEvent);
    const imgRecord = record(Uint8Array.from(imgEvent));
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(big, 'w');
    let bigSize = 0;
    for (let i = 0; i < LARGE_MB; i++) {
      const sc = record(event(i, 'epoch_loss', 1 / (i + 1)));
      writeSync(fd, sc);
      writeSync(fd, imgRecord);
      bigSize += sc.length + imgRecord.length;
    }
    closeSync(fd);
    const ioBig = await median(async () => {
      for (let off = 0; off < bigSize; off += 1 << 20) await src.readRange(big, off, 1 << 20);
    });
    let heapGrowth = 0;
    const tfBig = await median(async () => {
      const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
      let peak = before;
      const timer = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers);
      }, 5);
      const d = await readTfeventsFile(src, big, bigSize);
      clearInterval(timer);
      if (d.series.epoch_loss.values.length !== LARGE_MB) throw new Error('lost points');
      heapGrowth = Math.max(heapGrowth, peak - before);
    });
    console.log(
      `tfevents large: ${(bigSize / 1e6).toFixed(0)} MB (${LARGE_MB} x 1 MB images): readRange (baseline) ${ioBig.toFixed(0)} ms; readTfeventsFile ${tfBig.toFixed(0)} ms = ${(tfBig / ioBig).toFixed(2)}x baseline, ${(bigSize / 1e6 / (tfBig / 1000)).toFixed(0)} MB/s, peak heap+buffers growth ${(heapGrowth / 1e6).toFixed(0)} MB`,
    );

    const rows = ['epoch,accuracy,learning_rate,loss,val_accuracy,val_loss'];
    for (let e = 0; e < N; e++) rows.push(`${e},${1 - 1 / (e + 2)},0.001,${1 / (e + 1)},NA,${2 / (e + 1)}`);
    const csv = new TextEncoder().encode(rows.join('\r\n') + '\r\n');
    const split = await median(() =>
      new TextDecoder()
        .decode(csv)
        .split('\n')
        .map((l) => l.split(',')),
    );
    const parsed = await median(() => readCsvLogData(csv, 'bench.csv'));
    console.log(
      `csv: ${N} rows, ${(csv.length / 1e6).toFixed(1)} MB: decode+split (baseline) ${split.toFixed(0)} ms; readCsvLogData ${parsed.toFixed(0)} ms = ${(parsed / split).toFixed(2)}x baseline`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
