// Exports a bundle as one self-contained ONNX model: raw features in, target units out. The input
// preprocessing (scikit-learn, float64) runs in front of the network, the target scaler's inverse
// behind it; the network is the bundle's Keras / tfjs model with its stored weights. The files the
// model came from are recorded (path, role, SHA-256) in the model's metadata_props. Docs: docs/export.md.
import { ReadError } from '../io/errors';
import { baseName, dirName, type FileSource } from '../io/fileSource';
import { modelValues, pickModel, reportsFor, scalerFrom, weightsFileFor } from '../predict/modelSource';
import { toTfjsTopology } from '../predict/kerasToTfjs';
import { chooseScalers, TARGET_NAME } from '../predict/scalerChoice';
import { canInverse, canTransform } from '../predict/scalerTransform';
import type { SklearnScaler } from '../formats/pickle/sklearn';
import type { FileReport, Scaler } from '../types';
import { buildNetwork, networkInputs } from './kerasGraph';
import type { Obj } from './kerasCommon';
import { GraphBuilder, type Value } from './onnxGraph';
import { DataType, encodeModel, type OnnxValueInfo } from './onnxModel';
import { scalerForward, scalerInverse } from './scalerOnnx';

export const ONNX_OPSET = 13;
export const ONNX_IR_VERSION = 7;

export interface ExportRequest {
  /** A bundle folder, a model file, or a structure file whose weights lie beside it. */
  target: string;
  /** Explicit input preprocessing files, applied in this order (else chosen from the bundle). */
  scalers?: string[];
  targetScaler?: string;
  /** Export without input preprocessing (recorded in the metadata). */
  noScaler?: boolean;
  noTargetScaler?: boolean;
  /** Tool version for the metadata (the CLI's TOOL_VERSION). */
  toolVersion: string;
}

/** A file the model was built from. */
export interface ExportSourceFile {
  path: string;
  role: 'model' | 'weights' | 'scaler' | 'target-scaler';
  sha256: string;
}

export interface ExportResult {
  /** The encoded ModelProto. */
  onnx: Uint8Array;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  metadata: Record<string, string>;
  files: ExportSourceFile[];
  /** The preprocessing applied in front ([] with noScaler) and the target scaler behind (or null). */
  scalers: { path: string; class: string }[];
  targetScaler: { path: string; class: string } | null;
  /** Feature names of the input, when the preprocessing records them. */
  featureNames: string[] | null;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** `file.joblib[key]` (one object of a dict file) -> `file.joblib`. */
function fileOf(scalerPath: string): string {
  return scalerPath.replace(/\[[^\]]*\]$/, '');
}

