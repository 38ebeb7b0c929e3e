// Keras CSVLogger logs: a header `epoch<sep>` + metric names (sorted), then one row per epoch.
// Hand-written CSV tokenizer: Keras writes Python's `excel` dialect (minimal quoting, doubled
// quotes, `\r\n` rows, or `\r\r\n` on Windows), a small subset that needs no library and whose
// errors must name the file's line and column.
//
// Variants handled: any one-character separator (`,` `;` `\t`...), `NA` for a metric missing in an
// epoch (-> NaN, as `nan`; `inf`/`-inf` are infinities), CRLF / CR CR LF line ends, blank lines,
// a UTF-8 BOM, quoted fields, and `append=True` logs holding several runs. A run starts at the
// first header, at every repeated header line, and wherever the epoch does not increase (a
// restart at 0, or a resume from an earlier checkpoint). LogData.runs counts the runs; the series
// span the whole file with the epochs as written (a restart shows as the step going back), so the
// summary's first/last are the file's first and last rows. A column that appears only in a later
// run's header is a series from that run on.
//
// Other writers of per-epoch CSVs are read the same way: YOLOv5's results.csv (fields padded with
// leading spaces), `pd.DataFrame(history.history).to_csv()` (a leading index column named "" or
// `Unnamed: 0`), `to_csv(index=False)` (no step column: rows count from 0), `Epoch` capitalised,
// PyTorch Lightning's metrics.csv (an `epoch` and a `step` column, anywhere; steps are the `step`
// column, and a blank cell is a metric not logged on that row, so no point). A column holding only
// text under a name that is no metric's (a stage label, a timestamp) is no series. Without an
// `epoch` first, every column name must look like a metric and the file must be named
// .csv/.tsv/.log/.txt, so data CSVs are not taken for logs. TensorBoard's scalar CSV download
// (`Wall time,Step,Value`, one tag per file named `run-<run>-tag-<tag>.csv`) is one series named
// after the tag, with its wall times.
import { ReadError } from '../../io/errors';
import { summarizeLog } from '../shared/logSummary';
import type { BinaryReader } from '../reader';
import type { LogData } from '../../types';

/** CSV logs larger than this are not read (a log of a million epochs is a few hundred MB). */
export const MAX_CSV_LOG_BYTES = 256 * 1024 * 1024;

/** File names that look like training logs (only a tie-break when the header is not conclusive). */
const LOG_NAME = /(log|history|train|metrics|epochs?)[^/\\]*\.(csv|tsv|log|txt)$/i;
/** Column names Keras metrics commonly have. */
const METRIC_NAME =
  /loss|acc|^val_|^lr$|learning_rate|mae|mse|rmse|mape|auc|precision|recall|error|iou|io_u|dice|f1|psnr|ssim|perplex|bleu|rouge|reward|grad_norm/i;
/** Other columns of per-epoch logs (wall time, duration). */
const LOG_COLUMN = /time|duration|^sec/i;
/** Files a log without a leading `epoch` column may be (the name is checked before any byte). */
const CSV_NAME = /\.(csv|tsv|log|txt)$/i;
/** A step column: Keras' `epoch`, Lightning's `step`; pandas' index column (named "" or `Unnamed: 0`). */
const EPOCH_COL = /^epoch$/i;
const STEP_COL = /^step$/i;
const INDEX_COL = /^(|Unnamed: 0)$/;
/** TensorBoard's scalar CSV download: its header, and the tag in its file name. */
const TB_EXPORT = /^wall time,step,value$/i;
const TB_TAG = /-tag-([^/\\]+)\.csv$/i;

interface Row {
  /** 1-based line number where the row starts. */
  line: number;
  fields: string[];
}

/**
 * Splits CSV text into rows of fields, excel dialect; blank lines are dropped. With `maxRows`, stops
 * after that many rows (the rows are those a full split gives: a row is complete at its line end).
 */
