// Reads a training data file (CSV / delimited text) as pandas.read_csv or numpy.loadtxt /
// genfromtxt would for the arguments a recipe names: quoted fields, a header row or none,
// skiprows, usecols, pandas' default NA markers, `sep` (or whitespace). Columns come out as
// float64 when every non-missing value is a number (pandas' int/float/bool columns), else as text.
import { ReadError } from '../io/errors';

/** pandas' default `na_values` (pandas._libs.parsers.STR_NA_VALUES, pandas 1.5). */
export const PANDAS_NA_VALUES: ReadonlySet<string> = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'n/a',
  'nan',
  'null',
]);

/** How to read the file. */
export interface TableOptions {
  /** Field separator; null = runs of whitespace (np.loadtxt's default, pandas `delim_whitespace`). */
  sep: string | null;
  /** Row (after skipped rows) holding the column names, or null for none (names become 0..n-1). */
  header: number | null;
  /** Lines skipped at the top (a count) or by 0-based line number. */
  skiprows?: number | number[] | null;
  /** Columns kept, by name or position (in file order, as pandas keeps them). */
  usecols?: (string | number)[] | null;
  /** Extra NA markers, and whether pandas' defaults apply. */
  naValues?: string[];
  keepDefaultNa?: boolean;
  /** A comment character (numpy's '#'); the rest of the line is ignored. */
  comment?: string | null;
  /** Column names given by the script (read_csv `names=`): they replace the header's. */
  names?: string[] | null;
}

/** One column of the table. */
export interface DataColumn {
  name: string;
  /** float64 values (NaN for missing) when the column is numeric, else null. */
  values: Float64Array | null;
  /** The first value that is not a number, when the column is text (for messages). */
  firstText?: { row: number; text: string };
  /** For a text column: 1 where the value is an NA marker (pandas' dropna needs it). */
  missing?: Uint8Array;
}

/** A data table read from a file. */
export interface DataTable {
  path: string;
  columns: DataColumn[];
  rows: number;
  /** Whether the names came from a header row (pandas) or are positions. */
  named: boolean;
}

/** Splits delimited text into records of fields (RFC 4180 quoting with `""` escapes). */
export function splitRecords(text: string, sep: string | null, comment: string | null): string[][] {
  const out: string[][] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const sepCode = sep !== null && sep.length === 1 ? sep.charCodeAt(0) : -1;
  const commentCode = comment ? comment.charCodeAt(0) : -1;
  const isWs = (c: number): boolean => c === 32 || c === 9;
  while (i < n) {
    const rec: string[] = [];
    if (sep === null) while (i < n && isWs(text.charCodeAt(i))) i++;
    for (;;) {
      let field: string;
      if (text.charCodeAt(i) === 34) {
        // quoted field: up to the closing quote, "" is a quote
        let j = i + 1;
        let acc = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) {
            acc += text.slice(j);
            j = n;
            break;
          }
          acc += text.slice(j, q);
          if (text.charCodeAt(q + 1) === 34) {
            acc += '"';
            j = q + 2;
            continue;
          }
          j = q + 1;
          break;
        }
        // characters after the closing quote up to the separator belong to the field (as pandas keeps them)
        let k = j;
        while (k < n) {
          const c = text.charCodeAt(k);
          if (c === 10 || c === 13 || c === sepCode || (sep === null && isWs(c)) || (sepCode < 0 && sep !== null && text.startsWith(sep, k))) break;
          k++;
        }
        field = acc + text.slice(j, k);
        i = k;
      } else {
        let k = i;
        while (k < n) {
          const c = text.charCodeAt(k);
          if (
            c === 10 ||
            c === 13 ||
            c === sepCode ||
            c === commentCode ||
            (sep === null && isWs(c)) ||
            (sepCode < 0 && sep !== null && text.startsWith(sep, k))
          )
            break;
          k++;
        }
        field = text.slice(i, k);
        i = k;
        if (i < n && text.charCodeAt(i) === commentCode) {
          while (i < n && text.charCodeAt(i) !== 10) i++;
        }
      }
      rec.push(field);
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === 10 || c === 13) {
        i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
        break;
      }
      if (sep === null) {
        while (i < n && isWs(text.charCodeAt(i))) i++;
        const d = text.charCodeAt(i);
        if (i >= n || d === 10 || d === 13) {
          if (i < n) i += d === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
          break;
        }
        if (d === commentCode) {
          while (i < n && text.charCodeAt(i) !== 10) i++;
          continue;
        }
      } else i += sep.length;
    }
    // skip_blank_lines (and comment-only lines)
    if (!(rec.length === 1 && rec[0] === '')) out.push(rec);
  }
  return out;
}