function relativeTo(root: string, path: string): string {
  if (!root || root === '.') return path;
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

/** Every numeric scaler of the bundle's files that could take the model's inputs. */
function inputCandidates(reports: FileReport[], inputSize: number | null): { scaler: Scaler; path: string }[] {
  const out: { scaler: Scaler; path: string }[] = [];
  for (const r of reports) {
    if (!r.scaler || r.error) continue;
    const all = [r.scaler, ...((r.scaler as SklearnScaler).others ?? [])] as SklearnScaler[];
    for (const s of all) {
      const key = all.length > 1 && s.path ? s.path : null;
      const name = key ? `${baseName(r.path)} ${key}` : baseName(r.path);
      if (!canTransform(s) || TARGET_NAME.test(name)) continue;
      if (inputSize !== null && s.nFeaturesIn !== inputSize) continue;
      out.push({ scaler: s, path: key ? `${r.path}[${key}]` : r.path });
    }
  }
  return out;
}

function dimsOf(shape: (number | null)[], name: string): (number | string)[] {
  return shape.map((d, i) => (i === 0 ? 'batch' : d === null ? `${name}_dim${i}` : d));
}

/** Identity node whose output carries a graph output name (`base`, or `base_1`... when taken). */
function named(g: GraphBuilder, from: string, base: string): string {
  const name = g.fresh(base);
  g.nodes.push({ opType: 'Identity', inputs: [from], outputs: [name], name: g.fresh(`${name}/Identity`), attrs: [] });
  return name;
}

/** Builds the ONNX model of a bundle. Throws ReadError naming the file or layer that cannot be exported. */
export async function exportOnnx(req: ExportRequest, source: FileSource): Promise<ExportResult> {
  const { reports, chosen } = await reportsFor(req.target, source);
  const modelReport = pickModel(reports, chosen, req.target);
  const st = await source.stat(req.target);
  const root = st?.isDirectory ? req.target : dirName(req.target);
  const values = await modelValues(modelReport, reports, source);
  const topology = toTfjsTopology(values.config) as Obj;
  const keras3 = JSON.stringify(values.config).includes('"registered_name"') || /^3\./.test(modelReport.model?.kerasVersion ?? '');

  const g = new GraphBuilder();
  const netInputs = networkInputs(topology);
  for (const ni of netInputs) g.reserve(ni.name);
  // Network inputs: graph inputs when nothing runs in front, else internal values fed by the preprocessing.
  const feeds: Value[] = netInputs.map((i) => ({ name: g.fresh(`${i.name}/scaled`), shape: i.shape }));
  const outputs = buildNetwork(g, topology, values.layers, feeds, keras3);
  const netNodes = g.nodes.splice(0, g.nodes.length);

  const inputSize = netInputs.length === 1 && netInputs[0].shape.length === 2 ? netInputs[0].shape[1] : null;
  const outputSize = outputs.length === 1 && outputs[0].value.shape.length === 2 ? outputs[0].value.shape[1] : null;

  // Preprocessing: explicit files, else the one scaler of the bundle that fits; never silently none.
  let scalers: { scaler: Scaler; path: string }[] = [];
  if (!req.noScaler) {
    if (req.scalers?.length) {
      for (const p of req.scalers) scalers.push({ scaler: await scalerFrom(p, source), path: p });
    } else {
      const unreadable = reports.filter((r) => r.role === 'scaler' && r.error);
      if (unreadable.length) {
        throw new ReadError(
          'unreadable-scaler',
          `${unreadable[0].path}: ${unreadable[0].error!.message}; the export refuses to guess the preprocessing without it (give --scaler FILE, or --no-scaler to export the bare network)`,
        );
      }
      const found = inputCandidates(reports, inputSize);
      if (found.length > 1) {
        throw new ReadError(
          'ambiguous-scaler',
          `${req.target}: ${found.length} preprocessing objects fit the model's input (${found.map((c) => `${c.path} ${c.scaler.class}`).join(', ')}); which ones run, and in which order, is not recorded: give them with --scaler FILE (repeatable, applied in order)`,
        );
      }
      if (!found.length) {
        throw new ReadError(
          'missing-scaler',
          `${req.target}: no input scaler for this model was found, and a model exported without its preprocessing gives wrong answers on raw inputs; give --scaler FILE, or --no-scaler to export the bare network (recorded in the model's metadata)`,
        );
      }
      scalers = found;
    }
    if (netInputs.length !== 1 || netInputs[0].shape.length !== 2) {
      throw new ReadError(
        'scaler-input-mismatch',
        `${scalers[0].path}: the model's input is ${netInputs.map((i) => `[${i.shape.map((d) => d ?? '?')}]`).join(', ')}, not one row of features; the preprocessing cannot be placed in front (use --no-scaler)`,
      );
    }
  }

  let target: { scaler: Scaler; path: string } | null = null;
  if (!req.noTargetScaler) {
    if (req.targetScaler) target = { scaler: await scalerFrom(req.targetScaler, source), path: req.targetScaler };
    else {
      const auto = chooseScalers(reports, inputSize, outputSize).target;
      if (auto && !scalers.some((s) => s.path === auto.path)) target = auto;
    }
    if (target && !canInverse(target.scaler)) {
      throw new ReadError('unsupported-transform', `${target.path}: ${target.scaler.class} has no inverse_transform`);
    }
    if (target && outputs.length !== 1) throw new ReadError('scaler-output-mismatch', `${target.path}: the model has ${outputs.length} outputs`);
  }

  // Graph inputs, then the preprocessing chain into the network's feeds.
  const inputs: OnnxValueInfo[] = [];
  netInputs.forEach((ni, k) => {
    let shape = ni.shape;
    if (scalers.length) {
      const first = scalers[0].scaler;
      shape = [null, first.nFeaturesIn ?? ni.shape[1]];
      let v: Value = { name: g.op('Cast', [ni.name], 'preprocess/to_double', { to: DataType.DOUBLE }), shape };
      scalers.forEach((s, i) => (v = scalerForward(g, s.scaler, v, `preprocess/${i}_${s.scaler.class}`)));
      if (v.shape[1] !== null && ni.shape[1] !== null && v.shape[1] !== ni.shape[1]) {
        throw new ReadError('scaler-input-mismatch', `${scalers[scalers.length - 1].path}: the preprocessing gives ${v.shape[1]} features but the model takes ${ni.shape[1]}`);
      }
      g.nodes.push({ opType: 'Cast', inputs: [v.name], outputs: [feeds[k].name], name: g.fresh('preprocess/to_float/Cast'), attrs: [{ name: 'to', kind: 'int', value: DataType.FLOAT }] });
    } else {
      g.nodes.push({ opType: 'Identity', inputs: [ni.name], outputs: [feeds[k].name], name: g.fresh(`${ni.name}/Identity`), attrs: [] });
    }
    inputs.push({ name: ni.name, dataType: DataType.FLOAT, shape: dimsOf(shape, ni.name) });
  });
  g.nodes.push(...netNodes);

  const outInfos: OnnxValueInfo[] = [];
  for (const o of outputs) {
    let v = o.value.name;
    let shape = o.value.shape;
    if (target) {
      const d: Value = { name: g.op('Cast', [v], 'postprocess/to_double', { to: DataType.DOUBLE }), shape };
      const inv = scalerInverse(g, target.scaler, d, `postprocess/${target.scaler.class}`);
      v = g.op('Cast', [inv.name], 'postprocess/to_float', { to: DataType.FLOAT });
      shape = [null, inv.shape[1]];
    }
    const name = named(g, v, o.name);
    outInfos.push({ name, dataType: DataType.FLOAT, shape: dimsOf(shape, name) });
  }

  // Provenance: every file the model was built from, with its SHA-256.
  const files: ExportSourceFile[] = [];
  const add = async (path: string, role: ExportSourceFile['role']): Promise<void> => {
    if (files.some((f) => f.path === relativeTo(root, path) && f.role === role)) return;
    files.push({ path: relativeTo(root, path), role, sha256: await sha256Hex(await source.readFile(path)) });
  };
  await add(modelReport.path, 'model');
  if (modelReport.format === 'keras-json') await add(weightsFileFor(modelReport, reports).path, 'weights');
  for (const s of modelReport.shards ?? []) await add(s.path, 'weights');
  for (const s of scalers) await add(fileOf(s.path), 'scaler');
  if (target) await add(fileOf(target.path), 'target-scaler');

  const featureNames = scalers[0]?.scaler.featureNames ?? null;
  const sk = [...scalers, ...(target ? [target] : [])].map((s) => s.scaler.sklearnVersion).find((v) => v);
  const metadata: Record<string, string> = {
    'model_bundles.tool_version': req.toolVersion,
    'model_bundles.files': JSON.stringify(files),
    'model_bundles.preprocessing': JSON.stringify(
      req.noScaler ? { applied: false, reason: 'exported with --no-scaler: inputs must be preprocessed by the caller' } : { applied: true, steps: scalers.map((s) => ({ file: relativeTo(root, s.path), class: s.scaler.class })) },
    ),
    'model_bundles.postprocessing': JSON.stringify(
      target ? { applied: true, file: relativeTo(root, target.path), class: target.scaler.class, op: 'inverse_transform' } : { applied: false, reason: req.noTargetScaler ? 'exported with --no-target-scaler' : 'the bundle has no target scaler' },
    ),
    'model_bundles.source_format': modelReport.format,
  };
  if (featureNames) metadata['model_bundles.feature_names'] = JSON.stringify(featureNames);
  if (modelReport.model?.kerasVersion) metadata.keras_version = modelReport.model.kerasVersion;
  if (modelReport.model?.backend) metadata.keras_backend = modelReport.model.backend;
  if (modelReport.model?.convertedBy) metadata.tfjs_converted_by = modelReport.model.convertedBy;
  if (sk) metadata.sklearn_version = sk;

  const graphName = baseName(root === '.' ? modelReport.path : root) || 'model';
  const onnx = encodeModel({
    irVersion: ONNX_IR_VERSION,
    opset: ONNX_OPSET,
    producerName: 'model-bundles',
    producerVersion: req.toolVersion,
    graphName,
    docString: `Exported by model-bundles ${req.toolVersion} from ${files.map((f) => f.path).join(', ')}: raw features in, outputs in target units.`,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs,
    outputs: outInfos,
    metadata,
  });
  return {
    onnx,
    inputs,
    outputs: outInfos,
    metadata,
    files,
    scalers: scalers.map((s) => ({ path: s.path, class: s.scaler.class })),
    targetScaler: target ? { path: target.path, class: target.scaler.class } : null,
    featureNames,
  };
}
