// Reads the recipe of a fitted scaler from a training script or notebook, statically: where the
// data comes from (pd.read_csv / np.loadtxt / np.genfromtxt and their arguments), which columns
// are the features and the target, the train_test_split call, the scaler class and arguments,
// what each scaler was fitted on, the validation data given to model.fit and the compiled loss.
// Values are followed symbolically through assignments; whatever cannot be read (a computed
// path, a seed from a variable) becomes a blank for the user to fill, never a guess.
// Size: the symbolic walk over every pandas / numpy / sklearn / Keras call the recipe needs.
import { notebookCodeCells } from '../lint/scriptLint';
import { FITTABLE, type FittableClass } from './fitScaler';
import { dotted, exprText, parseStatements, type Expr, type Stmt } from './pyParse';
import { numberOf, type PyOut } from './pyValues';
import type { SplitSize } from './split';

/** Positions or names of columns. */
export type Selection =
  | { by: 'names'; names: string[]; oneD: boolean }
  | { by: 'drop'; names: string[] }
  | { by: 'slice'; lo: number | null; hi: number | null; step: number | null }
  | { by: 'list'; positions: number[] }
  | { by: 'index'; position: number };

/** A value of the script, followed symbolically. */
export type Sym =
  | { k: 'data' }
  | { k: 'select'; base: Sym; sel: Selection }
  /** `.values`, `to_numpy()`, `np.array(...)`: names are lost; `reshape(-1, 1)` makes a column 2-d. */
  | { k: 'array'; base: Sym; reshape?: 'column' | 'flat' }
  | { k: 'part'; base: Sym; which: 'train' | 'test'; split: number }
  | { k: 'scaled'; base: Sym; scaler: number }
  /** Keras validation_split: the last fraction of the rows. */
  | { k: 'tail'; base: Sym; fraction: number }
  | { k: 'dropna'; base: Sym }
  | { k: 'scaler'; id: number }
  | { k: 'split'; arrays: Sym[]; id: number }
  | { k: 'indexer'; base: Sym; kind: 'iloc' | 'loc' }
  | { k: 'lit'; v: PyOut }
  | { k: 'tuple'; items: Sym[] }
  | { k: 'model' }
  /** A number computed from the data (`int(len(df) * 0.8)`). */
  | { k: 'num'; e: NumExpr }
  /** Rows lo:hi of a block (Python slice bounds). */
  | { k: 'rows'; base: Sym; lo: NumExpr | null; hi: NumExpr | null }
  | { k: 'unknown'; why: string };

/** Arithmetic on row counts. */
export type NumExpr =
  | { op: 'lit'; v: number }
  | { op: 'len'; of: Sym }
  | { op: 'int' | 'floor' | 'ceil' | 'round'; a: NumExpr }
  | { op: '+' | '-' | '*' | '/' | '//'; a: NumExpr; b: NumExpr };

/** How the data file is read. */
export interface DataRecipe {
  reader: 'read_csv' | 'loadtxt' | 'genfromtxt';
  path: string | null;
  sep: string | null;
  header: number | null;
  skiprows: number | number[] | null;
  usecols: (string | number)[] | null;
  naValues: string[];
  /** `index_col=` of read_csv: that column is not a feature. */
  indexCol: number | string | null;
  /** `names=` of read_csv. */
  names?: string[] | null;
  line: number;
}

/** One scaler of the script. */
export interface ScalerRecipe {
  id: number;
  variable: string | null;
  cls: FittableClass | null;
  /** The class as written, when it is not one this tool fits. */
  writtenClass: string;
  args: Record<string, PyOut>;
  /** What its last fit / fit_transform received (null: never fitted in the script). */
  fitOn: Sym | null;
  fitText: string | null;
  line: number;
}

/** A blank the user fills in. */
export interface Blank {
  field: 'data' | 'random_state' | 'test_size' | 'scaler' | 'features' | 'validation' | 'loss';
  reason: string;
  line?: number;
}

/** The recipe read from a script. */
/** One train_test_split call. */
export interface SplitRecipe {
  testSize: SplitSize | null;
  trainSize: SplitSize | null;
  randomState: number | null;
  shuffle: boolean;
  stratify: boolean;
  line: number;
}

export interface Recipe {
  script: string | null;
  data: DataRecipe | null;
  /** The first train_test_split (answers apply to it); `splits` holds every one, in order. */
  split: SplitRecipe | null;
  splits: SplitRecipe[];
  scalers: ScalerRecipe[];
  /** Ids (in `scalers`) of the input and target scaler. */
  inputScaler: number | null;
  targetScaler: number | null;
  /** The arrays given to model.fit and its validation data. */
  fit: { x: Sym; y: Sym | null; line: number } | null;
  validation: { x: Sym; y: Sym; kind: 'validation_data' | 'validation_split'; fraction?: number; text: string } | null;
  loss: string | null;
  blanks: Blank[];
  notes: string[];
  /** Fields the user answered (they override what the script says). */
  answered?: string[];
}

