// The input contract of a bundle: a JSON Schema (2020-12) of one raw input row and of a batch, and
// an OpenAPI 3.1 document for a POST /predict endpoint (request = batch, response = outputs),
// derived from what the bundle's files say: the preprocessing's feature names, training ranges and
// encoder categories, the model's input and output sizes. docs/deploy.md#input-contract.
import { baseName } from '../io/fileSource';
import { chooseScalers, TARGET_NAME } from '../predict/scalerChoice';
import type { SklearnScaler } from '../formats/pickle/sklearn';
import type { Bundle, FileReport, ModelSummary } from '../types';

/** A JSON Schema object (plain data). */
export type JsonSchema = { [k: string]: unknown };

/** What the contract says about one raw input column. */
export interface FeatureSpec {
  name: string;
  /** `number`, `string` (categories), or `any` (a column the preprocessing drops). */
  type: 'number' | 'string' | 'any';
  /** Categories a OneHotEncoder / OrdinalEncoder was fitted on. */
  categories?: (string | number)[];
  /** Training range (MinMaxScaler's data_min_/data_max_, MaxAbsScaler's ±max_abs_). */
  range?: { min: number; max: number };
  /** Training mean and standard deviation (StandardScaler), or median-centre and scale (RobustScaler). */
  center?: { kind: 'mean' | 'median'; value: number; scale: number | null };
  /** An imputer fills missing values: null is accepted. */
  nullable: boolean;
  /** The transformer that reads the column first (`MinMaxScaler`, `ColumnTransformer/cat: OneHotEncoder`). */
  via: string | null;
  /** The column is dropped before the network (ColumnTransformer remainder='drop'). */
  dropped?: boolean;
}

/** Options of buildContract. */
export interface ContractOptions {
  /** Training ranges as hard `minimum` / `maximum` limits (default: documentation plus `x-extrapolation`). */
  strictRanges?: boolean;
}

/** The contract: schemas, the OpenAPI document, and what they were derived from. */
export interface InputContract {
  name: string;
  features: FeatureSpec[];
  outputs: string[];
  row: JsonSchema;
  batch: JsonSchema;
  openapi: JsonSchema;
  example: Record<string, number | string>;
  /** Where the contract came from (`scaler.joblib (MinMaxScaler)`, `model.h5`). */
  sources: { preprocessing: string | null; target: string | null; model: string | null };
  /** What the contract could not know (generated names, a missing scaler...). */
  notes: string[];
}

/** A contract cannot be derived from the bundle (no model and no preprocessing, several inputs...). */
export class ContractError extends Error {}

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const IMPUTERS = new Set(['SimpleImputer', 'KNNImputer', 'IterativeImputer']);

function numbers(v: number | number[] | undefined): number[] | null {
  return Array.isArray(v) ? v : typeof v === 'number' ? [v] : null;
}

