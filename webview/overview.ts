// Overview tab: the four roles with status, findings with fixes, files with sizes and dates, versions.
import type { OverviewView, RoleStatus } from '../src/shared/viewModels';
import { el, rowNavigation } from './dom';

const STATUS_TEXT: Record<RoleStatus, string> = {
  present: 'present',
  'covered-by-model': 'in the model file',
  missing: 'missing',
  error: 'unreadable',
};

const ROLE_TEXT: Record<string, string> = {
  scaler: 'Scaler (preprocessing)',
  structure: 'Structure',
  weights: 'Weights',
  log: 'Training log',
};

/** Renders the overview; `openFile` asks the host to open one of the bundle's files. */
export function renderOverview(v: OverviewView, focusPath: string | null, openFile: (path: string) => void): HTMLElement {
  const roles = el(
    'ul',
    { class: 'roles', attrs: { 'aria-label': 'Bundle parts' } },
    ...v.roles.map((r) =>
      el(
        'li',
        { class: `role status-${r.status}` },
        el('span', { class: 'role-mark', attrs: { 'aria-hidden': 'true' }, text: r.status === 'present' || r.status === 'covered-by-model' ? '✓' : r.status === 'missing' ? '✗' : '!' }),
        el('span', { class: 'role-name', text: ROLE_TEXT[r.role] ?? r.role }),
        el('span', { class: 'role-status', text: STATUS_TEXT[r.status] }),
        el('span', { class: 'role-files', text: r.files.map((p) => p.split('/').pop()).join(', ') }),
      ),
    ),
  );
  const findings = v.findings.length
    ? el(
        'ul',
        { class: 'findings', attrs: { 'aria-label': 'Findings' } },
        ...v.findings.map((f) =>
          el(
            'li',
            { class: `finding severity-${f.severity}` },
            el('div', { class: 'finding-head' }, el('span', { class: 'severity', text: f.severity }), ' ', el('code', { text: f.code }), ' ', el('span', { text: f.message })),
            f.path ? el('div', { class: 'finding-path', text: f.path }) : null,
            f.fix ? el('div', { class: 'finding-fix' }, el('strong', { text: 'Fix: ' }), f.fix) : null,
          ),
        ),
      )
    : el('p', { class: 'ok', text: 'No findings: the bundle is consistent.' });
  const table = el(
    'table',
    { class: 'files grid', attrs: { 'aria-label': 'Files of the bundle' } },
    el('thead', {}, el('tr', {}, ...['File', 'Role', 'Format', 'Size', 'Modified', 'Problem'].map((h) => el('th', { text: h, attrs: { scope: 'col' } })))),
    el(
      'tbody',
      {},
      ...v.files.map((f) => {
        const row = el(
          'tr',
          { attrs: { 'data-row': f.path, tabindex: -1, 'aria-selected': f.path === focusPath ? 'true' : null }, class: f.path === focusPath ? 'focused' : '' },
          el('td', {}, el('a', { text: f.name, attrs: { href: '#', title: f.path, tabindex: -1 }, on: { click: (e) => (e.preventDefault(), openFile(f.path)) } })),
          el('td', { text: f.role }),
          el('td', { text: f.format, attrs: { title: f.note } }),
          el('td', { class: 'num', text: f.sizeText, attrs: { title: f.size === null ? null : `${f.size} bytes` } }),
          el('td', { text: f.mtimeMs === null ? '' : new Date(f.mtimeMs).toLocaleString() }),
          el('td', { class: 'error', text: f.error ?? '' }),
        );
        return row;
      }),
    ),
  );
  rowNavigation(table, (row, ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      const path = row.getAttribute('data-row');
      if (path) openFile(path);
    }
  });
  const versions = el(
    'dl',
    { class: 'versions' },
    el('dt', { text: 'Keras' }),
    el('dd', { text: v.versions.keras.join(', ') || 'not recorded' }),
    el('dt', { text: 'scikit-learn' }),
    el('dd', { text: v.versions.sklearn.join(', ') || 'not recorded' }),
    el('dt', { text: 'TensorFlow.js' }),
    el('dd', { text: v.versions.tfjs.join(', ') || 'none' }),
  );
  return el(
    'div',
    { class: 'overview' },
    el('p', { class: v.complete ? 'complete' : 'incomplete', text: v.complete ? 'Complete bundle' : 'Incomplete bundle' }, ' ', el('span', { class: 'root', text: v.root })),
    roles,
    el('h2', { text: `Findings (${v.findings.length})` }),
    findings,
    el('h2', { text: 'Files' }),
    table,
    el('h2', { text: 'Versions' }),
    versions,
  );
}
