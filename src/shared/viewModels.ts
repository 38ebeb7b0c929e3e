// Plain view-model shapes the extension host builds (src/core/viewModel.ts) and the webview renders.
// Only data: no functions, no classes, so they cross postMessage unchanged.

/** The four roles a complete bundle needs. */
export type BundleRoleName = 'scaler' | 'structure' | 'weights' | 'log';

/** Whether a role is filled: by its own file, by a full-model file, missing, or present but unreadable. */
export type RoleStatus = 'present' | 'covered-by-model' | 'missing' | 'error';

/** One role line of the overview. */
export interface RoleView {
  role: BundleRoleName;
  status: RoleStatus;
  files: string[];
}

/** One finding with the fix we suggest for it. */
export interface FindingView {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** The English template of `message` and its arguments (the webview translates them), when it has one. */
  messageTemplate?: string;
  messageArgs?: (string | number)[];
  path: string | null;
  fix: string | null;
}

/** One file of the bundle as listed in the overview. */
export interface FileView {
  path: string;
  name: string;
  role: string;
  format: string;
  size: number | null;
  sizeText: string;
  mtimeMs: number | null;
  error: string | null;
  /** What this tool says of a file it recognises but does not read (another framework's model, a SavedModel). */
  note: string | null;
}

/** Library versions named by the bundle's files. */
export interface VersionsView {
  keras: string[];
  sklearn: string[];
  tfjs: string[];
}

/** Overview tab. */
export interface OverviewView {
  root: string;
  complete: boolean;
  roles: RoleView[];
  findings: FindingView[];
  files: FileView[];
  versions: VersionsView;
}

/** One row of a model.summary()-style table. */
export interface SummaryRowView {
  /** Unique within the table (path of layer names joined with `/`). */
  id: string;
  /** Id of the row of the nested model this layer belongs to; null at top level. */
  parentId: string | null;
  depth: number;
  name: string;
  className: string;
  outputShape: string;
  params: number;
  trainable: boolean;
  connectedTo: string;
  /** True when this layer is itself a model whose layers follow (expandable). */
  hasChildren: boolean;
  /** Extension (ONNX): a preprocessing operator (skl2onnx Scaler, Imputer, OneHotEncoder...). */
  preprocessing?: boolean;
  /** Extension (ONNX): the node's attributes, as one line (`kernel_shape=[3, 3], strides=[1, 1]`). */
  detail?: string;
}

/** A box of the graph drawing. */
export interface GraphNodeView {
  id: string;
  label: string;
  sub: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Extension (ONNX): drawn as a preprocessing node. */
  preprocessing?: boolean;
}

/** A functional model drawn as boxes and edges (coordinates in SVG user units). */
export interface GraphView {
  width: number;
  height: number;
  nodes: GraphNodeView[];
  edges: { from: string; to: string }[];
}

/** One row of a PyTorch / safetensors module tree: a module (its rows follow, one level deeper) or a tensor. */
export interface ModuleRowView {
  id: string;
  parentId: string | null;
  depth: number;
  name: string;
  /** Full dotted path (`encoder.fc1.weight`). */
  path: string;
  kind: 'module' | 'tensor';
  /** Modules: a type guessed from their tensors (`Linear(8→16)`), '' when none fits. */
  typeGuess: string;
  /** Tensors: `(16, 8)`; modules: ''. */
  shape: string;
  dtype: string;
  params: number;
  hasChildren: boolean;
}

/** The module tree of a state dict (torchinfo-like, without activations). */
export interface ModuleTreeView {
  rows: ModuleRowView[];
  modules: number;
  tensors: number;
  total: number;
}

/** Architecture of one model file. */
export interface ArchitectureView {
  path: string;
  name: string;
  framework: string;
  className: string;
  kerasVersion: string | null;
  rows: SummaryRowView[];
  totals: { total: number; trainable: number; nonTrainable: number };
  /** Bytes of the parameters (stored weights when known, else 4 bytes per parameter). */
  memoryBytes: number;
  memoryText: string;
  inputShapes: string[];
  outputShapes: string[];
  graph: GraphView | null;
  notes: string[];
  error: string | null;
  /** Extension: for ONNX models, the ModelProto's facts as label/value pairs (IR version, opsets, producer, inputs...). */
  facts?: { label: string; value: string }[];
  /** PyTorch / safetensors weights: the module tree from the state dict's keys. */
  moduleTree?: ModuleTreeView;
}

/** One fitted column of a scaler table (e.g. `data_min_`). */
export interface ScalerColumnView {
  param: string;
  label: string;
}

/** One feature of a scaler table. */
export interface FeatureView {
  index: number;
  name: string;
  /** Values by param name, aligned with the columns. */
  values: (number | null)[];
  /** The range the bar shows (min..max, mean±std, center±IQR/2...), or null when unknown. */
  range: { lo: number; hi: number } | null;
}

