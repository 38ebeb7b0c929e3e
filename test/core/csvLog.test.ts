import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { csvLogReader, csvLogSeparator, readCsvLogData } from '../../src/core/formats/logs/csvLog';
import { ReadError } from '../../src/core/io/errors';
import { inspectFile } from '../../src/core/formats/inspect';
import { summarizeLog } from '../../src/core/formats/shared/logSummary';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

// Fixtures and expected values: test/fixtures/reference/logs/make_csv_logs.py (a line-for-line
// imitation of keras.callbacks.CSVLogger writing with Python's csv module; expectations read back
// with Python's csv.reader). See test/fixtures/logs/README.md.
const DIR = 'test/fixtures/logs/csv';
type Ref = Record<string, { runs: number; series: Record<string, { steps: number[]; values: (number | string)[] }> }>;
const ref = JSON.parse(readFileSync('test/fixtures/reference/logs/csv_reference.json', 'utf8')) as Ref;
const dec = (v: number | string) => (typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity);
const enc = (s: string) => new TextEncoder().encode(s);
const load = (name: string) => new Uint8Array(readFileSync(`${DIR}/${name}`));

function readRef(name: string) {
  const data = readCsvLogData(load(name), `${DIR}/${name}`);
  const r = ref[name];
  assert.ok(r, `reference for ${name}`);
  assert.equal(data.source, 'keras-csv-log');
  assert.equal(data.runs, r.runs, `${name} runs`);
  assert.deepEqual(Object.keys(data.series).sort(), Object.keys(r.series).sort(), `${name} series`);
  for (const [k, s] of Object.entries(r.series)) {
    assert.deepEqual(data.series[k].steps, s.steps, `${name} ${k} steps`);
    assert.deepEqual(data.series[k].values, s.values.map(dec), `${name} ${k} values`);
  }
  return data;
}

function readErr(text: string, path = 'run/log.csv'): ReadError {
  try {
    readCsvLogData(enc(text), path);
  } catch (e) {
    assert.ok(e instanceof ReadError);
    return e;
  }
  assert.fail('expected a ReadError');
}

describe('csvLog: every fixture matches the Python csv reading', () => {
  for (const name of Object.keys(ref)) it(name, () => void readRef(name));
});

