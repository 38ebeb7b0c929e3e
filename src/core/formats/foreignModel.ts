// Models of other frameworks (ONNX, TensorFlow Lite): recognised by extension AND content so a scaler
// beside them is known to have its model, but not read further. PyTorch and safetensors files have
// their own readers (formats/torch/, formats/safetensors/).
import { ReadError } from '../io/errors';
import { ProtoReader, WireType } from '../codecs/protobuf';
import type { BinaryReader, ReaderInput, ReaderResult } from './reader';
import type { ForeignInfo, ForeignResult } from './keras/savedModel';

type Kind = 'onnx' | 'tflite';

function ext(path: string): string {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  return m ? m[1].toLowerCase() : '';
}

// A varint at `at` in `head`: its value when it is complete and under 2^28, else null.
function smallVarint(head: Uint8Array, at: number): number | null {
  let v = 0;
  for (let i = 0; i < 4 && at + i < head.length; i++) {
    v += (head[at + i] & 0x7f) * 2 ** (7 * i);
    if (head[at + i] < 0x80) return v;
  }
  return null;
}

/** Which foreign format the head and extension say this is, or null. */
export function sniffForeign(head: Uint8Array, path: string): Kind | null {
  switch (ext(path)) {
    case 'tflite':
      return head.length >= 8 && head[4] === 0x54 && head[5] === 0x46 && head[6] === 0x4c && head[7] === 0x33 ? 'tflite' : null;
    case 'onnx': {
      // ModelProto field 1 (ir_version, varint): IR versions are small positive numbers.
      if (head[0] !== 0x08) return null;
      const v = smallVarint(head, 1);
      return v !== null && v >= 1 && v <= 1000 ? 'onnx' : null;
    }
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

// ONNX ModelProto: ir_version (1), producer_name (2), producer_version (3) come before the graph.
function onnxNote(head: Uint8Array): string {
  const r = new ProtoReader(head);
  let ir: number | null = null;
  let producer = '';
  let producerVersion = '';
  try {
    while (r.next() && r.field !== 7) {
      if (r.field === 1 && r.wire === WireType.Varint) ir = r.varint();
      else if (r.field === 2 && r.wire === WireType.LengthDelimited) producer = r.string();
      else if (r.field === 3 && r.wire === WireType.LengthDelimited) producerVersion = r.string();
      else r.skip();
    }
  } catch {
    // the head ends inside a field: what was read before it is kept
  }
  const by = producer ? `, made by ${[producer, producerVersion].filter(Boolean).join(' ')}` : '';
  return `ONNX model (IR version ${ir ?? '?'}${by}): ${NOT_READ}`;
}

/** ONNX and TensorFlow Lite models: recognised, not read. */
export const foreignModelReader: BinaryReader = {
  kind: 'binary',
  name: 'foreignModel',
  formats: ['unknown'],
  fallbackRole: 'model',
  sniff: (head, path) => sniffForeign(head, path) !== null,
  async read(input: ReaderInput): Promise<ReaderResult> {
    const kind = sniffForeign(input.head, input.path);
    switch (kind) {
      case 'tflite':
        return foreign({ framework: 'tflite', note: `TensorFlow Lite model (flatbuffer): ${NOT_READ}` });
      case 'onnx':
        return foreign({ framework: 'onnx', note: onnxNote(input.head) });
      default:
        throw new ReadError('not-a-model', `${input.path}: not an ONNX or TensorFlow Lite model`);
    }
  },
};