/** One scaler (or one step of a Pipeline). */
export interface ScalerView {
  path: string;
  name: string;
  target: boolean;
  className: string;
  module: string;
  sklearnVersion: string | null;
  nFeatures: number | null;
  rangeLabel: string | null;
  columns: ScalerColumnView[];
  features: FeatureView[];
  /** Common axis of the range bars. */
  axis: { lo: number; hi: number } | null;
  /** Fitted values that are not per-feature. */
  extras: { param: string; value: string }[];
  /** Hyperparameters (feature_range, with_mean, method...) when the reader gives them. */
  settings: { param: string; value: string }[];
  /** Where in the file the object was found (`scaler`, `models.y`, a Pipeline step name), if not at the top. */
  where: string | null;
  steps: ScalerView[];
  error: string | null;
  /** For a step of a Pipeline / ColumnTransformer / FeatureUnion: its position (1-based) in the order it runs. */
  stepNumber?: number;
  /** For a ColumnTransformer step: the input columns it takes (names, or indices with the fitted names). */
  takes?: string | null;
  /** Why predictions cannot apply this object (the step and the reason), or null when they can. */
  notApplicable?: string | null;
}

/** Preprocessing tab. */
export interface PreprocessingView {
  scalers: ScalerView[];
}

/** Which side of a train/validation pair a series is. */
export type Split = 'train' | 'validation' | 'other';

/** One plotted series (already smoothed and decimated by the host). */
export interface CurveSeriesView {
  /** Original name in the log (`val_loss`, `validation/epoch_loss`). */
  name: string;
  run: string;
  split: Split;
  x: number[];
  y: number[];
  /** Unsmoothed values at the same points when smoothing is on (drawn faint), else null. */
  raw: number[] | null;
  /** Points in the log before decimation. */
  points: number;
}

/** A marker on a chart: a vertical line at `x`. */
export interface CurveMarkerView {
  kind: 'best' | 'overfit';
  run: string;
  x: number;
  step: number;
  value: number;
  label: string;
}

/** One chart: train and validation of the same metric, for every run. */
export interface CurveChartView {
  id: string;
  metric: string;
  higherIsBetter: boolean;
  series: CurveSeriesView[];
  markers: CurveMarkerView[];
}

/** Options of the curve tab that the host applies. */
export interface CurveOptions {
  smoothing: 'none' | 'ema' | 'ma';
  /** EMA weight in [0, 1) as TensorBoard's slider. */
  emaWeight: number;
  /** Moving-average window in points (>= 1). */
  maWindow: number;
  xAxis: 'step' | 'wallTime';
  /** Points per series sent to the webview. */
  maxPoints: number;
}

/** A saved plot (loss.png) shown beside the charts. */
export interface ImageView {
  path: string;
  name: string;
  /** webview URI, filled by the host; null when it could not be made. */
  src: string | null;
}

/** Curves tab. */
export interface CurvesView {
  options: CurveOptions;
  charts: CurveChartView[];
  runs: string[];
  /** True when at least one series has wall times (the x-axis toggle is offered). */
  hasWallTime: boolean;
  images: ImageView[];
  /** Logs whose full data could not be read: their summary lines. */
  summaries: {
    path: string;
    series: { name: string; points: number; first: number; last: number; min: number; minStep: number; max: number; maxStep: number }[];
  }[];
  notes: string[];
}

/** Tab identifiers. */
export type TabId = 'overview' | 'architecture' | 'preprocessing' | 'curves' | 'predictions' | 'recover';

/** Everything the bundle view shows. */
export interface BundleViewModel {
  title: string;
  root: string;
  overview: OverviewView;
  architecture: ArchitectureView[];
  preprocessing: PreprocessingView;
  curves: CurvesView;
  /** File to highlight and the tab it belongs to, when the view was opened on a file. */
  focus: { path: string; tab: TabId } | null;
}

/** One input of the prediction form. */
export interface PredictionFeature {
  name: string;
  /** Training range of the feature when the scaler records it (hint and extrapolation warning). */
  min: number | null;
  max: number | null;
}

/** What the Predictions tab needs to build its form. */
export interface PredictionSchema {
  /** False when the bundle cannot run (no model, a Python-only layer...); `reason` says why. */
  available: boolean;
  reason: string | null;
  model: string | null;
  features: PredictionFeature[];
  outputs: number | null;
  scaler: string | null;
  targetScaler: string | null;
  /** Why predictions refuse to use the bundle's preprocessing (unusable file, several candidates), or null. */
  preprocessingIssue?: string | null;
}

/** One prediction run, as the tab shows it. */
export interface PredictionView {
  rows: number;
  outputs: number[][];
  scaledInput: boolean;
  unscaledOutput: boolean;
  backend: string;
  inferenceMs: number;
  warnings: { row: number; feature: string; message: string }[];
  /** Extension: what the pipeline did differently (an ONNX graph scaling its inputs itself...). */
  notes?: string[];
  /** Which preprocessing ran (steps in order), what was skipped on request, and warnings to show with the result. */
  preprocessing?: {
    input: { path: string; class: string; steps: string[] } | null;
    target: { path: string; class: string; steps: string[] } | null;
    skipped: { input: boolean; target: boolean };
    notes: string[];
  };
}

/** A document of the input contract the view can copy. */
export type ContractDocumentId = 'openapi' | 'row' | 'batch';

/** The bundle's input contract, as the overview shows it (built by src/core/deploy/contractView.ts). */
export interface ContractView {
  /** False when no contract can be derived (`reason` says why). */
  available: boolean;
  reason: string | null;
  /** One line per input feature (name, type, range or categories). */
  features: string[];
  outputs: string[];
  notes: string[];
  /** The JSON documents, pretty-printed, in the order the buttons show them. */
  documents: { id: ContractDocumentId; label: string; text: string }[];
}