const NUMBER = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)$/i;

function parseNumber(s: string): number | null {
  const t = s.trim();
  if (!NUMBER.test(t)) return null;
  if (/inf/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

/** Reads `text` (the content of `path`) into columns. */
export function readTable(text: string, path: string, opts: TableOptions): DataTable {
  let records = splitRecords(text, opts.sep, opts.comment ?? null);
  const skip = opts.skiprows;
  if (typeof skip === 'number' && skip > 0) records = records.slice(skip);
  else if (Array.isArray(skip)) {
    const s = new Set(skip);
    records = records.filter((_, i) => !s.has(i));
  }
  let names: string[];
  let named = false;
  if (opts.header !== null) {
    const h = records[opts.header];
    if (!h) throw new ReadError('empty-data', `${path}: no header row ${opts.header} (the file has ${records.length} row(s))`);
    records = records.slice(opts.header + 1);
    const seen = new Map<string, number>();
    names = h.map((raw, j) => {
      let nm = raw.trim() === '' ? `Unnamed: ${j}` : raw;
      const k = seen.get(nm) ?? 0;
      seen.set(nm, k + 1);
      if (k > 0) nm = `${nm}.${k}`;
      return nm;
    });
    named = true;
  } else {
    const width = records.reduce((a, r) => Math.max(a, r.length), 0);
    names = Array.from({ length: width }, (_, j) => String(j));
  }
  if (opts.names) {
    if (opts.names.length !== names.length && records.some((r) => r.length !== opts.names!.length)) {
      throw new ReadError('bad-data', `${path}: names= gives ${opts.names.length} column names but the rows have ${names.length} fields`);
    }
    names = [...opts.names];
    named = true;
  }
  const width = names.length;
  records.forEach((r, i) => {
    if (r.length > width) {
      throw new ReadError(
        'bad-data',
        `${path}: data row ${i + 1} has ${r.length} fields, the header has ${width} (pandas would make the first column the index or fail): check sep= and the header`,
      );
    }
  });
  let keep = names.map((_, j) => j);
  if (opts.usecols) {
    keep = [];
    for (const u of opts.usecols) {
      const j = typeof u === 'number' ? u : names.indexOf(u);
      if (j < 0 || j >= width)
        throw new ReadError(
          'bad-usecols',
          `${path}: usecols names ${typeof u === 'number' ? `column ${u}` : `'${u}'`}, which the file does not have (columns: ${names.join(', ')})`,
        );
      keep.push(j);
    }
    keep = [...new Set(keep)].sort((a, b) => a - b);
  }
  const na = new Set<string>(opts.keepDefaultNa === false ? [] : PANDAS_NA_VALUES);
  for (const v of opts.naValues ?? []) na.add(v);
  const rows = records.length;
  const columns: DataColumn[] = keep.map((j) => {
    const values = new Float64Array(rows);
    let firstText: { row: number; text: string } | undefined;
    const missing = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      const s = records[i][j] ?? '';
      if (na.has(s)) {
        values[i] = NaN;
        missing[i] = 1;
        continue;
      }
      const v = parseNumber(s);
      if (v !== null) {
        values[i] = v;
        continue;
      }
      if (s === 'True' || s === 'False') {
        values[i] = s === 'True' ? 1 : 0;
        continue;
      }
      if (!firstText) firstText = { row: i, text: s };
    }
    return firstText ? { name: names[j], values: null, firstText, missing } : { name: names[j], values };
  });
  return { path, columns, rows, named };
}

/** The column named `name` (or at position `index`), or a clear error. */
export function columnOf(table: DataTable, name: string): DataColumn {
  const c = table.columns.find((x) => x.name === name);
  if (!c) throw new ReadError('missing-column', `${table.path}: no column '${name}' (columns: ${table.columns.map((x) => x.name).join(', ')})`);
  return c;
}

/** The numeric values of a column, or an error naming the first text value. */
export function numericValues(table: DataTable, c: DataColumn): Float64Array {
  if (c.values) return c.values;
  throw new ReadError(
    'non-numeric-column',
    `${table.path}: column '${c.name}' is not numeric (row ${(c.firstText?.row ?? 0) + 1} holds '${c.firstText?.text ?? ''}'): a scaler cannot be fitted on it`,
  );
}
