// Typed reading of the `modelBundles.*` settings.
import * as vscode from 'vscode';
import { parseSeverityOverrides, type SeverityOverrides } from '../core/bundles/diagnosticsModel';

/** Prediction backends the bundle view may use. */
export type PredictionBackendSetting = 'auto' | 'wasm' | 'cpu' | 'node';

/** The extension's settings, validated. */
export interface Settings {
  /** Globs of files whose changes re-index them (relative to every workspace folder). */
  include: string[];
  /** Globs of files or folders never indexed. */
  exclude: string[];
  /** Files larger than this are only sniffed, not parsed whole (bytes). */
  maxEagerBytes: number;
  predictionBackend: PredictionBackendSetting;
  severity: SeverityOverrides;
  /** Codes of invalid severity entries (reported once in the log). */
  invalidSeverity: string[];
  scriptLint: boolean;
  /** Lint closed .py files of the workspace too (else only open editors). */
  scriptLintWorkspace: boolean;
}

/**
 * The defaults of `modelBundles.include` (kept equal to package.json and to the extensions the index
 * opens, src/core/bundleIndex.ts; `*shard*` catches tfjs shards written without an extension).
 */
export const DEFAULT_INCLUDE = [
  '**/*.{h5,hdf5,he5,keras,joblib,jbl,pkl,pickle,pck,pcl,p,sav,gz,z,bz2,xz,lzma,lz4,npy,npz}',
  '**/*.{json,csv,tsv,log,bin,weights,png,jpg,jpeg}',
  '**/*.{pt,pth,onnx,tflite,safetensors,ckpt}',
  '**/saved_model.pb',
  '**/events.out.tfevents.*',
  '**/*shard*',
];

const strings = (v: unknown, fallback: string[]): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : fallback;

/** Reads the settings now. */
export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('modelBundles');
  const mb = c.get<number>('maxEagerFileSizeMB', 256);
  const backend = c.get<string>('predictionBackend', 'auto');
  const sev = parseSeverityOverrides(c.get<unknown>('diagnostics.severity', {}));
  return {
    include: strings(c.get('include'), DEFAULT_INCLUDE),
    exclude: strings(c.get('exclude'), []),
    maxEagerBytes: Math.max(0, Number.isFinite(mb) ? mb : 256) * 1024 * 1024,
    predictionBackend: (['auto', 'wasm', 'cpu', 'node'] as const).find((b) => b === backend) ?? 'auto',
    severity: sev.overrides,
    invalidSeverity: sev.invalid,
    scriptLint: c.get<boolean>('scriptLint.enabled', true),
    scriptLintWorkspace: c.get<string>('scriptLint.scope', 'workspace') !== 'openFiles',
  };
}

/** Settings whose change needs a new index (a full re-scan). */
export const INDEX_SETTINGS = ['modelBundles.include', 'modelBundles.exclude', 'modelBundles.maxEagerFileSizeMB'];
