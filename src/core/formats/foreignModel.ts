// Models of other frameworks that are recognised but not read (TensorFlow Lite): recognised by
// extension AND content so a scaler beside them is known to have its model, but not read further.
// PyTorch, safetensors and ONNX files have their own readers (formats/torch/, formats/safetensors/,
// formats/onnx/).
import { ReadError } from '../io/errors';
import type { BinaryReader, ReaderInput, ReaderResult } from './reader';
import type { ForeignInfo, ForeignResult } from './keras/savedModel';

type Kind = 'tflite';

function ext(path: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  return m ? m[1].toLowerCase() : '';
}

/** Which foreign format the head and extension say this is, or null. */
export function sniffForeign(head: Uint8Array, path: string): Kind | null {
  switch (ext(path)) {
    case 'tflite':
      return head.length >= 8 && head[4] === 0x54 && head[5] === 0x46 && head[6] === 0x4c && head[7] === 0x33 ? 'tflite' : null;
    default:
      return null;
  }
}

const NOT_READ = 'its layers and weights are not read (no structure, weight checks or predictions)';

function foreign(info: ForeignInfo, error?: { code: string; message: string }): ForeignResult {
  const r: ForeignResult = { role: 'model', format: 'unknown', foreign: info };
  if (error) r.error = error;
  return r;
}

/** TensorFlow Lite models: recognised, not read. */
export const foreignModelReader: BinaryReader = {
  kind: 'binary',
  name: 'foreignModel',
  formats: ['unknown'],
  fallbackRole: 'model',
  sniff: (head, path) => sniffForeign(head, path) !== null,
  read(input: ReaderInput): Promise<ReaderResult> {
    if (sniffForeign(input.head, input.path) === 'tflite') {
      return Promise.resolve(foreign({ framework: 'tflite', note: `TensorFlow Lite model (flatbuffer): ${NOT_READ}` }));
    }
    return Promise.reject(new ReadError('not-a-model', `${input.path}: not a TensorFlow Lite model`));
  },
};
