// The fuzz targets: one per reader, each with its seed files and its structure-aware mutation.
// To add a reader (torch, ONNX, safetensors when they land on main), add one entry to TARGETS:
// its seeds (small fixture files) and a mutate function built from ./mutate.ts; the harness,
// the smoke test and the regression test pick it up by name.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { seedBytes } from './mutate';
import { basename, dirname, join } from 'node:path';
import { gzipSync, zlibSync } from 'fflate';
import { decompress, sniffCompression } from '../../src/core/codecs/decompress';
import {
  Rng,
  concat,
  mutateBytes,
  mutateCsv,
  mutateHdf5,
  mutateJsonText,
  mutatePickle,
  mutateProtobuf,
  mutateTfevents,
  mutateZipDirectory,
  stack,
} from './mutate';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { MODEL_TARGETS } from './modelTargets';

/** One fuzz input: files by name (in one folder), and the one that is read. */
export interface FuzzCase {
  main: string;
  files: Record<string, Uint8Array>;
}

export interface FuzzTarget {
  name: string;
  /** What it exercises, for docs and reports. */
  about: string;
  seeds(): FuzzCase[];
  mutate(c: FuzzCase, r: Rng): FuzzCase;
}

const ROOT = join(__dirname, '..', 'fixtures');

function files(dir: string, test: (name: string, size: number) => boolean, max = 40): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) {
        if (!n.startsWith('fuzz')) walk(p); // fuzz/, fuzz-open/: saved cases, not seeds
      } else if (test(n, st.size)) out.push(p);
    }
  };
  walk(join(ROOT, dir));
  return out.slice(0, max);
}

function single(p: string): FuzzCase {
  return { main: basename(p), files: { [basename(p)]: seedBytes(p) } };
}

function withMain(c: FuzzCase, bytes: Uint8Array): FuzzCase {
  return { main: c.main, files: { ...c.files, [c.main]: bytes } };
}

const mainOf = (c: FuzzCase) => c.files[c.main];

/** A single-file target. */
function simple(name: string, about: string, seeds: () => string[], fn: (b: Uint8Array, r: Rng) => Uint8Array): FuzzTarget {
  return {
    name,
    about,
    seeds: () => seeds().map(single),
    mutate: (c, r) => withMain(c, fn(mainOf(c), r)),
  };
}

const PICKLE = (n: string, s: number) => /\.(pkl|pickle)$/.test(n) && s < 64 * 1024;

/** joblib: the container (compression headers and streams) and the pickle inside. */
function mutateJoblib(src: Uint8Array, r: Rng): Uint8Array {
  const kind = sniffCompression(src.subarray(0, 8));
  if (!kind) return stack(src, r, [mutatePickle, mutatePickle, mutateBytes]);
  if (r.chance(0.5)) {
    // the header and the compressed stream itself (bomb, truncation, checksum)
    return stack(src, r, [
      mutateBytes,
      (b, rr) => b.subarray(0, rr.int(b.length)),
      (b, rr) => {
        const c = b.slice();
        c[rr.int(Math.min(c.length, 24))] ^= 1 << rr.int(8);
        return c;
      },
    ]);
  }
  let inner: Uint8Array;
  try {
    inner = decompress(src, kind, 'seed');
  } catch {
    return mutateBytes(src, r);
  }
  const m = stack(inner, r, [mutatePickle, mutatePickle, mutateBytes]);
  if (kind === 'gzip') return gzipSync(m);
  if (kind === 'zlib' || r.chance(0.5)) return zlibSync(m);
  return mutateBytes(src, r);
}

/** .keras zip: the directory, or the JSON inside rezipped. */
function mutateKerasZip(src: Uint8Array, r: Rng): Uint8Array {
  if (r.chance(0.5)) return stack(src, r, [mutateZipDirectory, mutateZipDirectory, mutateBytes]);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(src);
  } catch {
    return mutateZipDirectory(src, r);
  }
  const names = Object.keys(entries);
  const n = r.pick(names.length ? names : ['config.json']);
  if (n.endsWith('.json')) entries[n] = mutateJsonText(entries[n] ?? strToU8('{}'), r);
  else if (n.endsWith('.h5')) entries[n] = mutateHdf5(entries[n], r);
  else delete entries[n];
  return zipSync(entries, { level: r.chance(0.5) ? 0 : 6 });
}

