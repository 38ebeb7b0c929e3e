// Predictions tab: a form generated from the bundle's input schema (feature names, training ranges
// as hints, a warning outside them), a box for a pasted CSV/JSON batch, and the results table with
// the backend and the time it took. The host runs the prediction; the webview only sends text.
import type { PredictionSchema, PredictionView } from '../src/shared/viewModels';
import { clear, el, formatNum } from './dom';
import * as l10n from '@vscode/l10n';
import './l10n'; // loads the host's bundle before this module builds its strings

/** What the tab keeps across hide/show. */
export interface PredictionsState {
  values: Record<string, string>;
  batch: string;
  /** The explicit "run without preprocessing" switch (off by default, never remembered as on across bundles). */
  skipPreprocessing?: boolean;
}

/** What the tab shows below the form. */
export type PredictionOutcome = { kind: 'none' } | { kind: 'running' } | { kind: 'result'; result: PredictionView } | { kind: 'error'; message: string };

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function rangeHint(min: number | null, max: number | null): string {
  return min !== null && max !== null ? `${formatNum(min)} … ${formatNum(max)}` : '';
}

function resultsView(schema: PredictionSchema, r: PredictionView): HTMLElement {
  const width = r.outputs[0]?.length ?? 0;
  const head = el(
    'tr',
    {},
    el('th', { text: l10n.t('row') }),
    ...Array.from({ length: width }, (_, j) => el('th', { class: 'num', text: width === 1 ? l10n.t('output') : l10n.t('output[{0}]', j) })),
  );
  const body = el('tbody');
  r.outputs.forEach((row, i) =>
    body.appendChild(
      el('tr', { attrs: { 'data-row': `prediction-${i}` } }, el('td', { text: String(i) }), ...row.map((v) => el('td', { class: 'num', text: formatNum(v) }))),
    ),
  );
  const pre = r.preprocessing;
  const banners: HTMLElement[] = [];
  if (pre && (pre.skipped.input || pre.skipped.target)) {
    const text = pre.notes.length
      ? pre.notes.join(' ')
      : l10n.t('Run without preprocessing: the network got the values as typed; if it was trained on scaled inputs these outputs are wrong.');
    banners.push(el('p', { class: 'prediction-banner warning', attrs: { role: 'alert' }, text: l10n.t('Warning: {0}', text) }));
  }
  const ran = pre
    ? [
        pre.input ? l10n.t('input: {0} ({1})', pre.input.path, pre.input.steps.join(' → ')) : null,
        pre.target ? l10n.t('outputs mapped back by {0} ({1})', pre.target.path, pre.target.steps.join(' → ')) : null,
      ].filter((x): x is string => x !== null)
    : [];
  const steps = el('p', {
    class: 'prediction-steps',
    text: ran.length ? l10n.t('Preprocessing that ran: {0}', ran.join('; ')) : l10n.t('No preprocessing ran.'),
  });
  const units = r.unscaledOutput
    ? l10n.t('outputs in target units (inverse of {0})', schema.targetScaler ?? l10n.t('the target scaler'))
    : l10n.t('outputs as the network gives them (no target scaler)');
  const inputs = r.scaledInput ? l10n.t('inputs scaled by {0}', schema.scaler ?? l10n.t('the input scaler')) : l10n.t('raw inputs (no input scaler applied)');
  const rows = r.rows === 1 ? l10n.t('1 row') : l10n.t('{0} rows', r.rows);
  const meta = el('p', {
    class: 'prediction-meta',
    text: l10n.t('{0} · backend {1} · {2} ms · {3} · {4}', rows, r.backend, r.inferenceMs.toFixed(1), inputs, units),
  });
  const out = el(
    'div',
    { class: 'prediction-results' },
    ...banners,
    meta,
    steps,
    el('table', { class: 'data', attrs: { 'aria-label': l10n.t('Predictions') } }, el('thead', {}, head), body),
  );
  for (const n of r.notes ?? []) out.appendChild(el('p', { class: 'note', text: n }));
  if (r.warnings.length) {
    const list = el('ul', { class: 'prediction-warnings' });
    for (const w of r.warnings) list.appendChild(el('li', { text: l10n.t('row {0}, {1}: {2}', w.row, w.feature, w.message) }));
    out.appendChild(el('h3', { text: l10n.t('Warnings (extrapolation)') }));
    out.appendChild(list);
  }
  return out;
}