/** Describes the raw columns `cols` of `specs` as the transformer `s` reads them. */
function describe(s: SklearnScaler, cols: number[], specs: FeatureSpec[], via: string): void {
  const label = via ? `${via}: ${s.class}` : s.class;
  const here = (k: number): FeatureSpec | undefined => specs[cols[k]];
  if (s.class === 'Pipeline') {
    for (const step of s.steps ?? []) {
      describe(step, cols, specs, via ? `${via}/${step.name ?? step.class}` : `Pipeline/${step.name ?? step.class}`);
      if (!IMPUTERS.has(step.class)) break; // later steps see transformed values, not raw ones
    }
    return;
  }
  if (s.class === 'ColumnTransformer') {
    const names = s.featureNames ?? null;
    const covered = new Set<number>();
    for (const step of s.steps ?? []) {
      if (!step.columns) continue;
      const idx = step.columns.map((c) => (typeof c === 'number' ? c : (names?.indexOf(c) ?? -1))).filter((i) => i >= 0 && i < cols.length);
      if (step.class === 'drop') continue; // a 'drop' pseudo step (remainder or named): its columns stay uncovered
      if (step.class === 'passthrough') {
        idx.forEach((i) => covered.add(i));
        continue;
      }
      idx.forEach((i) => covered.add(i));
      describe(
        step,
        idx.map((i) => cols[i]),
        specs,
        `${via ? `${via}/` : ''}ColumnTransformer/${step.name ?? step.class}`,
      );
    }
    const remainder = s.hyper?.remainder;
    const passthroughStep = (s.steps ?? []).some((st) => st.class === 'passthrough' && !st.columns);
    if (remainder !== 'passthrough' && !passthroughStep) {
      for (let i = 0; i < cols.length; i++) {
        const f = here(i);
        if (!covered.has(i) && f) Object.assign(f, { type: 'any', dropped: true, via: `${via ? `${via}/` : ''}ColumnTransformer (remainder=drop)` });
      }
    }
    return;
  }
  for (let k = 0; k < cols.length; k++) {
    const f = here(k);
    if (!f) continue;
    f.via ??= label;
    if (IMPUTERS.has(s.class)) {
      f.nullable = true;
      continue;
    }
    if ((s.class === 'OneHotEncoder' || s.class === 'OrdinalEncoder') && s.categories?.[k]) {
      const cats = s.categories[k].filter((c): c is string | number => c !== null);
      f.categories = cats;
      f.type = cats.every((c) => typeof c === 'number') ? 'number' : 'string';
      if (cats.length < s.categories[k].length) f.nullable = true;
      continue;
    }
    if (['MinMaxScaler', 'MaxAbsScaler', 'StandardScaler', 'RobustScaler'].includes(s.class)) f.via = label; // the range's source
    if (s.class === 'MinMaxScaler') {
      const lo = numbers(s.params.data_min_);
      const hi = numbers(s.params.data_max_);
      if (lo && hi) f.range = { min: lo[k], max: hi[k] };
    } else if (s.class === 'MaxAbsScaler') {
      const m = numbers(s.params.max_abs_);
      if (m) f.range = { min: -m[k], max: m[k] };
    } else if (s.class === 'StandardScaler') {
      const mean = numbers(s.params.mean_);
      const scale = numbers(s.params.scale_);
      if (mean) f.center = { kind: 'mean', value: mean[k], scale: scale?.[k] ?? null };
    } else if (s.class === 'RobustScaler') {
      const c = numbers(s.params.center_);
      const scale = numbers(s.params.scale_);
      if (c) f.center = { kind: 'median', value: c[k], scale: scale?.[k] ?? null };
    }
  }
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(7)));
}

/** The JSON Schema of one feature. */
function featureSchema(f: FeatureSpec, strict: boolean): JsonSchema {
  const desc: string[] = [];
  const out: JsonSchema = {};
  if (f.type === 'any') {
    desc.push(`Not used by the model (${f.via ?? 'dropped'}); any value.`);
    return { description: desc.join(' ') };
  }
  if (f.categories) {
    out.enum = f.nullable ? [...f.categories, null] : [...f.categories];
    desc.push(`One of the ${f.categories.length} categories ${f.via ?? 'the encoder'} was fitted on.`);
  } else {
    out.type = f.nullable ? ['number', 'null'] : 'number';
  }
  if (f.nullable) desc.push('null (missing) is filled in by the imputer.');
  if (f.range) {
    const r = `${fmt(f.range.min)} .. ${fmt(f.range.max)}`;
    out['x-training-range'] = { minimum: f.range.min, maximum: f.range.max };
    if (strict) {
      out.minimum = f.range.min;
      out.maximum = f.range.max;
      out['x-extrapolation'] = `reject: values outside the training range ${r} are refused (--strict-ranges)`;
      desc.push(`Training range ${r} (${f.via}); values outside it are refused.`);
    } else {
      out['x-extrapolation'] =
        `warn: values outside the training range ${r} are accepted, but the model never saw them (extrapolation): treat its output there as unreliable`;
      desc.push(`Training range ${r} (${f.via}); values outside it are extrapolation.`);
    }
  }
  if (f.center) {
    const what = f.center.kind === 'mean' ? 'mean' : 'median';
    const spread = f.center.scale === null ? '' : `, ${f.center.kind === 'mean' ? 'standard deviation' : 'scale (IQR)'} ${fmt(f.center.scale)}`;
    desc.push(`Training ${what} ${fmt(f.center.value)}${spread} (${f.via}); no range is recorded${strict ? ', so no limit is enforced' : ''}.`);
  }
  if (!f.range && !f.center && !f.categories && f.via) desc.push(`Read by ${f.via}.`);
  return { ...out, description: desc.join(' ') || 'A raw input value.' };
}

