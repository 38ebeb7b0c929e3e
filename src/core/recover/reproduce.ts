// Reproduces a recipe on its data file: evaluates the script's symbolic values (column
// selections, the train/test split, Keras' validation_split, dropna) to real float64 columns, and
// fits each scaler on exactly the rows and columns the script fitted it on.
import { ReadError } from '../io/errors';
import { transform } from '../predict/scalerTransform';
import type { SklearnScaler } from '../formats/pickle/sklearn';
import { type DataColumn, type DataTable } from './csvData';
import { asScaler, fitScaler, type FittedScaler } from './fitScaler';
import type { NumExpr, Recipe, Selection, Sym } from './recipe';
import { symText } from './recipe';
import { kerasValidationSplit, trainTestSplit, type SplitIndices } from './split';

/** A 2-d (or 1-d) block of data as the script holds it at some point. */
export interface Block {
  columns: DataColumn[];
  rows: number;
  /** A pandas DataFrame (names kept: feature_names_in_) rather than a numpy array. */
  frame: boolean;
  oneD: boolean;
}

/** The recovered state of a recipe on one data table. */
export class Reproduction {
  private readonly splits = new Map<string, SplitIndices>();
  private readonly fitted = new Map<number, { fitted: FittedScaler; scaler: SklearnScaler; rows: number }>();

  constructor(
    readonly recipe: Recipe,
    readonly table: DataTable,
    readonly sklearnVersion: string,
  ) {}

  private fail(s: Sym, what: string): never {
    throw new ReadError('recipe-unreadable', `${what}: ${s.k === 'unknown' ? s.why : symText(s)}`);
  }

  private base(): Block {
    const d = this.recipe.data;
    let cols = this.table.columns;
    if (d?.indexCol !== null && d?.indexCol !== undefined) {
      const ic = d.indexCol;
      cols = cols.filter((c, j) => (typeof ic === 'number' ? j !== ic : c.name !== ic));
    }
    return { columns: cols, rows: this.table.rows, frame: d?.reader === 'read_csv', oneD: false };
  }

  private select(b: Block, sel: Selection, s: Sym): Block {
    const names = b.columns.map((c) => c.name);
    const pick = (idx: number[], oneD: boolean): Block => ({ ...b, columns: idx.map((j) => b.columns[j]), oneD });
    const pos = (p: number): number => {
      const j = p < 0 ? p + names.length : p;
      if (j < 0 || j >= names.length) throw new ReadError('recipe-unreadable', `${symText(s)}: column position ${p} is outside the ${names.length} columns`);
      return j;
    };
    if (b.oneD) this.fail(s, 'a column is selected from a single column');
    switch (sel.by) {
      case 'names': {
        if (!b.frame) this.fail(s, 'columns are selected by name from a numpy array');
        const idx = sel.names.map((n) => {
          const j = names.indexOf(n);
          if (j < 0) throw new ReadError('missing-column', `${this.table.path}: no column '${n}' (the script selects it; columns: ${names.join(', ')})`);
          return j;
        });
        return pick(idx, sel.oneD);
      }
      case 'drop': {
        for (const n of sel.names) {
          if (!names.includes(n)) throw new ReadError('missing-column', `${this.table.path}: no column '${n}' to drop (columns: ${names.join(', ')})`);
        }
        return pick(
          names.map((_, j) => j).filter((j) => !sel.names.includes(names[j])),
          false,
        );
      }
      case 'index':
        return pick([pos(sel.position)], true);
      case 'list':
        return pick(sel.positions.map(pos), false);
      case 'slice': {
        const n = names.length;
        const step = sel.step ?? 1;
        if (step <= 0) this.fail(s, 'a negative column step');
        const clamp = (v: number | null, dflt: number): number => (v === null ? dflt : v < 0 ? Math.max(0, v + n) : Math.min(v, n));
        const idx: number[] = [];
        for (let j = clamp(sel.lo, 0); j < clamp(sel.hi, n); j += step) idx.push(j);
        return pick(idx, false);
      }
    }
  }

  private rowsOf(b: Block, idx: ArrayLike<number>): Block {
    const columns = b.columns.map((c) => {
      if (!c.values) {
        const missing = c.missing ? Uint8Array.from(idx, (i) => c.missing![i]) : undefined;
        return { ...c, missing };
      }
      const v = new Float64Array(idx.length);
      for (let i = 0; i < idx.length; i++) v[i] = c.values[idx[i]];
      return { name: c.name, values: v };
    });
    return { ...b, columns, rows: idx.length };
  }

  /** The number of rows the split was made on (null until a value needed it). */
  splitRows(): number | null {
    for (const k of this.splits.keys()) if (k.startsWith('0:')) return Number(k.slice(2));
    return null;
  }

  /** The split of n rows the script's train_test_split number `id` makes. */
  splitOf(id: number, n: number): SplitIndices {
    const key = `${id}:${n}`;
    let s = this.splits.get(key);
    if (!s) {
      const sp = this.recipe.splits[id] ?? (id === 0 ? this.recipe.split : null);
      if (!sp) throw new ReadError('recipe-unreadable', 'the script splits the data but its train_test_split call was not read');
      s = trainTestSplit(n, { testSize: sp.testSize, trainSize: sp.trainSize, randomState: sp.randomState, shuffle: sp.shuffle, stratify: sp.stratify });
      this.splits.set(key, s);
    }
    return s;
  }

