// Preprocessing tab: per feature, the scaler's fitted values and a mini range bar on a common axis.
import type { ScalerView } from '../src/shared/viewModels';
import { el, formatNum, rowNavigation, svg } from './dom';
import * as l10n from '@vscode/l10n';
import './l10n'; // loads the host's bundle before this module builds its strings

const BAR_W = 140;
const BAR_H = 12;

function rangeBar(range: { lo: number; hi: number } | null, axis: { lo: number; hi: number } | null, label: string): SVGSVGElement | string {
  if (!range || !axis) return '';
  const span = axis.hi - axis.lo || 1;
  const x = ((range.lo - axis.lo) / span) * BAR_W;
  const w = Math.max(1.5, ((range.hi - range.lo) / span) * BAR_W);
  const root = svg('svg', { class: 'range', width: BAR_W, height: BAR_H, viewBox: `0 0 ${BAR_W} ${BAR_H}`, role: 'img', 'aria-label': label });
  root.appendChild(svg('rect', { class: 'range-track', x: 0, y: BAR_H / 2 - 1, width: BAR_W, height: 2 }));
  if (axis.lo < 0 && axis.hi > 0) {
    const zx = ((0 - axis.lo) / span) * BAR_W;
    root.appendChild(svg('rect', { class: 'range-zero', x: zx - 0.5, y: 0, width: 1, height: BAR_H }));
  }
  root.appendChild(svg('rect', { class: 'range-bar', x, y: 2, width: w, height: BAR_H - 4, rx: 2 }));
  return root;
}

function scalerSection(s: ScalerView, level: number): HTMLElement {
  const head = el(
    level === 2 ? 'h2' : 'h3',
    {},
    s.name,
    s.where ? el('code', { class: 'where', text: ` ${s.where}` }) : null,
    s.target ? el('span', { class: 'badge', text: l10n.t('target scaler') }) : null,
    level > 2 && s.className ? ` ${s.className}` : '',
  );
  const meta = el(
    'p',
    { class: 'meta' },
    [s.className, s.module, s.sklearnVersion ? `scikit-learn ${s.sklearnVersion}` : null, s.nFeatures !== null ? l10n.t('{0} features', s.nFeatures) : null]
      .filter(Boolean)
      .join(' · '),
  );
  const parts: (HTMLElement | null)[] = [head, meta];
  if (s.stepNumber !== undefined) {
    parts.push(el('p', { class: 'step-info', text: `Step ${s.stepNumber}${s.takes ? ` · takes ${s.takes}` : ''}` }));
  }
  if (s.error) parts.push(el('p', { class: 'error', text: s.error }));
  if (s.notApplicable) parts.push(el('p', { class: 'error', text: `Predictions cannot apply this: ${s.notApplicable}` }));
  if (s.features.length && s.columns.length) {
    const axisText = s.axis ? `${formatNum(s.axis.lo)} … ${formatNum(s.axis.hi)}` : '';
    const table = el(
      'table',
      { class: 'scaler grid', attrs: { 'aria-label': l10n.t('Fitted values of {0}', s.name) } },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { text: l10n.t('Feature'), attrs: { scope: 'col' } }),
          ...s.columns.map((c) => el('th', { text: c.label, attrs: { scope: 'col', title: c.param } })),
          el('th', {
            text: s.rangeLabel ? l10n.t('Range ({0})', s.rangeLabel) : l10n.t('Range'),
            attrs: { scope: 'col', title: l10n.t('common axis {0}', axisText) },
          }),
        ),
      ),
      el(
        'tbody',
        {},
        ...s.features.map((f) =>
          el(
            'tr',
            { attrs: { 'data-row': String(f.index), tabindex: -1 } },
            el('th', { text: f.name, attrs: { scope: 'row' } }),
            ...f.values.map((v) => el('td', { class: 'num', text: formatNum(v) })),
            el('td', {}, rangeBar(f.range, s.axis, f.range ? l10n.t('{0}: {1} to {2}', f.name, formatNum(f.range.lo), formatNum(f.range.hi)) : '')),
          ),
        ),
      ),
    );
    rowNavigation(table);
    parts.push(table);
    if (s.axis) parts.push(el('p', { class: 'note', text: l10n.t('Bars share one axis: {0}.', axisText) }));
  }
  if (s.settings.length) parts.push(el('p', { class: 'dl-caption', text: l10n.t('Settings') }));
  if (s.settings.length)
    parts.push(
      el(
        'dl',
        { class: 'extras settings', attrs: { 'aria-label': l10n.t('Settings') } },
        ...s.settings.flatMap((x) => [el('dt', {}, el('code', { text: x.param })), el('dd', { text: x.value })]),
      ),
    );
  if (s.extras.length) parts.push(el('p', { class: 'dl-caption', text: l10n.t('Other fitted values') }));
  if (s.extras.length)
    parts.push(el('dl', { class: 'extras' }, ...s.extras.flatMap((x) => [el('dt', {}, el('code', { text: x.param })), el('dd', { text: x.value })])));
  for (const st of s.steps) parts.push(scalerSection(st, 3));
  return el('section', { class: 'scaler-box', attrs: { 'aria-label': s.name } }, ...parts);
}

/** Renders every scaler of the bundle (input scalers first, then target scalers). */
export function renderPreprocessing(scalers: ScalerView[]): HTMLElement {
  if (scalers.length === 0)
    return el('p', {
      class: 'empty',
      text: l10n.t(
        'No scaler in this bundle. Without the fitted scaler the model cannot be fed raw inputs: save it next to the model (joblib.dump(scaler, "scaler.joblib")).',
      ),
    });
  return el('div', { class: 'preprocessing' }, ...scalers.map((s) => scalerSection(s, 2)));
}
