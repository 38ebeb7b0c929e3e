// Where an export's files go: one `<name>.onnx`, or a Triton Inference Server model repository
// entry (`<name>/1/model.onnx` + `<name>/config.pbtxt`, platform onnxruntime_onnx, dynamic batching).
// Paths are relative to the output folder the user chose; writing them is the caller's job.
import { ReadError } from '../io/errors';
import type { OnnxValueInfo } from './onnxModel';
import type { ExportResult } from './exportOnnx';

export type ExportLayout = 'plain' | 'triton';

export interface ExportFile {
  path: string;
  bytes: Uint8Array;
}

/** Triton's default when --max-batch-size is not given. */
export const DEFAULT_MAX_BATCH_SIZE = 64;

/** A model name for file and Triton use: letters, digits, `_`, `-`, `.`; not starting with a dot. */
export function modelName(raw: string): string {
  const name = raw
    .replace(/\.(onnx|h5|keras|json)$/i, '')
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/^[._]+/, '');
  if (!name) throw new ReadError('bad-name', `'${raw}' gives no usable model name (letters, digits, _ - .)`);
  return name;
}

function tritonTensor(v: OnnxValueInfo): string {
  // With max_batch_size > 0 Triton's dims leave out the batch dimension; unknown sizes are -1.
  const dims = v.shape.slice(1).map((d) => (typeof d === 'number' ? String(d) : '-1'));
  return ['  {', `    name: ${JSON.stringify(v.name)}`, '    data_type: TYPE_FP32', `    dims: [ ${dims.join(', ')} ]`, '  }'].join('\n');
}

/** config.pbtxt of a Triton model (protobuf text format of ModelConfig). */
export function tritonConfig(name: string, r: Pick<ExportResult, 'inputs' | 'outputs'>, maxBatchSize = DEFAULT_MAX_BATCH_SIZE): string {
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new ReadError('bad-option', `max batch size must be a positive integer, not ${maxBatchSize}`);
  for (const v of [...r.inputs, ...r.outputs]) {
    if (v.shape.length < 2) throw new ReadError('triton-shape', `${v.name}: a tensor without a dimension besides the batch cannot be batched by Triton`);
  }
  return [
    `name: ${JSON.stringify(name)}`,
    'platform: "onnxruntime_onnx"',
    `max_batch_size: ${maxBatchSize}`,
    'input [',
    r.inputs.map(tritonTensor).join(',\n'),
    ']',
    'output [',
    r.outputs.map(tritonTensor).join(',\n'),
    ']',
    'dynamic_batching { }',
    '',
  ].join('\n');
}

/** The files of an export in the chosen layout. */
export function exportFiles(r: ExportResult, name: string, layout: ExportLayout, maxBatchSize = DEFAULT_MAX_BATCH_SIZE): ExportFile[] {
  const n = modelName(name);
  if (layout === 'plain') return [{ path: `${n}.onnx`, bytes: r.onnx }];
  return [
    { path: `${n}/1/model.onnx`, bytes: r.onnx },
    { path: `${n}/config.pbtxt`, bytes: new TextEncoder().encode(tritonConfig(n, r, maxBatchSize)) },
  ];
}
