// A small Python reader for training scripts: tokens (strings kept, comments dropped), logical
// lines, and expressions (names, attributes, calls, subscripts, slices, literals, arithmetic on
// constants). Only simple statements matter to the recipe (`a = expr`, `a, b = expr`, `expr`);
// compound statement headers (`if`, `for`, `def`, `with` ...) are skipped and their bodies read
// in order. Nothing is executed.
// Size: tokenizer, logical lines and an expression parser are one small grammar; splitting them would export internals only this file uses.
import { pyRepr, type PyOut } from './pyValues';

type TokKind = 'name' | 'num' | 'str' | 'op';
interface Tok {
  kind: TokKind;
  value: string;
  /** For strings: the decoded text, or null for f-strings and bytes. */
  text?: string | null;
  line: number;
}

/** A parsed expression. */
export type Expr =
  | { k: 'name'; id: string }
  | { k: 'lit'; v: PyOut }
  | { k: 'attr'; obj: Expr; name: string }
  | { k: 'call'; fn: Expr; args: Expr[]; kwargs: [string, Expr][] }
  | { k: 'sub'; obj: Expr; index: Expr }
  | { k: 'slice'; lo: Expr | null; hi: Expr | null; step: Expr | null }
  | { k: 'tuple' | 'list'; items: Expr[] }
  | { k: 'dict'; items: [Expr, Expr][] }
  | { k: 'binop'; op: string; a: Expr; b: Expr }
  | { k: 'other'; text: string };

/** A simple statement: `targets = value` (targets empty for an expression statement). */
export interface Stmt {
  targets: Expr[];
  value: Expr;
  /** 0-based line in its cell, and the cell (0 for a .py file). */
  line: number;
  cell: number;
}

const OPS = [
  '**=',
  '//=',
  '>>=',
  '<<=',
  '...',
  '**',
  '//',
  '==',
  '!=',
  '<=',
  '>=',
  '->',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '@=',
  ':=',
  '<<',
  '>>',
];
const KEYWORDS_COMPOUND = new Set(['if', 'elif', 'else', 'for', 'while', 'def', 'class', 'with', 'try', 'except', 'finally', 'async']);
const KEYWORDS_SKIP = new Set(['import', 'from', 'return', 'pass', 'break', 'continue', 'raise', 'global', 'nonlocal', 'del', 'assert', 'yield', 'print']);

function decodeEscapes(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|N\{[^}]*\}|[0-7]{1,3}|[\s\S])/g, (_, e: string) => {
    const c = e[0];
    if (c === 'x' || c === 'u') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/[0-7]/.test(c)) return String.fromCharCode(parseInt(e, 8));
    const map: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      '0': '\0',
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      '\n': '',
    };
    return map[c] ?? `\\${e}`;
  });
}

/** Splits Python source into logical lines of tokens. */
function tokenize(src: string, notebook: boolean): Tok[][] {
  const out: Tok[][] = [];
  let cur: Tok[] = [];
  let depth = 0;
  let line = 0;
  let i = 0;
  let lineStartTok = true;
  const end = (): void => {
    if (cur.length) out.push(cur);
    cur = [];
    depth = 0;
  };
  while (i < src.length) {
    const c = src[i];
    if (lineStartTok && notebook && depth === 0 && cur.length === 0) {
      let j = i;
      while (src[j] === ' ' || src[j] === '\t') j++;
      if (src[j] === '%' || src[j] === '!') {
        while (i < src.length && src[i] !== '\n') i++;
        continue;
      }
    }
    lineStartTok = false;
    if (c === '\n') {
      i++;
      line++;
      lineStartTok = true;
      if (depth === 0) end();
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
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      line++;
      continue;
    }
    if (c === ';' && depth === 0) {
      end();
      i++;
      continue;
    }
    const pm = /^([rRbBuUfF]{0,2})(['"])/.exec(src.slice(i, i + 3));
    if (pm && (pm[1] === '' || !/[A-Za-z0-9_]/.test(src[i - 1] ?? ''))) {
      const prefix = pm[1].toLowerCase();
      const q = pm[2];
      let j = i + pm[0].length;
      const triple = src.startsWith(q + q, j);
      if (triple) j += 2;
      const start = j;
      let stop: number;
      const startLine = line;
      for (;;) {
        if (j >= src.length) {
          stop = j;
          break;
        }
        const d = src[j];
        if (d === '\\') {
          if (src[j + 1] === '\n') line++;
          j += 2;
          continue;
        }
        if (d === '\n') {
          if (!triple) {
            stop = j;
            break;
          }
          line++;
        }
        if (d === q && (!triple || src.startsWith(q + q + q, j))) {
          stop = j;
          j += triple ? 3 : 1;
          break;
        }
        j++;
      }
      const raw = src.slice(start, stop);
      const text = prefix.includes('f') || prefix.includes('b') ? null : prefix.includes('r') ? raw : decodeEscapes(raw);
      // Adjacent literals concatenate.
      const prev = cur[cur.length - 1];
      if (prev?.kind === 'str') prev.text = prev.text === null || text === null ? null : (prev.text ?? '') + text;
      else cur.push({ kind: 'str', value: src.slice(i, j), text, line: startLine });
      i = j;
      continue;
    }
    if (/[A-Za-z_\u00c0-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_\u00c0-\uffff]/.test(src[j])) j++;
      cur.push({ kind: 'name', value: src.slice(i, j), line });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?[jJ]?)/.exec(src.slice(i));
      const v = m ? m[0] : c;
      cur.push({ kind: 'num', value: v, line });
      i += v.length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i)) ?? c;
    if ('([{'.includes(op)) depth++;
    else if (')]}'.includes(op) && depth > 0) depth--;
    cur.push({ kind: 'op', value: op, line });
    i += op.length;
  }
  end();
  return out;
}