function tokenize(text: string, sep: string, maxRows = Infinity): { rows: Row[]; unterminatedQuoteAt: number | null } {
  const rows: Row[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let inQuotes = false;
  let quoteLine = 0;
  let wasQuoted = false;
  const n = text.length;
  const endRow = () => {
    // strip the \r of \r\n and \r\r\n row ends (unless quoted)
    if (!wasQuoted) field = field.replace(/\r+$/, '');
    fields.push(field);
    if (!(fields.length === 1 && fields[0].trim() === '' && !wasQuoted)) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    wasQuoted = false;
  };
  let nextQuote = text.indexOf('"');
  for (let i = 0; i < n && rows.length < maxRows; i++) {
    if (!inQuotes && field === '' && fields.length === 0 && !wasQuoted) {
      // fast path: a whole line without quotes is split at once
      let nl = text.indexOf('\n', i);
      if (nl < 0) nl = n;
      if (nextQuote >= 0 && nextQuote < i) nextQuote = text.indexOf('"', i);
      if (nextQuote < 0 || nextQuote > nl) {
        let e = nl;
        while (e > i && text.charCodeAt(e - 1) === 0x0d) e--;
        const lineText = text.slice(i, e);
        if (lineText.trim() !== '') rows.push({ line, fields: lineText.split(sep) });
        i = nl;
        line++;
        rowLine = line;
        continue;
      }
    }
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      inQuotes = true;
      wasQuoted = true;
      quoteLine = line;
    } else if (c === sep) {
      fields.push(field);
      field = '';
      wasQuoted = false;
    } else if (c === '\n') {
      endRow();
      line++;
      rowLine = line;
    } else {
      field += c;
    }
  }
  if (field !== '' || fields.length || wasQuoted) endRow();
  return { rows, unterminatedQuoteAt: inQuotes ? quoteLine : null };
}

/** One decoder for every call (decode() without `stream` keeps no state between calls). */
const UTF8 = new TextDecoder('utf-8', { fatal: false });
const EPOCH_BYTES = [0x65, 0x70, 0x6f, 0x63, 0x68]; // "epoch"

/** Where the steps of a header's rows come from, and which columns are no series. */
interface Layout {
  /** Column of the steps, or null when rows count from 0. */
  x: number | null;
  kind: 'epoch' | 'step' | 'index' | 'row';
  /** Columns that are not series (the step columns). */
  skip: Set<number>;
}

/** The layout of a header row (trimmed names): `step` wins over `epoch`, then pandas' index. */
function headerLayout(names: string[]): Layout {
  const skip = new Set<number>();
  names.forEach((n, i) => {
    if (EPOCH_COL.test(n) || STEP_COL.test(n)) skip.add(i);
  });
  // pandas' index is never a series, also when the frame has its own epoch column
  const indexed = names.length > 1 && INDEX_COL.test(names[0]);
  if (indexed) skip.add(0);
  const step = names.findIndex((n) => STEP_COL.test(n));
  if (step >= 0) return { x: step, kind: 'step', skip };
  const epoch = names.findIndex((n) => EPOCH_COL.test(n));
  if (epoch >= 0) return { x: epoch, kind: 'epoch', skip };
  if (indexed) return { x: 0, kind: 'index', skip };
  return { x: null, kind: 'row', skip };
}

/** True for a field that holds a number (blank is no number: a metric not logged on that row). */
function isNumberField(raw: string): boolean {
  return raw.trim() !== '' && parseNumber(raw) !== null;
}

/** True when the bytes from `at` spell `epoch` in any case. */
function startsWithEpoch(head: Uint8Array, at: number): boolean {
  for (let i = 0; i < 5; i++) if ((head[at + i] | 0x20) !== EPOCH_BYTES[i]) return false;
  return true;
}

/** The separator of a CSV log's header line that does not start with `epoch`, or null. */
function guessSeparator(line: string): string {
  if (/^[,;\t|]/.test(line)) return line[0]; // pandas' unnamed index column
  const unnamed = /^Unnamed: 0([,;\t|])/.exec(line);
  if (unnamed) return unnamed[1];
  for (const sep of [',', ';', '\t']) if (line.includes(sep)) return sep;
  return ',';
}

/**
 * The separator of a training-log CSV, or null. A header starting with `epoch` (any case) is read
 * as Keras writes it; other headers (pandas, Lightning) only in files named like CSVs and when every
 * column is a step column or named like a metric, with a first data row of numbers.
 */
export function csvLogSeparator(head: Uint8Array, path = ''): string | null {
  // Cheap gates first (every file no other reader claims is offered here): the bytes must spell
  // `epoch` (after a UTF-8 BOM), or the file must be named like a CSV.
  let at = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (head[at] === 0x20) at++; // YOLOv5's results.csv pads every field to 20 characters
  const epochFirst = startsWithEpoch(head, at);
  if (!epochFirst && !CSV_NAME.test(path)) return null;
  // only the header and the first data row decide: decode up to the end of the second line
  let end = head.indexOf(0x0a, at);
  if (end >= 0) end = head.indexOf(0x0a, end + 1);
  const lines = end >= 0 ? head.subarray(0, end + 1) : head;
  for (let i = 0; i < lines.length; i++) if (lines[i] === 0) return null; // binary, not text
  let text = UTF8.decode(lines);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  return epochFirst ? epochSeparator(text, path) : otherSeparator(text);
}

