// What an export is made of, whatever the output format: the bundle's model and weights, the
// preprocessing in front (explicit files, else the bundle's one fitting scaler; never silently none),
// the target scaler behind, and the provenance (files, SHA-256, versions) the exported model records.
import { ReadError } from '../io/errors';
import { baseName, dirName, type FileSource } from '../io/fileSource';
import { modelValues, pickModel, reportsFor, scalerFrom, weightsFileFor } from '../predict/modelSource';
import type { ModelValues } from '../predict/kerasWeightValues';
import { chooseScalers, TARGET_NAME } from '../predict/scalerChoice';
import { canInverse, canTransform } from '../predict/scalerTransform';
import type { SklearnScaler } from '../formats/pickle/sklearn';
import type { FileReport, Scaler } from '../types';

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

/** A scaler and the file (or `file[key]` of a dict file) it came from. */
export interface ChosenFile {
  scaler: Scaler;
  path: string;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
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

/** The bundle's reports, its model and the model's config and weight values. */
export async function openBundle(
  req: ExportRequest,
  source: FileSource,
): Promise<{ reports: FileReport[]; modelReport: FileReport; root: string; values: ModelValues; keras3: boolean }> {
  const { reports, chosen } = await reportsFor(req.target, source);
  const modelReport = pickModel(reports, chosen, req.target);
  const st = await source.stat(req.target);
  const root = st?.isDirectory ? req.target : dirName(req.target);
  const values = await modelValues(modelReport, reports, source);
  const keras3 = JSON.stringify(values.config).includes('"registered_name"') || /^3\./.test(modelReport.model?.kerasVersion ?? '');
  return { reports, modelReport, root, values, keras3 };
}

/**
 * The preprocessing in front and the target scaler behind. Throws `missing-scaler`,
 * `ambiguous-scaler`, `unreadable-scaler` or `scaler-input-mismatch` rather than guess.
 */
export async function choosePreprocessing(
  req: ExportRequest,
  source: FileSource,
  reports: FileReport[],
  netInputs: { shape: (number | null)[] }[],
  nOutputs: number,
  outputSize: number | null,
): Promise<{ scalers: ChosenFile[]; target: ChosenFile | null }> {
  const inputSize = netInputs.length === 1 && netInputs[0].shape.length === 2 ? netInputs[0].shape[1] : null;
  // Preprocessing: explicit files, else the one scaler of the bundle that fits; never silently none.
  let scalers: ChosenFile[] = [];
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

  let target: ChosenFile | null = null;
  if (!req.noTargetScaler) {
    if (req.targetScaler) target = { scaler: await scalerFrom(req.targetScaler, source), path: req.targetScaler };
    else {
      const auto = chooseScalers(reports, inputSize, outputSize).target;
      if (auto && !scalers.some((s) => s.path === auto.path)) target = auto;
    }
    if (target && !canInverse(target.scaler)) {
      throw new ReadError('unsupported-transform', `${target.path}: ${target.scaler.class} has no inverse_transform`);
    }
    if (target && nOutputs !== 1) throw new ReadError('scaler-output-mismatch', `${target.path}: the model has ${nOutputs} outputs`);
  }

  return { scalers, target };
}

/** The files the model is built from (with SHA-256) and the metadata an export records. */
export async function provenance(
  req: ExportRequest,
  source: FileSource,
  parts: { root: string; modelReport: FileReport; reports: FileReport[]; scalers: ChosenFile[]; target: ChosenFile | null },
): Promise<{ files: ExportSourceFile[]; metadata: Record<string, string>; featureNames: string[] | null }> {
  const { root, modelReport, reports, scalers, target } = parts;
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
      req.noScaler
        ? { applied: false, reason: 'exported with --no-scaler: inputs must be preprocessed by the caller' }
        : { applied: true, steps: scalers.map((s) => ({ file: relativeTo(root, s.path), class: s.scaler.class })) },
    ),
    'model_bundles.postprocessing': JSON.stringify(
      target
        ? { applied: true, file: relativeTo(root, target.path), class: target.scaler.class, op: 'inverse_transform' }
        : { applied: false, reason: req.noTargetScaler ? 'exported with --no-target-scaler' : 'the bundle has no target scaler' },
    ),
    'model_bundles.source_format': modelReport.format,
  };
  if (featureNames) metadata['model_bundles.feature_names'] = JSON.stringify(featureNames);
  if (modelReport.model?.kerasVersion) metadata.keras_version = modelReport.model.kerasVersion;
  if (modelReport.model?.backend) metadata.keras_backend = modelReport.model.backend;
  if (modelReport.model?.convertedBy) metadata.tfjs_converted_by = modelReport.model.convertedBy;
  if (sk) metadata.sklearn_version = sk;

  return { files, metadata, featureNames };
}