function exampleValue(f: FeatureSpec): number | string | null {
  if (f.categories?.length) return f.categories[0];
  if (f.range) return Number(((f.range.min + f.range.max) / 2).toPrecision(7));
  if (f.center) return Number(f.center.value.toPrecision(7));
  return 0;
}

/** The model summary of a bundle (its model file, else its structure). */
function modelOf(bundle: Bundle, byPath: Map<string, FileReport>): { path: string; model: ModelSummary } | null {
  for (const p of [...bundle.files.model, ...bundle.files.structure]) {
    const m = byPath.get(p)?.model;
    if (m) return { path: p, model: m };
  }
  return null;
}

/** The preprocessing object that reads the raw inputs: the numeric input scaler, else a non-target encoder pipeline. */
function inputPreprocessing(reports: FileReport[], inputSize: number | null, outputSize: number | null): { scaler: SklearnScaler; path: string } | null {
  const chosen = chooseScalers(reports, inputSize, outputSize).input;
  if (chosen) return { scaler: chosen.scaler as SklearnScaler, path: chosen.path };
  // Encoders (OneHotEncoder in a ColumnTransformer) cannot be applied by predict, and their output
  // width differs from their input width: take the one whose name does not say "target".
  const other = reports.find((r) => r.scaler && !r.error && !TARGET_NAME.test(baseName(r.path)));
  return other?.scaler ? { scaler: other.scaler as SklearnScaler, path: other.path } : null;
}

/** Other non-target preprocessing files of the same width as `pre`, when `pre` or they are imputers. */
function companions(reports: FileReport[], pre: { scaler: SklearnScaler; path: string }, width: number): { scaler: SklearnScaler; path: string }[] {
  const out: { scaler: SklearnScaler; path: string }[] = [];
  for (const r of reports) {
    const s = r.scaler as SklearnScaler | undefined;
    if (!s || r.error || r.path === pre.path.replace(/\[[^\]]*\]$/, '') || TARGET_NAME.test(baseName(r.path)) || s.nFeaturesIn !== width) continue;
    if (IMPUTERS.has(pre.scaler.class) || IMPUTERS.has(s.class)) out.push({ scaler: s, path: r.path });
  }
  return out;
}

