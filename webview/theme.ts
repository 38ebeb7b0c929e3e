// Theme colours, read from VS Code's --vscode-* variables (light, dark and high-contrast themes),
// and a watcher that reports theme changes so charts can be redrawn.

/** Colours the charts use. */
export interface ChartTheme {
  foreground: string;
  grid: string;
  background: string;
  series: string[];
  best: string;
  overfit: string;
  font: string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** The current theme's chart colours. */
export function chartTheme(): ChartTheme {
  const fg = cssVar('--vscode-charts-foreground', cssVar('--vscode-foreground', 'CanvasText'));
  return {
    foreground: fg,
    grid: cssVar('--vscode-charts-lines', cssVar('--vscode-editorWidget-border', 'GrayText')),
    background: cssVar('--vscode-editor-background', 'Canvas'),
    series: [
      '--vscode-charts-blue',
      '--vscode-charts-orange',
      '--vscode-charts-green',
      '--vscode-charts-purple',
      '--vscode-charts-red',
      '--vscode-charts-yellow',
    ].map((n) => cssVar(n, fg)),
    best: cssVar('--vscode-charts-green', fg),
    overfit: cssVar('--vscode-charts-red', cssVar('--vscode-errorForeground', fg)),
    font: cssVar('--vscode-font-family', 'sans-serif'),
  };
}

/** The colour with an alpha (hex `#rgb`, `#rrggbb`, `#rrggbbaa` and `rgb()/rgba()` understood). */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  let r: number;
  let g: number;
  let b: number;
  let m = /^#([0-9a-f]{3})$/i.exec(c);
  if (m) {
    [r, g, b] = [...m[1]].map((h) => parseInt(h + h, 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(c);
  if (m) {
    r = parseInt(m[1].slice(0, 2), 16);
    g = parseInt(m[1].slice(2, 4), 16);
    b = parseInt(m[1].slice(4, 6), 16);
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(c);
  if (m) return `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${alpha})`;
  return c;
}

/** Calls `onChange` when VS Code switches theme (body class, or the variables on the html element). */
export function watchTheme(onChange: () => void): void {
  let key = themeKey();
  let pending = false;
  const observer = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const k = themeKey();
      if (k === key) return;
      key = k;
      onChange();
    });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}

function themeKey(): string {
  const t = chartTheme();
  return [document.body.className, t.foreground, t.grid, t.background, ...t.series].join('|');
}
