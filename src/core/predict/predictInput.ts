// Input rows for predictions: CSV (a header of feature names, or none) or JSON (arrays of numbers
// or objects keyed by feature name), checked against the features the bundle expects. Every error
// names the input, the row and the column.
import { ReadError } from '../io/errors';

/** What the bundle expects: feature names (from the scaler's `feature_names_in_`) and/or a count. */
export interface InputSchema {
  featureNames: string[] | null;
  nFeatures: number | null;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(cell: string): number | null {
  const t = cell.trim();
  if (NUMBER_RE.test(t)) return Number(t);
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return null;
}

function splitCsvLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function columnLabel(columns: string[] | null, j: number): string {
  return columns?.[j] !== undefined ? `'${columns[j]}'` : `${j + 1}`;
}

/**
 * Orders the named columns as the schema's feature names. Throws when a feature is missing or a
 * column is not a feature.
 */
function orderColumns(columns: string[], schema: InputSchema, name: string): number[] {
  if (!schema.featureNames) return columns.map((_, j) => j);
  const index = new Map(columns.map((c, j) => [c.trim(), j]));
  const missing = schema.featureNames.filter((f) => !index.has(f));
  const extra = columns.map((c) => c.trim()).filter((c) => !schema.featureNames!.includes(c));
  if (missing.length || extra.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing feature${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`);
    if (extra.length) parts.push(`unknown column${extra.length > 1 ? 's' : ''} ${extra.map((m) => `'${m}'`).join(', ')}`);
    throw new ReadError(
      'input-columns',
      `${name}: ${parts.join('; ')} (the scaler was fitted on: ${schema.featureNames.join(', ')})`,
    );
  }
  return schema.featureNames.map((f) => index.get(f)!);
}

function checkWidth(width: number, schema: InputSchema, name: string, where: string): void {
  const n = schema.featureNames?.length ?? schema.nFeatures;
  if (n !== null && width !== n) {
    throw new ReadError('input-columns', `${name}: ${where} has ${width} values but the model takes ${n} features`);
  }
}

/** Parses CSV input. A first row with any non-numeric cell is a header of feature names. */
export function parseCsvInput(text: string, schema: InputSchema, name = 'input'): number[][] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (!lines.length) throw new ReadError('input-empty', `${name}: no rows`);
  const first = lines[0];
  const sep = [',', ';', '\t'].reduce((best, s) => (first.split(s).length > first.split(best).length ? s : best), ',');
  const head = splitCsvLine(first, sep);
  const hasHeader = head.some((c) => c.trim() !== '' && parseNumber(c) === null);
  const columns = hasHeader ? head.map((c) => c.trim()) : null;
  const order = columns ? orderColumns(columns, schema, name) : head.map((_, j) => j);
  if (!columns) checkWidth(head.length, schema, name, 'row 1');
  const rows: number[][] = [];
  for (let i = hasHeader ? 1 : 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = splitCsvLine(lines[i], sep);
    const width = columns ? columns.length : head.length;
    if (cells.length !== width) {
      throw new ReadError('input-columns', `${name}: line ${i + 1} has ${cells.length} values, expected ${width}`);
    }
    rows.push(
      order.map((j) => {
        const v = parseNumber(cells[j]);
        if (v === null) {
          const what = cells[j].trim() === '' ? 'an empty value' : `'${cells[j].trim()}', not a number`;
          throw new ReadError('input-value', `${name}: line ${i + 1}, column ${columnLabel(columns, j)}: ${what}`);
        }
        if (Number.isNaN(v)) throw new ReadError('input-value', `${name}: line ${i + 1}, column ${columnLabel(columns, j)}: NaN`);
        return v;
      }),
    );
  }
  if (!rows.length) throw new ReadError('input-empty', `${name}: a header but no rows`);
  return rows;
}

/** Parses JSON input: an array of rows, each an array of numbers or an object keyed by feature name. */
export function parseJsonInput(value: unknown, schema: InputSchema, name = 'input'): number[][] {
  const list = Array.isArray(value) ? value : (value as { rows?: unknown })?.rows;
  if (!Array.isArray(list) || !list.length) {
    throw new ReadError('input-format', `${name}: expected a JSON array of rows (arrays of numbers or objects keyed by feature name)`);
  }
  return list.map((row, i) => {
    let cells: unknown[];
    let labels: string[] | null = null;
    if (Array.isArray(row)) {
      cells = row;
      checkWidth(cells.length, schema, name, `row ${i}`);
    } else if (row && typeof row === 'object') {
      const keys = Object.keys(row);
      const order = orderColumns(keys, schema.featureNames ? schema : { ...schema, featureNames: null }, name);
      labels = order.map((j) => keys[j]);
      cells = labels.map((k) => (row as Record<string, unknown>)[k]);
      if (!schema.featureNames) checkWidth(cells.length, schema, name, `row ${i}`);
    } else {
      throw new ReadError('input-format', `${name}: row ${i} is neither an array nor an object`);
    }
    return cells.map((c, j) => {
      const where = `${name}: row ${i}, ${labels ? `feature '${labels[j]}'` : `column ${j + 1}`}`;
      if (typeof c !== 'number') throw new ReadError('input-value', `${where}: ${JSON.stringify(c)} is not a number`);
      if (Number.isNaN(c)) throw new ReadError('input-value', `${where}: NaN`);
      return c;
    });
  });
}
