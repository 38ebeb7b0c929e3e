// Training-script lint: finds a scikit-learn scaler that a Python script (or notebook) fits but never
// saves while it does save the model, so the model cannot be used on raw inputs later. Works on
// tokens (comments and strings ignored), never runs or imports Python.
// jsonc-parser (the JSON parser VS Code itself uses) gives the offsets of a closed notebook's cell sources;
// its ESM build is imported by path because esbuild would otherwise take its UMD build, whose lazy
// `require('../impl/...')` calls are not bundled ("Cannot find module './impl/format'" at run time).
// Size: tokenizer, statement walker and the notebook cell mapping of one lint; the tokenizer is
// the candidate to move out when a second lint needs it.
import { parseTree, type Node as JsonNode } from 'jsonc-parser/lib/esm/main.js';
import { templated, type TemplateArg, type TemplatedMessage } from '../io/messageTemplate';
import { SCRIPT_LINT_MESSAGES } from './lintMessages';

/** A 0-based position (line, UTF-16 column) inside one cell (a .py file is cell 0). */
export interface CellPosition {
  cell: number;
  line: number;
  col: number;
}

/** A text insertion of a quick fix. */
export interface ScriptInsert {
  at: CellPosition;
  text: string;
}

/** A problem found in a training script. */
export interface ScriptFinding {
  /** Stable code: `unsaved-scaler`. */
  code: 'unsaved-scaler';
  severity: 'warning';
  message: string;
  /** The English template of `message` and its arguments (for the editor's translation). */
  messageTemplate?: string;
  messageArgs?: TemplateArg[];
  /** The scaler's variable (dotted: `self.scaler`), or null for a scaler never bound to a name. */
  scalerName: string | null;
  /** Its scikit-learn class. */
  scalerClass: string;
  /** Where the scaler is fitted (the warning's range, inside one line). */
  start: CellPosition;
  end: CellPosition;
  /** Edits of the quick fix (save after the model is saved, import at the top), or null when none applies. */
  fix: { title: string; titleTemplate?: string; titleArgs?: TemplateArg[]; inserts: ScriptInsert[] } | null;
}

/** Preprocessing classes whose fitted state a model needs at prediction time. */
export const SCALER_CLASSES: ReadonlySet<string> = new Set([
  'MinMaxScaler',
  'StandardScaler',
  'RobustScaler',
  'MaxAbsScaler',
  'Normalizer',
  'QuantileTransformer',
  'PowerTransformer',
  'OneHotEncoder',
  'OrdinalEncoder',
  'LabelEncoder',
  'LabelBinarizer',
  'SimpleImputer',
  'KBinsDiscretizer',
  'PolynomialFeatures',
  'ColumnTransformer',
  'PCA',
]);

// ---------------------------------------------------------------------------------------------
// Tokens

type TokKind = 'name' | 'num' | 'str' | 'op';

