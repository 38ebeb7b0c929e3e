// HDF5 library choice by measurement: h5wasm (Node build, opens by path; and its in-memory build)
// against jsfive (pure JS, whole file in memory). Task: open + list the Keras layers + read their
// attributes and dataset shapes (no tensor values). Every measurement runs in a fresh child process
// so peak memory (maxRSS) belongs to one library and one file. Medians over RUNS; ratios against
// the jsfive baseline.
// Run: node --import tsx test/bench/hdf5Bench.ts [--big-mb 500] [--runs 5]
//      node --import tsx test/bench/hdf5Bench.ts --fuzz 400   (corrupted metadata: time, codes, state)
// The children run as a CommonJS bundle made with esbuild like dist/cli.js (tsx would re-transform
// h5wasm's 4 MB module and distort its start-up time and memory).
// The big file is made in /tmp with Debian's /usr/bin/python3 + h5py and deleted afterwards.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openHdf5, openHdf5Bytes, type Hdf5File } from '../../src/core/codecs/hdf5';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

type Lib = 'h5wasm-path' | 'h5wasm-memory' | 'jsfive';
const LIBS: Lib[] = ['jsfive', 'h5wasm-path', 'h5wasm-memory'];
const BASELINE: Lib = 'jsfive';

interface ChildResult {
  lib: Lib;
  file: string;
  initMs: number;
  /** Wall time of each run (open + list + attributes + shapes + close). */
  runsMs: number[];
  layers: number;
  tensors: number;
  maxRssMB: number;
  /** Peak RSS after the first listing only (later runs may overlap garbage of earlier ones). */
  maxRssFirstMB: number;
  /** process.memoryUsage() right after the last listing, before closing (MB). */
  heapUsedMB: number;
  rssMB: number;
  arrayBuffersMB: number;
  error?: string;
}

const MB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Lists Keras layers with the product's wrapper. */
function listWithWrapper(f: Hdf5File): { layers: number; tensors: number } {
  const root = f.attrNames('/');
  const group = root.includes('model_config') ? '/model_weights' : '/';
  f.attr('/', 'keras_version');
  const names = f.attr(group, 'layer_names');
  let tensors = 0;
  if (Array.isArray(names)) {
    for (const l of names as string[]) {
      const lp = group === '/' ? `/${l}` : `${group}/${l}`;
      const w = f.attr(lp, 'weight_names');
      if (Array.isArray(w))
        for (const n of w as string[]) {
          f.dataset(`${lp}/${n}`);
          tensors++;
        }
    }
    return { layers: names.length, tensors };
  }
  // Keras 3 layers/<name>/vars/<i>
  const layers = f.keys('/layers');
  for (const l of layers) {
    const vp = `/layers/${l}/vars`;
    if (f.kind(vp) !== 'group') continue;
    for (const v of f.keys(vp)) {
      f.dataset(`${vp}/${v}`);
      tensors++;
    }
  }
  return { layers: layers.length, tensors };
}

interface JsfiveGroup {
  attrs: Record<string, unknown>;
  keys: string[];
  get(path: string): JsfiveGroup & { shape?: number[]; dtype?: string };
}

function asList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return [v];
  return [];
}

/** Lists Keras layers with jsfive (same walk). */
function listWithJsfive(f: JsfiveGroup): { layers: number; tensors: number } {
  const root = f.attrs;
  const group = 'model_config' in root ? f.get('model_weights') : f;
  void root.keras_version;
  const names = asList(group.attrs.layer_names).map((s) => s.replace(/\0+$/, ''));
  let tensors = 0;
  if (names.length) {
    for (const l of names) {
      const lg = group.get(l);
      for (const n of asList(lg.attrs.weight_names)) {
        const d = lg.get(n.replace(/\0+$/, ''));
        void d.shape;
        void d.dtype;
        tensors++;
      }
    }
    return { layers: names.length, tensors };
  }
  const layers = f.get('layers');
  for (const l of layers.keys) {
    const lg = layers.get(l);
    if (!lg.keys.includes('vars')) continue;
    const vg = lg.get('vars');
    for (const v of vg.keys) {
      void vg.get(v).shape;
      tensors++;
    }
  }
  return { layers: layers.keys.length, tensors };
}

