// The registry of format readers, in the order they are asked. Content decides; names break ties.
import { csvLogReader } from './logs/csvLog';
import { foreignModelReader } from './foreignModel';
import { historyJsonReader } from './logs/historyJson';
import { imageReader } from './logs/image';
import { kerasH5Reader } from './keras/kerasH5';
import { kerasJsonReader } from './keras/kerasJson';
import { kerasZipReader } from './keras/kerasZip';
import { onnxReader } from './onnx/onnxReader';
import { pickleArtifactReader } from './pickle/pickleArtifact';
import type { BinaryReader, JsonReader } from './reader';
import { savedModelReader } from './keras/savedModel';
import { tfeventsReader } from './logs/tfevents';
import { tfjsModelReader } from './tfjs/tfjsModel';

/** Binary / text readers: the first whose `sniff` accepts the head reads the file. */
export const binaryReaders: readonly BinaryReader[] = [
  kerasH5Reader, // \x89HDF\r\n\x1a\n
  onnxReader, // .onnx starting with ModelProto.ir_version; before foreignModel
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
