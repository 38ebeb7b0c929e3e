// Curves tab: chart.js line charts (bundled, no CDN) of train/validation pairs, best epoch and
// overfitting onset marked, smoothing/x-axis/log-scale controls, CSV/JSON/PNG export, saved plots.
// chart.js: well-kept canvas charts with a built-in LTTB decimation plugin; no eval, no inline styles.
import {
  Chart,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type Plugin,
} from 'chart.js';
import type { CurveChartView, CurveMarkerView, CurveOptions, CurvesView } from '../src/shared/viewModels';
import { clear, el, formatNum } from './dom';
import * as l10n from '@vscode/l10n';
import './l10n'; // loads the host's bundle before this module builds its strings
import { chartTheme, withAlpha, type ChartTheme } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, Decimation);

/** What the curves tab keeps across re-renders and hide/show. */
export interface CurvesState {
  logScale: boolean;
  options: CurveOptions;
}

/** What the curves tab asks of the host. */
export interface CurvesActions {
  setOptions(o: CurveOptions): void;
  exportData(chartId: string, format: 'csv' | 'json'): void;
  savePng(chartId: string, dataUrl: string): void;
  save(): void;
}

type Point = { x: number; y: number };

const live = new Map<string, Chart<'line', Point[]>>();

/** Destroys every chart (before a re-render). */
export function destroyCharts(): void {
  for (const c of live.values()) c.destroy();
  live.clear();
}

const markerPlugin = (markers: CurveMarkerView[], theme: ChartTheme): Plugin<'line'> => ({
  id: 'bundleMarkers',
  afterDatasetsDraw(chart) {
    const x = chart.scales.x;
    const area = chart.chartArea;
    const ctx = chart.ctx;
    ctx.save();
    for (const m of markers) {
      const px = x.getPixelForValue(m.x);
      if (!Number.isFinite(px) || px < area.left || px > area.right) continue;
      ctx.strokeStyle = m.kind === 'best' ? theme.best : theme.overfit;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = 1.5;
      ctx.setLineDash(m.kind === 'best' ? [2, 3] : [6, 4]);
      ctx.beginPath();
      ctx.moveTo(px, area.top);
      ctx.lineTo(px, area.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = `11px ${theme.font}`;
      ctx.textAlign = px > (area.left + area.right) / 2 ? 'right' : 'left';
      ctx.fillText(
        m.kind === 'best' ? `best @${m.step}` : `overfit @${m.step}`,
        px + (ctx.textAlign === 'right' ? -4 : 4),
        area.top + (m.kind === 'best' ? 12 : 26),
      );
    }
    ctx.restore();
  },
});

const backgroundPlugin = (theme: ChartTheme): Plugin<'line'> => ({
  id: 'bundleBackground',
  beforeDraw(chart) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
});

function points(x: number[], y: number[], log: boolean): Point[] {
  const out: Point[] = new Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = y[i];
    out[i] = { x: x[i], y: v === null || !Number.isFinite(v) || (log && v <= 0) ? NaN : v };
  }
  return out;
}

function datasets(c: CurveChartView, runs: string[], theme: ChartTheme, log: boolean): ChartDataset<'line', Point[]>[] {
  const out: ChartDataset<'line', Point[]>[] = [];
  for (const s of c.series) {
    const ri = Math.max(0, runs.indexOf(s.run));
    const color = theme.series[(ri * 2 + (s.split === 'validation' ? 1 : 0)) % theme.series.length];
    const label = runs.length > 1 ? `${s.run}: ${s.name}` : s.name;
    if (s.raw)
      out.push({
        label: `${label} (raw)`,
        data: points(s.x, s.raw, log),
        borderColor: withAlpha(color, 0.25),
        backgroundColor: withAlpha(color, 0.25),
        borderWidth: 1,
        pointRadius: 0,
        borderDash: s.split === 'validation' ? [5, 3] : [],
      });
    out.push({
      label,
      data: points(s.x, s.y, log),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 1.75,
      pointRadius: 0,
      pointHitRadius: 4,
      borderDash: s.split === 'validation' ? [5, 3] : [],
    });
  }
  return out;
}

