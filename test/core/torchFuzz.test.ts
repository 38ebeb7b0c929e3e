// Mutated PyTorch / safetensors files (deterministic byte flips and cuts of the fixtures): every
// outcome is a report or a coded error naming the file, never an internal error or a hang.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const DIR = join(__dirname, '..', 'fixtures', 'torch');
const tmp = mkdtempSync(join(tmpdir(), 'mbi-torch-fuzz-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

it('60 mutations of each of four files: coded errors naming the file, no internal errors, each under 500 ms', async () => {
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const source = new NodeFileSource();
  const codes = new Set<string>();
  for (const f of ['state_dict_zip.pt', 'state_dict_legacy.pth', 'checkpoint.pth', 'model.safetensors']) {
    const orig = readFileSync(join(DIR, f));
    for (let i = 0; i < 60; i++) {
      const b = Buffer.from(orig);
      for (let k = 0, n = 1 + Math.floor(rnd() * 4); k < n; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const p = join(tmp, `${i}-${f}`);
      writeFileSync(p, rnd() < 0.2 ? b.subarray(0, Math.floor(rnd() * b.length)) : b);
      const t0 = performance.now();
      const r = await inspectFile(p, source);
      assert.ok(performance.now() - t0 < 500, `${p} took ${performance.now() - t0} ms`);
      if (!r.error) continue;
      codes.add(r.error.code);
      assert.ok(!['read-failed', 'pickle-internal'].includes(r.error.code), `${p}: ${r.error.code} ${r.error.message}`);
      assert.ok(r.error.message.startsWith(p), r.error.message);
    }
  }
  assert.ok(codes.size >= 4, [...codes].join(', '));
});