const UNSUPPORTED_READERS: Record<string, string> = {
  read_excel: 'pd.read_excel is not supported (an Excel workbook is not read here): save the sheet as CSV and give it with --data',
  read_parquet: 'pd.read_parquet is not supported: give a CSV export of the data with --data',
  read_json: 'pd.read_json is not supported: give a CSV export of the data with --data',
  read_sql: 'pd.read_sql reads a database: give a CSV export of the query with --data',
  read_pickle: 'pd.read_pickle is not supported: give a CSV export of the data with --data',
  load: 'np.load is not supported: give a CSV export of the data with --data',
};

const LOSS_NAMES: Record<string, string> = {
  mse: 'mse',
  mean_squared_error: 'mse',
  meansquarederror: 'mse',
  mae: 'mae',
  mean_absolute_error: 'mae',
  meanabsoluteerror: 'mae',
  binary_crossentropy: 'binary_crossentropy',
  binarycrossentropy: 'binary_crossentropy',
  categorical_crossentropy: 'categorical_crossentropy',
  categoricalcrossentropy: 'categorical_crossentropy',
  sparse_categorical_crossentropy: 'sparse_categorical_crossentropy',
  sparsecategoricalcrossentropy: 'sparse_categorical_crossentropy',
};

/** Normalises a Keras loss name (`'mean_squared_error'`, `MeanSquaredError`) to mse / mae / *_crossentropy, or null. */
export function lossName(s: string): string | null {
  return LOSS_NAMES[s.toLowerCase()] ?? null;
}

function lit(e: Expr): PyOut | null {
  return e.k === 'lit' ? e.v : null;
}

function strOf(v: PyOut | null | undefined): string | null {
  return v && v.t === 'str' ? v.v : null;
}

function strList(v: PyOut | null): string[] | null {
  if (!v) return null;
  if (v.t === 'str') return [v.v];
  if ((v.t === 'list' || v.t === 'tuple') && v.items.every((x) => x.t === 'str')) return v.items.map((x) => (x as { v: string }).v);
  return null;
}

function intOf(v: PyOut | null | undefined): number | null {
  return v && v.t === 'int' ? v.v : null;
}

