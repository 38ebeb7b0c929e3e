// Runs ONNX models with ONNX Runtime from npm: onnxruntime-web (WebAssembly, one build for every
// platform) or onnxruntime-node (native binaries per platform). Which one runs by default was chosen
// by measurement (docs/onnx.md, test/bench/onnxBench.ts). The packages are loaded on first use, so
// nothing of them is paid by a scan or by a Keras prediction.
import { ReadError } from '../io/errors';
import type * as OrtTypes from 'onnxruntime-common';

/** ONNX Runtime builds this tool can run on. */
export type OnnxBackendName = 'onnxruntime-web' | 'onnxruntime-node';

/** Preference: `auto` = the default build (see DEFAULT_ONNX_BACKEND), falling back to the other one. */
export type OnnxBackendPreference = 'auto' | OnnxBackendName;

/** The build `auto` tries first (measured: docs/onnx.md). */
export const DEFAULT_ONNX_BACKEND: OnnxBackendName = 'onnxruntime-node';

type Ort = typeof OrtTypes;

const loaded = new Map<OnnxBackendName, Promise<Ort>>();

/**
 * Loads one build. `wasmDir`: the folder holding ort-wasm-simd-threaded.{mjs,wasm} (dist/ in the
 * extension; node_modules/onnxruntime-web/dist when run from the sources).
 */
export function loadOrt(name: OnnxBackendName, wasmDir?: string): Promise<Ort> {
  let p = loaded.get(name);
  if (!p) {
    p = (async (): Promise<Ort> => {
      if (name === 'onnxruntime-node') return (await import('onnxruntime-node')) as unknown as Ort;
      const ort = (await import('onnxruntime-web')) as unknown as Ort;
      // One thread: the wasm threads would be worker_threads of the prediction worker, for models
      // this small they cost more than they save (measured), and the host shares its cores.
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.proxy = false;
      if (wasmDir) ort.env.wasm.wasmPaths = `${pathToFileUrl(wasmDir)}/`;
      return ort;
    })();
    loaded.set(name, p);
    p.catch(() => loaded.delete(name));
  }
  return p;
}

function pathToFileUrl(dir: string): string {
  const abs = dir.replace(/\\/g, '/').replace(/\/+$/, '');
  return abs.startsWith('file://') ? abs : `file://${abs.startsWith('/') ? '' : '/'}${encodeURI(abs)}`;
}

/** A loaded ONNX model ready to predict (same shape as the TensorFlow.js Network). */
export interface OnnxNetwork {
  readonly inputShape: (number | null)[];
  readonly outputShape: (number | null)[];
  readonly backend: OnnxBackendName;
  /** What the caller should know (which output is shown when the model has several). */
  readonly notes?: string[];
  /** Runs rows (batch-first, flattened per row) and returns one output array per row. */
  predict(rows: ArrayLike<number>[]): Promise<number[][]>;
  dispose(): void;
}

/** What the session is made from. */
export interface OnnxModelSource {
  /** The model bytes. */
  bytes: Uint8Array;
  /** External data files (relative location → bytes), already checked to lie inside the model's folder. */
  externalData?: { path: string; data: Uint8Array }[];
  /** Input and output shapes from the file (null for symbolic dims). */
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  /** Element type of the input (default float32). */
  inputType?: 'float32' | 'float64';
  /** The output to return (default the first); `notes` say why when it is not the first. */
  outputName?: string;
  notes?: string[];
}

/** Rows per session run: bounds the memory of one call like PREDICT_CHUNK_ROWS for tfjs. */
export const ONNX_CHUNK_ROWS = 1024;

