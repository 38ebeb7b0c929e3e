// safetensors (fixture and reference values from test/fixtures/torch/make_torch.py, written from the
// format's documented layout): dtypes, shapes, values, metadata; and every header rule on hostile files.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspectFile } from '../../src/core/formats/inspect';
import { readSafetensorsHeader, readSafetensorsValues } from '../../src/core/formats/safetensors/safetensors';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const DIR = join(__dirname, '..', 'fixtures', 'torch');
const EXP = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')).safetensors;
const source = new NodeFileSource();
const tmp = mkdtempSync(join(tmpdir(), 'mbi-st-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A safetensors file from a header object and a data length. */
function file(name: string, header: unknown, dataBytes: number, lengthOverride?: bigint): string {
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(h.length));
  const p = join(tmp, name);
  writeFileSync(p, Buffer.concat([len, h, Buffer.alloc(dataBytes)]));
  return p;
}

describe('safetensors', () => {
  it('lists dtypes, shapes, parameters and __metadata__; role weights, format safetensors', async () => {
    const r = await inspectFile(join(DIR, 'model.safetensors'), source);
    assert.deepEqual([r.role, r.format, r.error], ['weights', 'safetensors', null]);
    assert.equal(r.weights!.totalParams, EXP.totalParams);
    const tensors = Object.fromEntries(r.weights!.layers.flatMap((l) => l.tensors.map((t) => [l.name === t.name ? t.name : `${l.name}.${t.name}`, t])));
    for (const [k, e] of Object.entries(EXP.tensors as Record<string, { shape: number[] }>)) {
      assert.deepEqual(tensors[k].shape, e.shape, k);
      assert.equal(tensors[k].dtype, EXP.dtypes[k], k);
    }
    assert.deepEqual(r.torch!.metadata, EXP.metadata);
    assert.deepEqual(r.torch!.input, { layer: 'encoder.fc1', kind: 'linear', width: 8 });
  });

  it('reads every tensor back with the sums torch computed (F32, F16, BF16, I64, BOOL, an empty one)', async () => {
    const p = join(DIR, 'model.safetensors');
    const h = await readSafetensorsHeader(source, p, readFileSync(p).length);
    for (const t of h.tensors) {
      const v = await readSafetensorsValues(source, p, t);
      const sum = v.reduce((a, b) => a + b, 0);
      const e = EXP.tensors[t.name];
      assert.ok(Math.abs(sum - e.sum) <= 1e-9 * Math.max(1, Math.abs(e.sum)), `${t.name}: ${sum} vs ${e.sum}`);
      if (e.first !== null) assert.ok(Math.abs(v[0] - e.first) <= 1e-12 * Math.max(1, Math.abs(e.first)), t.name);
    }
  });

  const cases: [string, () => string, RegExp][] = [
    ['a header length over the 100 MB bound', () => file('big.safetensors', {}, 0, 200_000_000n), /header of 200000000 bytes is over the 104857600-byte limit/],
    [
      'a header length past the end of the file',
      () => file('long.safetensors', { a: 1 }, 0, 1000n),
      /header of 1000 bytes runs past the end of the 15-byte file/,
    ],
    [
      'a header that is not JSON',
      () => {
        const p = join(tmp, 'notjson.safetensors');
        const len = Buffer.alloc(8);
        len.writeBigUInt64LE(5n);
        writeFileSync(p, Buffer.concat([len, Buffer.from('{nope')]));
        return p;
      },
      /header is not valid JSON/,
    ],
    [
      'overlapping data offsets',
      () => file('overlap.safetensors', { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12),
      /tensor b's data \[4, 12\] overlaps the tensor before it \(which ends at 8\)/,
    ],
    [
      'a gap between tensors',
      () => file('gap.safetensors', { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, 12),
      /a gap of 4 bytes before tensor b/,
    ],
    [
      'offsets past the data',
      () => file('past.safetensors', { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 4),
      /tensor w's data_offsets \[0, 8\] are outside the 4 data bytes/,
    ],
    [
      'a byte span that does not match dtype x shape',
      () => file('span.safetensors', { w: { dtype: 'F16', shape: [3], data_offsets: [0, 8] } }, 8),
      /tensor w \(F16 \[3\]\) needs 6 bytes but its data_offsets span 8/,
    ],
    ['an unknown dtype', () => file('dtype.safetensors', { w: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, 16), /unknown dtype "F128"/],
    [
      'data bytes no tensor covers',
      () => file('tail.safetensors', { w: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, 5),
      /the tensors cover 2 of the 5 data bytes/,
    ],
    [
      'a __metadata__ value that is not a string',
      () => file('meta.safetensors', { __metadata__: { epoch: 3 } }, 0),
      /__metadata__ value of "epoch" is not a string/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(`refuses ${what}, naming the file`, async () => {
      const p = make();
      const r = await inspectFile(p, source);
      assert.deepEqual([r.role, r.format, r.error?.code], ['weights', 'safetensors', 'invalid-safetensors']);
      assert.ok(r.error!.message.startsWith(p));
      assert.match(r.error!.message, message);
    });
  }
});
