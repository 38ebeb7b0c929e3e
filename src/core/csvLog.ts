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
import { ReadError } from './errors';
import { summarizeLog } from './logSummary';
import type { BinaryReader } from './reader';
import type { LogData } from './types';

/** CSV logs larger than this are not read (a log of a million epochs is a few hundred MB). */
export const MAX_CSV_LOG_BYTES = 256 * 1024 * 1024;

/** File names that look like training logs (only a tie-break when the header is not conclusive). */
const LOG_NAME = /(log|history|train|metrics|epochs?)[^/\\]*\.(csv|tsv|log|txt)$/i;
/** Column names Keras metrics commonly have. */
const METRIC_NAME = /loss|acc|^val_|^lr$|learning_rate|mae|mse|rmse|mape|auc|precision|recall|error|iou|dice|f1/i;

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

/** The separator of a Keras CSV log (the character after `epoch` on the first line), or null. */
export function csvLogSeparator(head: Uint8Array, path = ''): string | null {
  // The bytes must spell `epoch` (after a UTF-8 BOM): checked before decoding, since every file no
  // other reader claims is offered here.
  const at = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  for (let i = 0; i < 5; i++) if (head[at + i] !== EPOCH_BYTES[i]) return null;
  for (let i = 0; i < head.length; i++) if (head[i] === 0) return null; // binary, not text
  let text = UTF8.decode(head);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (!text.startsWith('epoch')) return null;
  const sep = text[5];
  if (sep === undefined || /[\w"\r\n]/.test(sep)) return null;
  // only the header and the first data row decide
  const rows = tokenize(text, sep, 2).rows;
  const names = rows[0].fields.slice(1);
  if (names.length === 0 || names.some((x) => x === '')) return null;
  // the first data row must start with an integer epoch (a row cut by the end of the head still does)
  const epoch = rows.length > 1 ? rows[1].fields[0].trim() : null;
  if (epoch !== null && !/^\d+$/.test(epoch)) return null;
  // Keras counts from 0; a log resumed at a later epoch, or holding only its header, needs a
  // metric-like column name or, failing that, a log-like file name
  if (epoch === '0') return sep;
  return names.some((x) => METRIC_NAME.test(x)) || LOG_NAME.test(path) ? sep : null;
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

/** Reads a Keras CSVLogger file in full (steps = the epoch column). Throws ReadError. */
export function readCsvLogData(bytes: Uint8Array, path: string): LogData {
  const sep = csvLogSeparator(bytes.subarray(0, 4096), path);
  if (sep === null) throw new ReadError('not-a-log', `${path}: not a Keras CSV log (the first line must be "epoch" and metric names)`);
  let text = UTF8.decode(bytes);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const { rows, unterminatedQuoteAt } = tokenize(text, sep);
  if (unterminatedQuoteAt !== null) {
    throw new ReadError('unterminated-quote', `${path}: row ${unterminatedQuoteAt}: a quoted field is never closed`);
  }
  const series = new Map<string, { steps: number[]; values: number[] }>();
  let header: string[] = [];
  let columns: { steps: number[]; values: number[] }[] = [];
  let headerLine = 0;
  let runs = 0;
  let prevEpoch = -Infinity;
  for (const row of rows) {
    const f = row.fields;
    if (f[0].trim() === 'epoch') {
      header = f.map((x) => x.trim());
      headerLine = row.line;
      runs++;
      prevEpoch = -Infinity;
      for (const name of header.slice(1)) if (!series.has(name)) series.set(name, { steps: [], values: [] });
      columns = header.map((name) => series.get(name)!);
      continue;
    }
    if (f.length !== header.length) {
      throw new ReadError(
        'wrong-field-count',
        `${path}: row ${row.line} has ${f.length} fields, its header (row ${headerLine}) has ${header.length}`,
      );
    }
    const epochRaw = f[0].trim();
    if (!EPOCH.test(epochRaw)) {
      throw new ReadError('invalid-value', `${path}: row ${row.line}, column "epoch": "${epochRaw}" is not an epoch number`);
    }
    const epoch = Number(epochRaw);
    if (epoch <= prevEpoch) runs++;
    prevEpoch = epoch;
    for (let c = 1; c < header.length; c++) {
      const v = parseNumber(f[c]);
      if (v === null) {
        const shown = f[c].length > 40 ? `${f[c].slice(0, 40)}...` : f[c];
        throw new ReadError('invalid-value', `${path}: row ${row.line}, column "${header[c]}": "${shown}" is not a number`);
      }
      const s = columns[c];
      s.steps.push(epoch);
      s.values.push(v);
    }
  }
  return { source: 'keras-csv-log', series: Object.fromEntries(series), runs };
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
