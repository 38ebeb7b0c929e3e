// Pure builders of the bundle view: FileReports, a Bundle and full log data in, plain view models
// (src/shared/viewModels.ts) out. The webview only renders what these return.
// Size: one builder per tab of the bundle view (overview, architecture, preprocessing, curves,
// predictions) over the same report; they share helpers for names, sizes and dates.
import { baseName, dirName } from '../io/fileSource';
import { formatBytes as formatByteCount } from './textReport';
import {
  bestPoint,
  emaSmooth,
  lttbIndices,
  metricDirection,
  movingAverage,
  overfittingOnset,
  pairSeries,
  pick,
  splitRestarts,
  type NamedSeries,
} from './curves';
import type { SklearnScaler } from '../formats/pickle/sklearn';
import { isBufferName, moduleTree, type ModuleNode } from '../formats/torch/moduleTree';
import { untransformable } from '../predict/scalerTransform';
import type { Bundle, FileReport, LayerSummary, LogData, ModelSummary, Scaler, Shape } from '../types';
import type {
  ArchitectureView,
  BundleRoleName,
  BundleViewModel,
  CurveChartView,
  CurveMarkerView,
  CurveOptions,
  CurvesView,
  FeatureView,
  FileView,
  FindingView,
  GraphView,
  ImageView,
  ModuleRowView,
  ModuleTreeView,
  OverviewView,
  RoleView,
  ScalerColumnView,
  ScalerView,
  SummaryRowView,
  TabId,
} from '../../shared/viewModels';

/** Full data of one log file of the bundle. */
export interface LoadedLog {
  path: string;
  format: string;
  data: LogData;
}

/** Everything the bundle view is built from. */
export interface BundleViewInput {
  bundle: Bundle;
  /** Reports of the bundle's files (others are ignored). */
  files: FileReport[];
  logs: LoadedLog[];
  curveOptions: CurveOptions;
  focusPath?: string | null;
}

/** Suggested fix for each finding code of the contract. */
export const FINDING_FIXES: Record<string, string> = {
  'missing-scaler':
    'Save the fitted scaler next to the model, e.g. joblib.dump(scaler, "scaler.joblib") right after scaler.fit(...); without it the model cannot be fed raw inputs.',
  'missing-structure': 'Save the architecture: open("model.json", "w").write(model.to_json()), or save the whole model with model.save("model.keras").',
  'missing-weights': 'Save the weights: model.save_weights("model.weights.h5"), or the whole model with model.save("model.keras").',
  'missing-log': 'Keep the training history: pass keras.callbacks.CSVLogger("training_log.csv") to model.fit, or dump history.history to JSON.',
  'weights-structure-mismatch': 'The weights were saved from a different architecture: re-save structure and weights from the same model.',
  'scaler-input-mismatch': 'The scaler was fitted on a different number of features than the model takes: save the scaler used for this model.',
  'tfjs-shard-missing': 'Copy every group*-shard*.bin file the model.json manifest names next to it.',
  'tfjs-shard-size': 'A weight shard has the wrong size (truncated copy?): copy it again from the converter output.',
  'unsafe-pickle': 'Do not load this pickle: it names code that would run on load. Re-create it from trusted code.',
  'unreadable-file': 'The file could not be read: check that it is complete and of the format its name says.',
  'lambda-layer': 'Lambda layers hold Python code that only Python can run: replace them with built-in layers to use the model elsewhere.',
  'stale-artifact': 'One file is much older than the others: re-save it from the current training run.',
  'pytorch-module-pickle':
    'Save the weights instead of the module: torch.save(model.state_dict(), "model.pt"), and rebuild the model from its code to load them.',
  'torchscript-model': 'To check and run it here, also export it with torch.onnx.export(model, example, "model.onnx") or save its state_dict().',
};

/** `1536` -> `1.50 KB` (1024-based, as Keras prints memory sizes; always two decimals in the view). */
export function formatBytes(bytes: number): string {
  return formatByteCount(bytes, 2);
}

