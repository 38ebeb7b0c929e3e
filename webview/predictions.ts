// Predictions tab: a form generated from the bundle's input schema (feature names, training ranges
// as hints, a warning outside them), a box for a pasted CSV/JSON batch, and the results table with
// the backend and the time it took. The host runs the prediction; the webview only sends text.
import type { PredictionSchema, PredictionView } from '../src/shared/viewModels';
import { clear, el, formatNum } from './dom';

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
  const head = el('tr', {}, el('th', { text: 'row' }), ...Array.from({ length: width }, (_, j) => el('th', { class: 'num', text: width === 1 ? 'output' : `output[${j}]` })));
  const body = el('tbody');
  r.outputs.forEach((row, i) =>
    body.appendChild(el('tr', { attrs: { 'data-row': `prediction-${i}` } }, el('td', { text: String(i) }), ...row.map((v) => el('td', { class: 'num', text: formatNum(v) })))),
  );
  const pre = r.preprocessing;
  const banners: HTMLElement[] = [];
  if (pre && (pre.skipped.input || pre.skipped.target)) {
    const text = pre.notes.length ? pre.notes.join(' ') : 'Run without preprocessing: the network got the values as typed; if it was trained on scaled inputs these outputs are wrong.';
    banners.push(el('p', { class: 'prediction-banner warning', attrs: { role: 'alert' }, text: `Warning: ${text}` }));
  }
  const ran = pre ? [pre.input ? `input: ${pre.input.path} (${pre.input.steps.join(' → ')})` : null, pre.target ? `outputs mapped back by ${pre.target.path} (${pre.target.steps.join(' → ')})` : null].filter((x): x is string => x !== null) : [];
  const steps = ran.length ? el('p', { class: 'prediction-steps', text: `Preprocessing that ran: ${ran.join('; ')}` }) : el('p', { class: 'prediction-steps', text: 'No preprocessing ran.' });
  const units = r.unscaledOutput ? `outputs in target units (inverse of ${schema.targetScaler ?? 'the target scaler'})` : 'outputs as the network gives them (no target scaler)';
  const inputs = r.scaledInput ? `inputs scaled by ${schema.scaler ?? 'the input scaler'}` : 'raw inputs (no input scaler applied)';
  const meta = el('p', { class: 'prediction-meta', text: `${r.rows} row${r.rows === 1 ? '' : 's'} · backend ${r.backend} · ${r.inferenceMs.toFixed(1)} ms · ${inputs} · ${units}` });
  const out = el('div', { class: 'prediction-results' }, ...banners, meta, steps, el('table', { class: 'data', attrs: { 'aria-label': 'Predictions' } }, el('thead', {}, head), body));
  if (r.warnings.length) {
    const list = el('ul', { class: 'prediction-warnings' });
    for (const w of r.warnings) list.appendChild(el('li', { text: `row ${w.row}, ${w.feature}: ${w.message}` }));
    out.appendChild(el('h3', { text: 'Warnings (extrapolation)' }));
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
    container.appendChild(el('p', { class: 'empty', text: 'Loading the input schema…' }));
    return;
  }
  if (!schema.available) {
    container.appendChild(el('p', { class: 'empty', text: schema.reason ?? 'This bundle cannot run predictions.' }));
    return;
  }
  const intro = schema.scaler
    ? `Values in raw units: ${schema.scaler} scales them for the network${schema.targetScaler ? `, ${schema.targetScaler} maps outputs back` : ''}.`
    : schema.preprocessingIssue
      ? "Values in raw units: the bundle's preprocessing must scale them, and it cannot be used as it is (below)."
      : 'This bundle has no input scaler: values go to the network as they are.';
  container.appendChild(el('p', { text: `${schema.model} · ${intro}` }));
  if (schema.preprocessingIssue) {
    container.appendChild(
      el('p', { class: 'error prediction-issue', attrs: { role: 'alert' }, text: `Predictions refuse to run without the bundle's preprocessing: ${schema.preprocessingIssue}` }),
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
      el('label', { attrs: { for: 'skip-preprocessing' }, text: ' Run without preprocessing (the network gets the values as typed; every result is marked)' }),
    ),
  );
  const form = el('form', { class: 'prediction-form', attrs: { 'aria-label': 'One row' } });
  const inputs: HTMLInputElement[] = [];
  for (const f of schema.features) {
    const hint = rangeHint(f.min, f.max);
    const input = el('input', {
      attrs: { type: 'number', step: 'any', name: f.name, id: `feature-${inputs.length}`, placeholder: hint, value: state.values[f.name] ?? '', 'aria-describedby': `hint-${inputs.length}` },
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
  const predictOne = el('vscode-button', { text: 'Predict', attrs: { id: 'predict-one' } });
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
    attrs: { id: 'predict-batch', rows: 6, spellcheck: 'false', placeholder: `${schema.features.map((f) => f.name).join(',')}\n…one row per line (CSV with or without this header, or a JSON array of rows)` },
  });
  batch.value = state.batch;
  batch.addEventListener('input', () => {
    state.batch = batch.value;
    save();
  });
  const predictBatch = el('vscode-button', { text: 'Predict batch', attrs: { id: 'predict-batch-run', secondary: true } });
  predictBatch.addEventListener('click', () => {
    if (batch.value.trim()) run(batch.value);
  });
  container.appendChild(el('h3', { text: 'Batch' }));
  container.appendChild(el('label', { attrs: { for: 'predict-batch' }, text: 'Paste rows' }));
  container.appendChild(batch);
  container.appendChild(predictBatch);

  const result = el('div', { class: 'prediction-outcome', attrs: { 'aria-live': 'polite' } });
  if (outcome.kind === 'running') result.appendChild(el('p', { class: 'empty', text: 'Running…' }));
  if (outcome.kind === 'error') result.appendChild(el('p', { class: 'error', text: outcome.message }));
  if (outcome.kind === 'result') result.appendChild(resultsView(schema, outcome.result));
  container.appendChild(result);
}