/** Parses one logical line's tokens into an expression, from position `pos`. */
class Parser {
  i = 0;
  constructor(private readonly t: Tok[]) {}

  peek(v?: string): Tok | undefined {
    const tok = this.t[this.i];
    return v === undefined || (tok && tok.kind !== 'str' && tok.value === v) ? tok : undefined;
  }
  eat(v: string): boolean {
    if (this.peek(v)) {
      this.i++;
      return true;
    }
    return false;
  }
  atEnd(): boolean {
    return this.i >= this.t.length;
  }

  /** expr_list: a, b, c (a tuple when a comma appears at top level). */
  exprList(stop: string[]): Expr {
    const items: Expr[] = [];
    let comma = false;
    while (!this.atEnd() && !stop.includes(this.t[this.i].value)) {
      items.push(this.expr());
      if (!this.eat(',')) break;
      comma = true;
    }
    return comma || items.length !== 1 ? fold({ k: 'tuple', items }) : items[0];
  }

  expr(): Expr {
    // conditional expressions, lambda, comparisons and boolean operators are not needed: skip them opaquely.
    const start = this.i;
    const e = this.arith(0);
    const nxt = this.t[this.i];
    if (nxt && nxt.kind !== 'str' && ['if', 'and', 'or', 'not', 'in', 'is', '==', '!=', '<', '>', '<=', '>=', 'for', 'lambda'].includes(nxt.value)) {
      let d = 0;
      while (!this.atEnd()) {
        const v = this.t[this.i].kind === 'op' ? this.t[this.i].value : '';
        if (d === 0 && [',', ')', ']', '}', '=', ':'].includes(v)) break;
        if ('([{'.includes(v) && v) d++;
        else if (')]}'.includes(v) && v) d--;
        this.i++;
      }
      return {
        k: 'other',
        text: this.t
          .slice(start, this.i)
          .map((x) => x.value)
          .join(' '),
      };
    }
    return e;
  }

