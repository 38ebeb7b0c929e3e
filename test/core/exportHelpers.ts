// Shared by the export tests: run an exported model with onnxruntime, compare float32 with float64.
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import type { ExportResult } from '../../src/core/export/exportOnnx';

/** Runs the exported model on rows (each flattened to the input's shape) and returns rows of its first output. */
export async function runOnnx(r: ExportResult, rows: number[][], shape?: number[]): Promise<number[][]> {
  const session = await ort.InferenceSession.create(r.onnx);
  const dims = shape ?? r.inputs[0].shape.slice(1).map((d) => (typeof d === 'number' ? d : 1));
  const flat = Float32Array.from(rows.flat());
  const out = await session.run({ [r.inputs[0].name]: new ort.Tensor('float32', flat, [rows.length, ...dims]) });
  const t = out[r.outputs[0].name];
  const data = Array.from(t.data as Float32Array);
  const width = data.length / rows.length;
  return rows.map((_, i) => data.slice(i * width, (i + 1) * width));
}

/** 1e-5 relative, with an absolute floor at 1e-2 of the largest output (float32 against float64). */
export function assertClose(actual: number[][], expected: number[][], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: rows`);
  const scale = Math.max(...expected.flat().map(Math.abs), 1e-12);
  actual.forEach((row, i) => {
    assert.equal(row.length, expected[i].length, `${what}: row ${i} width`);
    row.forEach((v, j) => {
      const e = expected[i][j];
      const tol = 1e-5 * Math.max(Math.abs(e), scale * 1e-2);
      assert.ok(Math.abs(v - e) <= tol, `${what}: row ${i} col ${j}: ${v} vs ${e} (tol ${tol})`);
    });
  });
}