describe('csvLog: variants', () => {
  it('Keras 2 acc/val_acc names, CRLF rows, numpy float32 text', () => {
    const log = summarizeLog(readRef('keras2_acc.csv'));
    assert.deepEqual(Object.keys(log.series), ['acc', 'loss', 'val_acc', 'val_loss']);
    assert.equal(log.epochs, 4);
    assert.equal(log.runs, 1);
    assert.deepEqual(log.series.val_loss, { points: 4, first: 0.7012, last: 0.4411, min: 0.4411, minStep: 3, max: 0.7012, maxStep: 0 });
    assert.deepEqual(log.series.acc, { points: 4, first: 0.5, last: 0.88, min: 0.5, minStep: 0, max: 0.88, maxStep: 3 });
  });

  it('Keras 3 with learning_rate, ";" separator and \\r\\r\\n row ends', () => {
    const bytes = load('keras3_semicolon_windows.csv');
    assert.equal(csvLogSeparator(bytes.subarray(0, 4096)), ';');
    const log = summarizeLog(readRef('keras3_semicolon_windows.csv'));
    assert.deepEqual(log.series.learning_rate, { points: 3, first: 0.001, last: 0.0005, min: 0.0005, minStep: 2, max: 0.001, maxStep: 0 });
    // val_loss: 1.1, 0.95, 0.97 -> min at epoch 1
    assert.equal(log.series.val_loss.min, 0.95);
    assert.equal(log.series.val_loss.minStep, 1);
  });

  it('tab separator with NA on epochs without validation (validation_freq=2)', () => {
    const data = readRef('tab_validation_freq.csv');
    assert.equal(data.series.val_loss.values.filter(Number.isNaN).length, 3);
    const s = summarizeLog(data).series.val_loss;
    // validated epochs 1, 3, 5: 1.1/2 = 0.55, 1.1/4 = 0.275, 1.1/6 = 0.1833
    assert.equal(s.points, 6);
    assert.ok(Number.isNaN(s.first));
    assert.deepEqual([s.min, s.minStep, s.max, s.maxStep, s.last], [0.1833, 5, 0.55, 1, 0.1833]);
  });

  it('nan and inf values', () => {
    const data = readRef('diverged_nan_inf.csv');
    assert.deepEqual(data.series.val_loss.values, [2.4, Infinity, NaN, -Infinity]);
    const s = summarizeLog(data).series.loss;
    assert.deepEqual([s.min, s.minStep, s.max, s.maxStep], [2.5, 0, 310.25, 1]);
  });

  it('append=True restarting epochs at 0 without a new header: two runs, steps as written', () => {
    const data = readRef('append_restart.csv');
    assert.equal(data.runs, 2);
    assert.deepEqual(data.series.loss.steps, [0, 1, 2, 0, 1]);
    const log = summarizeLog(data);
    assert.equal(log.runs, 2);
    assert.equal(log.epochs, 5);
    assert.deepEqual(log.series.loss, { points: 5, first: 0.9, last: 0.45, min: 0.45, minStep: 1, max: 0.9, maxStep: 0 });
  });

  it('append=True resuming at initial_epoch=3 stays one run', () => {
    assert.deepEqual(readRef('append_resume.csv').series.loss.steps, [0, 1, 2, 3, 4]);
  });

  it('a repeated header starts a run and may add columns; a trailing empty line is ignored', () => {
    const data = readRef('repeated_header.csv');
    assert.equal(data.runs, 2);
    assert.deepEqual(data.series.mae, { steps: [0, 1], values: [0.3, 0.28] });
    assert.deepEqual(data.series.loss.values, [0.9, 0.8, 0.7, 0.4, 0.35]);
  });

  it('quoted metric names holding the separator or quotes', () => {
    const data = readRef('quoted_names.csv');
    assert.deepEqual(data.series['top_k,5'].values, [0.9, 0.95]);
    assert.deepEqual(data.series['f1 "macro"'].values, [0.71, 0.78]);
  });

  it('LF rows, no final line break, BOM, quoted numbers', () => {
    const data = readCsvLogData(enc('\uFEFFepoch,loss,val_loss\n0,"0.5",0.6\n1,0.25,NA'), 'x.csv');
    assert.deepEqual(data.series.loss, { steps: [0, 1], values: [0.5, 0.25] });
    assert.deepEqual(data.series.val_loss.values, [0.6, NaN]);
    assert.equal(data.runs, 1);
  });

  it('reads the example bundle log through the dispatcher', async () => {
    const path = 'examples/complete-bundle/training_log.csv';
    const r = await inspectFile(path, new NodeFileSource());
    assert.equal(r.role, 'log');
    assert.equal(r.format, 'keras-csv-log');
    assert.equal(r.error, null);
    // lines of the file: header + 120 rows (epochs 0..119); first row's loss read off the file
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(r.log!.epochs, lines.length - 1);
    assert.equal(r.log!.series.loss.first, Number(lines[1].split(',')[1]));
    assert.equal(r.log!.series.val_mae.last, Number(lines.at(-1)!.split(',')[4]));
  });
});

describe('csvLog: errors', () => {
  it('a vector metric written as "[a, b]" names the row and the column', () => {
    const path = `${DIR}/bad_vector_metric.csv`;
    assert.throws(
      () => readCsvLogData(load('bad_vector_metric.csv'), path),
      (e: ReadError) => e.code === 'invalid-value' && e.message === `${path}: row 3, column "per_class": ""[0.1, 0.9]"" is not a number`,
    );
  });

  it('a row with the wrong number of fields, counting lines across a quoted line break', () => {
    const e = readErr('epoch,loss,"val\nloss"\n0,1,2\n\n1,2\n');
    assert.equal(e.code, 'wrong-field-count');
    assert.equal(e.message, 'run/log.csv: row 5 has 2 fields, its header (row 1) has 3');
  });

  it('refuses number forms Python never writes (hex, binary, underscores)', () => {
    for (const bad of ['0x10', '0b1', '1_000', '--1', '1.2.3']) {
      const e = readErr(`epoch,loss\n0,${bad}\n`);
      assert.equal(e.message, `run/log.csv: row 2, column "loss": "${bad}" is not a number`);
    }
    assert.deepEqual(readCsvLogData(enc('epoch,loss\n0, 1.5 \n1,-2e-3\n2,+.5\n'), 'x').series.loss.values, [1.5, -0.002, 0.5]);
  });

  it('a non-integer epoch and an unterminated quote', () => {
    const e = readErr('epoch,loss\n0,1\n1.5,2\n');
    assert.equal(e.code, 'invalid-value');
    assert.match(e.message, /^run\/log\.csv: row 3, column "epoch": "1\.5"/);
    assert.equal(readErr('epoch,loss\n0,1\n1,"2\n').code, 'unterminated-quote');
  });

  it('the reader gives the error through the dispatcher with role log', async () => {
    const r = await inspectFile(`${DIR}/bad_vector_metric.csv`, new NodeFileSource());
    assert.equal(r.role, 'log');
    assert.equal(r.format, 'keras-csv-log');
    assert.equal(r.error?.code, 'invalid-value');
    assert.match(r.error!.message, /bad_vector_metric\.csv: row 3, column "per_class"/);
  });
});