  arith(minPrec: number): Expr {
    let left = this.unary();
    const PREC: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '//': 2, '%': 2, '@': 2, '**': 4, '|': 0.5, '&': 0.7, '^': 0.6 };
    for (;;) {
      const tok = this.t[this.i];
      if (!tok || tok.kind !== 'op' || !(tok.value in PREC) || PREC[tok.value] < minPrec) return left;
      const op = tok.value;
      this.i++;
      const right = this.arith(op === '**' ? PREC[op] : PREC[op] + 0.01);
      left = binop(op, left, right);
    }
  }

  unary(): Expr {
    if (this.eat('-')) return negate(this.arith(3));
    if (this.eat('+')) return this.arith(3);
    if (this.peek('not')) {
      this.i++;
      return { k: 'other', text: 'not' };
    }
    return this.postfix(this.atom());
  }

  postfix(base: Expr): Expr {
    let e = base;
    for (;;) {
      if (this.eat('.')) {
        const tok = this.t[this.i++];
        e = { k: 'attr', obj: e, name: tok?.value ?? '' };
      } else if (this.eat('(')) {
        const args: Expr[] = [];
        const kwargs: [string, Expr][] = [];
        while (!this.atEnd() && !this.peek(')')) {
          const tok = this.t[this.i];
          if (tok.kind === 'name' && this.t[this.i + 1]?.value === '=' && this.t[this.i + 1]?.kind === 'op') {
            this.i += 2;
            kwargs.push([tok.value, this.expr()]);
          } else if (this.eat('*') || this.eat('**')) {
            args.push({ k: 'other', text: '*' + JSON.stringify(this.expr()) });
          } else args.push(this.expr());
          if (!this.eat(',')) break;
        }
        this.eat(')');
        e = { k: 'call', fn: e, args, kwargs };
      } else if (this.eat('[')) {
        const items: Expr[] = [];
        let comma = false;
        while (!this.atEnd() && !this.peek(']')) {
          items.push(this.sliceItem());
          if (!this.eat(',')) break;
          comma = true;
        }
        this.eat(']');
        e = { k: 'sub', obj: e, index: comma || items.length !== 1 ? { k: 'tuple', items } : items[0] };
      } else return e;
    }
  }

  sliceItem(): Expr {
    const part = (): Expr | null => (this.peek(':') || this.peek(',') || this.peek(']') ? null : this.expr());
    const lo = part();
    if (!this.eat(':')) return lo ?? { k: 'other', text: '' };
    const hi = part();
    const step = this.eat(':') ? part() : null;
    return { k: 'slice', lo, hi, step };
  }

  atom(): Expr {
    const tok = this.t[this.i++];
    if (!tok) return { k: 'other', text: '' };
    if (tok.kind === 'str') return tok.text === null || tok.text === undefined ? { k: 'other', text: tok.value } : { k: 'lit', v: { t: 'str', v: tok.text } };
    if (tok.kind === 'num') return numberLit(tok.value);
    if (tok.kind === 'name') {
      if (tok.value === 'True' || tok.value === 'False') return { k: 'lit', v: { t: 'bool', v: tok.value === 'True' } };
      if (tok.value === 'None') return { k: 'lit', v: { t: 'none' } };
      if (tok.value === 'lambda') {
        this.i--;
        return this.skipOpaque();
      }
      return { k: 'name', id: tok.value };
    }
    if (tok.value === '(' || tok.value === '[') {
      const close = tok.value === '(' ? ')' : ']';
      const items: Expr[] = [];
      let comma = false;
      while (!this.atEnd() && !this.peek(close)) {
        if (this.peek('for')) {
          this.skipTo(close);
          break;
        }
        items.push(this.expr());
        if (!this.eat(',')) break;
        comma = true;
      }
      const complete = this.peek(close) !== undefined;
      this.eat(close);
      if (!complete) return { k: 'other', text: 'comprehension' };
      if (close === ')' && items.length === 1 && !comma) return items[0];
      return fold({ k: close === ')' ? 'tuple' : 'list', items });
    }
    if (tok.value === '{') {
      const items: [Expr, Expr][] = [];
      while (!this.atEnd() && !this.peek('}')) {
        const key = this.expr();
        if (!this.eat(':')) {
          this.skipTo('}');
          return { k: 'other', text: 'set' };
        }
        items.push([key, this.expr()]);
        if (!this.eat(',')) break;
      }
      this.eat('}');
      return { k: 'dict', items };
    }
    return { k: 'other', text: tok.value };
  }

  skipTo(close: string): void {
    let d = 0;
    while (!this.atEnd()) {
      const v = this.t[this.i].kind === 'op' ? this.t[this.i].value : '';
      if (d === 0 && v === close) return;
      if (v && '([{'.includes(v)) d++;
      else if (v && ')]}'.includes(v)) d--;
      this.i++;
    }
  }

  skipOpaque(): Expr {
    const start = this.i;
    this.skipTo(',');
    return {
      k: 'other',
      text: this.t
        .slice(start, this.i)
        .map((x) => x.value)
        .join(' '),
    };
  }
}

function numberLit(s: string): Expr {
  const v = s.replace(/_/g, '');
  if (/[jJ]$/.test(v)) return { k: 'other', text: s };
  if (/^0[xXoObB]/.test(v)) return { k: 'lit', v: { t: 'int', v: Number(v) } };
  if (/[.eE]/.test(v)) return { k: 'lit', v: { t: 'float', v: Number(v) } };
  return { k: 'lit', v: { t: 'int', v: Number(v) } };
}

