// The input contract section of the overview: feature lines, outputs, notes, and one Copy button per
// document (the host puts the text on the clipboard).
import type { ContractDocumentId, ContractView } from '../src/shared/viewModels';
import { el } from './dom';

/** Renders the contract section; `copy` asks the host to copy a document. */
export function renderContract(v: ContractView, copy: (id: ContractDocumentId) => void): HTMLElement {
  const section = el(
    'section',
    { class: 'contract', attrs: { 'aria-labelledby': 'contract-title' } },
    el('h2', { text: 'Input contract', attrs: { id: 'contract-title' } }),
  );
  if (!v.available) {
    section.appendChild(el('p', { class: 'note', text: `No input contract: ${v.reason ?? 'unknown reason'}.` }));
    return section;
  }
  section.appendChild(el('p', { text: 'One request row is a JSON object with these fields, all required (a request is an array of rows):' }));
  section.appendChild(el('ul', { class: 'contract-features', attrs: { 'aria-label': 'Input features' } }, ...v.features.map((f) => el('li', { text: f }))));
  section.appendChild(el('p', { text: `Outputs: ${v.outputs.length ? v.outputs.join(', ') : 'unknown'}.` }));
  for (const n of v.notes) section.appendChild(el('p', { class: 'note', text: n }));
  section.appendChild(
    el(
      'div',
      { class: 'contract-actions' },
      ...v.documents.map((d) =>
        el('vscode-button', { text: `Copy ${d.label}`, attrs: { 'data-document': d.id, secondary: d.id !== 'openapi' }, on: { click: () => copy(d.id) } }),
      ),
    ),
  );
  const openapi = v.documents.find((d) => d.id === 'openapi');
  if (openapi) {
    section.appendChild(el('details', {}, el('summary', { text: 'OpenAPI document' }), el('pre', { class: 'contract-json', text: openapi.text })));
  }
  return section;
}