async function child(lib: Lib, file: string, runs: number): Promise<void> {
  const source = new NodeFileSource();
  const size = statSync(file).size;
  const t0 = performance.now();
  let jsfive: { File: new (buf: ArrayBuffer, name: string) => JsfiveGroup } | null = null;
  // @ts-expect-error jsfive ships no type declarations; the part used here is typed by `jsfive` above.
  if (lib === 'jsfive') jsfive = (await import('jsfive')) as unknown as typeof jsfive;
  else {
    // Start the library on a tiny file so that runs measure reading, not wasm compilation.
    const warm = resolve('test/fixtures/reference/h5/plain.h5');
    const f = lib === 'h5wasm-path' ? await openHdf5(source, warm) : await openHdf5Bytes(new Uint8Array(readFileSync(warm)), warm);
    f.close();
  }
  const initMs = performance.now() - t0;
  const runsMs: number[] = [];
  let counts = { layers: 0, tensors: 0 };
  let mem = process.memoryUsage();
  let memFirst = mem;
  let maxRssFirstMB = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    if (lib === 'jsfive') {
      const bytes = await source.readFile(file);
      // jsfive wants an ArrayBuffer: use the file's own when it is not a slice of a pool.
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      const buf = (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer;
      const f = new jsfive!.File(buf, file);
      counts = listWithJsfive(f);
      mem = process.memoryUsage();
    } else {
      const f = lib === 'h5wasm-path' ? await openHdf5(source, file, size) : await openHdf5Bytes(await source.readFile(file), file);
      counts = listWithWrapper(f);
      mem = process.memoryUsage();
      f.close();
    }
    runsMs.push(performance.now() - t);
    if (i === 0) {
      maxRssFirstMB = process.resourceUsage().maxRSS / 1024;
      memFirst = mem;
    }
  }
  const out: ChildResult = {
    lib,
    file,
    initMs,
    runsMs,
    ...counts,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    maxRssFirstMB,
    heapUsedMB: memFirst.heapUsed / MB,
    rssMB: memFirst.rss / MB,
    arrayBuffersMB: memFirst.arrayBuffers / MB,
  };
  process.stdout.write(JSON.stringify(out));
}

const CHILD = join(tmpdir(), `mbi-hdf5-bench-${process.pid}.cjs`);

async function bundleChild(): Promise<void> {
  // Imported here so that the child bundle (which leaves esbuild external) never loads it.
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [__filename],
    outfile: CHILD,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    charset: 'utf8',
    logLevel: 'error',
    // As scripts/build.mjs does for dist/cli.js.
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: `"use strict";\nvar __importMetaUrl = require('url').pathToFileURL(__filename).href;` },
    external: ['esbuild'],
  });
}

