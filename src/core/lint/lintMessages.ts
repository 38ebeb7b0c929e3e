// The English templates of the training-script lint's messages (part of the one finding-message
// table, core/bundles/findingMessages.ts, that the editor translates). Placeholders: `{0}`, `{1}`...
// in the order the lint passes the arguments.

/** Message templates of `unsaved-scaler`, by variant. */
export const SCRIPT_LINT_MESSAGES = {
  /** {0} variable, {1} class, {2} the joblib.dump call of the fix. */
  'unsaved-scaler.named':
    'The scaler `{0}` ({1}) is fitted here but never saved, while this script saves the model: without it the model cannot be used on raw inputs (and re-fitting it later gives different numbers). Save it next to the model, e.g. `{2}`.',
  /** As `named`, for a variable whose name says it scales the targets. */
  'unsaved-scaler.named-target':
    'The target scaler `{0}` ({1}) is fitted here but never saved, while this script saves the model: without it the model cannot be used on raw inputs (and re-fitting it later gives different numbers). Save it next to the model, e.g. `{2}`.',
  /** {0} class. */
  'unsaved-scaler.unnamed':
    'A {0} is fitted here and thrown away (it is never bound to a name), while this script saves the model: the scaling cannot be reproduced at prediction time. Keep it in a variable (`scaler = {0}()`, `X = scaler.fit_transform(X)`) and save it with `joblib.dump(scaler, "scaler.joblib")`.',
  /** Quick-fix title; {0} variable. */
  'unsaved-scaler.fix-title': 'Save {0} with joblib.dump after the model is saved',
  /** A closed notebook's finding: the message above, then {3} cell number, {4} line number. */
  'unsaved-scaler.named.notebook':
    'The scaler `{0}` ({1}) is fitted here but never saved, while this script saves the model: without it the model cannot be used on raw inputs (and re-fitting it later gives different numbers). Save it next to the model, e.g. `{2}`. (In cell {3}, line {4} of this notebook: open it in the notebook editor to apply the quick fix.)',
  'unsaved-scaler.named-target.notebook':
    'The target scaler `{0}` ({1}) is fitted here but never saved, while this script saves the model: without it the model cannot be used on raw inputs (and re-fitting it later gives different numbers). Save it next to the model, e.g. `{2}`. (In cell {3}, line {4} of this notebook: open it in the notebook editor to apply the quick fix.)',
  /** {0} class, {1} cell number, {2} line number. */
  'unsaved-scaler.unnamed.notebook':
    'A {0} is fitted here and thrown away (it is never bound to a name), while this script saves the model: the scaling cannot be reproduced at prediction time. Keep it in a variable (`scaler = {0}()`, `X = scaler.fit_transform(X)`) and save it with `joblib.dump(scaler, "scaler.joblib")`. (In cell {1}, line {2} of this notebook: open it in the notebook editor to edit the cell.)',
} as const;

/** A message variant of the script lint. */
export type ScriptLintMessageId = keyof typeof SCRIPT_LINT_MESSAGES;
