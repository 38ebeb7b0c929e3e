// Plain data shapes of the core, exactly those of the CLI JSON contract (spec/cli-json.md).
// Every reader returns these; the CLI prints them, the extension renders them.

/** Role of a file inside a bundle. `model` = structure and weights in one artifact. */
export type Role = 'scaler' | 'structure' | 'weights' | 'model' | 'log' | 'other';

/** Format identifiers of the contract. */
export type Format =
  | 'sklearn-pickle'
  | 'joblib'
  | 'keras-json'
  | 'keras-h5'
  | 'keras-weights-h5'
  | 'keras3-weights-h5'
  | 'keras-zip'
  | 'tfjs-layers'
  | 'tfjs-graph'
  | 'tfjs-shard'
  | 'keras-csv-log'
  | 'history-json'
  | 'history-pickle'
  | 'tfevents'
  | 'image'
  | 'unknown';

/** Why a file could not be read (the rest of the report goes on). */
export interface FileError {
  /** Stable kebab-case code, e.g. `truncated-hdf5`, `not-a-model`, `crc-mismatch`. */
  code: string;
  /** One clear sentence naming what is wrong (and where: row, layer, offset). */
  message: string;
}

/** A fitted scikit-learn preprocessing object. */
export interface Scaler {
  class: string;
  module: string;
  sklearnVersion: string | null;
  nFeaturesIn: number | null;
  featureNames: string[] | null;
  /** Every fitted numeric attribute (name ends in `_`): a number or a flat array of numbers. */
  params: Record<string, number | number[]>;
  /** Only for Pipeline / ColumnTransformer, in order. */
  steps?: Scaler[];
}

/** A shape: `null` for the batch or any unknown dimension. */
export type Shape = (number | null)[];

/** One layer of an architecture summary. */
export interface LayerSummary {
  name: string;
  className: string;
  /** A shape, or a list of shapes for layers with several outputs; null when unknown. */
  outputShape: Shape | Shape[] | null;
  params: number;
  trainable: boolean;
  /** Names of the layers feeding this one. */
  inbound: string[];
  /** Nested model (a Sequential/Functional used as a layer): its own layers. Extension of the contract. */
  layers?: LayerSummary[];
  /** Parameters that do not train (BatchNormalization moving stats, frozen layers). Extension. */
  nonTrainableParams?: number;
}

/** Architecture summary computed from a Keras / tfjs config (and weights when present). */
export interface ModelSummary {
  framework: 'keras' | 'tfjs';
  kerasVersion: string | null;
  className: string;
  layers: LayerSummary[];
  inputShapes: Shape[];
  outputShapes: Shape[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Extension: backend named by the file (`tensorflow`, `jax`...), when known. */
  backend?: string | null;
  /** Extension: class names of layers that only Python can run (Lambda, TFOpLambda...). */
  pythonOnlyLayers?: string[];
  /** Extension: graph models (tfjs-graph): op counts, inputs and outputs. */
  graph?: { nodes: number; ops: Record<string, number>; inputs: string[]; outputs: string[] };
  /** Extension: problems found while summarising (unknown layer class, shape inference gave up...). */
  notes?: string[];
  /** Extension: for TensorFlow.js files, the converter or library that wrote them (`convertedBy` / `generatedBy`). */
  convertedBy?: string;
}

/** One stored tensor. */
export interface TensorInfo {
  name: string;
  shape: number[];
  dtype: string;
}

/** Weights as stored (optimizer state excluded). */
export interface WeightsSummary {
  layers: { name: string; tensors: TensorInfo[] }[];
  totalParams: number;
  bytes: number;
}

/** One series of a training log. */
export interface SeriesSummary {
  points: number;
  first: number;
  last: number;
  min: number;
  minStep: number;
  max: number;
  maxStep: number;
}

/** Training log summary. */
export interface LogSummary {
  source: Format;
  epochs: number;
  series: Record<string, SeriesSummary>;
  /** Extension: number of runs found (CSV appends that restart epochs). */
  runs?: number;
}

/** The full data of a training log (for curves); the summary is derived from it. */
export interface LogData {
  source: Format;
  /** Series by name: steps and values of equal length; `wallTime` in seconds when the log has it. */
  series: Record<string, { steps: number[]; values: number[]; wallTime?: number[] }>;
  runs?: number;
}

/** Severity of a refused global in a pickle. */
export type PickleVerdict = 'safe' | 'dangerous' | 'unsupported';

/** What a pickle / joblib file names and whether it was loaded. */
export interface PickleReport {
  verdict: PickleVerdict;
  globals: string[];
  refused: { global: string; reason: string; offset?: number; severity?: 'dangerous' | 'unsupported' }[];
}

/** One file of the report. */
export interface FileReport {
  path: string;
  role: Role;
  format: Format;
  error: FileError | null;
  scaler?: Scaler;
  model?: ModelSummary;
  weights?: WeightsSummary;
  log?: LogSummary;
  pickle?: PickleReport;
  /** Extension: size in bytes and modification time (ms since epoch) when known. */
  size?: number;
  mtimeMs?: number;
  /** Extension: for a tfjs model.json, the shard paths its manifest names, relative to it. */
  shards?: { path: string; expectedBytes: number; actualBytes: number | null }[];
  /** Extension: a model of another framework (PyTorch, ONNX, TFLite, safetensors, TF SavedModel), recognised but not read. */
  foreign?: { framework: 'pytorch' | 'onnx' | 'tflite' | 'safetensors' | 'tf-savedmodel'; note: string };
  /** Extension: places of a model config that hold Python code (Lambda, `__lambda__`, marshalled functions), at any depth. */
  pythonCode?: { path: string; kind: string }[];
}

/** Severity of a finding. */
export type Severity = 'error' | 'warning' | 'info';

/** A problem found in a bundle. */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  path: string | null;
}

/** Files that belong together. */
export interface Bundle {
  root: string;
  files: { scaler: string[]; structure: string[]; weights: string[]; model: string[]; log: string[] };
  complete: boolean;
  findings: Finding[];
  /** Extension: earlier checkpoints of the bundle's model (paths, oldest epoch first); absent when none. */
  checkpoints?: string[];
}

/** `inspect --json` document. */
export interface InspectReport {
  tool: { name: 'model-bundles'; version: string };
  files: FileReport[];
  bundles: Bundle[];
}
