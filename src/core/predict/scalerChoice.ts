// Which of a bundle's scalers transforms the model's inputs and which maps its outputs back:
// shared by predictions, the Predictions form and the bundle checks (no TensorFlow.js here).
import { baseName } from '../io/fileSource';
import { canTransform } from './scalerTransform';
import type { SklearnScaler } from '../formats/pickle/sklearn';
import type { FileReport, Scaler } from '../types';

/** File names that say "this scales the targets" (y_scaler, target_scaler, scaler_y...). */
export const TARGET_NAME = /(^|[^a-z])(y|target|label|output)s?([^a-z]|$)|y_?scaler|scaler_?y/i;

/** A scaler chosen for a role, with the file it came from. */
export interface ChosenScaler {
  scaler: Scaler;
  path: string;
}

/**
 * Chooses the bundle's input scaler (a numeric scaler whose `n_features_in_` matches the model's
 * input size, preferring names that do not say "target") and target scaler (named like `y_scaler`,
 * `target_scaler`, its size matching the model's output).
 */
export function chooseScalers(
  reports: FileReport[],
  inputSize: number | null,
  outputSize: number | null,
): { input: ChosenScaler | null; target: ChosenScaler | null } {
  // Every numeric scaler of every file: a file may hold several (a dict of x and y scalers).
  const candidates: { scaler: Scaler; path: string; name: string }[] = [];
  for (const r of reports) {
    if (!r.scaler || r.error) continue;
    const all = [r.scaler, ...((r.scaler as SklearnScaler).others ?? [])] as SklearnScaler[];
    for (const s of all) {
      if (!canTransform(s)) continue;
      const key = all.length > 1 && s.path ? s.path : null;
      candidates.push({ scaler: s, path: key ? `${r.path}[${key}]` : r.path, name: key ? `${baseName(r.path)} ${key}` : baseName(r.path) });
    }
  }
  const fit = candidates.filter((c) => inputSize === null || c.scaler.nFeaturesIn === inputSize);
  const inputPick = fit.find((c) => !TARGET_NAME.test(c.name)) ?? (fit.length === 1 && inputSize !== outputSize ? fit[0] : undefined);
  const targetPick = candidates.find(
    (c) => c !== inputPick && TARGET_NAME.test(c.name) && (outputSize === null || c.scaler.nFeaturesIn === outputSize),
  );
  return {
    input: inputPick ? { scaler: inputPick.scaler, path: inputPick.path } : null,
    target: targetPick ? { scaler: targetPick.scaler, path: targetPick.path } : null,
  };
}