/** A shape as Python prints it: `(None, 8)`, `(None,)`; several shapes as a list; `?` when unknown. */
export function formatShape(shape: Shape | Shape[] | null | undefined): string {
  if (!shape) return '?';
  if (shape.length > 0 && Array.isArray(shape[0])) return `[${(shape as Shape[]).map((s) => formatShape(s)).join(', ')}]`;
  const dims = (shape as Shape).map((d) => (d === null ? 'None' : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

// ---------- overview ----------

function filesOf(bundle: Bundle): string[] {
  const f = bundle.files;
  return [...f.scaler, ...f.structure, ...f.weights, ...f.model, ...f.log];
}

function roleStatus(own: string[], reports: Map<string, FileReport>, model: string[]): RoleView['status'] {
  if (own.length) {
    const readable = own.some((p) => !reports.get(p)?.error);
    return readable ? 'present' : 'error';
  }
  return model.length ? 'covered-by-model' : 'missing';
}

/** Overview: the four roles with status, findings with fixes, files with sizes and dates, versions. */
export function buildOverview(bundle: Bundle, reports: FileReport[]): OverviewView {
  const byPath = new Map(reports.map((r) => [r.path, r]));
  const f = bundle.files;
  const role = (name: BundleRoleName, own: string[], cover: string[]): RoleView => ({
    role: name,
    status: roleStatus(own, byPath, cover),
    files: own.length ? own : cover,
  });
  const roles: RoleView[] = [
    role('scaler', f.scaler, []),
    role('structure', f.structure, f.model),
    role('weights', f.weights, f.model),
    role('log', f.log, []),
  ];
  const findings: FindingView[] = bundle.findings.map((x) => ({
    code: x.code,
    severity: x.severity,
    message: x.message,
    ...(x.messageTemplate === undefined ? {} : { messageTemplate: x.messageTemplate, messageArgs: x.messageArgs ?? [] }),
    path: x.path,
    fix: FINDING_FIXES[x.code] ?? null,
  }));
  const files: FileView[] = [];
  const seen = new Set<string>();
  const checkpoints = new Set(bundle.checkpoints ?? []);
  // Earlier checkpoints last, latest first (bundle.checkpoints is oldest first).
  for (const p of [...filesOf(bundle), ...[...checkpoints].reverse()]) {
    if (seen.has(p)) continue;
    seen.add(p);
    const r = byPath.get(p);
    files.push({
      path: p,
      name: relativeTo(bundle.root, p),
      role: checkpoints.has(p) ? 'checkpoint' : (r?.role ?? 'other'),
      format: r?.foreign ? `${r.foreign.framework} (not read)` : (r?.format ?? 'unknown'),
      note: r?.foreign?.note ?? null,
      size: r?.size ?? null,
      sizeText: r?.size === undefined ? '?' : formatBytes(r.size),
      mtimeMs: r?.mtimeMs ?? null,
      error: r?.error ? `${r.error.code}: ${r.error.message}` : null,
    });
  }
  const keras = new Set<string>();
  const sklearn = new Set<string>();
  const tfjs = new Set<string>();
  for (const p of seen) {
    const r = byPath.get(p);
    if (!r) continue;
    if (r.model?.kerasVersion) keras.add(r.model.kerasVersion);
    if (r.model?.framework === 'tfjs' || r.format === 'tfjs-layers' || r.format === 'tfjs-graph') {
      // `convertedBy`: "TensorFlow.js Converter v3.18.0", or the tfjs-layers version that saved it
      const by = r.model?.convertedBy;
      tfjs.add(by ? `${by} (${baseName(r.path)})` : `${r.format}, converter version not recorded (${baseName(r.path)})`);
    }
    const scalers = r.scaler ? flattenScalers(r.scaler) : [];
    for (const s of scalers) if (s.sklearnVersion) sklearn.add(s.sklearnVersion);
  }
  return {
    root: bundle.root,
    complete: bundle.complete,
    roles,
    findings,
    files,
    versions: { keras: [...keras], sklearn: [...sklearn], tfjs: [...tfjs] },
  };
}

function flattenScalers(s: Scaler): Scaler[] {
  return [s, ...(s.steps ?? []).flatMap(flattenScalers)];
}

/** `root/sub/file` relative to `root` (the path itself when it is not inside). */
export function relativeTo(root: string, path: string): string {
  const r = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(r) ? path.slice(r.length) : path;
}

// ---------- architecture ----------

/** The rows of a model.summary()-style table; nested models' layers follow their row, one level deeper. */
export function summaryRows(model: ModelSummary): SummaryRowView[] {
  const rows: SummaryRowView[] = [];
  const walk = (layers: LayerSummary[], parentId: string | null, depth: number): void => {
    for (const l of layers) {
      const id = parentId === null ? l.name : `${parentId}/${l.name}`;
      const nested = l.layers && l.layers.length > 0;
      rows.push({
        id,
        parentId,
        depth,
        name: l.name,
        className: l.className,
        outputShape: formatShape(l.outputShape),
        params: l.params,
        trainable: l.trainable,
        connectedTo: l.inbound.join(', '),
        hasChildren: !!nested,
        ...onnxRowExtras(l),
      });
      if (nested) walk(l.layers as LayerSummary[], id, depth + 1);
    }
  };
  walk(model.layers, null, 0);
  return rows;
}

/** Whether a model's layers form more than a single chain (worth a graph drawing). */
export function isFunctionalGraph(model: ModelSummary): boolean {
  if (model.className === 'Sequential') return false;
  return model.layers.some((l) => l.inbound.length > 0);
}

const BOX_W = 168;
const BOX_H = 40;
const GAP_X = 24;
const GAP_Y = 32;
/** Largest number of layers drawn as a graph. */
export const MAX_GRAPH_NODES = 400;

/** Layered layout of a functional model: a layer's row is one below its deepest inbound layer. */
export function graphLayout(model: ModelSummary): GraphView | null {
  const layers = model.layers;
  if (layers.length === 0 || layers.length > MAX_GRAPH_NODES) return null;
  const byName = new Map(layers.map((l) => [l.name, l]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const l = byName.get(name);
    if (!l || visiting.has(name)) return 0;
    visiting.add(name);
    let d = 0;
    for (const src of l.inbound) if (byName.has(src)) d = Math.max(d, depthOf(src) + 1);
    visiting.delete(name);
    depth.set(name, d);
    return d;
  };
  const rows: string[][] = [];
  for (const l of layers) {
    const d = depthOf(l.name);
    (rows[d] ??= []).push(l.name);
  }
  // one barycentre pass: a row is ordered by the mean position of its inbound layers (fewer crossings)
  const col = new Map<string, number>();
  rows.forEach((row, d) => {
    if (!row) return;
    if (d > 0) {
      const key = (name: string): number => {
        const ins = (byName.get(name)?.inbound ?? []).filter((n) => col.has(n));
        return ins.length ? ins.reduce((a, n) => a + (col.get(n) as number), 0) / ins.length : Infinity;
      };
      const keys = new Map(row.map((n, i) => [n, [key(n), i] as const]));
      row.sort((a, b) => {
        const [ka, ia] = keys.get(a) as readonly [number, number];
        const [kb, ib] = keys.get(b) as readonly [number, number];
        return ka === kb ? ia - ib : ka === Infinity ? 1 : kb === Infinity ? -1 : ka - kb;
      });
    }
    const offset = (Math.max(...rows.map((r) => r?.length ?? 0)) - row.length) / 2;
    row.forEach((n, i) => col.set(n, offset + i));
  });
  const cols = Math.max(...rows.map((r) => r?.length ?? 0));
  const width = cols * (BOX_W + GAP_X) + GAP_X;
  const height = rows.length * (BOX_H + GAP_Y) + GAP_Y;
  const nodes: GraphView['nodes'] = [];
  rows.forEach((row, d) => {
    if (!row) return;
    const rowWidth = row.length * (BOX_W + GAP_X) - GAP_X;
    const x0 = (width - rowWidth) / 2;
    row.forEach((name, i) => {
      const l = byName.get(name) as LayerSummary;
      nodes.push({
        id: name,
        label: name,
        sub: `${l.className} ${formatShape(l.outputShape)}`,
        x: x0 + i * (BOX_W + GAP_X),
        y: GAP_Y + d * (BOX_H + GAP_Y),
        w: BOX_W,
        h: BOX_H,
        ...(l.preprocessing ? { preprocessing: true } : {}),
      });
    });
  });
  const edges: GraphView['edges'] = [];
  for (const l of layers) for (const src of l.inbound) if (byName.has(src)) edges.push({ from: src, to: l.name });
  return { width, height, nodes, edges };
}

/** The rows of a module tree, depth first; the root's children at depth 0. */
export function moduleTreeView(root: ModuleNode): ModuleTreeView {
  const rows: ModuleRowView[] = [];
  let modules = 0;
  let tensors = 0;
  const stack: { n: ModuleNode; parentId: string | null; depth: number }[] = [];
  for (let i = root.children.length - 1; i >= 0; i--) stack.push({ n: root.children[i], parentId: null, depth: 0 });
  while (stack.length) {
    const { n, parentId, depth } = stack.pop()!;
    const id = n.path;
    if (n.kind === 'module') modules++;
    else tensors++;
    rows.push({
      id,
      parentId,
      depth,
      name: n.name,
      path: n.path,
      kind: n.kind,
      typeGuess: n.typeGuess,
      shape: n.shape ? formatShape(n.shape) : '',
      dtype: n.dtype ?? '',
      params: n.params,
      hasChildren: n.children.length > 0,
    });
    for (let i = n.children.length - 1; i >= 0; i--) stack.push({ n: n.children[i], parentId: id, depth: depth + 1 });
  }
  return { rows, modules, tensors, total: root.params };
}

const TORCH_KIND: Record<NonNullable<FileReport['torch']>['kind'], string> = {
  'state-dict': 'state dict',
  checkpoint: 'checkpoint',
  lightning: 'Lightning checkpoint',
  module: 'pickled module',
  torchscript: 'TorchScript',
  safetensors: 'safetensors',
};

/** A PyTorch / safetensors file: its module tree, totals (buffers by name as non-trainable) and checkpoint notes. */
function torchArchitecture(report: FileReport, base: ArchitectureView): ArchitectureView {
  const w = report.weights!;
  const t = report.torch!;
  const tree = moduleTreeView(moduleTree(w));
  const buffers = w.layers.reduce((a, l) => a + l.tensors.filter((x) => isBufferName(x.name)).reduce((b, x) => b + x.shape.reduce((c, d) => c * d, 1), 0), 0);
  const notes: string[] = [];
  if (buffers)
    notes.push(
      'Buffers recognised by name (BatchNorm running_mean, running_var, num_batches_tracked) count as non-trainable; a state dict does not say which tensors train.',
    );
  notes.push('Module types are guessed from the tensors each module holds (a state dict names no classes).');
  if (t.stateDictKey)
    notes.push(
      `The model's weights are the checkpoint's "${t.stateDictKey}" entry${t.otherTensors ? `; ${t.otherTensors} other tensors (optimizer state...) are not counted` : ''}.`,
    );
  for (const k of ['epoch', 'global_step', 'pytorch-lightning_version']) if (t.metadata[k] !== undefined) notes.push(`${k}: ${JSON.stringify(t.metadata[k])}`);
  if (t.input)
    notes.push(`Input: ${t.input.width} ${t.input.kind === 'conv' ? 'channels' : 'features'} (first ${t.input.kind} layer ${t.input.layer || '(root)'})`);
  return {
    ...base,
    framework: report.format,
    className: TORCH_KIND[t.kind],
    totals: { total: w.totalParams, trainable: w.totalParams - buffers, nonTrainable: buffers },
    memoryBytes: w.bytes,
    memoryText: formatBytes(w.bytes),
    inputShapes: t.input ? [formatShape([null, t.input.width])] : [],
    notes,
    moduleTree: tree,
  };
}

/** Architecture of one structure/model file; `weightBytes` are the stored weights' bytes when known. */
export function buildArchitecture(report: FileReport, root: string, weightBytes: number | null): ArchitectureView {
  const m = report.model;
  const base: ArchitectureView = {
    path: report.path,
    name: relativeTo(root, report.path),
    framework: m?.framework ?? '',
    className: m?.className ?? '',
    kerasVersion: m?.kerasVersion ?? null,
    rows: [],
    totals: { total: 0, trainable: 0, nonTrainable: 0 },
    memoryBytes: 0,
    memoryText: '',
    inputShapes: [],
    outputShapes: [],
    graph: null,
    notes: [],
    error: report.error ? `${report.error.code}: ${report.error.message}` : null,
  };
  if (!m && report.weights && report.torch) return torchArchitecture(report, base);
  if (!m) return base;
  const bytes = weightBytes ?? report.weights?.bytes ?? m.totalParams * 4;
  const notes = [...(m.notes ?? [])];
  if (m.pythonOnlyLayers?.length) notes.push(`Layers only Python can run: ${m.pythonOnlyLayers.join(', ')}`);
  if (m.graph) notes.push(`Graph model: ${m.graph.nodes} nodes; inputs ${m.graph.inputs.join(', ')}; outputs ${m.graph.outputs.join(', ')}`);
  if (m.layers.length > MAX_GRAPH_NODES && isFunctionalGraph(m)) notes.push(`Graph drawing skipped: more than ${MAX_GRAPH_NODES} layers`);
  return {
    ...base,
    rows: summaryRows(m),
    totals: { total: m.totalParams, trainable: m.trainableParams, nonTrainable: m.nonTrainableParams },
    memoryBytes: bytes,
    memoryText: formatBytes(bytes),
    inputShapes: m.inputShapes.map((s) => formatShape(s)),
    outputShapes: m.outputShapes.map((s) => formatShape(s)),
    graph: isFunctionalGraph(m) ? graphLayout(m) : null,
    notes: m.onnx ? [...notes, 'ONNX does not mark parameters as trainable: every initializer is counted as a trainable parameter.'] : notes,
    ...(m.onnx ? { facts: onnxFacts(m) } : {}),
  };
}

/** The ONNX extras of a table row: preprocessing flag and attributes on one line. */
function onnxRowExtras(l: LayerSummary): Pick<SummaryRowView, 'preprocessing' | 'detail'> {
  const out: Pick<SummaryRowView, 'preprocessing' | 'detail'> = {};
  if (l.preprocessing) out.preprocessing = true;
  if (l.attributes) {
    out.detail = Object.entries(l.attributes)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`)
      .join(', ');
  }
  if (l.domain) out.detail = [`domain ${l.domain}`, out.detail].filter(Boolean).join('; ');
  return out;
}

function onnxValue(v: { name: string; dtype: string | null; shape: (number | null)[] | null; dimParams: (string | null)[] | null }): string {
  const dims = v.shape ? v.shape.map((d, i) => (d === null ? (v.dimParams?.[i] ?? '?') : String(d))).join(', ') : 'no shape';
  return `${v.name}: ${v.dtype ?? 'non-tensor'}[${dims}]`;
}

/** The ModelProto's facts shown above an ONNX model's node table. */
function onnxFacts(m: ModelSummary): { label: string; value: string }[] {
  const o = m.onnx!;
  const facts = [
    { label: 'IR version', value: o.irVersion === null ? 'unknown' : String(o.irVersion) },
    { label: 'Opsets', value: o.opsets.map((x) => `${x.domain || 'ai.onnx'} ${x.version}`).join(', ') || 'none' },
    { label: 'Producer', value: [o.producerName, o.producerVersion].filter(Boolean).join(' ') || 'unknown' },
    { label: 'Inputs', value: o.inputs.map(onnxValue).join('; ') },
    { label: 'Outputs', value: o.outputs.map(onnxValue).join('; ') },
    {
      label: 'Operators',
      value: Object.entries(m.opTypes ?? {})
        .map(([k, n]) => `${k} ×${n}`)
        .join(', '),
    },
    { label: 'Initializers', value: `${o.initializers} (${formatBytes(o.initializerBytes)})` },
  ];
  if (o.externalData.length)
    facts.push({ label: 'External data', value: o.externalData.map((e) => `${e.location} (${e.tensors} tensors, ${formatBytes(e.bytes)})`).join(', ') });
  if (o.subgraphs) facts.push({ label: 'Nested graphs', value: String(o.subgraphs) });
  if (o.preprocessing.length) facts.push({ label: 'Preprocessing in the graph', value: o.preprocessing.join(', ') });
  for (const [k, v] of Object.entries(o.metadata)) facts.push({ label: `metadata ${k}`, value: v.length > 200 ? `${v.slice(0, 200)}…` : v });
  return facts;
}

// ---------- preprocessing ----------

const COLUMN_ORDER = [
  'data_min_',
  'data_max_',
  'data_range_',
  'min_',
  'mean_',
  'var_',
  'center_',
  'max_abs_',
  'scale_',
  'lambdas_',
  'quantiles_',
  'n_samples_seen_',
];

function columnLabel(cls: string, param: string): string {
  if (param === 'scale_') {
    if (cls === 'StandardScaler') return 'std (scale_)';
    if (cls === 'RobustScaler') return 'IQR (scale_)';
  }
  if (param === 'var_') return 'variance (var_)';
  return param;
}

function isTargetScaler(path: string): boolean {
  const n = baseName(path.replace(/\.$/, '')).toLowerCase();
  const stem = n.replace(/\.[a-z0-9]+$/, '');
  return (
    /(^|[^a-z])(y|target|targets|label|labels|output|outputs)[_\-.]?(scaler|scale|norm|normali[sz]er|transformer)/.test(n) ||
    /^y[_\-.]/.test(n) ||
    /(scaler|scale|norm|normali[sz]er|transformer)[_\-.]?(y|target|targets|label|labels|output|outputs)$/.test(stem)
  );
}

function rangeOf(p: Record<string, number | number[]>, i: number): { lo: number; hi: number } | null {
  const at = (k: string): number | null => {
    const v = p[k];
    if (Array.isArray(v)) return typeof v[i] === 'number' ? v[i] : null;
    return typeof v === 'number' ? v : null;
  };
  const ok = (lo: number | null, hi: number | null): { lo: number; hi: number } | null =>
    lo !== null && hi !== null && Number.isFinite(lo) && Number.isFinite(hi) ? { lo: Math.min(lo, hi), hi: Math.max(lo, hi) } : null;
  if (p.data_min_ !== undefined && p.data_max_ !== undefined) return ok(at('data_min_'), at('data_max_'));
  if (p.mean_ !== undefined) {
    const mean = at('mean_');
    const sd = p.scale_ !== undefined ? at('scale_') : at('var_') !== null ? Math.sqrt(at('var_') as number) : null;
    return mean !== null && sd !== null ? ok(mean - sd, mean + sd) : null;
  }
  if (p.center_ !== undefined) {
    const c = at('center_');
    const s = at('scale_');
    return c !== null && s !== null ? ok(c - s / 2, c + s / 2) : null;
  }
  if (p.max_abs_ !== undefined) {
    const m = at('max_abs_');
    return m !== null ? ok(-m, m) : null;
  }
  return null;
}

function rangeLabel(p: Record<string, number | number[]>): string | null {
  if (p.data_min_ !== undefined && p.data_max_ !== undefined) return 'data_min_ .. data_max_';
  if (p.mean_ !== undefined) return 'mean ± std';
  if (p.center_ !== undefined) return 'center ± IQR/2';
  if (p.max_abs_ !== undefined) return '−max_abs_ .. max_abs_';
  return null;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(6);
}

function short(v: unknown): string {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 200 ? `${t.slice(0, 199)}…` : t;
}

/** One scaler (and its Pipeline steps) as a per-feature table with range bars. */
/** The columns a ColumnTransformer step takes, as text: `a, c` or `0 (age), 2 (income)`. */
function takesText(cols: (number | string)[] | undefined, parentNames: string[] | null): string | null {
  if (!cols) return null;
  if (!cols.length) return 'no columns';
  const shown = cols.slice(0, 24).map((c) => (typeof c === 'string' ? c : parentNames?.[c] !== undefined ? `${c} (${parentNames[c]})` : String(c)));
  return `${shown.join(', ')}${cols.length > 24 ? `, … (${cols.length} columns)` : ''}`;
}

export function buildScalerView(s: Scaler, path: string, root: string, target: boolean, parent: Scaler | null = null, index = 0): ScalerView {
  const sk = s as SklearnScaler;
  const p = s.params;
  let n = s.nFeaturesIn ?? null;
  if (n === null) for (const v of Object.values(p)) if (Array.isArray(v)) n = Math.max(n ?? 0, v.length);
  const count = n ?? 0;
  const names = Object.keys(p);
  const perFeature = names.filter((k) => Array.isArray(p[k]) && (p[k] as number[]).length === count && count > 0);
  perFeature.sort((a, b) => {
    const ia = COLUMN_ORDER.indexOf(a);
    const ib = COLUMN_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const columns: ScalerColumnView[] = perFeature.map((k) => ({ param: k, label: columnLabel(s.class, k) }));
  const features: FeatureView[] = [];
  let axisLo = Infinity;
  let axisHi = -Infinity;
  for (let i = 0; i < count; i++) {
    const range = rangeOf(p, i);
    if (range) {
      axisLo = Math.min(axisLo, range.lo);
      axisHi = Math.max(axisHi, range.hi);
    }
    features.push({
      index: i,
      name: s.featureNames?.[i] ?? `x${i}`,
      values: perFeature.map((k) => (p[k] as number[])[i] ?? null),
      range,
    });
  }
  const extras = names
    .filter((k) => !perFeature.includes(k))
    .map((k) => {
      const v = p[k];
      const text = Array.isArray(v) ? `[${v.slice(0, 12).map(fmt).join(', ')}${v.length > 12 ? `, … (${v.length} values)` : ''}]` : fmt(v);
      return { param: k, value: text };
    });
  if (sk.categories) extras.push({ param: 'categories_', value: short(sk.categories) });
  const settings = Object.entries(sk.hyper ?? {}).map(([k, v]) => ({ param: k, value: short(v) }));
  const where = sk.name ?? sk.path ?? null;
  return {
    path,
    name: relativeTo(root, path),
    target,
    className: s.class,
    module: s.module,
    sklearnVersion: s.sklearnVersion,
    nFeatures: n,
    rangeLabel: rangeLabel(p),
    columns,
    features,
    axis: axisLo <= axisHi ? { lo: axisLo, hi: axisHi } : null,
    extras,
    settings,
    where,
    steps: (s.steps ?? []).map((st, i) => buildScalerView(st, path, root, target, s, i)),
    error: null,
    ...(parent ? { stepNumber: index + 1, takes: takesText(sk.columns, parent.featureNames) } : {}),
    notApplicable: parent ? null : gapText(s),
  };
}

function gapText(s: Scaler): string | null {
  const gap = untransformable(s);
  return gap ? `${gap.step}: ${gap.reason}` : null;
}

function scalerViews(bundle: Bundle, byPath: Map<string, FileReport>): ScalerView[] {
  const out: ScalerView[] = [];
  for (const path of bundle.files.scaler) {
    const r = byPath.get(path);
    const target = isTargetScaler(path);
    if (r?.scaler) {
      const primary = r.scaler as SklearnScaler;
      const all = [primary, ...(primary.others ?? [])];
      for (const s of all) {
        // a dict wrapper names its objects: {"x": scaler_x, "y": scaler_y}
        const keyTarget = s.path ? isTargetScaler(s.path.split('.').pop() ?? '') || /^(y|target)$/i.test(s.path.split('.').pop() ?? '') : false;
        out.push(buildScalerView(s, path, bundle.root, all.length > 1 ? keyTarget : target));
      }
      continue;
    }
    const reason = r?.error
      ? `${r.error.code}: ${r.error.message}`
      : r?.pickle && r.pickle.verdict !== 'safe'
        ? `not loaded: pickle ${r.pickle.verdict}`
        : 'no scaler found in this file';
    out.push({
      path,
      name: relativeTo(bundle.root, path),
      target,
      className: '',
      module: '',
      sklearnVersion: null,
      nFeatures: null,
      rangeLabel: null,
      columns: [],
      features: [],
      axis: null,
      extras: [],
      settings: [],
      where: null,
      steps: [],
      error: reason,
    });
  }
  out.sort((a, b) => Number(a.target) - Number(b.target));
  return out;
}

// ---------- curves ----------

/** The series of the loaded logs, named so that train/validation pairs and runs are recognisable. */
export function namedSeries(root: string, logs: LoadedLog[]): NamedSeries[] {
  const out: NamedSeries[] = [];
  for (const log of logs) {
    const rel = relativeTo(root, log.path);
    let run = rel;
    let prefix = '';
    if (log.format === 'tfevents') {
      const dir = dirName(rel);
      const last = baseName(dir);
      if (/^(train|training|val|valid|validation|eval|evaluation|test)$/i.test(last)) {
        prefix = `${last}/`;
        const up = dirName(dir);
        run = up === '.' ? '' : up;
      } else run = dir === '.' ? '' : dir;
      run = run || 'tensorboard';
    }
    for (const [name, s] of Object.entries(log.data.series)) {
      const series: NamedSeries = { run, name: prefix + name, steps: s.steps, values: s.values };
      if (s.wallTime && s.wallTime.length === s.values.length) series.wallTime = s.wallTime;
      out.push(...splitRestarts(series));
    }
  }
  return out;
}

function smooth(values: number[], o: CurveOptions): number[] {
  if (o.smoothing === 'ema') return emaSmooth(values, o.emaWeight);
  if (o.smoothing === 'ma') return movingAverage(values, o.maWindow);
  return values;
}

/** Chart id of a metric (stable across updates). */
export function chartId(metric: string): string {
  return `metric:${metric}`;
}

/** Window of the overfitting check: 5 points, or 2% of a long series (block-averaged beyond that). */
function onsetWindow(n: number): number {
  return Math.max(5, Math.min(50, Math.round(n / 50)));
}

function blockAverage(steps: number[], values: number[], blocks: number): { steps: number[]; values: number[] } {
  if (steps.length <= blocks * 2) return { steps, values };
  const k = Math.ceil(steps.length / blocks);
  const s: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < steps.length; i += k) {
    let sum = 0;
    let m = 0;
    for (let j = i; j < Math.min(steps.length, i + k); j++) {
      if (Number.isFinite(values[j])) {
        sum += values[j];
        m++;
      }
    }
    s.push(steps[i]);
    v.push(m ? sum / m : NaN);
  }
  return { steps: s, values: v };
}

/** Curves tab: one chart per metric, train+validation of every run, best epoch and overfitting onset marked. */
export function buildCurves(root: string, logs: LoadedLog[], options: CurveOptions): Omit<CurvesView, 'images' | 'summaries'> {
  const series = namedSeries(root, logs);
  const groups = pairSeries(series);
  const hasWallTime = series.some((s) => s.wallTime !== undefined);
  const useWall = options.xAxis === 'wallTime' && hasWallTime;
  const runStart = new Map<string, number>();
  if (useWall) {
    for (const s of series) {
      if (!s.wallTime) continue;
      let m = runStart.get(s.run) ?? Infinity;
      for (const t of s.wallTime) if (t < m) m = t;
      runStart.set(s.run, m);
    }
  }
  const xOf = (s: NamedSeries): number[] => {
    if (useWall && s.wallTime) {
      const t0 = runStart.get(s.run) ?? 0;
      return s.wallTime.map((t) => t - t0);
    }
    return s.steps;
  };
  const charts: CurveChartView[] = [];
  const notes: string[] = [];
  if (useWall) {
    const without = series.filter((s) => !s.wallTime).length;
    if (without) notes.push(`${without} series without wall times are not drawn on the wall-time axis`);
  }
  for (const g0 of groups) {
    const g = useWall ? { ...g0, series: g0.series.filter((s) => s.wallTime) } : g0;
    if (g.series.length === 0) continue;
    // higher for accuracy-like metrics, lower for losses and errors, null when the name does not say
    // (then neither the best epoch nor an overfitting onset is marked: see metricDirection)
    const direction = metricDirection(g.metric);
    const higher = direction === 'higher';
    if (direction === null && g.series.some((s) => s.split !== 'other'))
      notes.push(`${g.metric}: no best epoch or overfitting onset marked: its name does not say whether higher or lower is better`);
    const markers: CurveMarkerView[] = [];
    const chartSeries = g.series.map((s) => {
      // non-finite values (NaN / inf of a diverged run, epochs without validation) are not drawn:
      // the line joins the finite points, and a note says how many were left out
      const xAll = xOf(s);
      const yAll = smooth(s.values, options);
      const keep: number[] = [];
      for (let i = 0; i < yAll.length; i++) if (Number.isFinite(yAll[i]) && Number.isFinite(xAll[i])) keep.push(i);
      const dropped = yAll.length - keep.length;
      if (dropped > 0) notes.push(`${s.run ? `${s.run}: ` : ''}${s.name}: ${dropped} of ${yAll.length} values are NaN or infinite and are not drawn`);
      const x = keep.length === yAll.length ? xAll : pick(xAll, keep);
      const y = keep.length === yAll.length ? yAll : pick(yAll, keep);
      const rawAll = keep.length === yAll.length ? s.values : pick(s.values, keep);
      const idx = lttbIndices(x, y, options.maxPoints);
      return {
        name: s.name,
        run: s.run,
        split: s.split,
        x: pick(x, idx),
        y: pick(y, idx),
        raw: options.smoothing === 'none' ? null : pick(rawAll, idx),
        points: s.values.length,
      };
    });
    const runs = [...new Set(g.series.map((s) => s.run))];
    for (const run of runs) {
      const inRun = g.series.filter((s) => s.run === run);
      const train = inRun.find((s) => s.split === 'train');
      const val = inRun.find((s) => s.split === 'validation');
      const target = val ?? train ?? inRun[0];
      if (!target || target.split === 'other' || direction === null) continue;
      const b = bestPoint(target.steps, target.values, higher);
      const tx = xOf(target);
      if (b)
        markers.push({
          kind: 'best',
          run,
          x: tx[b.index],
          step: b.step,
          value: b.value,
          label: `best ${target.name} ${fmt(b.value)} at step ${b.step}`,
        });
      if (train && val) {
        const ta = blockAverage(train.steps, train.values, 2000);
        const va = blockAverage(val.steps, val.values, 2000);
        const onset = overfittingOnset(ta, va, onsetWindow(va.steps.length), direction);
        if (onset) {
          const vi = val.steps.indexOf(onset.step);
          const vx = xOf(val);
          markers.push({
            kind: 'overfit',
            run,
            x: vi >= 0 ? vx[vi] : onset.step,
            step: onset.step,
            value: vi >= 0 ? val.values[vi] : NaN,
            label: `overfitting from step ${onset.step}: ${val.name} ${higher ? 'falls' : 'rises'} while ${train.name} ${higher ? 'rises' : 'falls'}`,
          });
        }
      }
    }
    charts.push({ id: chartId(g.metric), metric: g.metric, higherIsBetter: higher, series: chartSeries, markers });
  }
  // losses first, then accuracy-like metrics, then the rest (learning rate...)
  const order = (c: CurveChartView): number => (/loss/i.test(c.metric) ? 0 : c.series.every((s) => s.split === 'other') ? 2 : 1);
  charts.sort((a, b) => order(a) - order(b));
  return { options, charts, runs: [...new Set(series.map((s) => s.run))], hasWallTime, notes };
}

/** The full (undecimated, unsmoothed) data of one chart as CSV (`run,series,step,wall_time,value`) or JSON. */
export function exportChart(root: string, logs: LoadedLog[], id: string, format: 'csv' | 'json'): string | null {
  const group = pairSeries(namedSeries(root, logs)).find((g) => chartId(g.metric) === id);
  if (!group) return null;
  if (format === 'json') {
    return JSON.stringify(
      {
        metric: group.metric,
        series: group.series.map((s) => ({ run: s.run, name: s.name, split: s.split, steps: s.steps, values: s.values, wallTime: s.wallTime ?? null })),
      },
      null,
      1,
    );
  }
  const q = (t: string): string => (/[",\n\r]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t);
  const lines = ['run,series,step,wall_time,value'];
  for (const s of group.series) {
    for (let i = 0; i < s.steps.length; i++) {
      lines.push(`${q(s.run)},${q(s.name)},${s.steps[i]},${s.wallTime ? s.wallTime[i] : ''},${s.values[i]}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// ---------- whole view ----------

function tabOf(r: FileReport | undefined): TabId {
  switch (r?.role) {
    case 'scaler':
      return 'preprocessing';
    case 'structure':
    case 'model':
    case 'weights':
      return 'architecture';
    case 'log':
      return 'curves';
    default:
      return 'overview';
  }
}

/** The whole bundle view; `images` are filled with webview URIs by the host afterwards. */
export function buildBundleViewModel(input: BundleViewInput): BundleViewModel {
  const { bundle, files, logs, curveOptions } = input;
  const byPath = new Map(files.map((r) => [r.path, r]));
  const weightsBytes = bundle.files.weights.reduce((sum, p) => sum + (byPath.get(p)?.weights?.bytes ?? 0), 0);
  const torchWeights = bundle.files.weights.filter((p) => byPath.get(p)?.torch);
  const architecture = [...bundle.files.model, ...bundle.files.structure, ...torchWeights]
    .map((p) => byPath.get(p))
    .filter((r): r is FileReport => r !== undefined)
    .map((r) => buildArchitecture(r, bundle.root, r.role === 'structure' && weightsBytes > 0 ? weightsBytes : null));
  const loaded = new Set(logs.map((l) => l.path));
  const images: ImageView[] = [];
  const summaries: CurvesView['summaries'] = [];
  // PyTorch checkpoints holding per-epoch lists (train_losses...) carry a log of their own: summarised below.
  const torchLogs = [...bundle.files.weights, ...bundle.files.model].filter((p) => byPath.get(p)?.torch && byPath.get(p)?.log);
  for (const p of [...bundle.files.log, ...torchLogs]) {
    const r = byPath.get(p);
    if (r?.format === 'image') {
      images.push({ path: p, name: relativeTo(bundle.root, p), src: null });
      continue;
    }
    if (loaded.has(p) || !r?.log) continue;
    summaries.push({
      path: relativeTo(bundle.root, p),
      series: Object.entries(r.log.series).map(([name, s]) => ({ name, ...s })),
    });
  }
  const curves: CurvesView = { ...buildCurves(bundle.root, logs, curveOptions), images, summaries };
  if (summaries.length) curves.notes.push('Some logs could only be summarised (their full data was not available): see the table below.');
  const focusPath = input.focusPath ?? null;
  const title = baseName(bundle.root) || bundle.root;
  return {
    title,
    root: bundle.root,
    overview: buildOverview(bundle, files),
    architecture,
    preprocessing: { scalers: scalerViews(bundle, byPath) },
    curves,
    focus: focusPath ? { path: focusPath, tab: tabOf(byPath.get(focusPath)) } : null,
  };
}
