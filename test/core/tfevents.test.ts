import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { maskedCrc32c } from '../../src/core/codecs/crc32c';
import type { FileSource } from '../../src/core/io/fileSource';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';
import { ProtoError, ProtoReader } from '../../src/core/codecs/protobuf';
import { mergeTfeventsRuns, readTfeventsData, readTfeventsFile, TfeventsError, tfeventsReader, tfeventsRunName } from '../../src/core/formats/logs/tfevents';
import type { LogData } from '../../src/core/types';

// Expected values: decoded by test/fixtures/reference/logs/tfrecord_walk.py (hand-written Python
// TFRecord + protobuf walk with a bit-by-bit CRC32C), see make_tfevents_reference.py / make_tf2_events.py.
type RefSeries = { steps: number[]; values: number[]; wallTimes: number[] };
type RefFile = { size: number; records: number; recordOffsets: number[]; recordTags: string[][]; series: Record<string, RefSeries> };
const REAL = 'test/fixtures/real/0xDaksh__Credit-Card-Fraud/Graph/events.out.tfevents.1498485909.DESKTOP-GTSE0SD';
const realRef = JSON.parse(readFileSync('test/fixtures/reference/logs/tfevents_real.json', 'utf8')) as RefFile;
const tf2Ref = JSON.parse(readFileSync('test/fixtures/reference/logs/tfevents_tf2.json', 'utf8')) as Record<string, RefFile>;
const TRAIN = 'test/fixtures/logs/tf2/train/events.out.tfevents.1700000000.host.101.v2';
const VALID = 'test/fixtures/logs/tf2/validation/events.out.tfevents.1700000000.host.102.v2';
const realBytes = new Uint8Array(readFileSync(REAL));

/** In-memory FileSource that counts how it is read. */
class MemorySource implements FileSource {
  readonly calls: { offset: number; length: number }[] = [];
  wholeReads = 0;
  constructor(private readonly files: Record<string, Uint8Array>) {}
  async readFile(path: string): Promise<Uint8Array> {
    this.wholeReads++;
    return this.files[path];
  }
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    this.calls.push({ offset, length });
    return this.files[path].slice(offset, offset + length);
  }
  async stat(path: string) {
    const f = this.files[path];
    return f ? { size: f.length, mtimeMs: 0, isDirectory: false } : null;
  }
  async readDir() {
    return [];
  }
  localPath() {
    return null;
  }
}

function assertMatches(data: LogData, ref: Record<string, RefSeries>): void {
  assert.deepEqual(Object.keys(data.series).sort(), Object.keys(ref).sort());
  for (const [tag, r] of Object.entries(ref)) {
    const s = data.series[tag];
    assert.deepEqual(s.steps, r.steps, `${tag} steps`);
    assert.deepEqual(s.values, r.values, `${tag} values`);
    assert.deepEqual(s.wallTime, r.wallTimes, `${tag} wall times`);
  }
}

/** The reference series restricted to the records before record index `k`. */
function seriesBefore(ref: RefFile, k: number): Record<string, RefSeries> {
  const counts: Record<string, number> = {};
  for (const tags of ref.recordTags.slice(0, k)) for (const t of tags) counts[t] = (counts[t] ?? 0) + 1;
  const out: Record<string, RefSeries> = {};
  for (const [t, n] of Object.entries(counts)) {
    const r = ref.series[t];
    out[t] = { steps: r.steps.slice(0, n), values: r.values.slice(0, n), wallTimes: r.wallTimes.slice(0, n) };
  }
  return out;
}