function runChild(lib: Lib, file: string, runs: number): ChildResult {
  const r = spawnSync(process.execPath, [CHILD, '--child', lib, file, String(runs)], {
    encoding: 'utf8',
    maxBuffer: 16 * MB,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as ChildResult;
  } catch {
    const error = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ').slice(0, 200);
    return {
      lib,
      file,
      initMs: NaN,
      runsMs: [NaN],
      layers: 0,
      tensors: 0,
      maxRssMB: NaN,
      maxRssFirstMB: NaN,
      heapUsedMB: NaN,
      rssMB: NaN,
      arrayBuffersMB: NaN,
      error,
    };
  }
}

function makeBigFile(mb: number): string {
  const path = join(tmpdir(), `mbi-bench-${process.pid}.h5`);
  // Keras 2 save_weights layout: dense layers of 1024x1024 float32 (4 MB each) + bias.
  const layers = Math.max(1, Math.round(mb / 4));
  const py = `
import h5py, numpy as np, sys
path, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
k = rng.standard_normal((1024, 1024)).astype(np.float32)
with h5py.File(path, 'w') as f:
    names = [f'dense_{i}' for i in range(n)]
    f.attrs['layer_names'] = np.array([s.encode() for s in names])
    f.attrs['keras_version'] = b'2.15.0'
    f.attrs['backend'] = b'tensorflow'
    for s in names:
        g = f.create_group(s)
        g.attrs['weight_names'] = np.array([f'{s}/kernel:0'.encode(), f'{s}/bias:0'.encode()])
        g.create_dataset(f'{s}/kernel:0', data=k)
        g.create_dataset(f'{s}/bias:0', data=k[0])
`;
  const r = spawnSync('/usr/bin/python3', ['-c', py, path, String(layers)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`making the big file failed: ${r.stderr}`);
  return path;
}

function fmt(x: number, d = 1): string {
  return Number.isFinite(x) ? x.toFixed(d) : 'n/a';
}

/**
 * Overwrites 1-4 random bytes in the first 3000 bytes (superblock, object headers, heaps) of a
 * real file, N times, reads each copy with the product reader (h5wasm by path), and re-reads a
 * good file every 20 copies to check that a trap inside the C library left no wrong state.
 */
async function fuzz(n: number): Promise<void> {
  const source = new NodeFileSource();
  const good = 'test/fixtures/real/Dobiasd__frugally-deep/keras_export/lstm.h5';
  const want = JSON.stringify((await inspectFile(good, source)).weights);
  const base = new Uint8Array(readFileSync('test/fixtures/real/SciSharp__Keras.NET/Keras.UnitTest/model.h5'));
  const path = join(tmpdir(), `mbi-fuzz-${process.pid}.h5`);
  let seed = 99;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const codes: Record<string, number> = {};
  const times: number[] = [];
  let wrong = 0;
  try {
    for (let k = 0; k < n; k++) {
      const b = base.slice();
      for (let j = 0, m = 1 + Math.floor(rnd() * 4); j < m; j++) b[8 + Math.floor(rnd() * 3000)] = Math.floor(rnd() * 256);
      writeFileSync(path, b);
      const t = performance.now();
      const r = await inspectFile(path, source);
      times.push(performance.now() - t);
      const c = r.error?.code ?? 'ok';
      codes[c] = (codes[c] ?? 0) + 1;
      if (k % 20 === 0 && JSON.stringify((await inspectFile(good, source)).weights) !== want) wrong++;
    }
  } finally {
    rmSync(path, { force: true });
  }
  console.log(
    `fuzz: ${n} copies, codes ${JSON.stringify(codes)}, median ${fmt(median(times), 1)} ms, max ${fmt(Math.max(...times), 0)} ms, good file read wrongly afterwards: ${wrong} of ${Math.ceil(n / 20)}`,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1] as Lib, args[2], Number(args[3]));
  if (args[0] === '--fuzz-child') return fuzz(Number(args[1]));
  if (args[0] === '--fuzz') {
    await bundleChild();
    const r = spawnSync(process.execPath, [CHILD, '--fuzz-child', args[1] ?? '400'], { encoding: 'utf8' });
    rmSync(CHILD, { force: true });
    const aborts = (r.stderr.match(/Aborted\(/g) ?? []).length;
    console.log(r.stdout.trim(), `\nEmscripten abort() messages on stderr: ${aborts}`);
    return;
  }
  const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
  const bigMb = args.includes('--big-mb') ? Number(args[args.indexOf('--big-mb') + 1]) : 500;
  const ref = JSON.parse(readFileSync('test/fixtures/reference/h5/h5_reference.json', 'utf8')) as Record<string, { format: string }>;
  const fixtures = Object.keys(ref).filter((p) => ref[p].format !== 'keras-zip' && p.startsWith('test/fixtures/real/'));
  await bundleChild();
  console.log(`node ${process.version}, ${runs} runs per file, medians; each library in its own process per file\n`);
  const small: Record<Lib, ChildResult[]> = { jsfive: [], 'h5wasm-path': [], 'h5wasm-memory': [] };
  for (const f of fixtures) for (const lib of LIBS) small[lib].push(runChild(lib, f, runs));
  console.log('Fixtures: open + list layers + attributes + shapes (ms, median of runs; init = library start)');
  console.log(['file', ...LIBS.map((l) => `${l} ms`), ...LIBS.filter((l) => l !== BASELINE).map((l) => `${l}/${BASELINE}`)].join(' | '));
  for (let i = 0; i < fixtures.length; i++) {
    const ms = LIBS.map((l) => median(small[l][i].runsMs));
    const base = ms[LIBS.indexOf(BASELINE)];
    const errs = LIBS.map((l) => small[l][i].error).filter(Boolean);
    const row = [
      fixtures[i].replace('test/fixtures/real/', ''),
      ...ms.map((m) => fmt(m, 2)),
      ...LIBS.filter((l) => l !== BASELINE).map((l) => fmt(ms[LIBS.indexOf(l)] / base, 2)),
    ];
    console.log(row.join(' | ') + (errs.length ? `  ERRORS: ${errs.join('; ')}` : ''));
  }
  for (const lib of LIBS) {
    console.log(`${lib}: init median ${fmt(median(small[lib].map((r) => r.initMs)), 0)} ms, layers listed ${small[lib].map((r) => r.layers).join(',')}`);
  }
  if (bigMb > 0) {
    console.log(`\nMaking a ~${bigMb} MB weights file with h5py...`);
    const big = makeBigFile(bigMb);
    try {
      const size = statSync(big).size;
      console.log(`${big}: ${fmt(size / MB, 0)} MB`);
      // Three processes per library, three listings each. "first" = the first listing of a process
      // (cold JIT, the memory of one listing); "warm" = the later listings.
      const procs = 3;
      const res = LIBS.map((l) => Array.from({ length: procs }, () => runChild(l, big, Math.max(2, Math.min(runs, 3)))));
      console.log(`${procs} processes per library, ${Math.max(2, Math.min(runs, 3))} listings each; medians over processes`);
      console.log(
        'lib | layers | tensors | first ms | warm ms | init ms | heapUsed MB | arrayBuffers MB | rss MB | peak rss MB | ratio warm ms | ratio peak rss',
      );
      const med = (rs: ChildResult[], f: (r: ChildResult) => number) => median(rs.map(f));
      const warm = (rs: ChildResult[]) => median(rs.flatMap((r) => r.runsMs.slice(1)));
      const base = res[LIBS.indexOf(BASELINE)];
      const baseWarm = warm(base);
      const baseRss = med(base, (r) => r.maxRssFirstMB);
      for (const rs of res) {
        const r = rs[0];
        const errs = rs.map((x) => x.error).filter(Boolean);
        if (errs.length) {
          console.log(`${r.lib} | ERROR ${errs.join('; ')}`);
          continue;
        }
        const rss = med(rs, (x) => x.maxRssFirstMB);
        console.log(
          [
            r.lib,
            r.layers,
            r.tensors,
            fmt(med(rs, (x) => x.runsMs[0])),
            fmt(warm(rs)),
            fmt(
              med(rs, (x) => x.initMs),
              0,
            ),
            fmt(med(rs, (x) => x.heapUsedMB)),
            fmt(med(rs, (x) => x.arrayBuffersMB)),
            fmt(med(rs, (x) => x.rssMB)),
            fmt(rss),
            fmt(warm(rs) / baseWarm, 3),
            fmt(rss / baseRss, 3),
          ].join(' | '),
        );
      }
    } finally {
      if (existsSync(big)) rmSync(big);
    }
  }
  rmSync(CHILD, { force: true });
}

void main();
