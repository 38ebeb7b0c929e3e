// TensorFlow SavedModel folders (`model.save("my_model")` in TF 2.x / Keras 2): `saved_model.pb`
// is the model; when Keras wrote it, `keras_metadata.pb` beside it holds the Keras config as JSON
// inside a small protobuf (SavedMetadata, keras/protobuf/saved_metadata.proto). The graph and the
// weights in variables/ are not read.
import { configLayers, summarizeModelConfig } from '../shared/architecture';
import { ReadError } from '../../io/errors';
import { baseName, dirName, joinPath } from '../../io/fileSource';
import { isObj } from '../shared/kerasConfig';
import { findPythonCode, type PythonCodeSite } from '../shared/pythonCode';
import { ProtoError, ProtoReader, WireType } from '../../codecs/protobuf';
import type { BinaryReader, ReaderInput, ReaderResult } from '../reader';
import type { FileReport, ModelSummary } from '../../types';

/** Largest keras_metadata.pb read (a Keras config is a few hundred KB at most). */
export const MAX_KERAS_METADATA_BYTES = 64 * 1024 * 1024;

/** The file name of a SavedModel's graph. */
export const SAVED_MODEL_NAME = 'saved_model.pb';
/** The file name of the Keras metadata beside it. */
export const KERAS_METADATA_NAME = 'keras_metadata.pb';

/** Identifiers of the root node when the SavedModel is a Keras model (not a bare layer). */
const MODEL_IDENTIFIERS: ReadonlySet<string> = new Set(['_tf_keras_sequential', '_tf_keras_network', '_tf_keras_model']);

/** Note added to the summary of every SavedModel read through keras_metadata.pb. */
export const SAVED_MODEL_NOTE =
  'TensorFlow SavedModel: the structure comes from keras_metadata.pb; the weights in variables/ are not read ' +
  '(no weight checks or predictions: save the model as .keras or .h5 for those)';

/** What a reader result carries for a model of another framework (FileReport's `foreign`). */
export type ForeignInfo = NonNullable<FileReport['foreign']>;

/** A reader result with the `foreign` extension (inspect copies every field into the report). */
export type ForeignResult = ReaderResult & { foreign: ForeignInfo };

/** One node of SavedMetadata: only the fields used here. */
export interface KerasMetadataNode {
  nodeId: number;
  nodePath: string;
  identifier: string;
  /** The JSON text of the node's metadata. */
  metadata: string;
}

/** Whether the head starts as a SavedModel protobuf: field 1 (varint) or field 2 (message). */
export function isSavedModelHead(head: Uint8Array): boolean {
  return head.length >= 2 && (head[0] === 0x08 || head[0] === 0x12);
}

function malformed(path: string, what: string, offset: number): ReadError {
  return new ReadError('invalid-keras-metadata', `${path}: malformed keras_metadata.pb protobuf (${what} at byte ${offset})`);
}

/**
 * Decodes a SavedMetadata protobuf: `repeated SavedObject nodes = 1`, SavedObject being
 * `{VersionDef version = 1; int32 node_id = 2; string node_path = 3; string identifier = 4;
 * string metadata = 5}`. Only the root node's metadata text is decoded (the others are checked
 * and skipped). Throws a ReadError naming `path` and the byte offset on bad input.
 */
export function decodeKerasMetadata(bytes: Uint8Array, path: string): { nodes: number; root: KerasMetadataNode | null } {
  let nodes = 0;
  let root: KerasMetadataNode | null = null;
  try {
    const r = new ProtoReader(bytes);
    while (r.next()) {
      if (r.field !== 1) {
        r.skip();
        continue;
      }
      if (r.wire !== WireType.LengthDelimited) throw new ProtoError(`field 1 (nodes) has wire type ${r.wire}`, r.pos);
      const m = r.message();
      nodes++;
      let nodeId = 0;
      let nodePath = '';
      let identifier = '';
      let meta: [number, number] | null = null;
      while (m.next()) {
        const at = m.pos;
        const want = m.field === 2 ? WireType.Varint : m.field >= 3 && m.field <= 5 ? WireType.LengthDelimited : -1;
        if (want >= 0 && m.wire !== want) throw new ProtoError(`SavedObject field ${m.field} has wire type ${m.wire}`, at);
        if (m.field === 2) nodeId = m.int64();
        else if (m.field === 3) nodePath = m.string();
        else if (m.field === 4) identifier = m.string();
        else if (m.field === 5) meta = m.span();
        else m.skip();
      }
      if (nodePath === 'root' && root === null) {
        const metadata = meta ? new TextDecoder('utf-8').decode(bytes.subarray(meta[0], meta[1])) : '';
        root = { nodeId, nodePath, identifier, metadata };
      }
    }
  } catch (e) {
    if (e instanceof ProtoError) throw malformed(path, e.message, e.offset);
    throw e;
  }
  return { nodes, root };
}