/** A small valid .keras seed made here (the repository's real ones are 200-400 KB). */
function kerasZipSeed(): FuzzCase {
  const config = {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: 's',
      layers: [
        {
          module: 'keras.layers',
          class_name: 'InputLayer',
          config: { name: 'x', batch_shape: [null, 4], dtype: 'float32' },
        },
        {
          module: 'keras.layers',
          class_name: 'Dense',
          config: { name: 'd', units: 2, activation: 'relu' },
          build_config: { input_shape: [null, 4] },
        },
        {
          module: 'keras.layers',
          class_name: 'TimeDistributed',
          config: {
            name: 'td',
            layer: { class_name: 'Dense', config: { name: 'e', units: 1 } },
          },
        },
      ],
    },
    compile_config: {
      loss: 'mse',
      metrics: ['mae'],
      optimizer: { class_name: 'Adam', config: { learning_rate: 0.001 } },
    },
  };
  const h5 = seedBytes(join(ROOT, 'reference', 'h5', 'keras3_nested.weights.h5'));
  const zip = zipSync({
    'metadata.json': strToU8(JSON.stringify({ keras_version: '3.3.3' })),
    'config.json': strToU8(JSON.stringify(config)),
    'model.weights.h5': h5,
  });
  return { main: 'model.keras', files: { 'model.keras': zip } };
}

/** A tfjs model.json with its shards (files named by the manifest). */
function tfjsSeeds(): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (const p of files('real2', (n, s) => n === 'model.json' && s < 16 * 1024, 8).concat(files('real', (n, s) => n === 'model.json' && s < 40 * 1024, 8))) {
    const c: FuzzCase = {
      main: 'model.json',
      files: { 'model.json': seedBytes(p) },
    };
    try {
      const doc = JSON.parse(readFileSync(p, 'utf8')) as {
        weightsManifest?: { paths?: string[] }[];
      };
      for (const g of doc.weightsManifest ?? []) {
        for (const s of g.paths ?? []) {
          const sp = join(dirname(p), s);
          if (statSync(sp, { throwIfNoEntry: false })?.isFile() && statSync(sp).size < 400 * 1024) c.files[s] = seedBytes(sp);
        }
      }
    } catch {
      // a seed without a manifest is still a seed
    }
    out.push(c);
  }
  return out;
}

function mutateTfjs(c: FuzzCase, r: Rng): FuzzCase {
  const shards = Object.keys(c.files).filter((n) => n !== c.main);
  if (shards.length && r.chance(0.25)) {
    const s = r.pick(shards);
    const out = { main: c.main, files: { ...c.files } };
    if (r.chance(0.3)) delete out.files[s];
    else out.files[s] = r.chance(0.5) ? c.files[s].subarray(0, r.int(c.files[s].length)) : concat(c.files[s], new Uint8Array(r.int(64)));
    return out;
  }
  const extra = [
    { name: 'w', shape: [1e9, 1e9], dtype: 'float32' },
    { paths: ['../../../etc/passwd'], weights: [] },
    {
      name: 'q',
      shape: [2],
      dtype: 'float32',
      quantization: { dtype: 'uint8', scale: 1, min: 0 },
    },
    [-1, 4],
    [2 ** 31, 2 ** 31],
  ];
  return withMain(c, mutateJsonText(mainOf(c), r, extra));
}

/** SavedModel folder: saved_model.pb (read by name) and keras_metadata.pb (a protobuf with JSON inside). */
function savedModelSeeds(): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (const d of ['keras_savedmodel/my_model', 'toplevel_savedmodel/my_model']) {
    const dir = join(ROOT, 'reference', 'foreign', d);
    out.push({
      main: 'saved_model.pb',
      files: {
        'saved_model.pb': seedBytes(join(dir, 'saved_model.pb')),
        'keras_metadata.pb': seedBytes(join(dir, 'keras_metadata.pb')),
      },
    });
  }
  return out;
}