describe('csvLog: sniffing', () => {
  const sniff = (text: string, path = 'data.csv') => csvLogReader.sniff(enc(text), path);
  it('claims epoch-first headers with , ; and tab', () => {
    assert.equal(sniff('epoch,loss,val_loss\r\n0,1,2\r\n'), true);
    assert.equal(sniff('epoch;acc;loss\n0;1;2\n'), true);
    assert.equal(sniff('epoch\tloss\n'), true);
  });

  it('does not claim data files or look-alikes', () => {
    assert.equal(sniff('id,age,income\n1,2,3\n'), false);
    assert.equal(sniff('epochs,loss\n1,2\n'), false);
    assert.equal(sniff('epoch_id,loss\n1,2\n'), false);
    assert.equal(sniff('epoch,temperature\n1.5,20\n'), false, 'first field not an integer epoch');
    assert.equal(sniff('epoch,ra,dec\n2451545,10.5,-3\n'), false, 'not 0-based and no metric name');
    assert.equal(sniff('epoch,ra,dec\n2451545,10.5,-3\n', 'logs/train_log.csv'), true, 'the name breaks the tie');
    assert.equal(sniff('epoch,my_score\n0,1\n'), true, 'a 0-based epoch column');
    assert.equal(sniff('epoch,loss\n5,1\n'), true, 'a resumed log with a metric name');
    assert.equal(sniff('epoch,temperature,pressure\n'), false, 'header only, no metric name, data-like name');
    assert.equal(sniff('epoch,temperature,pressure\n', 'run/training_log.csv'), true, 'the name breaks the tie');
    assert.equal(sniff('epoch,loss\n'), true);
    assert.equal(sniff('epoch\n0\n'), false);
    assert.equal(csvLogReader.sniff(Uint8Array.from([0x65, 0x70, 0x6f, 0x63, 0x68, 0x2c, 0x00]), 'x.csv'), false);
  });
});