/**
 * Summarises the Keras model of a keras_metadata.pb: the root node's JSON holds `model_config`
 * ({class_name, config}) or `class_name` + `config` at its top, plus `keras_version`, `backend`.
 * Returns null (with a reason) when the root is not a Keras model.
 */
export function summarizeKerasMetadata(bytes: Uint8Array, path: string): { model: ModelSummary | null; reason: string | null; pythonCode?: PythonCodeSite[] } {
  const { root } = decodeKerasMetadata(bytes, path);
  if (!root) return { model: null, reason: 'keras_metadata.pb has no root node' };
  if (!MODEL_IDENTIFIERS.has(root.identifier)) {
    return { model: null, reason: `the root of keras_metadata.pb is a ${root.identifier || 'node without identifier'}, not a Keras model` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(root.metadata);
  } catch (e) {
    throw new ReadError('invalid-keras-metadata', `${path}: the root node's metadata is not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(doc)) throw new ReadError('invalid-keras-metadata', `${path}: the root node's metadata is not a JSON object`);
  const pythonCode = findPythonCode(doc);
  const config = isObj(doc.model_config) ? doc.model_config : typeof doc.class_name === 'string' ? { class_name: doc.class_name, config: doc.config } : null;
  if (!config) return { model: null, reason: 'the root node of keras_metadata.pb has no model config' };
  if (!configLayers(config.config)) {
    // subclassed models (`class MyModel(keras.Model)`) save no layer list: nothing to summarise
    return {
      model: null,
      reason: `the Keras model (class ${String(config.class_name)}) has no layer list in keras_metadata.pb (a subclassed model)`,
      pythonCode,
    };
  }
  const kerasVersion = typeof doc.keras_version === 'string' ? doc.keras_version : null;
  const backend = typeof doc.backend === 'string' ? doc.backend : null;
  try {
    const model = summarizeModelConfig(config, { framework: 'keras', kerasVersion, backend });
    model.notes = [...(model.notes ?? []), SAVED_MODEL_NOTE];
    return { model, reason: null, pythonCode };
  } catch (e) {
    if (e instanceof ReadError) throw new ReadError(e.code, `${path}: ${e.message}`);
    throw e;
  }
}

/** `saved_model.pb` of a TensorFlow SavedModel folder, summarised from keras_metadata.pb when present. */
export const savedModelReader: BinaryReader = {
  kind: 'binary',
  name: 'savedModel',
  formats: ['unknown'],
  fallbackRole: 'model',
  sniff: (head, path) => baseName(path) === SAVED_MODEL_NAME && isSavedModelHead(head),
  async read(input: ReaderInput): Promise<ReaderResult> {
    const metaPath = joinPath(dirName(input.path), KERAS_METADATA_NAME);
    const st = await input.source.stat(metaPath);
    const result: ForeignResult = {
      role: 'model',
      format: 'unknown',
      foreign: {
        framework: 'tf-savedmodel',
        note: 'TensorFlow SavedModel without keras_metadata.pb: its graph and weights are not read (save the model as .keras or .h5 to inspect it)',
      },
    };
    if (!st || st.isDirectory) return result;
    if (st.size > MAX_KERAS_METADATA_BYTES) {
      result.foreign.note = `TensorFlow SavedModel: keras_metadata.pb is ${st.size} bytes (over ${MAX_KERAS_METADATA_BYTES}) and was not read; the weights in variables/ are not read`;
      return result;
    }
    try {
      const { model, reason, pythonCode } = summarizeKerasMetadata(await input.source.readFile(metaPath), metaPath);
      if (pythonCode?.length) result.pythonCode = pythonCode;
      if (model) {
        result.model = model;
        result.foreign.note = SAVED_MODEL_NOTE;
        const index = joinPath(joinPath(dirName(input.path), 'variables'), 'variables.index');
        if (model.totalParams > 0 && !(await input.source.stat(index))) {
          const missing = `variables/variables.index is missing: TensorFlow cannot restore this model's ${model.totalParams} weights`;
          result.foreign.note += `; ${missing}`;
          model.notes = [...(model.notes ?? []), missing];
        }
      } else {
        result.foreign.note = `TensorFlow SavedModel: ${reason}; its graph and the weights in variables/ are not read`;
      }
    } catch (e) {
      if (!(e instanceof ReadError)) throw e;
      result.error = { code: e.code, message: e.message };
      result.foreign.note = 'TensorFlow SavedModel: keras_metadata.pb could not be read; the weights in variables/ are not read';
    }
    return result;
  },
};
