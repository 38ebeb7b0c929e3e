// Architecture tab: a model.summary()-style table (nested models expandable) with totals, and for
// functional models a graph of boxes and edges drawn as SVG through DOM APIs.
import type { ArchitectureView, GraphView, ModuleRowView, ModuleTreeView, SummaryRowView } from '../src/shared/viewModels';
import { el, formatInt, rowNavigation, svg } from './dom';
import * as l10n from '@vscode/l10n';
import './l10n'; // loads the host's bundle before this module builds its strings

/** Ids of expanded nested-model rows, kept across re-renders and hide/show. */
export interface ArchitectureState {
  expanded: string[];
}

function visible(row: SummaryRowView, byId: Map<string, SummaryRowView>, expanded: Set<string>): boolean {
  let p = row.parentId;
  while (p !== null) {
    if (!expanded.has(p)) return false;
    p = byId.get(p)?.parentId ?? null;
  }
  return true;
}

/** The name cell of a tree-grid row: indented by depth, with a twisty that toggles the row's children. */
function treeNameCell(r: { id: string; name: string; depth: number; hasChildren: boolean }, toggle: (id: string) => void): HTMLElement {
  const cell = el('td', { class: `name depth-${Math.min(r.depth, 6)}` });
  if (r.hasChildren) {
    cell.appendChild(
      el('button', { class: 'twisty', text: '▸', attrs: { tabindex: -1, 'aria-label': `expand ${r.name}` }, on: { click: () => toggle(r.id) } }),
    );
  } else cell.appendChild(el('span', { class: 'twisty-space' }));
  cell.appendChild(document.createTextNode(r.name));
  return cell;
}

function summaryTable(a: ArchitectureView, state: ArchitectureState, save: () => void): HTMLElement {
  const expanded = new Set(state.expanded);
  const byId = new Map(a.rows.map((r) => [r.id, r]));
  const trs = new Map<string, HTMLTableRowElement>();
  const update = (): void => {
    for (const r of a.rows) {
      const tr = trs.get(r.id) as HTMLTableRowElement;
      tr.hidden = !visible(r, byId, expanded);
      if (r.hasChildren) tr.setAttribute('aria-expanded', String(expanded.has(r.id)));
    }
    state.expanded = [...expanded];
    save();
  };
  const toggle = (id: string, open?: boolean): void => {
    const want = open ?? !expanded.has(id);
    if (want) expanded.add(id);
    else expanded.delete(id);
    update();
  };
  const body = el('tbody');
  // ONNX node tables get an Attributes column (attributes and non-default domains)
  const withDetail = a.rows.some((r) => r.detail !== undefined);
  for (const r of a.rows) {
    const nameCell = treeNameCell(r, toggle);
    const tr = el(
      'tr',
      {
        attrs: { 'data-row': r.id, tabindex: -1, 'aria-level': r.depth + 1 },
        class: [r.trainable ? '' : 'frozen', r.preprocessing ? 'preprocessing' : ''].filter(Boolean).join(' '),
      },
      nameCell,
      el(
        'td',
        {},
        r.className,
        r.preprocessing
          ? el('span', { class: 'badge', text: 'preprocessing', attrs: { title: 'skl2onnx preprocessing operator: the model scales its inputs itself' } })
          : null,
      ),
      el('td', { class: 'shape', text: r.outputShape }),
      el('td', { class: 'num', text: formatInt(r.params) }),
      el('td', { text: r.trainable ? 'yes' : 'no' }),
      el('td', { class: 'inbound', text: r.connectedTo }),
      withDetail ? el('td', { class: 'detail', text: r.detail ?? '' }) : null,
    );
    trs.set(r.id, tr);
    body.appendChild(tr);
  }
  const table = el(
    'table',
    { class: 'summary grid', attrs: { role: 'treegrid', 'aria-label': l10n.t('Layers of {0}', a.name) } },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...[
          l10n.t('Layer'),
          l10n.t('Type'),
          l10n.t('Output shape'),
          l10n.t('Params'),
          l10n.t('Trainable'),
          l10n.t('Connected to'),
          ...(withDetail ? [l10n.t('Attributes')] : []),
        ].map((h) => el('th', { text: h, attrs: { scope: 'col' } })),
      ),
    ),
    body,
  );
  rowNavigation(table, (row, ev) => {
    const id = row.getAttribute('data-row');
    const r = id ? byId.get(id) : undefined;
    if (!r) return;
    if (r.hasChildren && (ev.key === 'Enter' || ev.key === ' ')) toggle(r.id);
    else if (r.hasChildren && ev.key === 'ArrowRight') toggle(r.id, true);
    else if (ev.key === 'ArrowLeft') {
      if (r.hasChildren && expanded.has(r.id)) toggle(r.id, false);
      else if (r.parentId) trs.get(r.parentId)?.focus();
      else return;
    } else return;
    ev.preventDefault();
  });
  update();
  return table;
}

