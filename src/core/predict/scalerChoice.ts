// Which of a bundle's scalers transforms the model's inputs and which maps its outputs back:
// shared by predictions, the Predictions form and the bundle checks (no TensorFlow.js here).
// planPreprocessing never guesses silently: a preprocessing file that exists but cannot be read or
// applied, or a choice between several candidates, is a blocking issue that names the file, the
// step and the reason; predictions refuse until the user chooses (--scaler / --no-scaler).
import { baseName } from '../io/fileSource';
import { untransformable, uninvertible } from './scalerTransform';
import type { SklearnScaler } from '../formats/pickle/sklearn';
import type { FileReport, Scaler } from '../types';

/** File names that say "this scales the targets" (y_scaler, target_scaler, scaler_y...). */
export const TARGET_NAME = /(^|[^a-z])(y|target|label|output)s?([^a-z]|$)|y_?scaler|scaler_?y/i;

/** Classes that encode class labels (outputs of a classifier), never input features. */
const LABEL_CLASSES = new Set(['LabelEncoder', 'LabelBinarizer', 'MultiLabelBinarizer']);
/** Encoders named like targets (`label_encoder.pkl` = a OneHotEncoder of y) encode classes: not a target scaler. */
const ENCODER_CLASSES = new Set(['OneHotEncoder', 'OrdinalEncoder']);

/** A scaler chosen for a role, with the file it came from. */
export interface ChosenScaler {
  scaler: Scaler;
  path: string;
}

/** Why predictions cannot use the bundle's preprocessing as it is. */
export interface PreprocessingIssue {
  side: 'input' | 'target';
  /** `preprocessing-unusable` (exists, cannot be read / applied), `scaler-ambiguous` (several candidates), `scaler-input-mismatch`. */
  code: 'preprocessing-unusable' | 'scaler-ambiguous' | 'scaler-input-mismatch';
  /** The file (or `file[key]`) the issue is about. */
  path: string;
  /** One sentence naming the file, the step and the reason, and what to do. */
  message: string;
  /** The file, step and reason only (without the advice). */
  detail: string;
  /** For `scaler-ambiguous`: every candidate. */
  candidates?: string[];
}

/** What predictions will use. An issue on a side means predictions refuse unless that side is skipped. */
export interface PreprocessingPlan {
  input: ChosenScaler | null;
  target: ChosenScaler | null;
  inputIssue: PreprocessingIssue | null;
  targetIssue: PreprocessingIssue | null;
}

/** One preprocessing object (or unreadable preprocessing file) of the bundle. */
interface Candidate {
  path: string;
  /** Name used for target-name matching: the file name, plus the dict key when the file holds several. */
  name: string;
  scaler: Scaler | null;
  side: 'input' | 'target';
  /** Why it cannot be used at all (read error, untransformable step), or null. */
  problem: string | null;
}

function candidatesOf(reports: FileReport[]): Candidate[] {
  const out: Candidate[] = [];
  for (const r of reports) {
    if (r.role !== 'scaler' && !r.scaler) continue;
    const side = TARGET_NAME.test(baseName(r.path)) ? 'target' : 'input';
    if (r.error || !r.scaler) {
      const why = r.error?.message ?? `${r.path}: holds no scikit-learn preprocessing object`;
      out.push({
        path: r.path,
        name: baseName(r.path),
        scaler: null,
        side,
        problem: why.startsWith(r.path) ? why.slice(r.path.length).replace(/^:\s*/, '') : why,
      });
      continue;
    }
    const all = [r.scaler, ...((r.scaler as SklearnScaler).others ?? [])] as SklearnScaler[];
    for (const s of all) {
      if (LABEL_CLASSES.has(s.class)) continue;
      const key = all.length > 1 && s.path ? s.path : null;
      const name = key ? `${baseName(r.path)} ${key}` : baseName(r.path);
      const side = TARGET_NAME.test(name) ? 'target' : 'input';
      if (side === 'target' && ENCODER_CLASSES.has(s.class)) continue;
      out.push({ path: key ? `${r.path}[${key}]` : r.path, name, scaler: s, side, problem: null });
    }
  }
  return out;
}

function gapText(c: Candidate, side: 'input' | 'target'): string | null {
  if (c.problem) return c.problem;
  const gap = side === 'input' ? untransformable(c.scaler!) : uninvertible(c.scaler!);
  return gap ? `${gap.step}: ${gap.reason}` : null;
}

function said(detail: string, advice: string): { detail: string; message: string } {
  return { detail, message: `${detail}. ${advice}` };
}

function widthOf(c: Candidate): number | null {
  return c.scaler?.nFeaturesIn ?? null;
}

/**
 * Plans the preprocessing of predictions for a bundle's files and the model's input / output
 * sizes (null when unknown). Never guesses: an unusable preprocessing file, several candidates, or
 * a scaler of the wrong width is an issue instead of a choice.
 */
