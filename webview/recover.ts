// "Recover scaler" tab: the recipe the host read from the training script (prefilled answers the
// user can correct), the recovered parameters and the proof; Run asks the host to recompute, Save
// asks it to write (the host confirms first). The webview only sends the answers' text.
import type { RecoverAnswers, RecoverView } from '../src/shared/recoverView';
import { clear, el } from './dom';
import * as l10n from '@vscode/l10n';
import './l10n'; // loads the host's bundle before this module builds its strings

const FIELDS: { key: keyof RecoverAnswers; label: string; hint: string }[] = [
  { key: 'script', label: l10n.t('Training script'), hint: l10n.t('path of the .py / .ipynb (empty: found in the bundle folder)') },
  { key: 'data', label: l10n.t('Data file'), hint: l10n.t('path of the CSV the script reads (empty: as the script says)') },
  { key: 'random_state', label: 'random_state', hint: l10n.t('the seed of train_test_split (empty: as the script says)') },
  { key: 'test_size', label: 'test_size', hint: l10n.t('0.2 (fraction) or 50 (rows); empty: as the script says') },
  { key: 'scaler', label: l10n.t('Scaler class'), hint: l10n.t('MinMaxScaler, StandardScaler, RobustScaler or MaxAbsScaler') },
  { key: 'loss', label: l10n.t('Loss'), hint: l10n.t('mse, mae, binary_crossentropy, categorical_crossentropy') },
];

/** Renders the tab; `run` sends the answers, `save` asks the host to write. */
export function renderRecover(container: HTMLElement, view: RecoverView | null, run: (a: RecoverAnswers) => void, save: () => void): void {
  clear(container);
  if (!view) {
    container.appendChild(
      el('p', {
        class: 'empty',
        text: l10n.t('Use "Recover scaler from training data…" on a missing-scaler problem (or the command palette) to rebuild a lost scaler here.'),
      }),
    );
    return;
  }
  const answers: RecoverAnswers = { ...view.answers };
  const form = el('form', { class: 'recover-form', attrs: { 'aria-label': l10n.t('Recipe answers') } });
  for (const f of FIELDS) {
    const id = `recover-${f.key}`;
    const input = el('input', { attrs: { id, type: 'text', value: answers[f.key], placeholder: f.hint, 'aria-describedby': `${id}-hint` } });
    input.addEventListener('input', () => (answers[f.key] = input.value));
    form.appendChild(
      el(
        'div',
        { class: 'recover-field' },
        el('label', { text: f.label, attrs: { for: id } }),
        input,
        el('small', { text: f.hint, attrs: { id: `${id}-hint` } }),
      ),
    );
  }
  const runButton = el('vscode-button', { text: view.running ? l10n.t('Recovering…') : l10n.t('Recompute'), attrs: { disabled: view.running } });
  runButton.addEventListener('click', () => run(answers));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run(answers);
  });
  container.appendChild(el('h2', { text: l10n.t('Recover scaler from training data') }));
  container.appendChild(
    el('p', { text: l10n.t('The script is read, never run. The split and the fit are reproduced on the data file and checked against the training log.') }),
  );
  container.appendChild(form);
  container.appendChild(el('div', { class: 'recover-actions' }, runButton));
  if (view.recipe.length) {
    const t = el('table', { class: 'data', attrs: { 'aria-label': l10n.t('Recipe') } });
    for (const r of view.recipe) t.appendChild(el('tr', {}, el('th', { text: r.label }), el('td', { text: r.value })));
    container.appendChild(el('h3', { text: l10n.t('Recipe (from the script)') }));
    container.appendChild(t);
  }
  if (view.blanks.length) {
    container.appendChild(el('h3', { text: l10n.t('Blanks to fill') }));
    const ul = el('ul', { class: 'recover-blanks' });
    for (const b of view.blanks) ul.appendChild(el('li', { text: `${b.field}: ${b.reason}` }));
    container.appendChild(ul);
  }
  for (const n of view.notes) container.appendChild(el('p', { class: 'recover-note', text: l10n.t('Note: {0}', n) }));
  if (view.error) container.appendChild(el('p', { class: 'recover-error', attrs: { role: 'alert' }, text: l10n.t('Cannot recover: {0}', view.error) }));
  for (const s of view.scalers) {
    container.appendChild(el('h3', { text: s.title }));
    const pre = el('pre', { class: 'recover-params', text: s.lines.join('\n') });
    container.appendChild(pre);
  }
  if (view.proof) {
    const label = { proven: l10n.t('Proven'), close: l10n.t('Not proven'), failed: l10n.t('Proof failed'), missing: l10n.t('No proof') }[view.proof.status];
    container.appendChild(el('h3', { text: l10n.t('Proof: {0}', label) }));
    container.appendChild(
      el('p', { class: `recover-proof recover-${view.proof.status}`, attrs: { 'data-proof': view.proof.status }, text: view.proof.message }),
    );
    if (view.proof.check.length) {
      const ul = el('ul', {});
      for (const c of view.proof.check) ul.appendChild(el('li', { text: `check ${c}` }));
      container.appendChild(ul);
    }
  }
  if (view.files.length) {
    container.appendChild(el('h3', { text: view.saved.length ? l10n.t('Written') : l10n.t('Save writes') }));
    const ul = el('ul', {});
    for (const f of view.saved.length ? view.saved : view.files) ul.appendChild(el('li', { text: f }));
    container.appendChild(ul);
    if (!view.saved.length) {
      const b = el('vscode-button', { text: l10n.t('Save…'), attrs: { disabled: !view.canSave || view.running } });
      b.addEventListener('click', () => save());
      container.appendChild(el('div', { class: 'recover-actions' }, b));
      if (!view.canSave)
        container.appendChild(el('p', { text: l10n.t('Save is off: the proof did not confirm the recipe. Correct the answers and recompute.') }));
    }
  }
}
