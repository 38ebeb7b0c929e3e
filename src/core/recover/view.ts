// The bundle view's recover form (src/shared/recoverView.ts) built from a recovery result, and the
// answers turned into a request (the host adds the model runner).
import type { RecoverAnswers, RecoverView } from '../../shared/recoverView';
import type { Scaler } from '../types';
import type { RecoverRequest, RecoverResult } from './recover';

function num(v: number): string {
  return String(Number(v.toPrecision(7)));
}

function scalerBlock(title: string, s: Scaler | null): { title: string; lines: string[] }[] {
  if (!s) return [];
  const lines = [`${s.class}, ${s.nFeaturesIn ?? '?'} feature(s)${s.featureNames ? `: ${s.featureNames.join(', ')}` : ''}`];
  for (const [k, v] of Object.entries(s.params)) lines.push(`${k} = ${Array.isArray(v) ? `[${v.map(num).join(', ')}]` : num(v)}`);
  return [{ title, lines }];
}

/** Answers prefilled from a result (what the script says), keeping what the user typed. */
export function prefill(r: RecoverResult | null, typed: RecoverAnswers): RecoverAnswers {
  const rc = r?.recipe;
  const keep = (k: keyof RecoverAnswers, v: string): string => (typed[k] !== '' ? typed[k] : v);
  return {
    script: keep('script', r?.script ?? ''),
    data: keep('data', r?.data ?? ''),
    random_state: keep('random_state', rc?.split?.randomState !== null && rc?.split?.randomState !== undefined ? String(rc.split.randomState) : ''),
    test_size: keep(
      'test_size',
      rc?.split?.testSize
        ? String(rc.split.testSize.value) + (rc.split.testSize.kind === 'fraction' && Number.isInteger(rc.split.testSize.value) ? '.0' : '')
        : '',
    ),
    scaler: keep('scaler', rc?.scaler && /^(MinMax|Standard|Robust|MaxAbs)Scaler$/.test(rc.scaler.class) ? rc.scaler.class : ''),
    loss: keep('loss', rc?.loss ?? ''),
  };
}

/** The form's state for a result. */
export function recoverViewOf(r: RecoverResult | null, answers: RecoverAnswers, running: boolean, saved: string[]): RecoverView {
  const recipe: RecoverView['recipe'] = [];
  const rc = r?.recipe;
  if (r?.script) recipe.push({ label: 'script', value: r.script });
  if (rc?.data)
    recipe.push({
      label: 'data',
      value: `${r?.data ?? rc.data.path ?? '?'} (${rc.data.reader}${rc.data.sep !== null ? `, sep '${rc.data.sep}'` : ''})${r?.rows !== null && r?.rows !== undefined ? `, ${r.rows} rows` : ''}${r?.dataSha256 ? `, sha256 ${r.dataSha256.slice(0, 12)}…` : ''}`,
    });
  if (rc?.split) {
    const s = rc.split;
    recipe.push({
      label: 'split',
      value: `train_test_split(test_size=${s.testSize?.value ?? 'None'}, random_state=${s.randomState ?? 'None'}, shuffle=${s.shuffle ? 'True' : 'False'})${s.nTrain !== undefined ? `: ${s.nTrain} train / ${s.nTest} test` : ''}`,
    });
  }
  if (rc?.scaler)
    recipe.push({
      label: 'scaler',
      value: `${rc.scaler.class} fitted on ${rc.scaler.fittedOn}${rc.scaler.fittedRows !== undefined ? ` (${rc.scaler.fittedRows} rows)` : ''}`,
    });
  if (rc?.targetScaler) recipe.push({ label: 'target scaler', value: `${rc.targetScaler.class} fitted on ${rc.targetScaler.fittedOn}` });
  if (rc) recipe.push({ label: 'validation', value: `${rc.validation ?? 'none'}; loss ${rc.loss ?? 'from the model file'}` });
  const proofBad = r?.proof?.status === 'failed' || r?.proof?.status === 'close';
  return {
    running,
    answers,
    recipe,
    blanks: (r?.blanks ?? []).map((b) => ({ field: b.field, reason: b.reason })),
    notes: r?.notes ?? [],
    scalers: [...scalerBlock('Recovered scaler', r?.scaler ?? null), ...scalerBlock('Recovered target scaler', r?.targetScaler ?? null)],
    proof: r?.proof ? { status: r.proof.status, message: r.proof.message, check: r.proof.check } : null,
    error: r?.error ?? null,
    files: (r?.files ?? []).map((f) => f.path),
    canSave: !!r && r.files.length > 0 && !proofBad && r.exitCode !== 2,
    saved,
  };
}

/**
 * The request for a bundle and the user's answers: empty answers, and answers equal to what the
 * script says (`script`, the prefill of the last result), are not sent as corrections.
 */
export function requestOf(bundle: string, a: RecoverAnswers, script: RecoverAnswers | null = null): Omit<RecoverRequest, 'runModel'> {
  const set: Record<string, string> = {};
  for (const k of ['random_state', 'test_size', 'scaler', 'loss'] as const) {
    const v = a[k].trim();
    if (v && v !== script?.[k]) set[k] = v;
  }
  return { bundle, script: a.script.trim() || undefined, data: a.data.trim() || undefined, set };
}