function mutateSavedModel(c: FuzzCase, r: Rng): FuzzCase {
  const meta = c.files['keras_metadata.pb'];
  const out = { main: c.main, files: { ...c.files } };
  if (!meta || r.chance(0.1)) {
    out.files['saved_model.pb'] = mutateProtobuf(c.files['saved_model.pb'], r);
    return out;
  }
  if (r.chance(0.4)) {
    // the JSON inside a string field: mutate it as JSON and re-frame it (lengths stay right)
    const text = new TextDecoder('utf-8', { fatal: false }).decode(meta);
    const s = text.indexOf('{"');
    if (s >= 0) {
      const head = meta.subarray(0, Buffer.byteLength(text.slice(0, s)));
      const body = meta.subarray(head.length);
      const mutated = mutateJsonText(body, r);
      out.files['keras_metadata.pb'] = concat(head, mutated);
      return out;
    }
  }
  out.files['keras_metadata.pb'] = stack(meta, r, [mutateProtobuf, mutateProtobuf, mutateBytes]);
  return out;
}

/** Every target. */
export const TARGETS: readonly FuzzTarget[] = [
  simple(
    'pickle',
    'pickle VM: opcodes, lengths, nesting, memo, frames',
    () => files('hostile/controls', PICKLE).concat(files('sklearn', PICKLE, 20)),
    (b, r) => stack(b, r, [mutatePickle, mutatePickle, mutatePickle, mutateBytes]),
  ),
  simple(
    'joblib',
    'joblib: compression headers and streams (zlib, gzip, bz2, lzma, xz, lz4), arrays after NumpyArrayWrapper',
    () => files('', (n, s) => /\.joblib$/.test(n) && s < 48 * 1024, 40),
    mutateJoblib,
  ),
  simple(
    'hdf5',
    'Keras HDF5 through h5wasm: object headers, dims, addresses, superblock',
    () => files('', (n, s) => /\.h5$/.test(n) && s < 32 * 1024, 12),
    (b, r) => stack(b, r, [mutateHdf5, mutateHdf5, mutateBytes], 2),
  ),
  {
    name: 'keras-zip',
    about: '.keras zip: central directory, local headers, config.json and the weights inside',
    seeds: () => [kerasZipSeed(), single(join(ROOT, 'real', '2mdtln__FlowNet-ANN', '25-06', 'model.keras'))],
    mutate: (c, r) => withMain(c, mutateKerasZip(mainOf(c), r)),
  },
  simple(
    'keras-json',
    'Keras model JSON: depth, size, types, layer lists, inbound nodes',
    () =>
      files('', (n, s) => /\.json$/.test(n) && s < 24 * 1024 && !/history|log/.test(n), 400)
        .filter((p) => /"class_name"/.test(readFileSync(p, 'utf8')) && !/weightsManifest|modelTopology/.test(readFileSync(p, 'utf8')))
        .slice(0, 16),
    (b, r) => mutateJsonText(b, r),
  ),
  {
    name: 'tfjs',
    about: 'tfjs model.json: manifests (shapes, dtypes, paths, quantization) and shard sizes',
    seeds: tfjsSeeds,
    mutate: mutateTfjs,
  },
  simple(
    'history-json',
    'history JSON: series, lengths, odd values',
    () => files('logs/history', (n, s) => /\.json$/.test(n) && s < 32 * 1024),
    (b, r) => mutateJsonText(b, r),
  ),
  simple(
    'csv',
    'CSVLogger logs: lines, columns, separators, values, line ends',
    () => files('logs/csv', (n, s) => /\.csv$/.test(n) && s < 32 * 1024),
    mutateCsv,
  ),
  simple(
    'tfevents',
    'TensorBoard event files: record lengths and CRCs, Event/Summary protobufs',
    () => files('logs', (n, s) => n.startsWith('events.out.tfevents') && s < 64 * 1024),
    mutateTfevents,
  ),
  {
    name: 'savedmodel',
    about: 'SavedModel keras_metadata.pb: protobuf fields and the JSON inside',
    seeds: savedModelSeeds,
    mutate: mutateSavedModel,
  },
  ...MODEL_TARGETS,
];

export function targetByName(name: string): FuzzTarget {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`no fuzz target ${name} (known: ${TARGETS.map((x) => x.name).join(', ')})`);
  return t;
}