interface Tok {
  kind: TokKind;
  value: string;
  cell: number;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

interface LogicalLine {
  toks: Tok[];
  /** Column of the first token on its physical line. */
  indent: number;
  /** Physical line (in the cell) where the statement ends, and that line's length. */
  lastLine: number;
  lastLineLength: number;
  cell: number;
}

const OPS3 = new Set(['**=', '//=', '>>=', '<<=', '...']);
const OPS2 = new Set(['**', '//', '==', '!=', '<=', '>=', '->', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=', ':=', '<<', '>>']);

const PREFIX_CHARS = new Set(['r', 'R', 'b', 'B', 'u', 'U', 'f', 'F']);
const isIdentStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0xc0;
const isIdentPart = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57);

/** Splits one cell's Python source into logical lines of tokens (no comments, no newlines). */
function tokenizeCell(src: string, cell: number, notebook: boolean): LogicalLine[] {
  const lines: LogicalLine[] = [];
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === '\n') lineStarts.push(i + 1);
  const lineLength = (ln: number): number => {
    const s = lineStarts[ln];
    let e = ln + 1 < lineStarts.length ? lineStarts[ln + 1] - 1 : src.length;
    if (e > s && src[e - 1] === '\r') e--;
    return e - s;
  };
  let cur: Tok[] = [];
  let depth = 0;
  let line = 0;
  let lineStart = 0;
  let i = 0;
  let atLineStart = true;
  const endLogical = (): void => {
    if (cur.length > 0) {
      const last = cur[cur.length - 1];
      const first = cur[0];
      lines.push({ toks: cur, indent: first.col, lastLine: last.endLine, lastLineLength: lineLength(last.endLine), cell });
    }
    cur = [];
    depth = 0;
  };
  const newline = (): void => {
    line++;
    lineStart = i;
    atLineStart = true;
  };
  while (i < src.length) {
    const c = src[i];
    if (atLineStart && notebook && depth === 0 && cur.length === 0) {
      // IPython magics and shell escapes are not Python: skip the whole line.
      let j = i;
      while (j < src.length && (src[j] === ' ' || src[j] === '\t')) j++;
      if (src[j] === '%' || src[j] === '!') {
        while (i < src.length && src[i] !== '\n') i++;
        continue;
      }
    }
    atLineStart = false;
    if (c === '\n') {
      i++;
      if (depth === 0) endLogical();
      newline();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\r' ? 3 : 2;
      lineStart = i;
      line++;
      continue;
    }
    const startLine = line;
    const startCol = i - lineStart;
    // String (with optional prefix letters)
    const pm = c === '"' || c === "'" || PREFIX_CHARS.has(c) ? /^[rRbBuUfF]{0,2}(['"])/.exec(src.slice(i, i + 3)) : null;
    if (pm) {
      const q = pm[1];
      let j = i + pm[0].length;
      const triple = src.startsWith(q + q, j);
      if (triple) j += 2;
      for (;;) {
        if (j >= src.length) break;
        const d = src[j];
        if (d === '\\') {
          if (src[j + 1] === '\n') {
            line++;
            lineStart = j + 2;
          }
          j += 2;
          continue;
        }
        if (d === '\n') {
          if (!triple) break; // unterminated single-quoted string ends at the line end
          line++;
          lineStart = j + 1;
          j++;
          continue;
        }
        if (d === q) {
          if (!triple) {
            j++;
            break;
          }
          if (src.startsWith(q + q + q, j)) {
            j += 3;
            break;
          }
        }
        j++;
      }
      cur.push({ kind: 'str', value: '', cell, line: startLine, col: startCol, endLine: line, endCol: j - lineStart });
      i = j;
      continue;
    }
    if (isIdentStart(src.charCodeAt(i))) {
      let j = i + 1;
      while (j < src.length && isIdentPart(src.charCodeAt(j))) j++;
      cur.push({ kind: 'name', value: src.slice(i, j), cell, line, col: startCol, endLine: line, endCol: j - lineStart });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < src.length && /[\w.]/.test(src[j])) j++;
      cur.push({ kind: 'num', value: src.slice(i, j), cell, line, col: startCol, endLine: line, endCol: j - lineStart });
      i = j;
      continue;
    }
    let op = c;
    if (OPS3.has(src.slice(i, i + 3))) op = src.slice(i, i + 3);
    else if (OPS2.has(src.slice(i, i + 2))) op = src.slice(i, i + 2);
    if (op === '(' || op === '[' || op === '{') depth++;
    else if ((op === ')' || op === ']' || op === '}') && depth > 0) depth--;
    cur.push({ kind: 'op', value: op, cell, line, col: startCol, endLine: line, endCol: startCol + op.length });
    i += op.length;
  }
  endLogical();
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Small token helpers

/** A dotted name starting at toks[i] (`a.b.c`), with the index after it. */
function dottedAt(toks: Tok[], i: number): { name: string; next: number } | null {
  if (toks[i]?.kind !== 'name') return null;
  let name = toks[i].value;
  let j = i + 1;
  while (toks[j]?.value === '.' && toks[j + 1]?.kind === 'name') {
    name += '.' + toks[j + 1].value;
    j += 2;
  }
  return { name, next: j };
}

/** Index of the bracket closing the one at toks[i] (or toks.length when unclosed). */
function closeOf(toks: Tok[], i: number): number {
  let d = 0;
  for (let j = i; j < toks.length; j++) {
    const v = toks[j].value;
    if (toks[j].kind !== 'op') continue;
    if (v === '(' || v === '[' || v === '{') d++;
    else if (v === ')' || v === ']' || v === '}') {
      d--;
      if (d === 0) return j;
    }
  }
  return toks.length;
}

/** Splits toks[from, to) at top-level commas. */
function splitCommas(toks: Tok[], from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let d = 0;
  let s = from;
  for (let j = from; j < to; j++) {
    const v = toks[j].kind === 'op' ? toks[j].value : '';
    if (v === '(' || v === '[' || v === '{') d++;
    else if (v === ')' || v === ']' || v === '}') d--;
    else if (v === ',' && d === 0) {
      out.push([s, j]);
      s = j + 1;
    }
  }
  if (s < to) out.push([s, to]);
  return out;
}

const last = (dotted: string): string => dotted.slice(dotted.lastIndexOf('.') + 1);

/** A call in a logical line: callee dotted name, index of its first token and of its brackets. */
interface Call {
  callee: string;
  start: number;
  open: number;
  close: number;
  line: LogicalLine;
}

/** Every `name(...)` / `a.b.c(...)` call of a logical line. */
function callsOf(line: LogicalLine): Call[] {
  const out: Call[] = [];
  const t = line.toks;
  for (let i = 0; i < t.length; i++) {
    if (t[i].kind !== 'name' || t[i - 1]?.value === '.') continue;
    const d = dottedAt(t, i);
    if (!d || t[d.next]?.value !== '(') continue;
    out.push({ callee: d.name, start: i, open: d.next, close: closeOf(t, d.next), line });
  }
  return out;
}

/**
 * Adds to `out` every name referenced as a value in toks[from, to): a dotted name not called
 * (`scaler`, `self.scaler`), and the object of an attribute read when allowAttr accepts the attribute
 * (`scaler` for `scaler.data_min_`). Method calls (`scaler.transform(...)`) reference nothing.
 */
function referencedNames(toks: Tok[], from: number, to: number, allowAttr: (attr: string) => boolean, out: Set<string>): Set<string> {
  for (let j = from; j < to; j++) {
    if (toks[j].kind !== 'name' || toks[j - 1]?.value === '.') continue;
    const d = dottedAt(toks, j);
    if (!d || toks[d.next]?.value === '(') continue;
    out.add(d.name);
    const segs = d.name.split('.');
    for (let k = 1; k < segs.length; k++) if (allowAttr(segs[k])) out.add(segs.slice(0, k).join('.'));
  }
  return out;
}

/** `a`, `a.b` for `a.b.c` (the objects a dotted name reads through). */
function prefixes(dotted: string): Set<string> {
  const segs = dotted.split('.');
  const out = new Set<string>();
  for (let k = 1; k < segs.length; k++) out.add(segs.slice(0, k).join('.'));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Analysis

const SAVE_CALLS = new Set(['dump', 'dumps', 'save', 'savez', 'savez_compressed', 'savetxt', 'to_json', 'write', 'log_model']);
const SAVER_FUNCTION = /save|dump|export|persist|store|serial|pickle|write/i;
const MODEL_RECEIVER = /model|net$|^net|regressor|classifier|estimator|autoencoder|encoder|decoder|^clf|^reg$|^nn$|^ann|^cnn|^rnn|^lstm|^mlp|^gru|^keras/i;
const NOT_MODEL_RECEIVER = new Set([
  'np',
  'numpy',
  'jnp',
  'pd',
  'pandas',
  'df',
  'plt',
  'fig',
  'ax',
  'img',
  'image',
  'Image',
  'wb',
  'workbook',
  'json',
  'f',
  'file',
  'fh',
]);
const MODEL_FACTORY =
  /^(Sequential|Model|Functional)$|Regressor$|Classifier$|Regression$|^(SVR|SVC|NuSVR|KNeighbors\w*)$|load_model$|^(build|create|make|get|define|compile)_?\w*model|Net$/i;
const FIT_METHODS = new Set(['fit', 'fit_transform', 'partial_fit']);

interface ScalerVar {
  name: string;
  cls: string;
}

interface Fit {
  name: string | null;
  cls: string;
  line: LogicalLine;
  from: number;
  to: number;
}

/** Where the script saves a model. */
interface ModelSave {
  line: LogicalLine;
  order: number;
}

/** Finds unsaved fitted scalers in Python source split in cells (one cell for a .py file). */
export function lintScriptCells(cells: string[], opts: { notebook?: boolean } = {}): ScriptFinding[] {
  const lines: LogicalLine[] = [];
  cells.forEach((src, cell) => lines.push(...tokenizeCell(src, cell, opts.notebook ?? cells.length > 1)));
  const order = new Map<LogicalLine, number>(lines.map((l, k) => [l, k]));

  const scalers = new Map<string, ScalerVar>();
  const modelVars = new Set<string>();
  const fits: Fit[] = [];
  /** `<line order>:<token index>` and `<line order>:<name>` of the fits found so far. */
  const fitKeys = new Set<string>();
  const aliases: { target: string; line: LogicalLine; from: number; to: number }[] = [];
  const calls: Call[] = [];
  let joblibName: string | null = null;
  const classAliases = new Map<string, string>();
  /** The scikit-learn class a constructor name stands for (`MinMaxScaler`, `preprocessing.MinMaxScaler`, an import alias). */
  const scalerClassOf = (dotted: string): string | null => {
    const seg = last(dotted);
    return SCALER_CLASSES.has(seg) ? seg : (classAliases.get(dotted) ?? null);
  };

  for (const line of lines) {
    const t = line.toks;
    calls.push(...callsOf(line));
    // imports binding joblib
    if (t[0]?.value === 'import') {
      for (const [a, b] of splitCommas(t, 1, t.length)) {
        const d = dottedAt(t, a);
        if (d?.name === 'joblib') joblibName = t[d.next]?.value === 'as' && b > d.next + 1 ? t[d.next + 1].value : 'joblib';
      }
    } else if (t[0]?.value === 'from') {
      const imp = t.findIndex((x) => x.value === 'import');
      for (const [a] of imp > 0 ? splitCommas(t, imp + 1, t.length) : []) {
        let k = a;
        if (t[k]?.value === '(') k++;
        if (t[k]?.value === 'joblib') joblibName = t[k + 1]?.value === 'as' ? (t[k + 2]?.value ?? 'joblib') : 'joblib';
        // `from sklearn.preprocessing import MinMaxScaler as MMS`
        if (SCALER_CLASSES.has(t[k]?.value ?? '') && t[k + 1]?.value === 'as' && t[k + 2]?.kind === 'name') classAliases.set(t[k + 2].value, t[k].value);
      }
    }
    // assignment `targets = rhs`
    const eq = t.findIndex((x, k) => x.kind === 'op' && x.value === '=' && topLevel(t, k));
    if (eq > 0) {
      const targets = splitCommas(t, 0, eq).map(([a, b]) => {
        let s = a;
        let e = b;
        if (t[s]?.value === '(' || t[s]?.value === '[') s++;
        if (t[e - 1]?.value === ')' || t[e - 1]?.value === ']') e--;
        const d = dottedAt(t, s);
        return d && d.next === e ? d.name : null;
      });
      const values = splitCommas(t, eq + 1, t.length);
      const pairs: [string | null, [number, number]][] =
        targets.length === values.length ? targets.map((x, k) => [x, values[k]]) : targets.length === 1 ? [[targets[0], [eq + 1, t.length]]] : [];
      for (const [target, [a, b]] of pairs) {
        if (!target) continue;
        const d = dottedAt(t, a);
        if (d && t[d.next]?.value === '(') {
          const close = closeOf(t, d.next);
          const cls = scalerClassOf(d.name) ?? last(d.name);
          if (SCALER_CLASSES.has(cls)) {
            if (close + 1 === b) {
              scalers.set(target, { name: target, cls });
              continue;
            }
            // `x = MinMaxScaler(...).fit(...)`: x is the fitted scaler
            if (t[close + 1]?.value === '.' && t[close + 2]?.value === 'fit' && t[close + 3]?.value === '(' && closeOf(t, close + 3) + 1 === b) {
              scalers.set(target, { name: target, cls });
              fits.push({ name: target, cls, line, from: a, to: close + 3 });
              fitKeys.add(`${order.get(line)}:${a}`).add(`${order.get(line)}:${target}`);
              continue;
            }
          }
          if (MODEL_FACTORY.test(cls)) modelVars.add(target);
        }
        aliases.push({ target, line, from: a, to: b });
      }
    }
    // anonymous scalers fitted in place: `X = MinMaxScaler().fit_transform(X)`
    for (let k = 0; k < t.length; k++) {
      if (t[k].kind !== 'name' || t[k - 1]?.value === '.') continue;
      const d = dottedAt(t, k);
      const anonCls = d ? scalerClassOf(d.name) : null;
      if (!d || !anonCls || t[d.next]?.value !== '(') continue;
      const close = closeOf(t, d.next);
      const m = t[close + 2]?.value;
      if (t[close + 1]?.value !== '.' || !FIT_METHODS.has(m ?? '') || t[close + 3]?.value !== '(') continue;
      if (fitKeys.has(`${order.get(line)}:${k}`)) continue;
      if (m === 'fit' && eq > 0 && k === eq + 1 && closeOf(t, close + 3) + 1 === t.length) continue;
      fits.push({ name: null, cls: anonCls, line, from: k, to: close + 3 });
    }
  }

  // fits of named scalers: `scaler.fit(`, `scaler.fit_transform(`, `scaler.partial_fit(`
  for (const c of calls) {
    const method = last(c.callee);
    if (!FIT_METHODS.has(method)) continue;
    const recv = c.callee.slice(0, c.callee.length - method.length - 1);
    const s = scalers.get(recv);
    if (!s) continue;
    if (fitKeys.has(`${order.get(c.line)}:${recv}`)) continue;
    fits.push({ name: recv, cls: s.cls, line: c.line, from: c.start, to: c.open });
  }
  if (fits.length === 0) return [];

  // where the model is saved
  const saves: ModelSave[] = [];
  const isModelish = (name: string): boolean => {
    if (scalers.has(name)) return false;
    const seg = last(name);
    return modelVars.has(name) || (!NOT_MODEL_RECEIVER.has(seg) && MODEL_RECEIVER.test(seg));
  };
  for (const c of calls) {
    const method = last(c.callee);
    const recv = c.callee.includes('.') ? c.callee.slice(0, c.callee.length - method.length - 1) : '';
    const t = c.line.toks;
    const firstArg = dottedAt(t, c.open + 1);
    const firstArgName = firstArg && (t[firstArg.next]?.value === ',' || t[firstArg.next]?.value === ')') ? firstArg.name : null;
    let model = false;
    if (method === 'save_weights' || method === 'save_keras_model' || method === 'save_model' || method === 'ModelCheckpoint') model = true;
    else if (c.callee === 'torch.save' || c.callee.endsWith('saved_model.save') || c.callee.endsWith('onnx.export')) model = true;
    else if (method === 'log_model' && firstArgName && !scalers.has(firstArgName)) model = true;
    else if ((method === 'save' || method === 'to_json' || method === 'to_yaml' || method === 'export') && recv && isModelish(recv)) model = true;
    else if ((method === 'dump' || method === 'save') && firstArgName && isModelish(firstArgName)) model = true;
    if (model) saves.push({ line: c.line, order: order.get(c.line) ?? 0 });
  }
  if (saves.length === 0) return [];

  // functions that save one of their parameters: `def save_all(m, sc): ... joblib.dump(sc, ...)`
  const saverParams = new Map<string, { names: string[]; saved: Set<number> }>();
  for (let k = 0; k < lines.length; k++) {
    const t = lines[k].toks;
    if (t[0]?.value !== 'def' || t[1]?.kind !== 'name' || t[2]?.value !== '(') continue;
    const params = splitCommas(t, 3, closeOf(t, 2)).map(([a]) => (t[a]?.value === '*' || t[a]?.value === '**' ? t[a + 1]?.value : t[a]?.value) ?? '');
    const body: LogicalLine[] = [];
    for (let j = k + 1; j < lines.length && lines[j].indent > lines[k].indent && lines[j].cell === lines[k].cell; j++) body.push(lines[j]);
    const saved = new Set<number>();
    params.forEach((p, pi) => {
      if (p && body.some((l) => callsOf(l).some((c) => isSaveCall(c) && referencedNames(l.toks, c.open + 1, c.close, () => true, new Set()).has(p))))
        saved.add(pi);
    });
    if (saved.size > 0) saverParams.set(t[1].value, { names: params, saved });
  }

  // Names whose value is written by some call: dumped (`joblib.dump(x`, `np.save(.., x.scale_)`),
  // passed to a function named like a saver, or to a parameter a local function saves.
  const savedDirect = new Set<string>();
  for (const c of calls) {
    const t = c.line.toks;
    if (isSaveCall(c)) referencedNames(t, c.open + 1, c.close, () => true, savedDirect);
    else if (SAVER_FUNCTION.test(last(c.callee))) referencedNames(t, c.open + 1, c.close, () => false, savedDirect);
    const sp = saverParams.get(last(c.callee));
    if (!sp) continue;
    const offset = c.callee.includes('.') && sp.names[0] === 'self' ? 1 : 0;
    splitCommas(t, c.open + 1, c.close).forEach(([a, b], ai) => {
      const kw = t[a + 1]?.value === '=' ? sp.names.indexOf(t[a].value) : -1;
      const pi = kw >= 0 ? kw : ai + offset;
      if (sp.saved.has(pi)) referencedNames(t, kw >= 0 ? a + 2 : a, b, () => false, savedDirect);
    });
  }
  // Containers: `bundle = {"scaler": scaler}`, `pipe = make_pipeline(scaler, ...)`, `p = scaler.data_min_`.
  const holders = new Map<string, Set<string>>();
  for (const al of aliases) {
    const t = al.line.toks;
    const head = dottedAt(t, al.from);
    const used = head && t[head.next]?.value === '(' ? prefixes(head.name) : new Set<string>();
    for (const name of referencedNames(t, al.from, al.to, (attr) => attr.endsWith('_'), new Set())) {
      if (name === al.target || used.has(name)) continue;
      let set = holders.get(name);
      if (!set) holders.set(name, (set = new Set()));
      set.add(al.target);
    }
  }
  /** Is `name` saved: written directly, or held by a container that is saved? */
  const savedNames = new Map<string, boolean>();
  const isSaved = (name: string, depth: number): boolean => {
    const known = savedNames.get(name);
    if (known !== undefined) return known;
    if (savedDirect.has(name)) return true;
    if (depth > 4) return false;
    savedNames.set(name, false);
    let result = false;
    for (const holder of holders.get(name) ?? []) {
      if (isSaved(holder, depth + 1)) {
        result = true;
        break;
      }
    }
    savedNames.set(name, result);
    return result;
  };

  const findings: ScriptFinding[] = [];
  const reported = new Set<string>();
  let importAt: CellPosition | undefined;
  for (const f of fits) {
    if (f.name !== null) {
      if (reported.has(f.name) || isSaved(f.name, 0)) continue;
      reported.add(f.name);
    }
    const t = f.line.toks;
    const from = t[f.from];
    const to = t[f.to - 1] ?? t[f.from];
    const fitOrder = order.get(f.line) ?? 0;
    const target = firstSaveFrom(saves, fitOrder);
    const role = f.name !== null && /(^|[._])(y|target|label|output|out)(_|$)|_y$|^y/i.test(last(f.name)) ? 'target scaler' : 'scaler';
    let message: TemplatedMessage;
    let fix: ScriptFinding['fix'] = null;
    if (f.name !== null) {
      const file = `${last(f.name)}.joblib`;
      const call = `${joblibName ?? 'joblib'}.dump(${f.name}, "${file}")`;
      message = templated(SCRIPT_LINT_MESSAGES[role === 'scaler' ? 'unsaved-scaler.named' : 'unsaved-scaler.named-target'], f.name, f.cls, call);
      const indent = ' '.repeat(target.line.indent);
      const inserts: ScriptInsert[] = [
        { at: { cell: target.line.cell, line: target.line.lastLine, col: target.line.lastLineLength }, text: `\n${indent}${call}` },
      ];
      if (joblibName === null) inserts.unshift({ at: (importAt ??= importPosition(lines, cells)), text: 'import joblib\n' });
      const title = templated(SCRIPT_LINT_MESSAGES['unsaved-scaler.fix-title'], f.name);
      fix = { title: title.message, titleTemplate: title.messageTemplate, titleArgs: title.messageArgs, inserts };
    } else {
      message = templated(SCRIPT_LINT_MESSAGES['unsaved-scaler.unnamed'], f.cls);
    }
    findings.push({
      code: 'unsaved-scaler',
      severity: 'warning',
      ...message,
      scalerName: f.name,
      scalerClass: f.cls,
      start: { cell: from.cell, line: from.line, col: from.col },
      end: { cell: to.cell, line: to.endLine, col: to.endCol },
      fix,
    });
  }
  return findings.sort((x, y) => x.start.cell - y.start.cell || x.start.line - y.start.line || x.start.col - y.start.col);
}

/** The first model save at or after a line (saves are in line order), else the last one. */
function firstSaveFrom(saves: ModelSave[], order: number): ModelSave {
  let lo = 0;
  let hi = saves.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (saves[mid].order < order) lo = mid + 1;
    else hi = mid;
  }
  return saves[Math.min(lo, saves.length - 1)];
}

/** Is toks[k] at bracket depth 0 of its logical line? */
function topLevel(toks: Tok[], k: number): boolean {
  let d = 0;
  for (let j = 0; j < k; j++) {
    const v = toks[j].kind === 'op' ? toks[j].value : '';
    if (v === '(' || v === '[' || v === '{') d++;
    else if (v === ')' || v === ']' || v === '}') d--;
  }
  return d === 0;
}

/** A call that writes its arguments somewhere (`joblib.dump`, `pickle.dump`, `np.save`...). */
function isSaveCall(c: Call): boolean {
  return SAVE_CALLS.has(last(c.callee));
}

/** Where `import joblib` goes: before the first top-level import (after `__future__` imports), else at the top. */
function importPosition(lines: LogicalLine[], cells: string[]): CellPosition {
  let afterFuture: LogicalLine | null = null;
  for (const l of lines) {
    if (l.indent !== 0) continue;
    const t = l.toks;
    if (t[0]?.value === 'from' && t[1]?.value === '__future__') {
      afterFuture = l;
      continue;
    }
    if (t[0]?.value === 'import' || t[0]?.value === 'from') {
      if (afterFuture) break;
      return { cell: l.cell, line: t[0].line, col: 0 };
    }
  }
  if (afterFuture) return { cell: afterFuture.cell, line: afterFuture.lastLine + 1, col: 0 };
  // no imports: after a shebang / encoding line and a module docstring
  const src = cells[0] ?? '';
  const first = lines.find((l) => l.cell === 0);
  if (first && first.toks.length === 1 && first.toks[0].kind === 'str') return { cell: 0, line: first.lastLine + 1, col: 0 };
  let ln = 0;
  const physical = src.split('\n');
  while (ln < physical.length && /^#(!|.*coding[:=])/.test(physical[ln])) ln++;
  return { cell: 0, line: ln, col: 0 };
}

/** Finds unsaved fitted scalers in a Python script. */
export function lintPythonScript(src: string): ScriptFinding[] {
  return lintScriptCells([src], { notebook: false });
}

/** A code cell of a notebook: its index among all cells, and its source. */
export interface NotebookCodeCell {
  index: number;
  source: string;
}

/** The Python code cells of a `.ipynb` document (empty when it is not a Python notebook or not JSON). */
export function notebookCodeCells(json: string): NotebookCodeCell[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return [];
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { cells?: unknown }).cells)) return [];
  const meta = (doc as { metadata?: { language_info?: { name?: unknown }; kernelspec?: { language?: unknown } } }).metadata;
  const lang = meta?.language_info?.name ?? meta?.kernelspec?.language;
  if (typeof lang === 'string' && lang.toLowerCase() !== 'python') return [];
  const out: NotebookCodeCell[] = [];
  (doc as { cells: unknown[] }).cells.forEach((c, index) => {
    if (typeof c !== 'object' || c === null) return;
    const cell = c as { cell_type?: unknown; source?: unknown };
    if (cell.cell_type !== 'code') return;
    const source = Array.isArray(cell.source) ? cell.source.filter((x) => typeof x === 'string').join('') : typeof cell.source === 'string' ? cell.source : '';
    out.push({ index, source });
  });
  return out;
}

/** Lints a `.ipynb` file's JSON; positions name the notebook's cell index (of all cells) and the line in it. */
export function lintNotebookJson(json: string): ScriptFinding[] {
  const cells = notebookCodeCells(json);
  const findings = lintScriptCells(
    cells.map((c) => c.source),
    { notebook: true },
  );
  const map = (p: CellPosition): CellPosition => ({ ...p, cell: cells[p.cell].index });
  return findings.map((f) => ({
    ...f,
    start: map(f.start),
    end: map(f.end),
    fix: f.fix && { ...f.fix, inserts: f.fix.inserts.map((x) => ({ ...x, at: map(x.at) })) },
  }));
}

/** A 0-based line and UTF-16 column in a file's text. */
export interface TextPosition {
  line: number;
  col: number;
}

/** One JSON string of a cell's `source`: where its text starts in the joined source, and its token in the file. */
interface SourcePiece {
  start: number;
  length: number;
  /** Offset of the token's opening quote in the file text, and the token's length with its quotes. */
  rawOffset: number;
  rawLength: number;
}

/** The last property `key` of a JSON object node (JSON.parse keeps the last of duplicate keys too). */
function propertyValue(obj: JsonNode | undefined, key: string): JsonNode | undefined {
  if (obj?.type !== 'object') return undefined;
  let found: JsonNode | undefined;
  for (const p of obj.children ?? []) if (p.children?.[0]?.value === key) found = p.children[1];
  return found;
}

/** Offset in the file text of `units` decoded UTF-16 units into the JSON string token at rawOffset. */
function rawOffsetIn(json: string, piece: SourcePiece, units: number): number {
  let r = piece.rawOffset + 1;
  const end = piece.rawOffset + piece.rawLength - 1;
  for (let n = 0; n < units && r < end; n++) r += json[r] !== '\\' ? 1 : json[r + 1] === 'u' ? 6 : 2;
  return r;
}

/** Offsets where each line of a text starts (after `\n`, `\r\n` or a lone `\r`, as VS Code counts lines). */
function textLineStarts(text: string): number[] {
  const starts = [0];
  if (!text.includes('\r')) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

/** The line (and column in it) holding an offset, by binary search in line starts. */
function positionAt(starts: number[], offset: number): TextPosition {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, col: offset - starts[lo] };
}

/**
 * Maps a position in a notebook's cell (cell = index among all cells, line and column in its joined
 * source) to the line and column of the `.ipynb` file text where that character is written, whether
 * `source` is one JSON string or a list of them, whatever its escapes (`\"`, `\\`, `\n`, `\u00e9`).
 * Returns null for a position outside the code cells, or when the text is not a notebook.
 */
export function notebookPositionMap(json: string, cells: NotebookCodeCell[] = notebookCodeCells(json)): (p: CellPosition) => TextPosition | null {
  if (cells.length === 0) return () => null;
  const root = parseTree(json, [], { disallowComments: true });
  const all = propertyValue(root, 'cells');
  const pieces = new Map<number, SourcePiece[]>();
  const sources = new Map<number, string>();
  for (const c of cells) {
    const src = propertyValue(all?.type === 'array' ? all.children?.[c.index] : undefined, 'source');
    const nodes = src?.type === 'string' ? [src] : src?.type === 'array' ? (src.children ?? []).filter((n) => n.type === 'string') : [];
    const list: SourcePiece[] = [];
    let start = 0;
    for (const n of nodes) {
      const value = String(n.value);
      list.push({ start, length: value.length, rawOffset: n.offset, rawLength: n.length });
      start += value.length;
    }
    // the tree must spell the same text JSON.parse gave, or its offsets are not this cell's
    if (nodes.map((n) => String(n.value)).join('') !== c.source) continue;
    pieces.set(c.index, list);
    sources.set(c.index, c.source);
  }
  const fileLines = textLineStarts(json);
  const cellLines = new Map<number, number[]>();
  return (p) => {
    const list = pieces.get(p.cell);
    const source = sources.get(p.cell);
    if (!list || source === undefined || list.length === 0) return null;
    let lines = cellLines.get(p.cell);
    if (!lines) {
      lines = [0];
      for (let i = 0; i < source.length; i++) if (source[i] === '\n') lines.push(i + 1);
      cellLines.set(p.cell, lines);
    }
    if (p.line >= lines.length) return null;
    const offset = Math.min(lines[p.line] + p.col, p.line + 1 < lines.length ? lines[p.line + 1] - 1 : source.length);
    // the string holding that character (a line start belongs to the string it opens); the end of the last one otherwise
    const piece = list.find((x) => x.start <= offset && offset < x.start + x.length) ?? list[list.length - 1];
    return positionAt(fileLines, rawOffsetIn(json, piece, offset - piece.start));
  };
}

/**
 * Lints a closed `.ipynb` file: each finding's positions are the line and column of the file's JSON
 * text (cell 0), without a quick fix (editing the JSON by hand is risky); the message says where the
 * scaler is and to open the notebook. Empty when the code cells hold more than maxCodeChars.
 */
export function lintNotebookFile(json: string, opts: { maxCodeChars?: number } = {}): ScriptFinding[] {
  const cells = notebookCodeCells(json);
  if (cells.length === 0) return [];
  if (opts.maxCodeChars !== undefined && cells.reduce((n, c) => n + c.source.length, 0) > opts.maxCodeChars) return [];
  const findings = lintScriptCells(
    cells.map((c) => c.source),
    { notebook: true },
  );
  if (findings.length === 0) return [];
  const map = notebookPositionMap(json, cells);
  return findings.map((f) => {
    const cell = cells[f.start.cell].index;
    const start = map({ ...f.start, cell }) ?? { line: 0, col: 0 };
    const end = map({ ...f.end, cell: cells[f.end.cell].index }) ?? start;
    const where = `cell ${cell + 1}, line ${f.start.line + 1}`;
    const message = `${f.message} (In ${where} of this notebook: open it in the notebook editor to ${f.fix ? 'apply the quick fix' : 'edit the cell'}.)`;
    const { messageTemplate: _template, messageArgs: _args, ...rest } = f;
    return {
      ...rest,
      ...notebookMessage(f, message, cell + 1, f.start.line + 1),
      start: { cell: 0, ...start },
      end: { cell: 0, ...end },
      fix: null,
    };
  });
}

/** Notebook variants of the lint's templates (the message with where to find it in the closed notebook). */
const NOTEBOOK_TEMPLATES: ReadonlyMap<string, string> = new Map([
  [SCRIPT_LINT_MESSAGES['unsaved-scaler.named'], SCRIPT_LINT_MESSAGES['unsaved-scaler.named.notebook']],
  [SCRIPT_LINT_MESSAGES['unsaved-scaler.named-target'], SCRIPT_LINT_MESSAGES['unsaved-scaler.named-target.notebook']],
  [SCRIPT_LINT_MESSAGES['unsaved-scaler.unnamed'], SCRIPT_LINT_MESSAGES['unsaved-scaler.unnamed.notebook']],
]);

/** A closed notebook's message, with its template when the table has one that gives exactly that text. */
function notebookMessage(f: ScriptFinding, message: string, cell: number, line: number): TemplatedMessage {
  const nb = f.messageTemplate === undefined ? undefined : NOTEBOOK_TEMPLATES.get(f.messageTemplate);
  if (nb !== undefined && f.messageArgs) {
    const t = templated(nb, ...f.messageArgs, cell, line);
    if (t.message === message) return t;
  }
  return { message };
}
