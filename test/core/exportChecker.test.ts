// onnx.checker's verdict on our exports (test/fixtures/export/check_onnx.py, the `onnx` Python
// package) is committed; this re-exports every case and requires the very bytes the checker accepted,
// so a change of the exporter fails here until the verdict is regenerated (commands in check_onnx.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { exportOnnx } from '../../src/core/export/exportOnnx';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { TOOL_VERSION } from '../../src/core/report/report';
import { EXPORT_CASES } from '../fixtures/export/cases';

const verdict = JSON.parse(readFileSync('test/fixtures/export/check_onnx_verdict.json', 'utf8')) as {
  onnx_version: string;
  files: {
    file: string;
    sha256: string;
    ok: boolean;
    error?: string;
    ir_version?: number;
    opsets?: Record<string, number>;
    inputs?: { name: string; shape: (number | string)[] }[];
  }[];
};

async function sha256(bytes: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('export onnx: onnx.checker (Python onnx) accepted exactly what the exporter writes now', () => {
  it('checked every case, all accepted, with onnx 1.12', () => {
    assert.deepEqual(verdict.files.map((f) => f.file).sort(), EXPORT_CASES.map((c) => `${c.name}.onnx`).sort());
    assert.ok(verdict.onnx_version.startsWith('1.12'));
    for (const f of verdict.files) {
      assert.equal(f.ok, true, `${f.file}: ${f.error}`);
      assert.equal(f.ir_version, 7);
      assert.deepEqual(f.opsets, { 'ai.onnx': 13 });
      assert.equal(f.inputs?.[0].shape[0], 'batch');
    }
  });
  for (const c of EXPORT_CASES) {
    it(`${c.name}: same bytes as checked`, async () => {
      const r = await exportOnnx({ ...c.request, toolVersion: TOOL_VERSION }, new NodeFileSource());
      const entry = verdict.files.find((f) => f.file === `${c.name}.onnx`);
      assert.equal(await sha256(r.onnx), entry?.sha256, `${c.name}: the exporter changed since check_onnx.py ran; regenerate the verdict`);
    });
  }
});