// Shapes seen in real per-epoch CSVs (task h15; the permissive one is
// test/fixtures/real2/Asishkumarxo__*): written here by hand as small imitations of what pandas,
// PyTorch Lightning, fastai and hand-written loggers produce; expected values counted by hand.
describe('csvLog: other writers of per-epoch CSVs', () => {
  const read = (text: string, path = 'run/model_history.csv') => readCsvLogData(enc(text), path);
  const sniff = (text: string, path = 'run/model_history.csv') => csvLogReader.sniff(enc(text), path);

  it('pd.DataFrame(history.history).to_csv(): an unnamed index column gives the steps', () => {
    const d = read(',loss,val_loss,acc,val_acc\n0,0.36,0.24,0.83,0.87\n1,0.16,0.70,0.92,0.62\n');
    assert.deepEqual(Object.keys(d.series).sort(), ['acc', 'loss', 'val_acc', 'val_loss']);
    assert.deepEqual(d.series.loss, { steps: [0, 1], values: [0.36, 0.16] });
    assert.equal(d.runs, 1);
    assert.deepEqual(read('Unnamed: 0,loss,accuracy\r\n0,0.5,0.6\r\n1,0.4,0.7\r\n').series.accuracy, { steps: [0, 1], values: [0.6, 0.7] });
    // a frame with its own epoch column: the epochs are the steps, the index is no series
    const both = read(',epoch,loss\n0,1,0.5\n1,2,0.4\n');
    assert.deepEqual(both.series, { loss: { steps: [1, 2], values: [0.5, 0.4] } });
  });

  it('to_csv(index=False): no step column, rows count from 0 (spaces after commas trimmed)', () => {
    const d = read('loss,accuracy,val_loss,val_accuracy,lr\n0.35,0.88,0.05,0.98,0.001\n0.11,0.96,0.03,0.98,0.0005', 'training_history.csv');
    assert.deepEqual(d.series.lr, { steps: [0, 1], values: [0.001, 0.0005] });
    const spaced = read('training_loss, training_acc, val_loss, time\n0.64,0.41,0.51,0.21\n0.62,0.45,0.48,0.05\n', 'training_log.csv');
    assert.deepEqual(Object.keys(spaced.series), ['training_loss', 'training_acc', 'val_loss', 'time']);
    assert.deepEqual(read('loss,mean_io_u\n1.01,0.18\n', 'training_log.csv').series.mean_io_u.values, [0.18], "Keras' MeanIoU name");
  });

  it("YOLOv5 results.csv: every field padded with spaces, '/' in the names", () => {
    const text =
      '               epoch,      train/box_loss,     metrics/mAP_0.5,               x/lr0\n' +
      '                   0,             0.12431,          0.00088512,               8e-05\n' +
      '                   1,             0.12074,            0.001453,            0.000136\n';
    assert.equal(csvLogSeparator(enc(text), 'runs/train/exp/results.csv'), ',');
    const d = read(text, 'runs/train/exp/results.csv');
    assert.deepEqual(Object.keys(d.series), ['train/box_loss', 'metrics/mAP_0.5', 'x/lr0']);
    assert.deepEqual(d.series['x/lr0'], { steps: [0, 1], values: [8e-5, 0.000136] });
  });

  it("TensorBoard's scalar CSV download: one series named after the tag, with wall times", () => {
    const text = 'Wall time,Step,Value\n1700000000.5,0,0.9\n1700000060.25,1,0.7\n1700000120,2,0.6\n';
    const d = read(text, 'exports/run-train-tag-epoch_loss.csv');
    assert.deepEqual(d.series, { epoch_loss: { steps: [0, 1, 2], values: [0.9, 0.7, 0.6], wallTime: [1700000000.5, 1700000060.25, 1700000120] } });
    assert.deepEqual(Object.keys(read(text, 'exports/values.csv').series), ['Value'], 'no tag in the name: the column name');
    assert.equal(sniff('Wall time,Step,Value\n'), false, 'a header alone is not enough');
  });

  it('Epoch in any case, counted from 1, with spaces in metric names', () => {
    const d = read('Epoch,Train Accuracy,Validation Loss\n1,0.30,1.57\n2,0.28,1.66\n');
    assert.deepEqual(d.series['Validation Loss'], { steps: [1, 2], values: [1.57, 1.66] });
    assert.equal(d.series.Epoch, undefined);
  });

  it('Lightning metrics.csv: steps from `step`, blank cells are no points, one step may hold two rows', () => {
    const text = 'epoch,step,train_loss,val_loss\n0,49,0.5,\n0,99,0.4,\n0,99,,0.45\n1,149,0.3,\n1,199,0.25,\n1,199,,0.35\n';
    const d = read(text, 'lightning_logs/version_0/metrics.csv');
    assert.deepEqual(d.series.train_loss, { steps: [49, 99, 149, 199], values: [0.5, 0.4, 0.3, 0.25] });
    assert.deepEqual(d.series.val_loss, { steps: [99, 199], values: [0.45, 0.35] });
    assert.deepEqual(Object.keys(d.series).sort(), ['train_loss', 'val_loss']);
    assert.equal(d.runs, 1, 'a repeated step is no restart');
    assert.deepEqual(read(`${text},,,\n`, 'metrics.csv').series.val_loss.steps, [99, 199], 'a row of separators only is skipped');
    // Lightning sorts columns by name: epoch and step need not come first
    const late = read('train_loss,step,epoch\n0.067,49,0\n0.039,99,0\n', 'metrics.csv');
    assert.deepEqual(late.series.train_loss, { steps: [49, 99], values: [0.067, 0.039] });
  });

  it('fastai CSVLogger history.csv: the mm:ss `time` column is no series', () => {
    const d = read('epoch,train_loss,valid_loss,accuracy,time\n0,0.81,0.46,0.89,04:39\n1,0.62,0.41,0.88,04:36\n', 'history.csv');
    assert.deepEqual(Object.keys(d.series).sort(), ['accuracy', 'train_loss', 'valid_loss']);
  });

  it('a metric column with text after numbers is still an error naming row and column', () => {
    const e = (() => {
      try {
        read('epoch,loss,stage\n0,0.5,a\n1,oops,b\n');
      } catch (err) {
        return err as ReadError;
      }
      assert.fail('expected a ReadError');
    })();
    assert.equal(e.message, 'run/model_history.csv: row 3, column "loss": "oops" is not a number');
  });

  it('does not take data CSVs for logs', () => {
    assert.equal(sniff(',age,income\n0,35,50000\n'), false, 'pandas index, data columns');
    assert.equal(sniff('Unnamed: 0,price,qty\n0,1.5,2\n'), false);
    assert.equal(sniff('id,loss\n1,0.5\n'), false, 'one data column is enough to refuse');
    assert.equal(sniff('loss,label\n0.5,cat\n'), false, 'text in a metric column');
    assert.equal(sniff('loss,val_loss\n'), false, 'a header alone says too little without epoch');
    assert.equal(sniff('loss,val_loss\n0.5,0.6\n', 'run/metrics.dat'), false, 'not named like a CSV');
    // a real prediction log named history_log.csv (first lines): timestamps and labels, no metric header
    const predictions =
      'timestamp,frame,prediction,confidence_%,efficiency_%,maintenance,dust_regions\n' +
      '2026-06-11T21:41:48.632217,1,Clean,73.84,98.69,No Maintenance Required,1\n';
    assert.equal(sniff(predictions, 'logs/history_log.csv'), false);
    assert.equal(sniff('loss,accuracy\n0.5,0.9\n', 'run/training_history.csv'), true);
  });
});