/** Builds the contract of a bundle from its file reports. */
export function buildContract(bundle: Bundle, files: FileReport[], opts: ContractOptions = {}): InputContract {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const name = baseName(bundle.root) || 'model';
  const notes: string[] = [];
  const m = modelOf(bundle, byPath);
  if (m && m.model.inputShapes.length > 1)
    throw new ContractError(`${m.path}: the model has ${m.model.inputShapes.length} inputs; a contract is written only for models with one tabular input`);
  const inShape = m?.model.inputShapes[0] ?? null;
  if (inShape && inShape.length !== 2)
    throw new ContractError(
      `${m!.path}: the model's input has shape [${inShape.map((d) => d ?? 'None').join(', ')}]; a contract is written only for one flat (tabular) input of shape [batch, features]`,
    );
  const inputSize = inShape ? inShape[1] : null;
  const outShape = m?.model.outputShapes[0] ?? null;
  const outputSize = outShape && outShape.length === 2 ? outShape[1] : null;
  if (!m) notes.push('The bundle has no readable model structure: the input size comes from the preprocessing alone and the outputs are not described.');
  const reports = bundle.files.scaler.map((p) => byPath.get(p)).filter((r): r is FileReport => r !== undefined);
  const pre = inputPreprocessing(reports, inputSize, outputSize);
  const target = chooseScalers(reports, inputSize, outputSize).target;
  const width = pre?.scaler.nFeaturesIn ?? inputSize;
  if (width === null) throw new ContractError(`${bundle.root}: neither the preprocessing nor the model says how many input features there are`);
  let names = pre?.scaler.featureNames ?? null;
  if (!names || names.length !== width) {
    names = Array.from({ length: width }, (_, i) => `x${i}`);
    notes.push(
      `${pre ? `${baseName(pre.path)} has no feature_names_in_ (it was fitted on an array, not a DataFrame)` : 'The bundle has no input scaler'}: the features are named x0..x${width - 1} in column order.`,
    );
  }
  const features: FeatureSpec[] = names.map((n) => ({ name: n, type: 'number', nullable: false, via: null }));
  if (pre) {
    // Preprocessing saved as several files of the same width (imputer.pkl, then scaler.pkl): an
    // imputer keeps raw units, so the next object's ranges still describe the raw inputs.
    const chain = [pre, ...companions(reports, pre, width)].sort((a, b) => Number(!IMPUTERS.has(a.scaler.class)) - Number(!IMPUTERS.has(b.scaler.class)));
    for (const p of chain) {
      describe(
        p.scaler,
        features.map((_, i) => i),
        features,
        chain.length > 1 ? baseName(p.path) : '',
      );
      if (!IMPUTERS.has(p.scaler.class)) break;
    }
    if (chain.length > 1) notes.push(`The preprocessing is read from ${chain.map((c) => baseName(c.path)).join(' and ')}, assuming the imputer runs first.`);
  } else notes.push('No preprocessing object was found: raw values go to the network as they are, so no training range is known.');
  if (pre && inputSize !== null && pre.scaler.nFeaturesIn === inputSize) {
    // fine: the scaler's width is the network's
  } else if (pre && inputSize !== null && !features.some((f) => f.categories)) {
    notes.push(`${baseName(pre.path)} reads ${width} features but the network takes ${inputSize}: check the bundle's findings (scaler-input-mismatch).`);
  }
  if (opts.strictRanges && features.some((f) => f.center && !f.range))
    notes.push('--strict-ranges: features scaled by a StandardScaler / RobustScaler have no recorded range, so they get no limits.');

  const strict = opts.strictRanges === true;
  const properties: Record<string, JsonSchema> = {};
  for (const f of features) properties[f.name] = featureSchema(f, strict);
  const example: Record<string, number | string> = {};
  for (const f of features) {
    const v = exampleValue(f);
    if (v !== null) example[f.name] = v;
  }
  const rowBody: JsonSchema = {
    title: `${name}: one input row`,
    description: `Raw feature values of one sample, keyed by feature name, before any preprocessing${pre ? ` (the service applies ${baseName(pre.path)} itself)` : ''}.`,
    type: 'object',
    properties,
    required: features.map((f) => f.name),
    additionalProperties: false,
    examples: [example],
  };
  const outputs =
    target?.scaler.featureNames?.length === outputSize && target?.scaler.featureNames
      ? target.scaler.featureNames
      : Array.from({ length: outputSize ?? 0 }, (_, i) => `y${i}`);
  const outputRow: JsonSchema = {
    type: 'array',
    items: { type: 'number' },
    ...(outputSize !== null ? { minItems: outputSize, maxItems: outputSize } : {}),
    description:
      outputSize !== null
        ? `The ${outputSize} output(s) of one row, in order: ${outputs.join(', ')}${target ? `, in target units (${baseName(target.path)} inverse-applied)` : ''}.`
        : 'The outputs of one row.',
  };
  const prediction: JsonSchema = {
    title: `${name}: predictions`,
    type: 'object',
    required: ['outputs'],
    properties: {
      outputs: { type: 'array', items: outputRow, description: 'One entry per input row, in the order of the request.' },
      warnings: {
        type: 'array',
        description: 'Values outside the training range (extrapolation), by row and feature.',
        items: {
          type: 'object',
          required: ['row', 'feature', 'message'],
          properties: { row: { type: 'integer', minimum: 0 }, feature: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  };
  const row: JsonSchema = { $schema: DIALECT, $id: `urn:model-bundles:${encodeURIComponent(name)}:input-row`, ...rowBody };
  const batch: JsonSchema = {
    $schema: DIALECT,
    $id: `urn:model-bundles:${encodeURIComponent(name)}:input-batch`,
    title: `${name}: a batch of input rows`,
    type: 'array',
    minItems: 1,
    items: { $ref: '#/$defs/row' },
    $defs: { row: rowBody },
    examples: [[example]],
  };
  const openapi: JsonSchema = {
    openapi: '3.1.0',
    info: {
      title: `${name} prediction service`,
      version: '1.0.0',
      description: `Contract derived by model-bundles from ${[m?.path, pre?.path, target?.path]
        .filter(Boolean)
        .map((p) => baseName(p!))
        .join(
          ', ',
        )}. The request is a batch of raw rows; the service applies the preprocessing, runs the network${target ? ' and maps the outputs back to target units' : ''}.`,
    },
    jsonSchemaDialect: DIALECT,
    paths: {
      '/predict': {
        post: {
          operationId: 'predict',
          summary: `Predict ${outputs.length ? outputs.join(', ') : 'the outputs'} for a batch of rows`,
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Batch' }, example: [example] } } },
          responses: {
            '200': { description: 'The outputs of every row.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Prediction' } } } },
            '400': { description: 'The request does not match the contract (a missing or unknown feature, a wrong type, an unknown category).' },
          },
        },
      },
    },
    components: {
      schemas: {
        Row: rowBody,
        Batch: { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/Row' } },
        Prediction: prediction,
      },
    },
  };
  return {
    name,
    features,
    outputs,
    row,
    batch,
    openapi,
    example,
    sources: {
      preprocessing: pre ? `${pre.path} (${pre.scaler.class})` : null,
      target: target ? `${target.path} (${target.scaler.class})` : null,
      model: m?.path ?? null,
    },
    notes,
  };
}

/** One line per feature: name, type, range / categories. */
export function featureLines(c: InputContract): string[] {
  return c.features.map((f) => {
    const parts: string[] = [
      f.type === 'any' ? 'unused' : f.categories ? `${f.type}, one of ${f.categories.map((x) => JSON.stringify(x)).join(', ')}` : 'number',
    ];
    if (f.range) parts.push(`training range ${fmt(f.range.min)} .. ${fmt(f.range.max)}`);
    if (f.center) parts.push(`training ${f.center.kind} ${fmt(f.center.value)}${f.center.scale === null ? '' : ` ± ${fmt(f.center.scale)}`}`);
    if (f.nullable) parts.push('null allowed (imputed)');
    return `${f.name}: ${parts.join('; ')}`;
  });
}

/** A short human-readable summary of a contract. */
export function formatContract(c: InputContract): string {
  const lines = [
    `contract of ${c.name}`,
    `preprocessing: ${c.sources.preprocessing ?? 'none'}`,
    `model: ${c.sources.model ?? 'none'}`,
    `target scaler: ${c.sources.target ?? 'none'}`,
    '',
    'input row (all fields required):',
    ...featureLines(c).map((l) => `  ${l}`),
    '',
    `outputs: ${c.outputs.join(', ') || 'unknown'}`,
    `example row: ${JSON.stringify(c.example)}`,
    ...c.notes.map((n) => `note: ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}