/** A PyTorch / safetensors module tree: modules expandable (ids `m:<path>` in the shared state), tensors as leaves. */
function moduleTreeTable(a: ArchitectureView, tree: ModuleTreeView, state: ArchitectureState, save: () => void): HTMLElement {
  const key = (id: string): string => `m:${a.path}:${id}`;
  const expanded = new Set(state.expanded);
  const byId = new Map(tree.rows.map((r) => [r.id, r]));
  const trs = new Map<string, HTMLTableRowElement>();
  const shown = (r: ModuleRowView): boolean => {
    let p = r.parentId;
    while (p !== null) {
      if (!expanded.has(key(p))) return false;
      p = byId.get(p)?.parentId ?? null;
    }
    return true;
  };
  const update = (): void => {
    for (const r of tree.rows) {
      const tr = trs.get(r.id) as HTMLTableRowElement;
      tr.hidden = !shown(r);
      if (r.hasChildren) tr.setAttribute('aria-expanded', String(expanded.has(key(r.id))));
    }
    state.expanded = [...expanded];
    save();
  };
  const toggle = (id: string, open?: boolean): void => {
    const want = open ?? !expanded.has(key(id));
    if (want) expanded.add(key(id));
    else expanded.delete(key(id));
    update();
  };
  const body = el('tbody');
  for (const r of tree.rows) {
    const nameCell = treeNameCell(r, toggle);
    const tr = el(
      'tr',
      { attrs: { 'data-row': r.id, tabindex: -1, 'aria-level': r.depth + 1, title: r.path }, class: r.kind === 'tensor' ? 'tensor' : 'module' },
      nameCell,
      el('td', { text: r.kind === 'module' ? r.typeGuess : '' }),
      el('td', { class: 'shape', text: r.shape }),
      el('td', { text: r.dtype }),
      el('td', { class: 'num', text: formatInt(r.params) }),
    );
    trs.set(r.id, tr);
    body.appendChild(tr);
  }
  const table = el(
    'table',
    { class: 'summary grid module-tree', attrs: { role: 'treegrid', 'aria-label': `Modules of ${a.name}` } },
    el(
      'thead',
      {},
      el('tr', {}, ...['Module / tensor', 'Type (guessed)', 'Shape', 'dtype', 'Params'].map((h) => el('th', { text: h, attrs: { scope: 'col' } }))),
    ),
    body,
  );
  rowNavigation(table, (row, ev) => {
    const id = row.getAttribute('data-row');
    const r = id !== null ? byId.get(id) : undefined;
    if (!r) return;
    if (r.hasChildren && (ev.key === 'Enter' || ev.key === ' ')) toggle(r.id);
    else if (r.hasChildren && ev.key === 'ArrowRight') toggle(r.id, true);
    else if (ev.key === 'ArrowLeft') {
      if (r.hasChildren && expanded.has(key(r.id))) toggle(r.id, false);
      else if (r.parentId !== null) trs.get(r.parentId)?.focus();
      else return;
    } else return;
    ev.preventDefault();
  });
  update();
  return table;
}

