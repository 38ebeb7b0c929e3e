import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ReadError } from '../../src/core/io/errors';
import { imageReader, readImageInfo } from '../../src/core/formats/logs/image';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

// Expected sizes: Pillow's, in test/fixtures/reference/logs/images_reference.json (make_images.py).
const ref = JSON.parse(readFileSync('test/fixtures/reference/logs/images_reference.json', 'utf8')) as Record<
  string,
  { mime: string; width: number; height: number }
>;
const PNG = 'test/fixtures/real/2mdtln__FlowNet-ANN/25-06/loss_log_plot.png';
const EXIF_JPEG = 'test/fixtures/logs/images/loss_progressive_exif.jpg';
const source = new NodeFileSource();

function err(f: () => unknown): ReadError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ReadError);
    return e;
  }
  assert.fail('expected a ReadError');
}

describe('image', () => {
  it('reads type and size of every fixture as Pillow does', () => {
    assert.equal(Object.keys(ref).length, 3);
    for (const [path, r] of Object.entries(ref)) assert.deepEqual(readImageInfo(new Uint8Array(readFileSync(path))), r, path);
    assert.deepEqual(ref[PNG], { mime: 'image/png', width: 1000, height: 600 });
  });

  it('reports the real loss plot as a log image without a summary', async () => {
    const r = await inspectFile(PNG, source);
    assert.deepEqual([r.role, r.format, r.error, r.log], ['log', 'image', null, undefined]);
  });

  it('finds a JPEG frame header beyond the first 4 kB (a 20 kB Exif segment first)', async () => {
    const bytes = new Uint8Array(readFileSync(EXIF_JPEG));
    assert.equal(err(() => readImageInfo(bytes.subarray(0, 4096))).code, 'truncated-image');
    const r = await inspectFile(EXIF_JPEG, source);
    assert.deepEqual([r.role, r.format, r.error], ['log', 'image', null]);
  });

  it('does not claim a file with an image name but no magic', () => {
    const text = new TextEncoder().encode('not a png at all');
    assert.equal(imageReader.sniff(text, 'plots/loss.png'), false);
    assert.equal(imageReader.sniff(text, 'plots/loss.jpg'), false);
  });

  it('gives clear errors for broken headers', () => {
    const png = new Uint8Array(readFileSync(PNG));
    const cut = err(() => readImageInfo(png.subarray(0, 20), 'p.png'));
    assert.deepEqual([cut.code, cut.message], ['truncated-image', 'p.png: PNG ends before its IHDR header']);
    const noIhdr = png.slice(0, 32);
    noIhdr[12] = 0x78; // 'x' instead of 'I'
    assert.equal(err(() => readImageInfo(noIhdr, 'p.png')).code, 'invalid-image');
    // SOI then SOS without any SOF
    const sos = Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02]);
    assert.match(err(() => readImageInfo(sos, 'j.jpg')).message, /^j\.jpg: JPEG has no frame header before byte offset 2$/);
    // SOI, then garbage where a marker must be
    const junk = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0x12, 0x34]);
    assert.match(err(() => readImageInfo(junk, 'j.jpg')).message, /marker expected at byte offset 8/);
  });

  it('reads a hand-made baseline JPEG header: SOF0 with height 0x0102 and width 0x0304', () => {
    // SOI, APP0 (length 4), SOF0: length 17, precision 8, height 258, width 772
    const b = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 17, 8, 0x01, 0x02, 0x03, 0x04, 3]);
    assert.deepEqual(readImageInfo(b), { mime: 'image/jpeg', width: 772, height: 258 });
  });
});