function negate(e: Expr): Expr {
  if (e.k === 'lit' && (e.v.t === 'int' || e.v.t === 'float')) return { k: 'lit', v: { t: e.v.t, v: -e.v.v } };
  return { k: 'other', text: '-' };
}

function binop(op: string, a: Expr, b: Expr): Expr {
  if (a.k === 'lit' && b.k === 'lit' && (a.v.t === 'int' || a.v.t === 'float') && (b.v.t === 'int' || b.v.t === 'float')) {
    const x = a.v.v;
    const y = b.v.v;
    const ints = a.v.t === 'int' && b.v.t === 'int';
    let r: number | null = null;
    let t: 'int' | 'float' = ints ? 'int' : 'float';
    if (op === '+') r = x + y;
    else if (op === '-') r = x - y;
    else if (op === '*') r = x * y;
    else if (op === '/') {
      r = x / y;
      t = 'float';
    } else if (op === '//') r = Math.floor(x / y);
    else if (op === '%') r = x - y * Math.floor(x / y);
    else if (op === '**') r = x ** y;
    if (r !== null && Number.isFinite(r) && (t === 'float' || Number.isSafeInteger(r))) return { k: 'lit', v: { t, v: r } };
  }
  return { k: 'binop', op, a, b };
}

/** Folds a tuple / list of literals into one literal. */
function fold(e: Expr): Expr {
  if ((e.k === 'tuple' || e.k === 'list') && e.items.every((x) => x.k === 'lit')) {
    return { k: 'lit', v: { t: e.k, items: e.items.map((x) => (x as { v: PyOut }).v) } };
  }
  return e;
}

/** Source-like text of an expression (for messages). */
export function exprText(e: Expr): string {
  switch (e.k) {
    case 'name':
      return e.id;
    case 'lit':
      return pyRepr(e.v);
    case 'attr':
      return `${exprText(e.obj)}.${e.name}`;
    case 'call':
      return `${exprText(e.fn)}(${[...e.args.map(exprText), ...e.kwargs.map(([k, v]) => `${k}=${exprText(v)}`)].join(', ')})`;
    case 'sub':
      return `${exprText(e.obj)}[${e.index.k === 'tuple' ? e.index.items.map(exprText).join(', ') : exprText(e.index)}]`;
    case 'slice':
      return `${e.lo ? exprText(e.lo) : ''}:${e.hi ? exprText(e.hi) : ''}${e.step ? `:${exprText(e.step)}` : ''}`;
    case 'tuple':
      return `(${e.items.map(exprText).join(', ')})`;
    case 'list':
      return `[${e.items.map(exprText).join(', ')}]`;
    case 'dict':
      return `{${e.items.map(([k, v]) => `${exprText(k)}: ${exprText(v)}`).join(', ')}}`;
    case 'binop':
      return `${exprText(e.a)} ${e.op} ${exprText(e.b)}`;
    default:
      return e.text || '…';
  }
}

/** Dotted name of a name / attribute chain (`pd.read_csv`), else null. */
export function dotted(e: Expr): string | null {
  if (e.k === 'name') return e.id;
  if (e.k === 'attr') {
    const o = dotted(e.obj);
    return o === null ? null : `${o}.${e.name}`;
  }
  return null;
}

/** The simple statements of Python cells, in order (a .py file is one cell). */
export function parseStatements(cells: string[], notebook: boolean): Stmt[] {
  const out: Stmt[] = [];
  cells.forEach((src, cell) => {
    for (let toks of tokenize(src, notebook)) {
      // `if x: a = 1` on one line: the statement after the header's colon.
      while (toks[0]?.kind === 'name' && KEYWORDS_COMPOUND.has(toks[0].value)) {
        let d = 0;
        let k = -1;
        for (let j = 0; j < toks.length; j++) {
          const v = toks[j].kind === 'op' ? toks[j].value : '';
          if (v && '([{'.includes(v)) d++;
          else if (v && ')]}'.includes(v)) d--;
          else if (v === ':' && d === 0) {
            k = j;
            break;
          }
        }
        toks = k < 0 ? [] : toks.slice(k + 1);
      }
      if (!toks.length || (toks[0].kind === 'name' && KEYWORDS_SKIP.has(toks[0].value) && toks[1]?.value !== '(') || toks[0].value === '@') continue;
      const p = new Parser(toks);
      const parts: Expr[] = [p.exprList(['='])];
      while (p.eat('=')) parts.push(p.exprList(['=']));
      const value = parts.pop()!;
      out.push({ targets: parts, value, line: toks[0].line, cell });
    }
  });
  return out;
}
