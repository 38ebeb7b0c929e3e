// The input contract section of the overview: feature lines, outputs, notes, and one Copy button per
// document (the host puts the text on the clipboard).
import type { ContractDocumentId, ContractView } from '../src/shared/viewModels';
import { el } from './dom';
import * as l10n from '@vscode/l10n';
import './l10n'; // loads the host's bundle before this module builds its strings

/** Renders the contract section; `copy` asks the host to copy a document. */
export function renderContract(v: ContractView, copy: (id: ContractDocumentId) => void): HTMLElement {
  const section = el(
    'section',
    { class: 'contract', attrs: { 'aria-labelledby': 'contract-title' } },
    el('h2', { text: l10n.t('Input contract'), attrs: { id: 'contract-title' } }),
  );
  if (!v.available) {
    section.appendChild(el('p', { class: 'note', text: l10n.t('No input contract: {0}.', v.reason ?? l10n.t('unknown reason')) }));
    return section;
  }
  section.appendChild(el('p', { text: l10n.t('One request row is a JSON object with these fields, all required (a request is an array of rows):') }));
  section.appendChild(
    el('ul', { class: 'contract-features', attrs: { 'aria-label': l10n.t('Input features') } }, ...v.features.map((f) => el('li', { text: f }))),
  );
  section.appendChild(el('p', { text: l10n.t('Outputs: {0}.', v.outputs.length ? v.outputs.join(', ') : l10n.t('unknown')) }));
  for (const n of v.notes) section.appendChild(el('p', { class: 'note', text: n }));
  section.appendChild(
    el(
      'div',
      { class: 'contract-actions' },
      ...v.documents.map((d) =>
        el('vscode-button', {
          text: l10n.t('Copy {0}', d.label),
          attrs: { 'data-document': d.id, secondary: d.id !== 'openapi' },
          on: { click: () => copy(d.id) },
        }),
      ),
    ),
  );
  const openapi = v.documents.find((d) => d.id === 'openapi');
  if (openapi) {
    section.appendChild(el('details', {}, el('summary', { text: l10n.t('OpenAPI document') }), el('pre', { class: 'contract-json', text: openapi.text })));
  }
  return section;
}