/** Draws a functional model: layers as boxes, edges from inbound layers, as SVG built with DOM APIs. */
export function graphSvg(g: GraphView, label: string): SVGSVGElement {
  const pos = new Map(g.nodes.map((n) => [n.id, n]));
  const root = svg('svg', { class: 'graph', viewBox: `0 0 ${g.width} ${g.height}`, width: g.width, height: g.height, role: 'img', 'aria-label': label });
  const defs = svg(
    'defs',
    {},
    svg(
      'marker',
      { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }),
    ),
  );
  root.appendChild(defs);
  for (const e of g.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + a.w / 2;
    const y1 = a.y + a.h;
    const x2 = b.x + b.w / 2;
    const y2 = b.y;
    const my = (y1 + y2) / 2;
    root.appendChild(svg('path', { class: 'edge', d: `M ${x1} ${y1} C ${x1} ${my}, ${x2} ${my}, ${x2} ${y2}`, 'marker-end': 'url(#arrow)' }));
  }
  for (const n of g.nodes) {
    const title = svg('title');
    title.textContent = `${n.label}\n${n.sub}`;
    const t1 = svg('text', { x: n.x + n.w / 2, y: n.y + 16, class: 'node-label', 'text-anchor': 'middle' });
    t1.textContent = n.label.length > 24 ? `${n.label.slice(0, 23)}…` : n.label;
    const t2 = svg('text', { x: n.x + n.w / 2, y: n.y + 32, class: 'node-sub', 'text-anchor': 'middle' });
    t2.textContent = n.sub.length > 28 ? `${n.sub.slice(0, 27)}…` : n.sub;
    root.appendChild(
      svg('g', { class: n.preprocessing ? 'node preprocessing' : 'node' }, title, svg('rect', { x: n.x, y: n.y, width: n.w, height: n.h, rx: 4 }), t1, t2),
    );
  }
  return root;
}

/** Renders every model of the bundle. */
export function renderArchitecture(models: ArchitectureView[], state: ArchitectureState, save: () => void): HTMLElement {
  if (models.length === 0) return el('p', { class: 'empty', text: l10n.t('This bundle has no model structure.') });
  return el(
    'div',
    { class: 'architecture' },
    ...models.map((a) =>
      el(
        'section',
        { class: 'model', attrs: { 'aria-label': a.name } },
        el('h2', { text: a.name }),
        el(
          'p',
          { class: 'meta' },
          [a.className, a.framework, a.kerasVersion ? `Keras ${a.kerasVersion}` : null].filter(Boolean).join(' · '),
          a.inputShapes.length ? ` · inputs ${a.inputShapes.join(', ')}` : '',
          a.outputShapes.length ? ` · outputs ${a.outputShapes.join(', ')}` : '',
        ),
        a.error ? el('p', { class: 'error', text: a.error }) : null,
        a.facts?.length ? el('dl', { class: 'facts' }, ...a.facts.flatMap((f) => [el('dt', { text: f.label }), el('dd', { text: f.value })])) : null,
        a.rows.length ? summaryTable(a, state, save) : null,
        a.moduleTree ? moduleTreeTable(a, a.moduleTree, state, save) : null,
        a.rows.length || a.totals.total
          ? el(
              'dl',
              { class: 'totals' },
              el('dt', { text: l10n.t('Total params') }),
              el('dd', { text: `${formatInt(a.totals.total)} (${a.memoryText})` }),
              el('dt', { text: l10n.t('Trainable params') }),
              el('dd', { text: formatInt(a.totals.trainable) }),
              el('dt', { text: l10n.t('Non-trainable params') }),
              el('dd', { text: formatInt(a.totals.nonTrainable) }),
            )
          : null,
        ...a.notes.map((n) => el('p', { class: 'note', text: n })),
        a.graph
          ? el(
              'details',
              { class: 'graph-box', attrs: { open: true } },
              el('summary', { text: l10n.t('Graph') }),
              el('div', { class: 'graph-scroll' }, graphSvg(a.graph, l10n.t('Graph of {0}', a.name))),
            )
          : null,
      ),
    ),
  );
}
