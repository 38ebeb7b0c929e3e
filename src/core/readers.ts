// The registry of format readers, in the order they are asked. Content decides; names break ties.
import { csvLogReader } from './csvLog';
import { foreignModelReader } from './foreignModel';
import { historyJsonReader } from './historyJson';
import { imageReader } from './image';
import { kerasH5Reader } from './kerasH5';
import { kerasJsonReader } from './kerasJson';
import { kerasZipReader } from './kerasZip';
import { pickleArtifactReader } from './pickleArtifact';
import type { BinaryReader, JsonReader } from './reader';
import { savedModelReader } from './savedModel';
import { tfeventsReader } from './tfevents';
import { tfjsModelReader } from './tfjsModel';

/** Binary / text readers: the first whose `sniff` accepts the head reads the file. */
export const binaryReaders: readonly BinaryReader[] = [
  kerasH5Reader, // \x89HDF\r\n\x1a\n
  foreignModelReader, // .pt/.pth zip or pickle, .onnx, .tflite, .safetensors (extension AND content); before kerasZip and pickleArtifact
  savedModelReader, // saved_model.pb (by name) starting as a protobuf
  kerasZipReader, // PK\x03\x04
  tfeventsReader, // TFRecord framing with a valid length CRC
  imageReader, // PNG / JPEG magic
  pickleArtifactReader, // pickle opcodes, joblib compressions
  csvLogReader, // text starting with an `epoch` header
];

/** JSON readers: the dispatcher parses once, the first whose `sniffJson` accepts the value reads it. */
export const jsonReaders: readonly JsonReader[] = [
  tfjsModelReader, // {modelTopology, weightsManifest} or {format: 'graph-model'}
  kerasJsonReader, // {class_name, config}
  historyJsonReader, // {loss: [...], ...} or {history: {...}}
];
