// DOM helpers of the webview: every string is set with textContent or setAttribute, never parsed as HTML
// (strings come from the user's files and are untrusted).

/** A child for `el`: nodes as they are, strings as text; null/false skipped. */
export type Child = Node | string | number | null | undefined | false;

/** Attributes and text of a new element. */
export interface Props {
  class?: string;
  text?: string;
  attrs?: Record<string, string | number | boolean | null | undefined>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (ev: HTMLElementEventMap[K]) => void }>;
}

function apply(node: Element, props: Props | undefined): void {
  if (!props) return;
  if (props.class) node.setAttribute('class', props.class);
  if (props.text !== undefined) node.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const [k, fn] of Object.entries(props.on ?? {})) node.addEventListener(k, fn as EventListener);
}

function append(node: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Creates an HTML element with props and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K];
/** Creates a custom element (web component) with props and children. */
export function el(tag: string, props?: Props, ...children: Child[]): HTMLElement;
export function el(tag: string, props?: Props, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  apply(node, props);
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes and children. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  append(node, children);
  return node;
}

/** Removes every child of a node. */
export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** `1234567` -> `1,234,567`. */
export function formatInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '?';
}

/** A number for tables: integers as they are, others with 6 significant digits. */
export function formatNum(n: number | null): string {
  if (n === null || n === undefined) return '';
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  const a = Math.abs(n);
  return a !== 0 && (a < 1e-4 || a >= 1e7) ? n.toExponential(4) : String(Number(n.toPrecision(6)));
}

/**
 * Makes the rows of a table reachable with ArrowUp/ArrowDown/Home/End (one row in the tab order at
 * a time); `onKey` gets the other keys of a focused row.
 */
export function rowNavigation(container: HTMLElement, onKey?: (row: HTMLElement, ev: KeyboardEvent) => void): void {
  const rows = (): HTMLElement[] => Array.from(container.querySelectorAll<HTMLElement>('tr[data-row]')).filter((r) => !r.hidden);
  const first = rows()[0];
  if (first) first.tabIndex = 0;
  container.addEventListener('keydown', (ev) => {
    const row = (ev.target as HTMLElement).closest<HTMLElement>('tr[data-row]');
    if (!row) return;
    const all = rows();
    const i = all.indexOf(row);
    let next: HTMLElement | undefined;
    if (ev.key === 'ArrowDown') next = all[i + 1];
    else if (ev.key === 'ArrowUp') next = all[i - 1];
    else if (ev.key === 'Home') next = all[0];
    else if (ev.key === 'End') next = all[all.length - 1];
    else {
      onKey?.(row, ev);
      return;
    }
    ev.preventDefault();
    if (next) focusRow(container, next);
  });
  container.addEventListener('focusin', (ev) => {
    const row = (ev.target as HTMLElement).closest<HTMLElement>('tr[data-row]');
    if (row) for (const r of rows()) r.tabIndex = r === row ? 0 : -1;
  });
}

/** Moves the roving focus of a table to one row. */
export function focusRow(container: HTMLElement, row: HTMLElement): void {
  for (const r of container.querySelectorAll<HTMLElement>('tr[data-row]')) r.tabIndex = r === row ? 0 : -1;
  row.focus();
}