function catchTf(f: () => unknown): TfeventsError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof TfeventsError, `expected TfeventsError, got ${e}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('tfevents: real TF1 file (0xDaksh Credit-Card-Fraud)', () => {
  it('sniffs the first record length CRC, whatever the name', () => {
    assert.equal(tfeventsReader.sniff(realBytes.subarray(0, 4096), 'renamed.bin'), true);
    const bad = realBytes.slice(0, 4096);
    bad[8] ^= 1;
    assert.equal(tfeventsReader.sniff(bad, 'renamed.bin'), false);
    assert.equal(tfeventsReader.sniff(new TextEncoder().encode('epoch,loss\n0,1\n'), 'log.csv'), false);
  });

  it('claims a damaged first record by its TensorBoard name and reports the CRC mismatch at offset 0', async () => {
    const bad = realBytes.slice();
    bad[8] ^= 1;
    const path = 'Graph/events.out.tfevents.123.host';
    assert.equal(tfeventsReader.sniff(bad.subarray(0, 4096), path), true);
    const r = await tfeventsReader.read({ path, size: bad.length, head: bad.subarray(0, 4096), source: new MemorySource({ [path]: bad }) });
    assert.equal(r.error?.code, 'crc-mismatch');
    assert.equal(r.error?.message, `${path}: CRC mismatch in a record length (record at byte offset 0)`);
    assert.deepEqual(r.log?.series, {});
  });

  it('decodes loss and acc (5 TF1 simple_value points each) as the Python walk does', () => {
    assert.equal(realRef.records, 13);
    const data = readTfeventsData(realBytes, REAL);
    assert.equal(data.source, 'tfevents');
    assertMatches(data, realRef.series);
    assert.deepEqual(data.series.loss.steps, [0, 1, 2, 3, 4]);
    assert.equal(data.series.loss.values[0], 0.0073153311386704445);
    assert.equal(data.series.acc.values[4], 0.9993913769721985);
  });

  it('streams through readRange in small chunks, never reading the file whole', async () => {
    const src = new MemorySource({ [REAL]: realBytes });
    const data = await readTfeventsFile(src, REAL, realBytes.length, { chunkSize: 64, maxDecodeBytes: 1000 });
    assertMatches(data, realRef.series);
    assert.equal(src.wholeReads, 0);
    // the two graph records (~100 KB each) are above maxDecodeBytes: CRC-checked in 64-byte reads
    assert.ok(
      src.calls.every((c) => c.length <= 64),
      'every read is at most one chunk',
    );
    assert.ok(src.calls.length > (2 * 100_000) / 64);
  });

  it('summarises through the reader and the dispatcher', async () => {
    const r = await inspectFile(REAL, new NodeFileSource());
    assert.equal(r.role, 'log');
    assert.equal(r.format, 'tfevents');
    assert.equal(r.error, null);
    const loss = r.log!.series.loss;
    const ref = realRef.series.loss.values;
    assert.equal(r.log!.epochs, 5);
    assert.deepEqual(loss, {
      points: 5,
      first: ref[0],
      last: ref[4],
      min: Math.min(...ref),
      minStep: 4,
      max: Math.max(...ref),
      maxStep: 0,
    });
    // acc peaks at step 2 (0.99939531...), not at the last step
    assert.equal(r.log!.series.acc.maxStep, 2);
    assert.equal(r.log!.series.acc.max, realRef.series.acc.values[2]);
  });
});

describe('tfevents: bad records', () => {
  it('reports a data CRC mismatch with the file, the record offset and the series read before', () => {
    const bytes = realBytes.slice();
    const k = 7; // a small scalar record
    const off = realRef.recordOffsets[k];
    bytes[off + 12 + 3] ^= 0x40;
    const e = catchTf(() => readTfeventsData(bytes, 'x/events.out.tfevents.1'));
    assert.equal(e.code, 'crc-mismatch');
    assert.equal(e.offset, off);
    assert.match(e.message, new RegExp(`^x/events\\.out\\.tfevents\\.1: .*byte offset ${off}\\b`));
    assertMatches(e.partial, seriesBefore(realRef, k));
    // records 3..6 before it: loss, acc, loss, acc
    assert.equal(e.partial.series.loss.values.length, 2);
    assert.equal(e.partial.series.acc.values.length, 2);
  });

  it('reports a length CRC mismatch at the record it belongs to', () => {
    const bytes = realBytes.slice();
    const off = realRef.recordOffsets[4];
    bytes[off] ^= 0x01;
    const e = catchTf(() => readTfeventsData(bytes, 'f'));
    assert.equal(e.code, 'crc-mismatch');
    assert.match(e.message, new RegExp(`length .*byte offset ${off}\\)`));
    assertMatches(e.partial, seriesBefore(realRef, 4));
  });

  it('reports a file cut inside a record as truncated-record, keeping earlier points', async () => {
    const k = 10;
    const off = realRef.recordOffsets[k];
    for (const cut of [off + 5, off + 12, off + 20]) {
      const bytes = realBytes.slice(0, cut);
      const e = catchTf(() => readTfeventsData(bytes, 'cut.tfevents'));
      assert.equal(e.code, 'truncated-record', `cut at ${cut}`);
      assert.match(e.message, new RegExp(`^cut\\.tfevents: .*byte offset ${off}\\)`));
      assertMatches(e.partial, seriesBefore(realRef, k));
      // the streaming walk and the reader say the same, with the partial summary
      const src = new MemorySource({ 'cut.tfevents': bytes });
      const r = await tfeventsReader.read({ path: 'cut.tfevents', size: bytes.length, head: bytes.subarray(0, 4096), source: src });
      assert.equal(r.error?.code, 'truncated-record');
      assert.equal(r.error?.message, e.message);
      // records 3..9 before it: loss, acc, loss, acc, loss, acc, loss
      assert.equal(r.log?.series.loss.points, 4);
      assert.equal(r.log?.series.acc.points, 3);
    }
  });

  it('refuses a length larger than the file before allocating it', async () => {
    const header = new Uint8Array(12);
    new DataView(header.buffer).setUint32(4, 0x7fff, true); // 0x7fff * 2^32 bytes
    new DataView(header.buffer).setUint32(8, maskedCrc32c(header.subarray(0, 8)), true);
    const src = new MemorySource({ huge: header });
    await assert.rejects(readTfeventsFile(src, 'huge', 12), (e: TfeventsError) => {
      assert.equal(e.code, 'truncated-record');
      assert.match(e.message, /declares 140733193388032 bytes.*byte offset 0\)/);
      return true;
    });
  });

  it('reports a record whose CRCs hold but whose Event is malformed as invalid-event', () => {
    const data = Uint8Array.from([0x2a, 0x05, 0x0a, 0x01]); // field 5 (summary) claims 5 bytes, has 2
    const rec = new Uint8Array(12 + data.length + 4);
    const dv = new DataView(rec.buffer);
    dv.setUint32(0, data.length, true);
    dv.setUint32(8, maskedCrc32c(rec.subarray(0, 8)), true);
    rec.set(data, 12);
    dv.setUint32(12 + data.length, maskedCrc32c(data), true);
    const e = catchTf(() => readTfeventsData(rec, 'bad'));
    assert.equal(e.code, 'invalid-event');
    assert.match(e.message, /^bad: malformed Event protobuf: .*byte offset 0\)/);
  });

  it('claims an empty file only by its TensorBoard name, and reads it as an empty log', async () => {
    assert.equal(tfeventsReader.sniff(new Uint8Array(0), 'logs/events.out.tfevents.17.host'), true);
    assert.equal(tfeventsReader.sniff(new Uint8Array(0), 'logs/empty.bin'), false);
    const data = await readTfeventsFile(new MemorySource({ e: new Uint8Array(0) }), 'e', 0);
    assert.deepEqual(data.series, {});
  });
});

describe('tfevents: TF2-style files (tensor scalars, train/ and validation/)', () => {
  const src = new NodeFileSource();
  it('reads train/: tensor_content floats, double_val batch steps beyond 2^32, skips histograms and the keras model', async () => {
    const bytes = new Uint8Array(readFileSync(TRAIN));
    const data = await readTfeventsFile(src, TRAIN, bytes.length);
    assertMatches(data, tf2Ref[TRAIN].series);
    assert.deepEqual(Object.keys(data.series), ['batch_loss', 'epoch_loss', 'epoch_accuracy', 'epoch_learning_rate']);
    assert.deepEqual(data.series.batch_loss.steps, [0, 2 ** 33, 2 ** 40 + 7]);
    assert.deepEqual(data.series.batch_loss.values, [0.9, 0.45, 0.3]); // DT_DOUBLE: exact
    assert.equal(data.series.epoch_loss.values[0], Math.fround(0.6931)); // DT_FLOAT
  });

  it('reads validation/: float_val scalars whose metadata appears only on the first event', async () => {
    const r = await inspectFile(VALID, src);
    assert.equal(r.format, 'tfevents');
    assert.equal(r.error, null);
    const v = tf2Ref[VALID].series.epoch_loss.values;
    assert.equal(v.length, 5);
    assert.deepEqual(r.log!.series.epoch_loss, {
      points: 5,
      first: Math.fround(0.7012),
      last: Math.fround(0.4528),
      min: Math.fround(0.4411),
      minStep: 3,
      max: Math.fround(0.7012),
      maxStep: 0,
    });
    assert.equal(r.log!.series.epoch_accuracy.max, Math.fround(0.81));
    assert.equal(r.log!.series.epoch_accuracy.maxStep, 3);
  });
});

describe('tfevents: train/validation pairing', () => {
  it('names runs after their folder and merges them as <run>/<tag>', async () => {
    const src = new NodeFileSource();
    assert.equal(tfeventsRunName(TRAIN), 'train');
    assert.equal(tfeventsRunName(VALID), 'validation');
    assert.equal(tfeventsRunName('events.out.tfevents.1'), '.');
    const runs = [];
    for (const p of [TRAIN, VALID]) runs.push({ name: tfeventsRunName(p), data: await readTfeventsFile(src, p, readFileSync(p).length) });
    const merged = mergeTfeventsRuns(runs);
    assert.equal(merged.runs, 2);
    assert.deepEqual(Object.keys(merged.series), [
      'train/batch_loss',
      'train/epoch_loss',
      'train/epoch_accuracy',
      'train/epoch_learning_rate',
      'validation/epoch_loss',
      'validation/epoch_accuracy',
    ]);
    assert.deepEqual(merged.series['validation/epoch_loss'].values, tf2Ref[VALID].series.epoch_loss.values);
  });
});

describe('tfevents: mutated records never crash or hang', () => {
  it('decodes 300 randomly corrupted events (CRCs recomputed) to data or a ReadError', () => {
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const src = new Uint8Array(readFileSync(TRAIN));
    const offsets = tf2Ref[TRAIN].recordOffsets;
    let errors = 0;
    for (let n = 0; n < 300; n++) {
      const bytes = src.slice();
      const off = offsets[3 + Math.floor(rand() * (offsets.length - 3))];
      const dv = new DataView(bytes.buffer);
      const len = dv.getUint32(off, true);
      for (let k = 0; k < 3; k++) bytes[off + 12 + Math.floor(rand() * len)] = Math.floor(rand() * 256);
      dv.setUint32(off + 12 + len, maskedCrc32c(bytes.subarray(off + 12, off + 12 + len)), true);
      try {
        readTfeventsData(bytes, 'fuzz');
      } catch (e) {
        assert.ok(e instanceof TfeventsError, String(e));
        assert.equal(e.code, 'invalid-event');
        errors++;
      }
    }
    assert.ok(errors > 0 && errors < 300, `some mutations break the Event, some do not (${errors})`);
  });
});

describe('protobuf wire format', () => {
  it('reads multi-byte varints, negative int64, doubles, floats and nested messages', () => {
    // field 2 varint 300 (ac 02); field 2 varint -1 (ten bytes); field 1 double 1.5; field 3 {field 1: "hi"}
    const buf = Uint8Array.from([
      0x10, 0xac, 0x02, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x1a, 0x04, 0x0a, 0x02, 0x68,
      0x69, 0x15, 0, 0, 0x80, 0x3f,
    ]);
    const r = new ProtoReader(buf);
    assert.ok(r.next());
    assert.deepEqual([r.field, r.wire, r.varint()], [2, 0, 300]);
    assert.ok(r.next());
    assert.equal(r.int64(), -1);
    assert.ok(r.next());
    assert.deepEqual([r.field, r.wire, r.double()], [1, 1, 1.5]);
    assert.ok(r.next());
    const m = r.message();
    assert.ok(m.next());
    assert.equal(m.string(), 'hi');
    assert.equal(m.next(), false);
    assert.ok(r.next());
    assert.deepEqual([r.field, r.wire, r.float()], [2, 5, 1]);
    assert.equal(r.next(), false);
  });

  it('throws ProtoError with the offset on truncated input', () => {
    const r = new ProtoReader(Uint8Array.from([0x0a, 0x05, 0x61]));
    assert.ok(r.next());
    assert.throws(
      () => r.bytes(),
      (e: ProtoError) => e instanceof ProtoError && e.offset === 1,
    );
    assert.throws(() => new ProtoReader(Uint8Array.from([0x80, 0x80])).varint(), ProtoError);
    const g = new ProtoReader(Uint8Array.from([0x0b]));
    assert.ok(g.next());
    assert.throws(() => g.skip(), /wire type 3/);
  });
});
