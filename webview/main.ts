// Webview entry: renders the view models the extension host sends; parses no files itself.
// @vscode-elements/elements: the maintained successor of the deprecated webview-ui-toolkit; its
// components style themselves through constructable style sheets (adoptedStyleSheets), which a CSP
// without 'unsafe-inline' allows.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { assertNever, DEFAULT_CURVE_OPTIONS, type HostToWebview, type WebviewToHost } from '../src/shared/protocol';
import type { BundleViewModel, ContractView, CurvesView, PredictionSchema, TabId } from '../src/shared/viewModels';
import { renderArchitecture } from './architecture';
import { renderContract } from './contract';
import { renderCurves, type CurvesState } from './curves';
import { clear, el } from './dom';
import * as l10n from '@vscode/l10n';
import './l10n'; // loads the host's bundle before this module builds its strings
import { renderOverview } from './overview';
import { renderPredictions as drawPredictions, type PredictionOutcome, type PredictionsState } from './predictions';
import { renderPreprocessing } from './preprocessing';
import { renderRecover } from './recover';
import type { RecoverView } from '../src/shared/recoverView';
import { watchTheme } from './theme';

interface VsCodeApi<S> {
  postMessage(message: WebviewToHost): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

/** What survives hide/show (VS Code keeps it while the panel exists). */
interface SavedState {
  tab: TabId;
  expanded: string[];
  curves: CurvesState;
  scroll: Partial<Record<TabId, number>>;
  predictions: PredictionsState;
}

const vscode = acquireVsCodeApi<SavedState>();
const restored = vscode.getState();
const state: SavedState = {
  tab: restored?.tab ?? 'overview',
  expanded: restored?.expanded ?? [],
  curves: restored?.curves ?? { logScale: false, options: { ...DEFAULT_CURVE_OPTIONS } },
  scroll: restored?.scroll ?? {},
  predictions: restored?.predictions ?? { values: {}, batch: '' },
};
const save = (): void => vscode.setState(state);
const send = (m: WebviewToHost): void => vscode.postMessage(m);

const TABS: { id: TabId; label: string }[] = [
  { id: 'overview', label: l10n.t('Overview') },
  { id: 'architecture', label: l10n.t('Architecture') },
  { id: 'preprocessing', label: l10n.t('Preprocessing') },
  { id: 'curves', label: l10n.t('Training curves') },
  { id: 'predictions', label: l10n.t('Predictions') },
  { id: 'recover', label: l10n.t('Recover scaler') },
];

let model: BundleViewModel | null = null;
let focusPath: string | null = null;
let predictionSchema: PredictionSchema | null = null;
let predictionOutcome: PredictionOutcome = { kind: 'none' };
let contractView: ContractView | null = null;
let redrawCharts: (() => void) | null = null;
let firstState = true;
let recoverView: RecoverView | null = null;

const root = document.getElementById('root') as HTMLElement;
const status = el('div', { class: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
const tabButtons = new Map<TabId, HTMLButtonElement>();
const panels = new Map<TabId, HTMLElement>();

function buildShell(): void {
  clear(root);
  root.removeAttribute('aria-busy');
  root.removeAttribute('role');
  const title = el('h1', { class: 'title' });
  const list = el('div', { class: 'tabs', attrs: { role: 'tablist', 'aria-label': l10n.t('Bundle view') } });
  for (const t of TABS) {
    const b = el('button', {
      text: t.label,
      attrs: { role: 'tab', id: `tab-${t.id}`, 'aria-controls': `panel-${t.id}`, type: 'button' },
      on: { click: () => selectTab(t.id, true) },
    });
    tabButtons.set(t.id, b);
    list.appendChild(b);
  }
  list.addEventListener('keydown', (ev) => {
    const i = TABS.findIndex((t) => t.id === state.tab);
    let j = -1;
    if (ev.key === 'ArrowRight') j = (i + 1) % TABS.length;
    else if (ev.key === 'ArrowLeft') j = (i - 1 + TABS.length) % TABS.length;
    else if (ev.key === 'Home') j = 0;
    else if (ev.key === 'End') j = TABS.length - 1;
    if (j < 0) return;
    ev.preventDefault();
    selectTab(TABS[j].id, true);
  });
  root.appendChild(title);
  root.appendChild(list);
  for (const t of TABS) {
    const p = el('section', { class: 'panel', attrs: { role: 'tabpanel', id: `panel-${t.id}`, 'aria-labelledby': `tab-${t.id}`, tabindex: 0 } });
    panels.set(t.id, p);
    root.appendChild(p);
  }
  root.appendChild(status);
  selectTab(state.tab, false);
}

function selectTab(id: TabId, focus: boolean): void {
  const prev = state.tab;
  if (prev !== id) state.scroll[prev] = window.scrollY;
  state.tab = id;
  for (const [tid, b] of tabButtons) {
    const on = tid === id;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    (panels.get(tid) as HTMLElement).hidden = !on;
  }
  if (focus) tabButtons.get(id)?.focus();
  if (id === 'curves' && prev !== 'curves') redrawCharts?.();
  window.scrollTo(0, state.scroll[id] ?? 0);
  save();
}

function renderCurvesPanel(curves: CurvesView): void {
  state.curves.options = curves.options;
  redrawCharts = renderCurves(panels.get('curves') as HTMLElement, curves, state.curves, {
    setOptions: (o) => send({ type: 'setCurveOptions', options: o }),
    exportData: (chartId, format) => send({ type: 'exportData', chartId, format }),
    savePng: (chartId, dataUrl) => send({ type: 'savePng', chartId, dataUrl }),
    save,
  });
}

function renderPredictions(): void {
  const run = (input: string): void => {
    predictionOutcome = { kind: 'running' };
    renderPredictions();
    send(state.predictions.skipPreprocessing ? { type: 'predict', input, skipPreprocessing: true } : { type: 'predict', input });
  };
  drawPredictions(panels.get('predictions') as HTMLElement, predictionSchema, predictionOutcome, state.predictions, run, save);
}

function renderRecoverPanel(): void {
  renderRecover(
    panels.get('recover') as HTMLElement,
    recoverView,
    (answers) => send({ type: 'recoverRun', answers }),
    () => send({ type: 'recoverSave' }),
  );
}

function render(m: BundleViewModel): void {
  const title = root.querySelector('h1.title');
  if (title) title.textContent = l10n.t('Bundle {0}', m.title);
  const open = (path: string): void => send({ type: 'openFile', path });
  const put = (id: TabId, node: HTMLElement): void => {
    const p = panels.get(id) as HTMLElement;
    clear(p);
    p.appendChild(node);
  };
  put('overview', renderOverview(m.overview, focusPath, open));
  renderContractSection();
  put('architecture', renderArchitecture(m.architecture, state, save));
  put('preprocessing', renderPreprocessing(m.preprocessing.scalers));
  renderCurvesPanel(m.curves);
  renderPredictions();
  renderRecoverPanel();
  window.scrollTo(0, state.scroll[state.tab] ?? 0);
}

/** The input contract at the end of the overview (it arrives in its own message). */
function renderContractSection(): void {
  const p = panels.get('overview') as HTMLElement;
  p.querySelector('section.contract')?.remove();
  if (contractView) p.appendChild(renderContract(contractView, (document) => send({ type: 'copyContract', document })));
}

function applyFocus(tab: TabId, path: string | null): void {
  focusPath = path;
  if (model) render(model);
  selectTab(tab, false);
  if (path) {
    const row = Array.from(document.querySelectorAll<HTMLElement>('tr[data-row]')).find((r) => r.getAttribute('data-row') === path);
    row?.scrollIntoView({ block: 'center' });
  }
}

function notice(level: 'info' | 'error', message: string): void {
  status.textContent = message;
  status.className = `status ${level}`;
}

window.addEventListener('message', (ev: MessageEvent<HostToWebview>) => {
  const msg = ev.data;
  if (typeof msg !== 'object' || msg === null || typeof (msg as { type?: unknown }).type !== 'string') return;
  switch (msg.type) {
    case 'state':
      model = msg.model;
      if (firstState && !restored && msg.model.focus) {
        focusPath = msg.model.focus.path;
        state.tab = msg.model.focus.tab;
      }
      firstState = false;
      render(msg.model);
      selectTab(state.tab, false);
      break;
    case 'curves':
      if (model) model = { ...model, curves: msg.curves };
      renderCurvesPanel(msg.curves);
      break;
    case 'focus':
      applyFocus(msg.tab, msg.path);
      break;
    case 'notice':
      notice(msg.level, msg.message);
      break;
    case 'predictionSchema':
      predictionSchema = msg.schema;
      renderPredictions();
      break;
    case 'predictionResult':
      predictionOutcome = { kind: 'result', result: msg.result };
      renderPredictions();
      break;
    case 'predictionError':
      predictionOutcome = { kind: 'error', message: msg.message };
      renderPredictions();
      break;
    case 'contract':
      contractView = msg.contract;
      renderContractSection();
      break;
    case 'recover':
      recoverView = msg.view;
      renderRecoverPanel();
      selectTab('recover', false);
      break;
    default:
      assertNever(msg);
  }
});

watchTheme(() => redrawCharts?.());
let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  state.scroll[state.tab] = window.scrollY;
  window.clearTimeout(scrollTimer);
  scrollTimer = window.setTimeout(save, 250);
});
window.addEventListener('pagehide', save);

buildShell();
send({ type: 'ready' });
const saved = restored?.curves.options;
if (saved && JSON.stringify(saved) !== JSON.stringify(DEFAULT_CURVE_OPTIONS)) send({ type: 'setCurveOptions', options: saved });
