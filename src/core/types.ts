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
  | 'onnx'
  | 'pytorch'
  | 'torchscript'
  | 'safetensors'
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
  /** Extension (ONNX nodes): the operator's domain when not the default one (`ai.onnx.ml`). */
  domain?: string;
  /** Extension (ONNX nodes): a preprocessing operator (ai.onnx.ml Scaler, Imputer, OneHotEncoder...), as skl2onnx writes them. */
  preprocessing?: boolean;
  /** Extension (ONNX nodes): attributes, summarised (numbers, strings, lists; tensors and graphs by their headers). */
  attributes?: Record<string, number | string | number[] | string[]>;
  /** Extension (ONNX nodes): the node's input and output value names. */
  io?: { inputs: string[]; outputs: string[] };
}

/** A graph input or output of an ONNX model. */
export interface OnnxValueSummary {
  name: string;
  /** Element type (`float32`...), or null when the value is not a tensor. */
  dtype: string | null;
  /** Dimensions, null for symbolic or unknown ones; null when the type has no shape. */
  shape: Shape | null;
  /** The symbolic names of the dimensions (`dim_param`, e.g. `batch`), null where the dimension has none. */
  dimParams: (string | null)[] | null;
}

/** Extension: what an ONNX ModelProto says beyond the architecture summary. */
export interface OnnxSummary {
  irVersion: number | null;
  opsets: { domain: string; version: number }[];
  producerName: string | null;
  producerVersion: string | null;
  domain: string | null;
  modelVersion: number | null;
  metadata: Record<string, string>;
  graphName: string;
  inputs: OnnxValueSummary[];
  outputs: OnnxValueSummary[];
  /** Initializers of every graph (nested ones included), their element count and stored bytes. */
  initializers: number;
  initializerBytes: number;
  /** External data files the initializers name (relative to the model's folder), with the bytes they must hold. */
  externalData: { location: string; tensors: number; bytes: number }[];
  /** Nested graphs (If / Loop / Scan bodies), at every depth. */
  subgraphs: number;
  /** Names of the preprocessing nodes the graph begins with (skl2onnx pipelines): the model scales its inputs itself. */
  preprocessing: string[];
  /** Model-local functions (names). */
  functions: string[];
}

/** Architecture summary computed from a Keras / tfjs config (and weights when present). */
export interface ModelSummary {
  framework: 'keras' | 'tfjs' | 'onnx';
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
  /** Extension (ONNX): the opset version of the default domain (`ai.onnx`), null when the model imports none. */
  opsetVersion?: number | null;
  /** Extension (ONNX): how many nodes of each operator type the top-level graph has. */
  opTypes?: Record<string, number>;
  /** Extension (ONNX): the ModelProto's fields, inputs and outputs, initializers, external data. */
  onnx?: OnnxSummary;
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

/** A JSON value (checkpoint metadata). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Extension: what a PyTorch (`torch.save`, TorchScript) or safetensors file holds. */
export interface TorchSummary {
  /** `state-dict` (the file is one), `checkpoint` (a dict holding one), `lightning` (a Lightning .ckpt), `module` (a whole pickled nn.Module), `torchscript`, `safetensors`. */
  kind: 'state-dict' | 'checkpoint' | 'lightning' | 'module' | 'torchscript' | 'safetensors';
  /** `zip` (torch >= 1.6), `legacy` (older torch.save), `safetensors`. */
  container: 'zip' | 'legacy' | 'safetensors';
  /** Key of the checkpoint dict holding the model's state dict (`model_state_dict`, `state_dict`...); null when the file is the state dict. */
  stateDictKey: string | null;
  /** The checkpoint's other values as plain JSON (epoch, global_step, hyper-parameters, versions; safetensors `__metadata__`); tensors are described, optimizer state summarised. */
  metadata: Record<string, JsonValue>;
  /** The first Linear / Conv / RNN weight in key order and its input width (what a scaler's n_features_in_ must equal); null when none is recognisable. */
  input: { layer: string; kind: 'linear' | 'conv' | 'rnn'; width: number } | null;
  /** Classes a whole-module pickle or TorchScript archive needs to load (`__main__.Net`, `__torch__.Net`...). */
  classes?: string[];
  /** Tensors outside the model's state dict (optimizer state...): not in `weights.totalParams`. */
  otherTensors?: number;
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
  /** Extension: joblib < 0.10 side files holding a pickle's arrays (`scaler.pkl_01.npy` ...), same folder; `present` false when missing. */
  sideFiles?: { path: string; present: boolean }[];
  /** Extension: a model of another framework (PyTorch, ONNX, TFLite, safetensors, TF SavedModel), recognised but not read. */
  foreign?: { framework: 'pytorch' | 'onnx' | 'tflite' | 'safetensors' | 'tf-savedmodel'; note: string };
  /** Extension: PyTorch / safetensors specifics (kind, container, checkpoint metadata, input width). */
  torch?: TorchSummary;
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
  /**
   * In-process only (left out of the JSON output): the English template of `message` and its
   * arguments (core/bundles/findingMessages.ts), for the editor's translation. Absent on findings
   * that have no template; `message` is then shown as it is.
   */
  messageTemplate?: string;
  messageArgs?: (string | number)[];
  /** Extension: the 1-based line in `path` the finding is about, when it is a line of a text file. */
  line?: number;
}

/** Files that belong together. */
export interface Bundle {
  root: string;
  files: { scaler: string[]; structure: string[]; weights: string[]; model: string[]; log: string[] };
  complete: boolean;
  findings: Finding[];
  /** Extension: earlier checkpoints of the bundle's model (paths, oldest epoch first); absent when none. */
  checkpoints?: string[];
  /** Extension: joblib < 0.10 side files of the bundle's scalers (part of the scaler), with the missing ones; absent when none. */
  sideFiles?: { scaler: string; files: string[]; missing: string[] }[];
}

/** `inspect --json` document. */
export interface InspectReport {
  tool: { name: 'model-bundles'; version: string };
  files: FileReport[];
  bundles: Bundle[];
}