/** Creates a session on the preferred build (auto: the default, then the other one). */
export async function loadOnnxNetwork(src: OnnxModelSource, pref: OnnxBackendPreference = 'auto', wasmDir?: string): Promise<OnnxNetwork> {
  const order: OnnxBackendName[] =
    pref === 'auto' ? [DEFAULT_ONNX_BACKEND, DEFAULT_ONNX_BACKEND === 'onnxruntime-web' ? 'onnxruntime-node' : 'onnxruntime-web'] : [pref];
  let firstError: unknown = null;
  for (const name of order) {
    let ort: Ort;
    try {
      ort = await loadOrt(name, wasmDir);
    } catch (e) {
      firstError ??= e;
      continue;
    }
    let session: OrtTypes.InferenceSession;
    try {
      const opts: OrtTypes.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 };
      if (src.externalData?.length) opts.externalData = src.externalData;
      session = await ort.InferenceSession.create(src.bytes, opts);
    } catch (e) {
      // the model itself is refused (unsupported operator, bad graph): the other build would refuse it too
      throw new ReadError('onnx-unsupported', `ONNX Runtime (${name}) cannot load this model: ${(e as Error).message}`);
    }
    return makeNetwork(ort, session, src, name);
  }
  throw new ReadError('onnx-runtime-missing', `no ONNX Runtime build could be loaded (${(firstError as Error)?.message ?? 'unknown error'})`);
}

function makeNetwork(ort: Ort, session: OrtTypes.InferenceSession, src: OnnxModelSource, backend: OnnxBackendName): OnnxNetwork {
  if (session.inputNames.length !== 1) {
    void session.release();
    throw new ReadError('onnx-inputs', `the model takes ${session.inputNames.length} inputs; predictions need a model with one input`);
  }
  const inputName = session.inputNames[0];
  const outputName = src.outputName && session.outputNames.includes(src.outputName) ? src.outputName : session.outputNames[0];
  const f64 = src.inputType === 'float64';
  const inDims = src.inputShape.slice(1);
  if (inDims.some((d) => d === null)) {
    void session.release();
    throw new ReadError('onnx-input-shape', `the model's input [${src.inputShape.map((d) => d ?? '?').join(', ')}] has unknown dimensions besides the batch`);
  }
  const dims = inDims as number[];
  const perRow = dims.reduce((a, d) => a * d, 1);
  const fixedBatch = src.inputShape[0];
  return {
    inputShape: src.inputShape,
    outputShape: src.outputShape,
    backend,
    ...(src.notes?.length ? { notes: src.notes } : {}),
    async predict(rows: ArrayLike<number>[]): Promise<number[][]> {
      const out: number[][] = [];
      // A model exported with a fixed batch (often 1) runs that many rows per call.
      const chunk = typeof fixedBatch === 'number' && fixedBatch > 0 ? fixedBatch : ONNX_CHUNK_ROWS;
      for (let start = 0; start < rows.length; start += chunk) {
        const n = Math.min(chunk, rows.length - start);
        const size = chunk === fixedBatch ? chunk * perRow : n * perRow;
        const flat = f64 ? new Float64Array(size) : new Float32Array(size);
        for (let i = 0; i < n; i++) {
          const r = rows[start + i];
          if (r.length !== perRow) throw new ReadError('input-shape', `row ${start + i} has ${r.length} values, the model takes ${perRow}`);
          flat.set(r, i * perRow);
        }
        const batch = chunk === fixedBatch ? chunk : n;
        const feeds = {
          [inputName]: f64
            ? new ort.Tensor('float64', flat as Float64Array, [batch, ...dims])
            : new ort.Tensor('float32', flat as Float32Array, [batch, ...dims]),
        };
        const result = await session.run(feeds);
        const t = result[outputName];
        if (t.type === 'string' || !ArrayBuffer.isView(t.data)) {
          throw new ReadError('onnx-output', `the model's output '${outputName}' is of type ${t.type}; predictions need numbers`);
        }
        const raw = t.data as unknown as ArrayLike<number> | BigInt64Array | BigUint64Array;
        // int64 outputs (labels) come as BigInt arrays: converted to numbers (exact up to 2^53)
        const data: ArrayLike<number> = raw instanceof BigInt64Array || raw instanceof BigUint64Array ? Array.from(raw, (v) => Number(v)) : raw;
        const width = data.length / batch;
        for (let i = 0; i < n; i++) {
          const row = new Array<number>(width);
          for (let j = 0; j < width; j++) row[j] = data[i * width + j];
          out.push(row);
        }
        t.dispose?.();
      }
      return out;
    },
    dispose(): void {
      void session.release();
    },
  };
}
