// Overview tab: the four roles with status, findings with fixes, files with sizes and dates, versions.
import type { OverviewView, RoleStatus } from '../src/shared/viewModels';
import { el, rowNavigation } from './dom';
import * as l10n from '@vscode/l10n';
import './l10n'; // loads the host's bundle before this module builds its strings

const STATUS_TEXT: Record<RoleStatus, string> = {
  present: l10n.t('present'),
  'covered-by-model': l10n.t('in the model file'),
  missing: l10n.t('missing'),
  error: l10n.t('unreadable'),
};

const ROLE_TEXT: Record<string, string> = {
  scaler: l10n.t('Scaler (preprocessing)'),
  structure: l10n.t('Structure'),
  weights: l10n.t('Weights'),
  log: l10n.t('Training log'),
};

/** Renders the overview; `openFile` asks the host to open one of the bundle's files. */
export function renderOverview(v: OverviewView, focusPath: string | null, openFile: (path: string) => void): HTMLElement {
  const roles = el(
    'ul',
    { class: 'roles', attrs: { 'aria-label': l10n.t('Bundle parts') } },
    ...v.roles.map((r) =>
      el(
        'li',
        { class: `role status-${r.status}` },
        el('span', {
          class: 'role-mark',
          attrs: { 'aria-hidden': 'true' },
          text: r.status === 'present' || r.status === 'covered-by-model' ? '✓' : r.status === 'missing' ? '✗' : '!',
        }),
        el('span', { class: 'role-name', text: ROLE_TEXT[r.role] ?? r.role }),
        el('span', { class: 'role-status', text: STATUS_TEXT[r.status] }),
        el('span', { class: 'role-files', text: r.files.map((p) => p.split('/').pop()).join(', ') }),
      ),
    ),
  );
  const findings = v.findings.length
    ? el(
        'ul',
        { class: 'findings', attrs: { 'aria-label': l10n.t('Findings') } },
        ...v.findings.map((f) =>
          el(
            'li',
            { class: `finding severity-${f.severity}` },
            el(
              'div',
              { class: 'finding-head' },
              el('span', { class: 'severity', text: f.severity }),
              ' ',
              el('code', { text: f.code }),
              ' ',
              el('span', { text: f.messageTemplate === undefined ? f.message : l10n.t(f.messageTemplate, ...(f.messageArgs ?? [])) }),
            ),
            f.path ? el('div', { class: 'finding-path', text: f.path }) : null,
            f.fix ? el('div', { class: 'finding-fix' }, el('strong', { text: l10n.t('Fix: ') }), l10n.t(f.fix)) : null,
          ),
        ),
      )
    : el('p', { class: 'ok', text: l10n.t('No findings: the bundle is consistent.') });
  const table = el(
    'table',
    { class: 'files grid', attrs: { 'aria-label': l10n.t('Files of the bundle') } },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...[l10n.t('File'), l10n.t('Role'), l10n.t('Format'), l10n.t('Size'), l10n.t('Modified'), l10n.t('Problem')].map((h) =>
          el('th', { text: h, attrs: { scope: 'col' } }),
        ),
      ),
    ),
    el(
      'tbody',
      {},
      ...v.files.map((f) => {
        const row = el(
          'tr',
          { attrs: { 'data-row': f.path, tabindex: -1, 'aria-selected': f.path === focusPath ? 'true' : null }, class: f.path === focusPath ? 'focused' : '' },
          el(
            'td',
            {},
            el('a', { text: f.name, attrs: { href: '#', title: f.path, tabindex: -1 }, on: { click: (e) => (e.preventDefault(), openFile(f.path)) } }),
          ),
          el('td', { text: f.role }),
          el('td', { text: f.format, attrs: { title: f.note } }),
          el('td', { class: 'num', text: f.sizeText, attrs: { title: f.size === null ? null : l10n.t('{0} bytes', f.size) } }),
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
    el('dd', { text: v.versions.keras.join(', ') || l10n.t('not recorded') }),
    el('dt', { text: 'scikit-learn' }),
    el('dd', { text: v.versions.sklearn.join(', ') || l10n.t('not recorded') }),
    el('dt', { text: 'TensorFlow.js' }),
    el('dd', { text: v.versions.tfjs.join(', ') || l10n.t('none') }),
  );
  return el(
    'div',
    { class: 'overview' },
    el(
      'p',
      { class: v.complete ? 'complete' : 'incomplete', text: v.complete ? l10n.t('Complete bundle') : l10n.t('Incomplete bundle') },
      ' ',
      el('span', { class: 'root', text: v.root }),
    ),
    roles,
    el('h2', { text: l10n.t('Findings ({0})', v.findings.length) }),
    findings,
    el('h2', { text: l10n.t('Files') }),
    table,
    el('h2', { text: l10n.t('Versions') }),
    versions,
  );
}