  /** Evaluates a symbolic value of the script to data. */
  evaluate(s: Sym): Block {
    switch (s.k) {
      case 'data':
        return this.base();
      case 'select':
        return this.select(this.evaluate(s.base), s.sel, s);
      case 'array': {
        const b = this.evaluate(s.base);
        if (s.reshape === 'column') {
          if (!b.oneD && b.columns.length !== 1) this.fail(s, 'reshape(-1, 1) of several columns');
          return { ...b, frame: false, oneD: false };
        }
        if (s.reshape === 'flat') {
          if (b.columns.length !== 1) this.fail(s, 'a flattened block of several columns');
          return { ...b, frame: false, oneD: true };
        }
        return { ...b, frame: false };
      }
      case 'part': {
        const b = this.evaluate(s.base);
        const sp = this.splitOf(s.split, b.rows);
        return this.rowsOf(b, s.which === 'train' ? sp.train : sp.test);
      }
      case 'tail': {
        const b = this.evaluate(s.base);
        return this.rowsOf(b, kerasValidationSplit(b.rows, s.fraction).test);
      }
      case 'rows': {
        const b = this.evaluate(s.base);
        const n = b.rows;
        const bound = (e: NumExpr | null, dflt: number): number => {
          if (e === null) return dflt;
          const v = this.number(e);
          if (!Number.isInteger(v)) throw new ReadError('recipe-unreadable', `${symText(s)}: the row bound ${v} is not an integer`);
          return v < 0 ? Math.max(0, v + n) : Math.min(v, n);
        };
        const lo = bound(s.lo, 0);
        const hi = bound(s.hi, n);
        const idx: number[] = [];
        for (let i = lo; i < hi; i++) idx.push(i);
        return this.rowsOf(b, idx);
      }
      case 'dropna': {
        const b = this.evaluate(s.base);
        const keep: number[] = [];
        for (let i = 0; i < b.rows; i++) {
          if (b.columns.every((c) => (c.values ? !Number.isNaN(c.values[i]) : !c.missing?.[i]))) keep.push(i);
        }
        return this.rowsOf(b, keep);
      }
      case 'scaled': {
        const b = this.evaluate(s.base);
        const f = this.fit(s.scaler);
        const rows = toRows(this.numeric(b, s));
        const out = transform(f.scaler, rows);
        const width = out[0]?.length ?? f.scaler.nFeaturesIn ?? 0;
        const columns: DataColumn[] = Array.from({ length: width }, (_, j) => ({ name: String(j), values: Float64Array.from(out, (r) => r[j]) }));
        return { columns, rows: b.rows, frame: false, oneD: false };
      }
      default:
        return this.fail(s, 'this value cannot be reproduced');
    }
  }

  /** Evaluates a row-count expression as Python would (int() truncates, / is true division). */
  number(e: NumExpr): number {
    switch (e.op) {
      case 'lit':
        return e.v;
      case 'len':
        return this.evaluate(e.of).rows;
      case 'int':
        return Math.trunc(this.number(e.a));
      case 'floor':
        return Math.floor(this.number(e.a));
      case 'ceil':
        return Math.ceil(this.number(e.a));
      case 'round': {
        // Python's round(): half to even
        const x = this.number(e.a);
        const f = Math.floor(x);
        const d = x - f;
        return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
      }
      case '+':
        return this.number(e.a) + this.number(e.b);
      case '-':
        return this.number(e.a) - this.number(e.b);
      case '*':
        return this.number(e.a) * this.number(e.b);
      case '/':
        return this.number(e.a) / this.number(e.b);
      case '//':
        return Math.floor(this.number(e.a) / this.number(e.b));
    }
  }

  /** The numeric columns of a block (an error names a text column). */
  numeric(b: Block, s: Sym): Float64Array[] {
    return b.columns.map((c) => {
      if (c.values) return c.values;
      throw new ReadError(
        'non-numeric-column',
        `${this.table.path}: column '${c.name}' is not numeric (row ${(c.firstText?.row ?? 0) + 1} holds '${c.firstText?.text ?? ''}'), but ${symText(s)} uses it`,
      );
    });
  }

  /** Fits scaler `id` of the recipe on what the script fitted it on. */
  fit(id: number): { fitted: FittedScaler; scaler: SklearnScaler; rows: number } {
    const done = this.fitted.get(id);
    if (done) return done;
    const sr = this.recipe.scalers[id];
    if (!sr) throw new ReadError('recipe-unreadable', `no scaler #${id} in the recipe`);
    if (!sr.cls)
      throw new ReadError('unsupported-scaler', `${sr.writtenClass} cannot be recovered (only MinMaxScaler, StandardScaler, RobustScaler, MaxAbsScaler)`);
    if (!sr.fitOn) throw new ReadError('recipe-unreadable', `the script never fits ${sr.variable ?? sr.writtenClass}`);
    const b = this.evaluate(sr.fitOn);
    if (b.oneD) {
      throw new ReadError(
        'recipe-unreadable',
        `${sr.variable ?? sr.writtenClass} is fitted on one column as a 1-d array (${sr.fitText}): scikit-learn refuses that ("Expected 2D array")`,
      );
    }
    const cols = this.numeric(b, sr.fitOn);
    const allStr = b.frame && b.columns.every((c) => typeof c.name === 'string');
    const fitted = fitScaler({ cls: sr.cls, args: sr.args }, cols, allStr && this.table.named ? b.columns.map((c) => c.name) : null);
    const r = { fitted, scaler: asScaler(fitted, this.sklearnVersion), rows: b.rows };
    this.fitted.set(id, r);
    return r;
  }
}

/** Columns to rows. */
export function toRows(cols: Float64Array[]): number[][] {
  const n = cols[0]?.length ?? 0;
  const out = new Array<number[]>(n);
  for (let i = 0; i < n; i++) {
    const r = new Array<number>(cols.length);
    for (let j = 0; j < cols.length; j++) r[j] = cols[j][i];
    out[i] = r;
  }
  return out;
}
