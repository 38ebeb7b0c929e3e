// The "Recover scaler from training data" form of the bundle view: what the host shows (the recipe
// read from the script, blanks, the recovered parameters, the proof) and what the user answers.

/** The user's answers (empty string: as the script says). */
export interface RecoverAnswers {
  script: string;
  data: string;
  random_state: string;
  test_size: string;
  scaler: string;
  loss: string;
}

export const RECOVER_ANSWER_KEYS = ['script', 'data', 'random_state', 'test_size', 'scaler', 'loss'] as const;

/** The form's state, sent by the host. */
export interface RecoverView {
  running: boolean;
  /** The prefilled answers (what the script says, or what the user typed). */
  answers: RecoverAnswers;
  /** Label / value lines of the recipe read from the script. */
  recipe: { label: string; value: string }[];
  blanks: { field: string; reason: string }[];
  notes: string[];
  /** Recovered scalers: title and one line per fitted attribute. */
  scalers: { title: string; lines: string[] }[];
  proof: { status: 'proven' | 'close' | 'failed' | 'missing'; message: string; check: string[] } | null;
  error: string | null;
  /** Files a save would write (paths). */
  files: string[];
  /** Whether Save is offered (something recovered and the proof did not fail). */
  canSave: boolean;
  /** Paths written by the last save. */
  saved: string[];
}

/** Longest answer accepted from the webview. */
export const MAX_ANSWER_LENGTH = 4096;

/** Checks answers sent by the webview; returns the error or null. */
export function recoverAnswersError(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'answers is not an object';
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(RECOVER_ANSWER_KEYS as readonly string[]).includes(k)) return `answers: unexpected field '${k}'`;
  for (const k of RECOVER_ANSWER_KEYS) {
    const x = o[k];
    if (typeof x !== 'string') return `answers.${k} must be a string`;
    if (x.length > MAX_ANSWER_LENGTH) return `answers.${k} is too long`;
  }
  if (o.random_state !== '' && !/^\d+$/.test((o.random_state as string).trim())) return 'answers.random_state must be a non-negative integer';
  if (o.test_size !== '' && !/^(\d+|\d*\.\d+)$/.test((o.test_size as string).trim())) return 'answers.test_size must be a number';
  if (o.scaler !== '' && !/^(MinMaxScaler|StandardScaler|RobustScaler|MaxAbsScaler)$/.test(o.scaler as string))
    return 'answers.scaler is not a recoverable scaler class';
  return null;
}