function drawChart(canvas: HTMLCanvasElement, c: CurveChartView, v: CurvesView, state: CurvesState): Chart<'line', Point[]> {
  const theme = chartTheme();
  Chart.defaults.font.family = theme.font;
  const xTitle = v.options.xAxis === 'wallTime' && v.hasWallTime ? 'wall time (s since run start)' : 'step / epoch';
  return new Chart<'line', Point[]>(canvas, {
    type: 'line',
    data: { datasets: datasets(c, v.runs, theme, state.logScale) },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      spanGaps: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: xTitle, color: theme.foreground },
          ticks: { color: theme.foreground },
          grid: { color: withAlpha(theme.grid, 0.35) },
        },
        y: {
          type: state.logScale ? 'logarithmic' : 'linear',
          title: { display: true, text: c.metric, color: theme.foreground },
          ticks: { color: theme.foreground },
          grid: { color: withAlpha(theme.grid, 0.35) },
        },
      },
      plugins: {
        legend: { labels: { color: theme.foreground, boxHeight: 2, filter: (item) => !item.text.endsWith(' (raw)') } },
        decimation: { enabled: true, algorithm: 'lttb', samples: 1000 },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${formatNum(item.parsed.y)}` } },
      },
    },
    plugins: [markerPlugin(c.markers, theme), backgroundPlugin(theme)],
  });
}

function controls(v: CurvesView, state: CurvesState, act: CurvesActions, redraw: () => void): HTMLElement {
  const o = v.options;
  const send = (patch: Partial<CurveOptions>): void => {
    state.options = { ...state.options, ...patch };
    act.save();
    act.setOptions(state.options);
  };
  const smoothing = el(
    'select',
    { attrs: { id: 'smoothing', 'aria-label': l10n.t('Smoothing') }, on: { change: () => send({ smoothing: smoothing.value as CurveOptions['smoothing'] }) } },
    el('option', { text: l10n.t('No smoothing'), attrs: { value: 'none' } }),
    el('option', { text: l10n.t('EMA (TensorBoard)'), attrs: { value: 'ema' } }),
    el('option', { text: l10n.t('Moving average'), attrs: { value: 'ma' } }),
  );
  smoothing.value = o.smoothing;
  const weightOut = el('output', { text: o.emaWeight.toFixed(2), attrs: { for: 'ema-weight' } });
  const weight = el('input', {
    attrs: {
      id: 'ema-weight',
      type: 'range',
      min: 0,
      max: 0.99,
      step: 0.01,
      value: o.emaWeight,
      'aria-label': l10n.t('EMA weight'),
      disabled: o.smoothing !== 'ema',
    },
    on: {
      input: () => (weightOut.textContent = Number(weight.value).toFixed(2)),
      change: () => send({ emaWeight: Math.min(0.99, Math.max(0, Number(weight.value))) }),
    },
  });
  const windowIn = el('input', {
    attrs: {
      id: 'ma-window',
      type: 'number',
      min: 1,
      max: 10000,
      step: 1,
      value: o.maWindow,
      'aria-label': l10n.t('Moving average window'),
      disabled: o.smoothing !== 'ma',
    },
    on: {
      change: () => {
        const n = Math.round(Number(windowIn.value));
        if (Number.isInteger(n) && n >= 1 && n <= 10000) send({ maWindow: n });
      },
    },
  });
  const xAxis = el(
    'select',
    {
      attrs: { id: 'x-axis', 'aria-label': l10n.t('X axis'), disabled: !v.hasWallTime },
      on: { change: () => send({ xAxis: xAxis.value as CurveOptions['xAxis'] }) },
    },
    el('option', { text: l10n.t('Step / epoch'), attrs: { value: 'step' } }),
    el('option', { text: l10n.t('Wall time'), attrs: { value: 'wallTime' } }),
  );
  xAxis.value = v.hasWallTime ? o.xAxis : 'step';
  const log = el('input', {
    attrs: { id: 'log-scale', type: 'checkbox', checked: state.logScale },
    on: {
      change: () => {
        state.logScale = log.checked;
        act.save();
        redraw();
      },
    },
  });
  return el(
    'div',
    { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': l10n.t('Curve options') } },
    el('label', { attrs: { for: 'smoothing' }, text: l10n.t('Smoothing ') }),
    smoothing,
    el('label', { attrs: { for: 'ema-weight' }, text: ' weight ' }),
    weight,
    weightOut,
    el('label', { attrs: { for: 'ma-window' }, text: ' window ' }),
    windowIn,
    el('label', { attrs: { for: 'x-axis' }, text: ' x-axis ' }),
    xAxis,
    el('label', { class: 'check' }, log, ' log scale'),
  );
}

/** Renders the curves tab; returns a function that redraws the charts (theme change, log scale). */
export function renderCurves(container: HTMLElement, v: CurvesView, state: CurvesState, act: CurvesActions): () => void {
  destroyCharts();
  clear(container);
  const chartsBox = el('div', { class: 'charts' });
  const canvases = new Map<string, HTMLCanvasElement>();
  const redraw = (): void => {
    destroyCharts();
    for (const c of v.charts) {
      const canvas = canvases.get(c.id);
      if (canvas) live.set(c.id, drawChart(canvas, c, v, state));
    }
  };
  container.appendChild(controls(v, state, act, redraw));
  for (const n of v.notes) container.appendChild(el('p', { class: 'note', text: n }));
  if (v.charts.length === 0 && v.summaries.length === 0 && v.images.length === 0) {
    container.appendChild(
      el('p', { class: 'empty', text: l10n.t('No training log in this bundle. Keep one with keras.callbacks.CSVLogger("training_log.csv").') }),
    );
  }
  for (const c of v.charts) {
    const canvas = el('canvas', {
      attrs: {
        role: 'img',
        'aria-label': `${c.metric}: ${c.series.map((s) => `${s.run} ${s.name}, ${s.points} points`).join('; ')}`,
      },
    });
    canvases.set(c.id, canvas);
    const png = (): void => {
      const chart = live.get(c.id);
      if (chart) act.savePng(c.id, chart.toBase64Image('image/png', 1));
    };
    chartsBox.appendChild(
      el(
        'section',
        { class: 'chart-box', attrs: { 'aria-label': c.metric } },
        el(
          'div',
          { class: 'chart-head' },
          el('h2', { text: c.metric }),
          el('span', {
            class: 'points',
            text: c.series.map((s) => `${s.name}: ${s.points.toLocaleString('en-US')} pts${s.points > s.x.length ? ` (${s.x.length} drawn)` : ''}`).join(' · '),
          }),
          el(
            'span',
            { class: 'actions' },
            el('vscode-button', {
              text: 'CSV',
              attrs: { secondary: true, title: l10n.t('Export the data of this chart as CSV') },
              on: { click: () => act.exportData(c.id, 'csv') },
            }),
            el('vscode-button', {
              text: 'JSON',
              attrs: { secondary: true, title: l10n.t('Export the data of this chart as JSON') },
              on: { click: () => act.exportData(c.id, 'json') },
            }),
            el('vscode-button', { text: 'PNG', attrs: { secondary: true, title: l10n.t('Save this chart as a PNG image') }, on: { click: png } }),
          ),
        ),
        el('div', { class: 'canvas-box' }, canvas),
        c.markers.length
          ? el(
              'ul',
              { class: 'markers' },
              ...c.markers.map((m) => el('li', { class: `marker-${m.kind}`, text: (v.runs.length > 1 ? `${m.run}: ` : '') + m.label })),
            )
          : null,
      ),
    );
  }
  container.appendChild(chartsBox);
  if (v.images.length) {
    container.appendChild(el('h2', { text: l10n.t('Saved plots') }));
    container.appendChild(
      el(
        'div',
        { class: 'images' },
        ...v.images.map((img) =>
          el('figure', {}, img.src ? el('img', { attrs: { src: img.src, alt: img.name } }) : null, el('figcaption', { text: img.name })),
        ),
      ),
    );
  }
  for (const s of v.summaries) {
    container.appendChild(el('h2', { text: l10n.t('Summary of {0}', s.path) }));
    container.appendChild(
      el(
        'table',
        { class: 'grid' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...[l10n.t('Series'), l10n.t('Points'), l10n.t('First'), l10n.t('Last'), l10n.t('Min (step)'), l10n.t('Max (step)')].map((h) =>
              el('th', { text: h }),
            ),
          ),
        ),
        el(
          'tbody',
          {},
          ...s.series.map((x) =>
            el(
              'tr',
              {},
              el('td', { text: x.name }),
              el('td', { class: 'num', text: String(x.points) }),
              el('td', { class: 'num', text: formatNum(x.first) }),
              el('td', { class: 'num', text: formatNum(x.last) }),
              el('td', { class: 'num', text: `${formatNum(x.min)} (${x.minStep})` }),
              el('td', { class: 'num', text: `${formatNum(x.max)} (${x.maxStep})` }),
            ),
          ),
        ),
      ),
    );
  }
  // charts are drawn once the canvases are in the document (chart.js measures their box)
  requestAnimationFrame(redraw);
  return redraw;
}
