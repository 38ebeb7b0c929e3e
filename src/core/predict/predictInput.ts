// Input rows for predictions: CSV (a header of feature names, or none) or JSON (arrays of numbers
// or objects keyed by feature name), checked against the features the bundle expects. Every error
// names the input, the row and the column.
import { ReadError } from '../io/errors';

/** What the bundle expects: feature names (from the scaler's `feature_names_in_`) and/or a count. */
export interface InputSchema {
  featureNames: string[] | null;
  nFeatures: number | null;
  /** Missing values (an empty cell, `NaN`, JSON null) are allowed: the preprocessing imputes them first. */
  allowMissing?: boolean;
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

/** How a column name was matched to a fitted feature name. */
type Match = 'exact' | 'trimmed' | 'case';

function loose(s: string, how: Match): string {
  if (how === 'exact') return s;
  const t = s.normalize('NFC').trim();
  return how === 'trimmed' ? t : t.toLowerCase();
}

function quoteName(s: string): string {
  return JSON.stringify(s);
}

/**
 * Orders the named columns as the schema's feature names (`feature_names_in_`). Names match as
 * exact strings first; a column that matches a feature only after trimming spaces (or unicode
 * normalisation), or only case-insensitively, is accepted with a warning that says so (pushed to
 * `notes`). Throws when a feature is missing, a column is not a feature, or a loose match is
 * ambiguous; the error lists the expected names.
 */
function orderColumns(columns: string[], schema: InputSchema, name: string, notes?: string[]): number[] {
  if (!schema.featureNames) return columns.map((_, j) => j);
  const features = schema.featureNames;
  const colOf = new Array<number>(features.length).fill(-1);
  const used = new Set<number>();
  const expected = `(the scaler was fitted on: ${features.map(quoteName).join(', ')})`;
  for (const how of ['exact', 'trimmed', 'case'] as const) {
    const byName = new Map<string, number[]>();
    columns.forEach((c, j) => {
      if (used.has(j)) return;
      const k = loose(c, how);
      byName.set(k, [...(byName.get(k) ?? []), j]);
    });
    features.forEach((f, i) => {
      if (colOf[i] >= 0) return;
      const hits = byName.get(loose(f, how)) ?? [];
      if (!hits.length) return;
      const rivals = features.filter((g, gi) => gi !== i && colOf[gi] < 0 && loose(g, how) === loose(f, how));
      if (hits.length > 1 || rivals.length) {
        throw new ReadError(
          'input-columns',
          `${name}: the columns ${hits.map((j) => quoteName(columns[j])).join(', ')} match the features ${[f, ...rivals].map(quoteName).join(', ')} only ${how === 'case' ? 'case-insensitively' : 'after trimming spaces'}, which is ambiguous: name each column exactly as fitted ${expected}`,
        );
      }
      colOf[i] = hits[0];
      used.add(hits[0]);
      if (how !== 'exact') {
        const note = `${name}: column ${quoteName(columns[hits[0]])} was matched to the fitted feature ${quoteName(f)} only ${how === 'case' ? 'case-insensitively' : columns[hits[0]].trim() === columns[hits[0]] && f.trim() === f ? 'after unicode normalisation' : 'after trimming spaces'}; check it is the same feature`;
        if (notes && !notes.includes(note)) notes.push(note);
      }
    });
  }
  const missing = features.filter((_, i) => colOf[i] < 0);
  const extra = columns.filter((_, j) => !used.has(j));
  if (missing.length || extra.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing feature${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`);
    if (extra.length) parts.push(`unknown column${extra.length > 1 ? 's' : ''} ${extra.map((m) => `'${m}'`).join(', ')}`);
    throw new ReadError('input-columns', `${name}: ${parts.join('; ')} ${expected}`);
  }
  return colOf;
}

function checkWidth(width: number, schema: InputSchema, name: string, where: string): void {
  const n = schema.featureNames?.length ?? schema.nFeatures;
  if (n !== null && width !== n) {
    throw new ReadError('input-columns', `${name}: ${where} has ${width} values but the model takes ${n} features`);
  }
}

/** Parses CSV input. A first row with any non-numeric cell is a header of feature names. */
export function parseCsvInput(text: string, schema: InputSchema, name = 'input', notes?: string[]): number[][] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (!lines.length) throw new ReadError('input-empty', `${name}: no rows`);
  const first = lines[0];
  const sep = [',', ';', '\t'].reduce((best, s) => (first.split(s).length > first.split(best).length ? s : best), ',');
  const head = splitCsvLine(first, sep);
  const hasHeader = head.some((c) => c.trim() !== '' && parseNumber(c) === null);
  // Header names are kept exactly as written (spaces included): they are matched to feature_names_in_ as strings.
  const columns = hasHeader ? head : null;
  const order = columns ? orderColumns(columns, schema, name, notes) : head.map((_, j) => j);
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
        const cell = cells[j].trim();
        if (schema.allowMissing && (cell === '' || /^nan$/i.test(cell))) return NaN;
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
export function parseJsonInput(value: unknown, schema: InputSchema, name = 'input', notes?: string[]): number[][] {
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
      const order = orderColumns(keys, schema.featureNames ? schema : { ...schema, featureNames: null }, name, notes);
      labels = order.map((j) => keys[j]);
      cells = labels.map((k) => (row as Record<string, unknown>)[k]);
      if (!schema.featureNames) checkWidth(cells.length, schema, name, `row ${i}`);
    } else {
      throw new ReadError('input-format', `${name}: row ${i} is neither an array nor an object`);
    }
    return cells.map((c, j) => {
      const where = `${name}: row ${i}, ${labels ? `feature '${labels[j]}'` : `column ${j + 1}`}`;
      if (schema.allowMissing && c === null) return NaN;
      if (typeof c !== 'number') throw new ReadError('input-value', `${where}: ${JSON.stringify(c)} is not a number`);
      if (Number.isNaN(c)) throw new ReadError('input-value', `${where}: NaN`);
      return c;
    });
  });
}