/** Keras' CSVLogger header: `epoch<sep>` then metric names. */
function epochSeparator(text: string, path: string): string | null {
  const sep = text.trimStart()[5];
  if (sep === undefined || /[\w"\r\n]/.test(sep)) return null;
  const rows = tokenize(text, sep, 2).rows;
  const names = rows[0].fields.slice(1).map((x) => x.trim());
  if (names.length === 0 || names.some((x) => x === '')) return null;
  // the first data row must start with an integer epoch (a row cut by the end of the head still does)
  const epoch = rows.length > 1 ? rows[1].fields[0].trim() : null;
  if (epoch !== null && !/^\d+$/.test(epoch)) return null;
  // Keras counts from 0; a log resumed at a later epoch, or holding only its header, needs a
  // metric-like column name or, failing that, a log-like file name
  if (epoch === '0') return sep;
  return names.some((x) => METRIC_NAME.test(x)) || LOG_NAME.test(path) ? sep : null;
}

/** pandas / Lightning headers: step columns and metric names only, then a row of numbers. */
function otherSeparator(text: string): string | null {
  const nl = text.indexOf('\n');
  const sep = guessSeparator(nl >= 0 ? text.slice(0, nl) : text);
  const rows = tokenize(text, sep, 2).rows;
  if (rows.length < 2) return null; // a header alone says too little without `epoch`
  const names = rows[0].fields.map((x) => x.trim());
  const layout = headerLayout(names);
  const series = names.filter((_, i) => !layout.skip.has(i));
  const named = TB_EXPORT.test(names.join(',')) || series.every((x) => METRIC_NAME.test(x) || LOG_COLUMN.test(x));
  if (series.length === 0 || !named) return null;
  const row = rows[1].fields;
  if (row.length !== names.length) return null;
  if (layout.x !== null && !/^\d+$/.test(row[layout.x].trim())) return null;
  // every metric is a number or blank, and at least one is a number
  const values = row.filter((_, i) => !layout.skip.has(i));
  if (!values.every((v) => v.trim() === '' || isNumberField(v)) || !values.some(isNumberField)) return null;
  return sep;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Second characters of `0x`, `0b`, `0o` (which Number() takes and Python's float() refuses). */
const RADIX_PREFIX = new Set([0x78, 0x58, 0x62, 0x42, 0x6f, 0x4f]);

function parseNumber(raw: string): number | null {
  // fast path: plain decimals (what Python writes); Number() alone would also take hex and ''
  const c0 = raw.charCodeAt(0);
  if ((c0 >= 0x30 && c0 <= 0x39) || c0 === 0x2d) {
    const n = +raw;
    if (n === n && !(c0 === 0x30 && RADIX_PREFIX.has(raw.charCodeAt(1)))) return n;
  }
  const s = raw.trim();
  if (s === '' || s === 'NA') return NaN;
  if (NUMBER.test(s)) return Number(s);
  const l = s.toLowerCase();
  if (l === 'nan' || l === '-nan' || l === '+nan') return NaN;
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return null;
}

const EPOCH = /^\d+$/;
const KIND_WORD = { epoch: 'an epoch number', step: 'a step number', index: 'an index', row: '' } as const;

/** A row of separators only (`,,,`): skipped like an empty line. */
function isBlankRow(f: string[]): boolean {
  return f.every((x) => x.trim() === '');
}

/** A header row: no field holds a number (a data row always has its step or a metric). */
function isHeaderRow(f: string[]): boolean {
  return !f.some(isNumberField);
}

/** Reads a training-log CSV in full (steps = the epoch / step / index column, or row numbers). Throws ReadError. */
export function readCsvLogData(bytes: Uint8Array, path: string): LogData {
  const sep = csvLogSeparator(bytes.subarray(0, 4096), path);
  if (sep === null) {
    throw new ReadError('not-a-log', `${path}: not a training-log CSV (the first line must be "epoch" and metric names)`);
  }
  let text = UTF8.decode(bytes);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const { rows, unterminatedQuoteAt } = tokenize(text, sep);
  if (unterminatedQuoteAt !== null) {
    throw new ReadError('unterminated-quote', `${path}: row ${unterminatedQuoteAt}: a quoted field is never closed`);
  }
  type Column = { steps: number[]; values: number[]; numeric: boolean };
  const series = new Map<string, Column>();
  // the first text in each column: an error where the column also holds numbers or is named like a
  // metric, otherwise the column is a label (a training stage, a timestamp) and no series
  const firstText = new Map<string, { line: number; raw: string }>();
  let header: string[] = [];
  let layout: Layout = { x: null, kind: 'row', skip: new Set() };
  let columns: (Column | null)[] = [];
  let headerLine = 0;
  let runs = 0;
  let prev = -Infinity;
  let rowNumber = 0;
  for (let r = 0; r < rows.length; r++) {
    const { fields: f, line } = rows[r];
    // fast path: a row starting with a digit is data (neither blank nor a header)
    const c0 = f[0].charCodeAt(0);
    const digitFirst = c0 >= 0x30 && c0 <= 0x39;
    if (r > 0 && !digitFirst && isBlankRow(f)) continue;
    if (r === 0 || (!digitFirst && isHeaderRow(f))) {
      header = f.map((x) => x.trim());
      layout = headerLayout(header);
      headerLine = line;
      runs++;
      prev = -Infinity;
      rowNumber = 0;
      columns = header.map((name, c) => {
        if (layout.skip.has(c)) return null;
        if (!series.has(name)) series.set(name, { steps: [], values: [], numeric: false });
        return series.get(name)!;
      });
      continue;
    }
    if (f.length !== header.length) {
      throw new ReadError('wrong-field-count', `${path}: row ${line} has ${f.length} fields, its header (row ${headerLine}) has ${header.length}`);
    }
    let step: number;
    if (layout.x === null) step = rowNumber++;
    else {
      const raw = f[layout.x].trim();
      if (!EPOCH.test(raw)) {
        throw new ReadError('invalid-value', `${path}: row ${line}, column "${header[layout.x]}": "${raw}" is not ${KIND_WORD[layout.kind]}`);
      }
      step = Number(raw);
    }
    // a new run where the step goes back (Lightning logs train and validation rows at one step)
    if (layout.kind === 'step' ? step < prev : step <= prev) runs++;
    prev = step;
    for (let c = 0; c < header.length; c++) {
      const s = columns[c];
      if (!s) continue;
      const raw = f[c];
      if (raw === '') continue; // blank: not logged on this row
      const v = parseNumber(raw);
      if (v === null) {
        if (!firstText.has(header[c])) firstText.set(header[c], { line, raw });
        continue;
      }
      if (v !== v && raw.trim() === '') continue; // blank with spaces
      s.numeric = true;
      s.steps.push(step);
      s.values.push(v);
    }
  }
  for (const [name, { line, raw }] of firstText) {
    if (!series.get(name)!.numeric && !METRIC_NAME.test(name)) {
      series.delete(name); // a label column
      continue;
    }
    const shown = raw.length > 40 ? `${raw.slice(0, 40)}...` : raw;
    throw new ReadError('invalid-value', `${path}: row ${line}, column "${name}": "${shown}" is not a number`);
  }
  const out: LogData['series'] = {};
  const first = rows[0].fields.map((x) => x.trim()).join(',');
  if (TB_EXPORT.test(first) && series.size === 2) {
    // one TensorBoard tag: its values, with the wall times (seconds) of the same rows
    const [wall, value] = [...series.values()];
    const tag = TB_TAG.exec(path)?.[1] ?? [...series.keys()][1];
    out[tag] = { steps: value.steps, values: value.values, wallTime: wall.values };
    return { source: 'keras-csv-log', series: out, runs };
  }
  for (const [name, { steps, values }] of series) out[name] = { steps, values };
  return { source: 'keras-csv-log', series: out, runs };
}

/** Keras CSVLogger logs. */
export const csvLogReader: BinaryReader = {
  kind: 'binary',
  name: 'csvLog',
  formats: ['keras-csv-log'],
  fallbackRole: 'log',
  sniff: (head, path) => csvLogSeparator(head, path) !== null,
  read: async ({ path, size, source }) => {
    if (size > MAX_CSV_LOG_BYTES) {
      throw new ReadError('too-large', `${path}: ${size} bytes, more than the ${MAX_CSV_LOG_BYTES} bytes a CSV log may have`);
    }
    const data = readCsvLogData(await source.readFile(path), path);
    return { role: 'log', format: 'keras-csv-log', log: summarizeLog(data) };
  },
};