export function planPreprocessing(reports: FileReport[], inputSize: number | null, outputSize: number | null): PreprocessingPlan {
  const all = candidatesOf(reports);
  const plan: PreprocessingPlan = { input: null, target: null, inputIssue: null, targetIssue: null };

  // Input side.
  const inputSide = all.filter((c) => c.side === 'input');
  const fits = (c: Candidate, n: number | null): boolean => n === null || widthOf(c) === null || widthOf(c) === n;
  let usable = inputSide.filter((c) => gapText(c, 'input') === null && fits(c, inputSize));
  const broken = inputSide.filter((c) => gapText(c, 'input') !== null);
  const mismatched = inputSide.filter((c) => gapText(c, 'input') === null && !fits(c, inputSize));
  if (!usable.length && !broken.length && inputSize !== outputSize) {
    // A single scaler named like a target whose width is the input's (and not the output's) scales inputs.
    const t = all.filter((c) => c.side === 'target' && gapText(c, 'input') === null && inputSize !== null && widthOf(c) === inputSize);
    if (t.length === 1) usable = t;
  }
  if (broken.length) {
    const b = broken[0];
    const more =
      broken.length > 1
        ? ` (also unusable: ${broken
            .slice(1)
            .map((x) => x.path)
            .join(', ')})`
        : '';
    plan.inputIssue = {
      side: 'input',
      code: 'preprocessing-unusable',
      path: b.path,
      ...said(
        `${b.path}: the bundle's input preprocessing cannot be used: ${gapText(b, 'input')}${more}`,
        'Predictions on raw inputs would be wrong: re-save the preprocessing with a supported scikit-learn object, choose another file with --scaler FILE, or run without preprocessing (--no-scaler) knowingly.',
      ),
    };
  } else if (usable.length > 1) {
    plan.inputIssue = {
      side: 'input',
      code: 'scaler-ambiguous',
      path: usable[0].path,
      candidates: usable.map((c) => c.path),
      ...said(
        `several preprocessing objects could scale the model's inputs: ${usable.map((c) => `${c.path} (${c.scaler!.class})`).join(', ')}`,
        'Choosing one would be a guess: name it with --scaler FILE, or apply several in order with --scaler A --scaler B (an imputer, then a scaler).',
      ),
    };
  } else if (usable.length === 1) {
    plan.input = { scaler: usable[0].scaler!, path: usable[0].path };
  } else if (mismatched.length) {
    const m = mismatched[0];
    plan.inputIssue = {
      side: 'input',
      code: 'scaler-input-mismatch',
      path: m.path,
      ...said(
        `${m.path}: the scaler takes ${widthOf(m)} features but the model takes ${inputSize}: it belongs to another model or feature set`,
        'Choose the right one with --scaler FILE, or run without preprocessing (--no-scaler) knowingly.',
      ),
    };
  }

  // Target side: named like a target (y_scaler), or exactly as wide as the output without a name saying so (a guess).
  const chosen = plan.input?.path ?? null;
  const targetSide = all.filter((c) => c.side === 'target' && c.path !== chosen);
  const tBroken = targetSide.filter((c) => gapText(c, 'target') !== null);
  const tUsable = targetSide.filter((c) => gapText(c, 'target') === null && fits(c, outputSize));
  const tMismatched = targetSide.filter((c) => gapText(c, 'target') === null && !fits(c, outputSize));
  if (tBroken.length) {
    const b = tBroken[0];
    plan.targetIssue = {
      side: 'target',
      code: 'preprocessing-unusable',
      path: b.path,
      ...said(
        `${b.path}: the bundle's target scaler cannot be used: ${gapText(b, 'target')}`,
        "Outputs would stay in scaled units: re-save it with a supported scikit-learn object, choose another with --target-scaler FILE, or keep the network's outputs (--no-target-scaler) knowingly.",
      ),
    };
  } else if (tUsable.length > 1) {
    plan.targetIssue = {
      side: 'target',
      code: 'scaler-ambiguous',
      path: tUsable[0].path,
      candidates: tUsable.map((c) => c.path),
      ...said(
        `several scalers could map the model's outputs back: ${tUsable.map((c) => `${c.path} (${c.scaler!.class})`).join(', ')}`,
        'Choosing one would be a guess: name it with --target-scaler FILE.',
      ),
    };
  } else if (tUsable.length === 1) {
    plan.target = { scaler: tUsable[0].scaler!, path: tUsable[0].path };
  } else if (tMismatched.length) {
    const m = tMismatched[0];
    plan.targetIssue = {
      side: 'target',
      code: 'scaler-input-mismatch',
      path: m.path,
      ...said(
        `${m.path}: named as the target scaler, but it was fitted on ${widthOf(m)} feature(s) and the model gives ${outputSize} output(s)`,
        "Choose the right one with --target-scaler FILE, or keep the network's outputs (--no-target-scaler) knowingly.",
      ),
    };
  } else if (plan.input && outputSize !== null && outputSize !== inputSize) {
    // No name says "target", but other input-side scalers are exactly as wide as the output.
    const bySize = inputSide.filter(
      (c) => c.path !== chosen && !chosen!.startsWith(`${c.path}[`) && gapText(c, 'target') === null && widthOf(c) === outputSize,
    );
    if (bySize.length) {
      plan.targetIssue = {
        side: 'target',
        code: 'scaler-ambiguous',
        path: bySize[0].path,
        candidates: bySize.map((c) => c.path),
        ...said(
          `${bySize.map((c) => c.path).join(', ')} ${bySize.length > 1 ? 'are' : 'is'} as wide as the model's output (${outputSize}) and may scale the targets, but no name says so`,
          "Guessing would be wrong either way: pass --target-scaler FILE to map outputs back, or --no-target-scaler to keep the network's outputs.",
        ),
      };
    }
  }
  return plan;
}

/**
 * Chooses the bundle's input scaler (a numeric scaler whose `n_features_in_` matches the model's
 * input size, preferring names that do not say "target") and target scaler (named like `y_scaler`,
 * `target_scaler`, its size matching the model's output). Only unambiguous choices (planPreprocessing).
 */
export function chooseScalers(
  reports: FileReport[],
  inputSize: number | null,
  outputSize: number | null,
): { input: ChosenScaler | null; target: ChosenScaler | null } {
  const plan = planPreprocessing(reports, inputSize, outputSize);
  return { input: plan.input, target: plan.target };
}