/** Reads the recipe from Python source cells. */
export function readRecipeCells(cells: string[], notebook: boolean, script: string | null): Recipe {
  const stmts = parseStatements(cells, notebook);
  // `from sklearn.preprocessing import MinMaxScaler as MMS`: names by their alias.
  const aliases = new Map<string, string>();
  for (const src of cells) {
    for (const m of src.matchAll(/^\s*from\s+[\w.]+\s+import\s+\(?([^)\n#]+)/gm)) {
      for (const part of m[1].split(',')) {
        const a = /^\s*(\w+)\s+as\s+(\w+)\s*$/.exec(part);
        if (a) aliases.set(a[2], a[1]);
      }
    }
  }
  const r: Recipe = {
    script,
    data: null,
    split: null,
    splits: [],
    scalers: [],
    inputScaler: null,
    targetScaler: null,
    fit: null,
    validation: null,
    loss: null,
    blanks: [],
    notes: [],
  };
  const env = new Map<string, Sym>();
  const blank = (b: Blank): void => {
    if (!r.blanks.some((x) => x.field === b.field)) r.blanks.push(b);
  };

  const kw = (e: Extract<Expr, { k: 'call' }>, name: string, pos?: number): Expr | undefined =>
    e.kwargs.find(([k]) => k === name)?.[1] ?? (pos !== undefined ? e.args[pos] : undefined);

  const readData = (e: Extract<Expr, { k: 'call' }>, fn: string, st: Stmt): Sym => {
    const short = fn.slice(fn.lastIndexOf('.') + 1);
    if (r.data) {
      r.notes.push(`line ${st.line + 1}: a second data source (${exprText(e.fn)}) is not followed; the recipe uses the first one (line ${r.data.line + 1})`);
      return { k: 'unknown', why: `a second data source at line ${st.line + 1}` };
    }
    const pathExpr = kw(e, short === 'read_csv' ? 'filepath_or_buffer' : 'fname', 0);
    const path = pathExpr ? strOf(lit(pathExpr)) : null;
    if (!path)
      blank({
        field: 'data',
        reason: `the data file's path is computed (${pathExpr ? exprText(pathExpr) : 'none given'}): give the file with --data`,
        line: st.line,
      });
    const d: DataRecipe = {
      reader: short as DataRecipe['reader'],
      path,
      sep: ',',
      header: 0,
      skiprows: null,
      usecols: null,
      naValues: [],
      indexCol: null,
      line: st.line,
    };
    if (short === 'read_csv') {
      const sep = kw(e, 'sep') ?? kw(e, 'delimiter');
      if (sep) {
        const s = strOf(lit(sep));
        if (s === null) blank({ field: 'data', reason: `sep=${exprText(sep)} cannot be read statically`, line: st.line });
        else d.sep = s === '\\s+' || s === '\\s*' ? null : s;
      }
      const dw = kw(e, 'delim_whitespace');
      if (dw && lit(dw)?.t === 'bool' && (lit(dw) as { v: boolean }).v) d.sep = null;
      const header = kw(e, 'header');
      if (header) {
        const h = lit(header);
        if (h?.t === 'none') d.header = null;
        else if (h?.t === 'int') d.header = h.v;
        else if (strOf(h) !== 'infer') r.notes.push(`line ${st.line + 1}: header=${exprText(header)} is not supported; the first row is taken as the header`);
      }
      const names = kw(e, 'names');
      if (names) {
        const list = strList(lit(names) ?? (names.k === 'name' && env.get(names.id)?.k === 'lit' ? (env.get(names.id) as { v: PyOut }).v : null));
        if (list) d.names = list;
        else blank({ field: 'features', reason: `names=${exprText(names)} cannot be read statically`, line: st.line });
      }
      const ic = kw(e, 'index_col');
      if (ic) {
        const v = lit(ic);
        if (v?.t === 'int' || v?.t === 'str') d.indexCol = v.v;
        else if (v?.t !== 'none' && !(v?.t === 'bool' && !v.v)) r.notes.push(`line ${st.line + 1}: index_col=${exprText(ic)} is not supported`);
      }
      const na = kw(e, 'na_values');
      if (na) d.naValues = strList(lit(na)) ?? [];
    } else {
      d.sep = null;
      d.header = null;
      const delim = kw(e, 'delimiter');
      if (delim) d.sep = strOf(lit(delim));
      const names = kw(e, 'names');
      if (short === 'genfromtxt' && names && lit(names)?.t === 'bool' && (lit(names) as { v: boolean }).v) d.header = 0;
    }
    const skip = kw(e, 'skiprows') ?? kw(e, 'skip_header');
    if (skip) {
      const v = lit(skip);
      if (v?.t === 'int') d.skiprows = v.v;
      else if (v && (v.t === 'list' || v.t === 'tuple') && v.items.every((x) => x.t === 'int')) d.skiprows = v.items.map((x) => (x as { v: number }).v);
      else blank({ field: 'data', reason: `skiprows=${exprText(skip)} cannot be read statically`, line: st.line });
    }
    const use = kw(e, 'usecols');
    if (use) {
      const v = lit(use);
      const items = v && (v.t === 'list' || v.t === 'tuple') ? v.items : v ? [v] : null;
      if (items && items.every((x) => x.t === 'str' || x.t === 'int')) d.usecols = items.map((x) => (x as { v: string | number }).v);
      else blank({ field: 'features', reason: `usecols=${exprText(use)} cannot be read statically`, line: st.line });
    }
    r.data = d;
    return { k: 'data' };
  };

  const newScaler = (cls: string, e: Extract<Expr, { k: 'call' }>, st: Stmt, variable: string | null): Sym => {
    const args: Record<string, PyOut> = {};
    for (const [k, v] of e.kwargs) {
      const l = lit(v);
      if (l) args[k] = l;
      else blank({ field: 'scaler', reason: `${cls}(${k}=${exprText(v)}): the argument cannot be read statically`, line: st.line });
    }
    if (e.args.length && cls === 'MinMaxScaler' && lit(e.args[0])) args.feature_range = lit(e.args[0])!;
    const id = r.scalers.length;
    const fittable = (FITTABLE as readonly string[]).includes(cls);
    r.scalers.push({ id, variable, cls: fittable ? (cls as FittableClass) : null, writtenClass: cls, args, fitOn: null, fitText: null, line: st.line });
    return { k: 'scaler', id };
  };

  const recordFit = (id: number, arg: Expr | undefined, st: Stmt): Sym => {
    const s = r.scalers[id];
    const on = arg ? evalExpr(arg, st) : ({ k: 'unknown', why: 'fit() without data' } as Sym);
    s.fitOn = on;
    s.fitText = arg ? exprText(arg) : null;
    return on;
  };

  const selectionOf = (base: Sym, index: Expr, st: Stmt): Sym => {
    const v = index.k === 'name' && env.get(index.id)?.k === 'lit' ? (env.get(index.id) as { v: PyOut }).v : lit(index);
    if (v?.t === 'str') return { k: 'select', base, sel: { by: 'names', names: [v.v], oneD: true } };
    const names = strList(v);
    if (names && v && v.t === 'list') return { k: 'select', base, sel: { by: 'names', names, oneD: false } };
    return { k: 'unknown', why: `the column selection [${exprText(index)}] at line ${st.line + 1} cannot be read statically` };
  };

  const posSelection = (e: Expr): Selection | null => {
    if (e.k === 'slice') {
      const n = (x: Expr | null): number | null | undefined => (x === null ? null : (intOf(lit(x)) ?? undefined));
      const lo = n(e.lo);
      const hi = n(e.hi);
      const step = n(e.step);
      if (lo === undefined || hi === undefined || step === undefined) return null;
      return { by: 'slice', lo, hi, step };
    }
    const v = lit(e);
    if (v?.t === 'int') return { by: 'index', position: v.v };
    if (v && v.t === 'list' && v.items.every((x) => x.t === 'int')) return { by: 'list', positions: v.items.map((x) => (x as { v: number }).v) };
    return null;
  };

  const isFullSlice = (e: Expr): boolean => e.k === 'slice' && e.lo === null && e.hi === null && e.step === null;

  const numOf = (e: Expr | null, st: Stmt): NumExpr | null | undefined => {
    if (e === null) return null;
    const v = evalExpr(e, st);
    if (v.k === 'num') return v.e;
    if (v.k === 'lit' && (v.v.t === 'int' || v.v.t === 'float')) return { op: 'lit', v: v.v.v };
    return undefined;
  };

  /** Rows lo:hi (a slice of numbers, literal or computed from len()), or undefined. */
  const rowSlice = (base: Sym, e: Expr, st: Stmt): Sym | undefined => {
    if (e.k !== 'slice' || e.step !== null) return undefined;
    const lo = numOf(e.lo, st);
    const hi = numOf(e.hi, st);
    if (lo === undefined || hi === undefined) return undefined;
    return lo === null && hi === null ? base : { k: 'rows', base, lo, hi };
  };

  const positional = (base: Sym, index: Expr, st: Stmt, what: string): Sym => {
    if (index.k === 'tuple' && index.items.length === 2) {
      const rows = isFullSlice(index.items[0]) ? base : rowSlice(base, index.items[0], st);
      if (rows && isFullSlice(index.items[1])) return rows;
      const sel = posSelection(index.items[1]);
      if (rows && sel) return { k: 'select', base: rows, sel };
    }
    if (isFullSlice(index)) return base;
    const rows = rowSlice(base, index, st);
    if (rows) return rows;
    return { k: 'unknown', why: `${what}[${exprText(index)}] at line ${st.line + 1} selects rows or cannot be read statically` };
  };

  const modelCall = (e: Extract<Expr, { k: 'call' }>, st: Stmt, short: string, objKind: Sym['k']): Sym | null => {
    if (short === 'compile') {
      const loss = kw(e, 'loss');
      if (loss) {
        const v = strOf(lit(loss)) ?? (loss.k === 'call' ? (dotted(loss.fn) ?? '').split('.').pop()! : (dotted(loss) ?? '').split('.').pop()!);
        r.loss = lossName(v) ?? r.loss;
        if (!lossName(v)) r.notes.push(`line ${st.line + 1}: loss ${exprText(loss)} is not one of mse, mae, binary / categorical crossentropy`);
      }
      return { k: 'model' };
    }
    if (
      short === 'fit' &&
      (objKind === 'model' || e.kwargs.some(([k]) => ['epochs', 'validation_data', 'validation_split', 'batch_size', 'callbacks'].includes(k)))
    ) {
      const x = e.args[0] ? evalExpr(e.args[0], st) : kw(e, 'x') ? evalExpr(kw(e, 'x')!, st) : ({ k: 'unknown', why: 'fit without x' } as Sym);
      const yE = e.args[1] ?? kw(e, 'y');
      const y = yE ? evalExpr(yE, st) : null;
      r.fit = { x, y, line: st.line };
      const vd = kw(e, 'validation_data');
      const vs = kw(e, 'validation_split');
      if (vd) {
        const v = evalExpr(vd, st);
        if (v.k === 'tuple' && v.items.length >= 2) r.validation = { x: v.items[0], y: v.items[1], kind: 'validation_data', text: exprText(vd) };
        else blank({ field: 'validation', reason: `validation_data=${exprText(vd)} cannot be followed`, line: st.line });
      } else if (vs) {
        const f = numberOf(lit(vs) ?? undefined);
        if (f !== null && y)
          r.validation = {
            x: { k: 'tail', base: x, fraction: f },
            y: { k: 'tail', base: y, fraction: f },
            kind: 'validation_split',
            fraction: f,
            text: `validation_split=${f}`,
          };
        else blank({ field: 'validation', reason: `validation_split=${exprText(vs)} cannot be read statically`, line: st.line });
      }
      return { k: 'unknown', why: 'history' };
    }
    return null;
  };

  const evalCall = (e: Extract<Expr, { k: 'call' }>, st: Stmt, target: string | null): Sym => {
    const fn = dotted(e.fn);
    const written = fn ? fn.slice(fn.lastIndexOf('.') + 1) : e.fn.k === 'attr' ? e.fn.name : '';
    const short = e.fn.k === 'name' ? (aliases.get(written) ?? written) : written;
    const recv = e.fn.k === 'attr' ? e.fn.obj : null;
    // Module-level functions first (pd.read_csv, np.loadtxt, train_test_split, scaler classes).
    const recvName = recv ? dotted(recv) : null;
    const isModule = recvName !== null && !env.has(recvName.split('.')[0]);
    // model.compile / model.fit, also on a model the walk did not see built (a function's result).
    if (recv && (short === 'compile' || short === 'fit')) {
      const objKind = isModule ? 'model' : evalExpr(recv, st).k;
      if (objKind !== 'scaler') {
        const m = modelCall(e, st, short, objKind);
        if (m) return m;
      }
    }
    if (!recv || isModule) {
      if (short === 'read_csv' || short === 'loadtxt' || short === 'genfromtxt') return readData(e, fn ?? short, st);
      if (short in UNSUPPORTED_READERS && (short !== 'load' || /^(np|numpy)\./.test(fn ?? ''))) {
        blank({ field: 'data', reason: `line ${st.line + 1}: ${UNSUPPORTED_READERS[short]}`, line: st.line });
        if (r.data) return { k: 'unknown', why: UNSUPPORTED_READERS[short] };
        // The CSV export given with --data stands for this table (same columns, a header row).
        r.data = { reader: 'read_csv', path: null, sep: ',', header: 0, skiprows: null, usecols: null, naValues: [], indexCol: null, line: st.line };
        return { k: 'data' };
      }
      if (short === 'train_test_split') {
        const arrays = e.args.map((a) => evalExpr(a, st));
        const size = (name: string): SplitSize | null => {
          const x = kw(e, name);
          if (!x) return null;
          const v = lit(x);
          if (v?.t === 'float') return { kind: 'fraction', value: v.v };
          if (v?.t === 'int') return { kind: 'count', value: v.v };
          if (v?.t === 'none') return null;
          blank({ field: 'test_size', reason: `${name}=${exprText(x)} cannot be read statically`, line: st.line });
          return null;
        };
        const rs = kw(e, 'random_state');
        let randomState: number | null = null;
        if (rs) {
          const v = lit(rs);
          if (v?.t === 'int') randomState = v.v;
          else if (v?.t !== 'none')
            blank({ field: 'random_state', reason: `random_state=${exprText(rs)} is not a literal: give the seed the script used`, line: st.line });
        }
        const sh = kw(e, 'shuffle');
        const shuffle = sh ? !(lit(sh)?.t === 'bool' && !(lit(sh) as { v: boolean }).v) : true;
        if (shuffle && randomState === null && !r.blanks.some((b) => b.field === 'random_state')) {
          blank({
            field: 'random_state',
            reason:
              'train_test_split has no random_state: the shuffle differs on every run; give the seed if one was set elsewhere (np.random.seed does not set it)',
            line: st.line,
          });
        }
        const strat = kw(e, 'stratify');
        const stratify = !!strat && lit(strat)?.t !== 'none';
        const sp: SplitRecipe = { testSize: size('test_size'), trainSize: size('train_size'), randomState, shuffle, stratify, line: st.line };
        r.splits.push(sp);
        r.split ??= sp;
        if (r.splits.length > 1)
          r.notes.push(
            `line ${st.line + 1}: a further train_test_split (random_state=${randomState ?? 'None'}) is followed as written; answers change the first one only`,
          );
        return { k: 'split', arrays, id: r.splits.length - 1 };
      }
      if (/Scaler$|Transformer$|Normalizer$|Encoder$|Imputer$/.test(short) && /^[A-Z]/.test(short)) return newScaler(short, e, st, target);
      if (fn && /^(np|numpy)\.(array|asarray|float32|float64)$/.test(fn) && e.args[0]) return { k: 'array', base: evalExpr(e.args[0], st) };
      if (fn && /^(np|numpy)\.reshape$/.test(fn) && e.args[0]) return { k: 'array', base: evalExpr(e.args[0], st), reshape: 'column' };
      if (/^(Sequential|Model|load_model|build_model|create_model|make_model|get_model)$/.test(short)) return { k: 'model' };
      if (recvName === null && env.get(short)?.k === 'unknown') return env.get(short)!;
      return { k: 'unknown', why: `${exprText(e.fn)}(...) at line ${st.line + 1}` };
    }
    const obj = evalExpr(recv, st);
    if (obj.k === 'scaler') {
      if (short === 'fit' || short === 'partial_fit') {
        recordFit(obj.id, e.args[0] ?? kw(e, 'X'), st);
        return obj;
      }
      if (short === 'fit_transform') return { k: 'scaled', base: recordFit(obj.id, e.args[0] ?? kw(e, 'X'), st), scaler: obj.id };
      if (short === 'transform' && e.args[0]) return { k: 'scaled', base: evalExpr(e.args[0], st), scaler: obj.id };
      return { k: 'unknown', why: `${exprText(e.fn)}(...) at line ${st.line + 1}` };
    }
    if (obj.k === 'unknown' || obj.k === 'model') return obj.k === 'model' ? obj : obj;
    switch (short) {
      case 'drop': {
        const cols = kw(e, 'columns') ?? kw(e, 'labels', 0);
        const axis = kw(e, 'axis', 1);
        const byCols = !!kw(e, 'columns') || (axis && (numberOf(lit(axis) ?? undefined) === 1 || strOf(lit(axis)) === 'columns'));
        const names = cols ? strList(cols.k === 'name' && env.get(cols.id)?.k === 'lit' ? (env.get(cols.id) as { v: PyOut }).v : lit(cols)) : null;
        if (!byCols || !names) return { k: 'unknown', why: `${exprText(e)} at line ${st.line + 1} drops rows or cannot be read statically` };
        return { k: 'select', base: obj, sel: { by: 'drop', names } };
      }
      case 'filter': {
        const items = kw(e, 'items', 0);
        const names = items ? strList(items.k === 'name' && env.get(items.id)?.k === 'lit' ? (env.get(items.id) as { v: PyOut }).v : lit(items)) : null;
        if (!names || e.kwargs.some(([k]) => k !== 'items')) return { k: 'unknown', why: `${exprText(e)} at line ${st.line + 1}` };
        return { k: 'select', base: obj, sel: { by: 'names', names, oneD: false } };
      }
      case 'to_numpy':
      case 'astype':
      case 'copy':
        if ([...e.args, ...e.kwargs.map(([, v]) => v)].some((a) => /float32|'f4'|float16/.test(exprText(a)))) {
          r.notes.push(
            `line ${st.line + 1}: ${exprText(e)} casts to float32: scikit-learn then fits in float32; the recovery fits in float64 (differences of about 1e-7, relative)`,
          );
        }
        return short === 'to_numpy' ? { k: 'array', base: obj } : obj;
      case 'reshape': {
        const a = e.args.map(lit);
        const t = a.length === 1 && a[0]?.t === 'tuple' ? a[0].items : a.filter((x): x is PyOut => !!x);
        const dims = t.map((x) => numberOf(x));
        if (dims.length === 2 && dims[1] === 1) return { k: 'array', base: obj, reshape: 'column' };
        if (dims.length === 1 && dims[0] === -1) return { k: 'array', base: obj, reshape: 'flat' };
        return { k: 'unknown', why: `${exprText(e)} at line ${st.line + 1}` };
      }
      case 'ravel':
      case 'flatten':
      case 'squeeze':
        return { k: 'array', base: obj, reshape: 'flat' };
      case 'pop': {
        // y = df.pop('target'): y is the column, df loses it.
        const name = e.args[0] ? strOf(lit(e.args[0])) : null;
        if (!name || !recvName || !env.has(recvName)) return { k: 'unknown', why: `${exprText(e)} at line ${st.line + 1}` };
        env.set(recvName, { k: 'select', base: obj, sel: { by: 'drop', names: [name] } });
        return { k: 'select', base: obj, sel: { by: 'names', names: [name], oneD: true } };
      }
      case 'dropna':
        if (e.args.length || e.kwargs.some(([k]) => k !== 'inplace')) return { k: 'unknown', why: `${exprText(e)} at line ${st.line + 1}` };
        return { k: 'dropna', base: obj };
      default:
        return { k: 'unknown', why: `${exprText(e)} at line ${st.line + 1} is not followed` };
    }
  };

  const evalExpr = (e: Expr, st: Stmt, target: string | null = null): Sym => {
    switch (e.k) {
      case 'name':
        return env.get(e.id) ?? { k: 'unknown', why: `'${e.id}' is not assigned in the script before line ${st.line + 1}` };
      case 'lit':
        return { k: 'lit', v: e.v };
      case 'tuple':
      case 'list':
        return { k: 'tuple', items: e.items.map((x) => evalExpr(x, st)) };
      case 'call': {
        const fn = dotted(e.fn);
        if (fn && e.args.length === 1 && /^(len|int|round|math\.floor|math\.ceil|np\.floor|np\.ceil|numpy\.floor|numpy\.ceil)$/.test(fn)) {
          if (fn === 'len') {
            const of = evalExpr(e.args[0], st);
            return of.k === 'unknown' ? of : { k: 'num', e: { op: 'len', of } };
          }
          const a = numOf(e.args[0], st);
          if (!a) return { k: 'unknown', why: `${exprText(e)} at line ${st.line + 1}` };
          const op = fn === 'int' ? 'int' : fn === 'round' ? 'round' : fn.endsWith('floor') ? 'floor' : 'ceil';
          return { k: 'num', e: { op, a } };
        }
        return evalCall(e, st, target);
      }
      case 'binop': {
        const a = numOf(e.a, st);
        const b = numOf(e.b, st);
        if (a && b && ['+', '-', '*', '/', '//'].includes(e.op)) return { k: 'num', e: { op: e.op as '+', a, b } };
        return { k: 'unknown', why: `${exprText(e)} at line ${st.line + 1}` };
      }
      case 'attr': {
        const base = evalExpr(e.obj, st);
        if (base.k === 'unknown' || base.k === 'lit') return base.k === 'lit' ? { k: 'unknown', why: exprText(e) } : base;
        if (e.name === 'values') return { k: 'array', base };
        if (e.name === 'iloc' || e.name === 'loc') return { k: 'indexer', base, kind: e.name };
        if (base.k === 'data' || base.k === 'select' || base.k === 'dropna') return { k: 'select', base, sel: { by: 'names', names: [e.name], oneD: true } };
        return { k: 'unknown', why: `${exprText(e)} at line ${st.line + 1}` };
      }
      case 'sub': {
        const base = evalExpr(e.obj, st);
        if (base.k === 'unknown') return base;
        if (base.k === 'indexer') {
          if (base.kind === 'iloc') return positional(base.base, e.index, st, 'iloc');
          if (e.index.k === 'slice') return rowSlice(base.base, e.index, st) ?? { k: 'unknown', why: `loc[${exprText(e.index)}] at line ${st.line + 1}` };
          if (e.index.k === 'tuple' && e.index.items.length === 2 && isFullSlice(e.index.items[0])) return selectionOf(base.base, e.index.items[1], st);
          return { k: 'unknown', why: `loc[${exprText(e.index)}] at line ${st.line + 1} selects rows` };
        }
        // arr[:, a:b] is positional; df['a'] / df[['a', 'b']] select by name.
        if (
          e.index.k === 'tuple' ||
          e.index.k === 'slice' ||
          base.k === 'array' ||
          base.k === 'scaled' ||
          (base.k === 'data' && r.data?.reader !== 'read_csv')
        ) {
          return positional(base, e.index, st, exprText(e.obj));
        }
        return selectionOf(base, e.index, st);
      }
      default:
        return { k: 'unknown', why: `${exprText(e)} at line ${st.line + 1}` };
    }
  };

  const assign = (t: Expr, v: Sym, st: Stmt): void => {
    if (t.k === 'name') env.set(t.id, v);
    else if (t.k === 'attr' && dotted(t)) {
      const obj = dotted(t.obj);
      const cur = obj ? env.get(obj) : undefined;
      if (obj && cur && cur.k !== 'unknown' && cur.k !== 'model' && cur.k !== 'scaler') {
        env.set(obj, { k: 'unknown', why: `${exprText(t)} is assigned at line ${st.line + 1}: the data is changed in a way the recipe does not follow` });
      } else env.set(dotted(t)!, v);
    } else if (t.k === 'tuple' || t.k === 'list' || (t.k === 'lit' && (t.v.t === 'tuple' || t.v.t === 'list'))) {
      const items = t.k === 'lit' ? [] : t.items;
      if (v.k === 'split') {
        const parts = v.arrays.flatMap((a) => [
          { k: 'part', base: a, which: 'train', split: v.id } as Sym,
          { k: 'part', base: a, which: 'test', split: v.id } as Sym,
        ]);
        items.forEach((x, i) => assign(x, parts[i] ?? { k: 'unknown', why: 'split output' }, st));
      } else if (v.k === 'tuple') items.forEach((x, i) => assign(x, v.items[i] ?? { k: 'unknown', why: 'tuple' }, st));
      else items.forEach((x) => assign(x, { k: 'unknown', why: `unpacked from ${exprText(st.value)} at line ${st.line + 1}` }, st));
    } else if (t.k === 'sub') {
      const name = dotted(t.obj);
      if (name && env.has(name) && env.get(name)!.k !== 'unknown') {
        env.set(name, { k: 'unknown', why: `${exprText(t)} is assigned at line ${st.line + 1}: the data is changed in a way the recipe does not follow` });
      }
    }
  };

  for (const st of stmts) {
    const target = st.targets.length === 1 && st.targets[0].k === 'name' ? st.targets[0].id : null;
    // df.dropna(inplace=True)
    if (
      !st.targets.length &&
      st.value.k === 'call' &&
      st.value.fn.k === 'attr' &&
      st.value.fn.name === 'dropna' &&
      st.value.kwargs.some(([k, v]) => k === 'inplace' && lit(v)?.t === 'bool')
    ) {
      const name = dotted(st.value.fn.obj);
      if (name && env.has(name)) env.set(name, { k: 'dropna', base: env.get(name)! });
      continue;
    }
    const v = evalExpr(st.value, st, target);
    for (const t of st.targets) assign(t, v, st);
  }

  // Which scaler scales the inputs, which the targets.
  const scalersIn = (s: Sym | null | undefined, out = new Set<number>()): Set<number> => {
    if (!s) return out;
    if (s.k === 'scaled') out.add(s.scaler);
    if ('base' in s) scalersIn(s.base, out);
    if (s.k === 'tuple') s.items.forEach((x) => scalersIn(x, out));
    return out;
  };
  const fitted = r.scalers.filter((s) => s.fitOn);
  if (r.fit) {
    const xs = [...scalersIn(r.fit.x)];
    const ys = [...scalersIn(r.fit.y)];
    r.inputScaler = xs.length ? xs[xs.length - 1] : null;
    r.targetScaler = ys.length ? ys[ys.length - 1] : null;
    if (xs.length > 1) r.notes.push(`the model's inputs go through ${xs.length} scalers; the last one is recovered`);
  } else if (fitted.length) {
    r.inputScaler = fitted[0].id;
    r.targetScaler = fitted.find((s, i) => i > 0 && s.fitOn && derivesFromOneColumn(s.fitOn))?.id ?? null;
    r.notes.push('no model.fit(...) found: the first fitted scaler is taken as the input scaler');
  }
  if (r.inputScaler === null && r.targetScaler === null) {
    blank({
      field: 'scaler',
      reason: fitted.length
        ? 'no scaler is applied to the data given to model.fit'
        : 'the script fits no scaler (MinMaxScaler, StandardScaler, RobustScaler, MaxAbsScaler)',
    });
  }
  for (const id of [r.inputScaler, r.targetScaler]) {
    const s = id === null ? null : r.scalers[id];
    if (s && !s.cls)
      blank({ field: 'scaler', reason: `${s.writtenClass} cannot be recovered (only MinMaxScaler, StandardScaler, RobustScaler, MaxAbsScaler)`, line: s.line });
  }
  if (!r.data) blank({ field: 'data', reason: 'no pd.read_csv / np.loadtxt / np.genfromtxt call found: give the data file with --data' });
  if (r.fit && !r.validation) r.notes.push('model.fit has no validation_data or validation_split: the proof compares nothing');
  if (!r.loss) r.notes.push("no loss found in model.compile(...): the model file's training_config is used when it has one");
  return r;
}

function derivesFromOneColumn(s: Sym): boolean {
  if (s.k === 'select') return s.sel.by === 'index' || (s.sel.by === 'names' && s.sel.oneD);
  if ('base' in s) return derivesFromOneColumn(s.base);
  return false;
}

/** Reads the recipe of a `.py` script or an `.ipynb` notebook (by its file name). */
export function readRecipe(text: string, path: string): Recipe {
  if (/\.ipynb$/i.test(path)) {
    return readRecipeCells(
      notebookCodeCells(text).map((c) => c.source),
      true,
      path,
    );
  }
  return readRecipeCells([text], false, path);
}

/** Short text of a symbolic value (for messages and the recovery record). */
export function symText(s: Sym | null): string {
  if (!s) return 'none';
  switch (s.k) {
    case 'data':
      return 'data';
    case 'select': {
      const sel = s.sel;
      const b = symText(s.base);
      if (sel.by === 'names') return sel.oneD ? `${b}['${sel.names[0]}']` : `${b}[[${sel.names.map((n) => `'${n}'`).join(', ')}]]`;
      if (sel.by === 'drop') return `${b}.drop(columns=[${sel.names.map((n) => `'${n}'`).join(', ')}])`;
      if (sel.by === 'slice') return `${b}[:, ${sel.lo ?? ''}:${sel.hi ?? ''}${sel.step !== null ? `:${sel.step}` : ''}]`;
      if (sel.by === 'list') return `${b}[:, [${sel.positions.join(', ')}]]`;
      return `${b}[:, ${sel.position}]`;
    }
    case 'array':
      return `${symText(s.base)}${s.reshape === 'column' ? '.reshape(-1, 1)' : s.reshape === 'flat' ? '.ravel()' : '.values'}`;
    case 'part':
      return `${s.which}${s.split ? `#${s.split + 1}` : ''}(${symText(s.base)})`;
    case 'scaled':
      return `scaler#${s.scaler}(${symText(s.base)})`;
    case 'tail':
      return `last ${s.fraction} of ${symText(s.base)}`;
    case 'dropna':
      return `${symText(s.base)}.dropna()`;
    case 'rows':
      return `${symText(s.base)}[${s.lo ? numText(s.lo) : ''}:${s.hi ? numText(s.hi) : ''}]`;
    case 'unknown':
      return `? (${s.why})`;
    default:
      return s.k;
  }
}

/** Text of a row-count expression. */
export function numText(e: NumExpr): string {
  switch (e.op) {
    case 'lit':
      return String(e.v);
    case 'len':
      return `len(${symText(e.of)})`;
    case 'int':
    case 'floor':
    case 'ceil':
    case 'round':
      return `${e.op}(${numText(e.a)})`;
    default:
      return `(${numText(e.a)} ${e.op} ${numText(e.b)})`;
  }
}
