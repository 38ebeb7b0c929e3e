// Human-readable rendering of an InspectReport for the terminal: aligned tables, a Keras-style
// model summary, scaler parameters per feature, log series, pickle verdicts and bundle findings.
import { baseName } from '../io/fileSource';
import type { Bundle, FileReport, InspectReport, LayerSummary, LogSummary, ModelSummary, PickleReport, Scaler, Shape, WeightsSummary } from '../types';

/** Formats a number of parameters with thousands separators, like Keras (`4,417`). */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Formats a byte count, 1024-based as Keras prints memory sizes: `17.3 KB` (two decimals below 10,
 * one above), or with `decimals` fixed (`17.25 KB`); `?` for a count that is not one.
 */
export function formatBytes(n: number, decimals?: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(decimals ?? (v < 10 ? 2 : 1))} ${units[i]}`;
}

/** Formats a shape as Keras prints it: `(None, 16)`; a list of shapes as `[(None, 4), (None, 8)]`. */
export function formatShape(shape: Shape | Shape[] | null | undefined): string {
  if (shape == null) return '?';
  if (shape.length > 0 && Array.isArray(shape[0])) return `[${(shape as Shape[]).map((s) => formatShape(s)).join(', ')}]`;
  const dims = (shape as Shape).map((d) => (d === null ? 'None' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/** Formats a float compactly with up to 6 significant digits. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

/** Lays out rows as columns padded to their widest cell; `right` marks right-aligned columns. */
export function table(rows: string[][], right: ReadonlySet<number> = new Set(), gap = 2): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => {
        const last = i === r.length - 1;
        if (right.has(i)) return c.padStart(widths[i]);
        return last ? c : c.padEnd(widths[i]);
      })
      .join(' '.repeat(gap))
      .trimEnd(),
  );
}

function layerRows(layers: LayerSummary[], functional: boolean, depth: number, rows: string[][]): void {
  for (const l of layers) {
    const name = `${'  '.repeat(depth)}${l.name} (${l.className})`;
    const row = [name, formatShape(l.outputShape), formatCount(l.params)];
    if (functional) row.push(l.inbound.join(', '));
    if (!l.trainable && l.params > 0) row[2] += ' (frozen)';
    rows.push(row);
    if (l.layers?.length) layerRows(l.layers, functional, depth + 1, rows);
  }
}

/** A `model.summary()`-like block. */
export function formatModel(m: ModelSummary): string[] {
  const out: string[] = [];
  const version = m.kerasVersion ? ` ${m.kerasVersion}` : '';
  out.push(
    `Model: ${m.className} (${m.framework === 'tfjs' ? 'TensorFlow.js' : m.framework === 'onnx' ? `ONNX${m.opsetVersion ? `, opset ${m.opsetVersion}` : ''}${m.onnx?.producerName ? `, by ${[m.onnx.producerName, m.onnx.producerVersion].filter(Boolean).join(' ')}` : ''}` : 'Keras'}${version})`,
  );
  if (m.graph) {
    out.push(`  graph model: ${formatCount(m.graph.nodes)} nodes`);
    out.push(`  inputs:  ${m.graph.inputs.join(', ') || '-'}`);
    out.push(`  outputs: ${m.graph.outputs.join(', ') || '-'}`);
    const ops = Object.entries(m.graph.ops).sort((a, b) => b[1] - a[1]);
    out.push(`  ops: ${ops.map(([k, v]) => `${k}×${v}`).join(', ')}`);
  } else {
    const functional = m.layers.some((l) => l.inbound.length > 1) || /^(Model|Functional)$/.test(m.className);
    const header = ['Layer (type)', 'Output Shape', 'Param #'];
    if (functional) header.push('Connected to');
    const rows: string[][] = [header];
    layerRows(m.layers, functional, 0, rows);
    const lines = table(rows, new Set([2]), 3);
    const width = Math.max(...lines.map((l) => l.length), 40);
    out.push('_'.repeat(width));
    out.push(lines[0]);
    out.push('='.repeat(width));
    lines.slice(1).forEach((l, i) => {
      out.push(l);
      if (i < lines.length - 2) out.push('_'.repeat(width));
    });
    out.push('='.repeat(width));
  }
  out.push(`Total params: ${formatCount(m.totalParams)}`);
  out.push(`Trainable params: ${formatCount(m.trainableParams)}`);
  out.push(`Non-trainable params: ${formatCount(m.nonTrainableParams)}`);
  if (m.inputShapes.length) out.push(`Inputs: ${m.inputShapes.map((s) => formatShape(s)).join(', ')}`);
  if (m.outputShapes.length) out.push(`Outputs: ${m.outputShapes.map((s) => formatShape(s)).join(', ')}`);
  if (m.pythonOnlyLayers?.length) out.push(`Python-only layers (cannot run outside Python): ${m.pythonOnlyLayers.join(', ')}`);
  for (const n of m.notes ?? []) out.push(`note: ${n}`);
  return out;
}

/** Weights block: one line per layer with its tensors. */
export function formatWeights(w: WeightsSummary): string[] {
  const rows: string[][] = [['Layer', 'Tensors', 'Params']];
  for (const l of w.layers) {
    const params = l.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
    rows.push([l.name, l.tensors.map((t) => `${t.name} ${formatShape(t.shape)} ${t.dtype}`).join('; '), formatCount(params)]);
  }
  return [
    `Weights: ${w.layers.length} layers, ${formatCount(w.totalParams)} params, ${formatBytes(w.bytes)}`,
    ...table(rows, new Set([2])).map((l) => `  ${l}`),
  ];
}

/** Scaler block: per-feature parameters as columns, scalar parameters listed. */
export function formatScaler(s: Scaler, indent = ''): string[] {
  const out: string[] = [];
  const version = s.sklearnVersion ? `scikit-learn ${s.sklearnVersion}` : 'scikit-learn version unknown';
  out.push(`${indent}${s.class} (${s.module}, ${version}), ${s.nFeaturesIn ?? '?'} features`);
  const n = s.nFeaturesIn ?? s.featureNames?.length ?? null;
  const perFeature = Object.entries(s.params).filter((e): e is [string, number[]] => Array.isArray(e[1]) && n !== null && e[1].length === n);
  const scalars = Object.entries(s.params).filter((e) => !Array.isArray(e[1]));
  const others = Object.entries(s.params).filter((e): e is [string, number[]] => Array.isArray(e[1]) && !(n !== null && e[1].length === n));
  if (perFeature.length && n !== null) {
    const rows: string[][] = [['feature', ...perFeature.map(([k]) => k)]];
    const shown = Math.min(n, 50);
    for (let i = 0; i < shown; i++) {
      rows.push([s.featureNames?.[i] ?? `x${i}`, ...perFeature.map(([, v]) => formatValue(v[i]))]);
    }
    out.push(...table(rows, new Set(perFeature.map((_, i) => i + 1))).map((l) => `${indent}  ${l}`));
    if (n > shown) out.push(`${indent}  ... ${n - shown} more features`);
  }
  for (const [k, v] of scalars) out.push(`${indent}  ${k} = ${formatValue(v as number)}`);
  for (const [k, v] of others) {
    const head = v.slice(0, 8).map(formatValue).join(', ');
    out.push(`${indent}  ${k} = [${head}${v.length > 8 ? `, ... (${v.length} values)` : ''}]`);
  }
  for (const step of s.steps ?? []) out.push(...formatScaler(step, `${indent}  `));
  return out;
}

/** Log block: one row per series. */
export function formatLog(l: LogSummary): string[] {
  const rows: string[][] = [['series', 'points', 'first', 'last', 'min (step)', 'max (step)']];
  for (const [name, s] of Object.entries(l.series)) {
    rows.push([
      name,
      String(s.points),
      formatValue(s.first),
      formatValue(s.last),
      `${formatValue(s.min)} (${s.minStep})`,
      `${formatValue(s.max)} (${s.maxStep})`,
    ]);
  }
  const runs = l.runs && l.runs > 1 ? `, ${l.runs} runs` : '';
  return [`Log: ${l.epochs} epochs${runs}`, ...table(rows, new Set([1])).map((x) => `  ${x}`)];
}

/** Pickle block: verdict and refused globals. */
export function formatPickle(p: PickleReport): string[] {
  const out = [`Pickle: ${p.verdict}; globals: ${p.globals.length ? p.globals.join(', ') : 'none'}`];
  for (const r of p.refused) out.push(`  refused ${r.global}: ${r.reason}`);
  return out;
}

/** PyTorch / safetensors block: what the file holds, its checkpoint values and input width. */
export function formatTorch(t: NonNullable<FileReport['torch']>): string[] {
  const what = `${t.kind} (${t.container})${t.stateDictKey ? `, weights under "${t.stateDictKey}"` : ''}${t.otherTensors ? `, ${t.otherTensors} other tensors not counted` : ''}`;
  const out = [`PyTorch: ${what}`];
  if (t.input)
    out.push(`  input: ${t.input.width} ${t.input.kind === 'conv' ? 'channels' : 'features'} (first ${t.input.kind} layer ${t.input.layer || '(root)'})`);
  if (t.classes?.length) out.push(`  needs classes: ${t.classes.join(', ')}`);
  for (const [k, v] of Object.entries(t.metadata)) {
    const text = JSON.stringify(v);
    out.push(`  ${k} = ${text.length > 120 ? `${text.slice(0, 117)}...` : text}`);
  }
  return out;
}

/** One file's section. */
export function formatFile(f: FileReport): string[] {
  const out = [`${f.path}  [${f.role}, ${f.format}]`];
  const body: string[] = [];
  if (f.error) body.push(`error (${f.error.code}): ${f.error.message}`);
  if (f.foreign && !f.model?.notes?.includes(f.foreign.note)) body.push(f.foreign.note);
  if (f.model) body.push(...formatModel(f.model));
  if (f.weights) body.push(...formatWeights(f.weights));
  if (f.torch) body.push(...formatTorch(f.torch));
  if (f.scaler) body.push(...formatScaler(f.scaler));
  if (f.log) body.push(...formatLog(f.log));
  if (f.pickle && (f.pickle.verdict !== 'safe' || !f.scaler)) body.push(...formatPickle(f.pickle));
  return [...out, ...body.map((l) => `  ${l}`)];
}

const SEVERITY_MARK: Record<string, string> = { error: 'ERROR', warning: 'WARN ', info: 'info ' };

/** One bundle's section: roles with files, completeness and findings. */
export function formatBundle(b: Bundle): string[] {
  const out = [`Bundle ${b.root}: ${b.complete ? 'complete' : 'incomplete'}`];
  for (const role of ['scaler', 'structure', 'weights', 'model', 'log'] as const) {
    const files = b.files[role];
    if (files.length) out.push(`  ${role.padEnd(9)} ${files.join(', ')}`);
  }
  for (const s of b.sideFiles ?? []) {
    out.push(`  side files of ${baseName(s.scaler)}: ${s.files.map((p) => `${baseName(p)}${s.missing.includes(p) ? ' (missing)' : ''}`).join(', ')}`);
  }
  const cps = b.checkpoints ?? [];
  if (cps.length) out.push(`  checkpoints  ${cps.length} (latest: ${baseName(cps[cps.length - 1])})`);
  for (const f of b.findings) {
    out.push(`  ${SEVERITY_MARK[f.severity] ?? f.severity} ${f.code}: ${f.message}${f.path ? ` (${f.path})` : ''}`);
  }
  return out;
}

/** The whole report. */
export function formatReport(r: InspectReport): string {
  const out: string[] = [];
  const known = r.files.filter((f) => f.format !== 'unknown' || f.error || f.foreign);
  for (const f of known) {
    out.push(...formatFile(f), '');
  }
  const skipped = r.files.length - known.length;
  if (skipped) out.push(`${skipped} other file${skipped === 1 ? '' : 's'} not recognised as model artifacts.`, '');
  for (const b of r.bundles) out.push(...formatBundle(b), '');
  if (!r.files.length) out.push('No files found.');
  return out.join('\n').replace(/\n+$/, '\n');
}