/** Renders the tab; `run` sends the input text to the host. */
export function renderPredictions(
  container: HTMLElement,
  schema: PredictionSchema | null,
  outcome: PredictionOutcome,
  state: PredictionsState,
  run: (input: string) => void,
  save: () => void,
): void {
  clear(container);
  if (!schema) {
    container.appendChild(el('p', { class: 'empty', text: l10n.t('Loading the input schema…') }));
    return;
  }
  if (!schema.available) {
    container.appendChild(el('p', { class: 'empty', text: schema.reason ?? l10n.t('This bundle cannot run predictions.') }));
    return;
  }
  const intro = schema.scaler
    ? schema.targetScaler
      ? l10n.t('Values in raw units: {0} scales them for the network, {1} maps outputs back.', schema.scaler, schema.targetScaler)
      : l10n.t('Values in raw units: {0} scales them for the network.', schema.scaler)
    : schema.preprocessingIssue
      ? l10n.t("Values in raw units: the bundle's preprocessing must scale them, and it cannot be used as it is (below).")
      : l10n.t('This bundle has no input scaler: values go to the network as they are.');
  container.appendChild(el('p', { text: `${schema.model} · ${intro}` }));
  if (schema.preprocessingIssue) {
    container.appendChild(
      el('p', {
        class: 'error prediction-issue',
        attrs: { role: 'alert' },
        text: l10n.t("Predictions refuse to run without the bundle's preprocessing: {0}", schema.preprocessingIssue),
      }),
    );
  }
  const skip = el('input', { attrs: { type: 'checkbox', id: 'skip-preprocessing' } });
  skip.checked = state.skipPreprocessing === true;
  skip.addEventListener('change', () => {
    state.skipPreprocessing = skip.checked;
    save();
  });
  container.appendChild(
    el(
      'p',
      { class: 'prediction-skip' },
      skip,
      el('label', {
        attrs: { for: 'skip-preprocessing' },
        text: l10n.t(' Run without preprocessing (the network gets the values as typed; every result is marked)'),
      }),
    ),
  );
  const form = el('form', { class: 'prediction-form', attrs: { 'aria-label': l10n.t('One row') } });
  const inputs: HTMLInputElement[] = [];
  for (const f of schema.features) {
    const hint = rangeHint(f.min, f.max);
    const input = el('input', {
      attrs: {
        type: 'number',
        step: 'any',
        name: f.name,
        id: `feature-${inputs.length}`,
        placeholder: hint,
        value: state.values[f.name] ?? '',
        'aria-describedby': `hint-${inputs.length}`,
      },
    });
    const note = el('span', { class: 'hint', attrs: { id: `hint-${inputs.length}` }, text: hint ? `training range ${hint}` : '' });
    const check = (): void => {
      state.values[f.name] = input.value;
      const v = input.valueAsNumber;
      const outside = input.value !== '' && f.min !== null && f.max !== null && (v < f.min || v > f.max);
      input.classList.toggle('outside', outside);
      note.textContent = outside ? `outside the training range ${hint}` : hint ? `training range ${hint}` : '';
      note.classList.toggle('warning', outside);
    };
    input.addEventListener('input', () => {
      check();
      save();
    });
    check();
    inputs.push(input);
    form.appendChild(el('label', { attrs: { for: input.id } }, f.name));
    form.appendChild(input);
    form.appendChild(note);
  }
  const predictOne = el('vscode-button', { text: l10n.t('Predict'), attrs: { id: 'predict-one' } });
  const submit = (): void => {
    const missing = inputs.find((i) => i.value.trim() === '');
    if (missing) {
      missing.focus();
      return;
    }
    const header = schema.features.map((f) => csvCell(f.name)).join(',');
    run(`${header}\n${inputs.map((i) => i.value.trim()).join(',')}\n`);
  };
  predictOne.addEventListener('click', submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.target as HTMLElement).tagName === 'INPUT') {
      ev.preventDefault();
      submit();
    }
  });
  container.appendChild(form);
  container.appendChild(predictOne);

  const batch = el('textarea', {
    attrs: {
      id: 'predict-batch',
      rows: 6,
      spellcheck: 'false',
      placeholder: `${schema.features.map((f) => f.name).join(',')}\n…one row per line (CSV with or without this header, or a JSON array of rows)`,
    },
  });
  batch.value = state.batch;
  batch.addEventListener('input', () => {
    state.batch = batch.value;
    save();
  });
  const predictBatch = el('vscode-button', { text: l10n.t('Predict batch'), attrs: { id: 'predict-batch-run', secondary: true } });
  predictBatch.addEventListener('click', () => {
    if (batch.value.trim()) run(batch.value);
  });
  container.appendChild(el('h3', { text: l10n.t('Batch') }));
  container.appendChild(el('label', { attrs: { for: 'predict-batch' }, text: l10n.t('Paste rows') }));
  container.appendChild(batch);
  container.appendChild(predictBatch);

  const result = el('div', { class: 'prediction-outcome', attrs: { 'aria-live': 'polite' } });
  if (outcome.kind === 'running') result.appendChild(el('p', { class: 'empty', text: l10n.t('Running…') }));
  if (outcome.kind === 'error') result.appendChild(el('p', { class: 'error', text: outcome.message }));
  if (outcome.kind === 'result') result.appendChild(resultsView(schema, outcome.result));
  container.appendChild(result);
}
