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
import { createTorchReader } from './torch/torchReader';
import { safetensorsReader } from './safetensors/safetensors';
import { unpickleTorch } from './pickle/torchPickle';
import type { BinaryReader, JsonReader } from './reader';
import { savedModelReader } from './keras/savedModel';
import { tfeventsReader } from './logs/tfevents';
import { tfjsModelReader } from './tfjs/tfjsModel';

/** torch.save files, read with the torch dialect of the pickle VM (the two families meet only here). */
export const torchReader = createTorchReader(unpickleTorch);

/** Binary / text readers: the first whose `sniff` accepts the head reads the file. */
export const binaryReaders: readonly BinaryReader[] = [
  kerasH5Reader, // \x89HDF\r\n\x1a\n
  onnxReader, // .onnx starting with ModelProto.ir_version; before foreignModel
  torchReader, // .pt/.pth/.bin/.ckpt/.tar torch.save zip (first entry <archive>/data.pkl...) or legacy magic pickle; before kerasZip and pickleArtifact
  safetensorsReader, // .safetensors: u64 header length + JSON header
  foreignModelReader, // .tflite (extension AND content)
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
