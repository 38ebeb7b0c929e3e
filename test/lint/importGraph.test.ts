// The core's own import graph, read from the sources: no cycles, no upward imports between wings,
// format families apart (they share only formats/shared and the codecs). docs/architecture.md.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const CORE = join(ROOT, 'src', 'core');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    // eslintConfig.test.ts writes short-lived `__lintProbe*.ts` files into src/core while it runs
    // (possibly at the same time as this test): they are not part of the core.
    else if (name.endsWith('.ts') && !name.startsWith('__lintProbe')) out.push(p);
  }
  return out;
}

/** Relative module specifiers of a file (static imports, re-exports and dynamic imports). */
function localImports(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      out.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s) + '.ts');
}

/** The wing of a core file: `io`, `codecs`, `formats`, `formats/<family>`, `bundles`, ... or `types`. */
function wing(file: string): string {
  const rel = relative(CORE, file);
  if (rel.startsWith('..')) return relative(join(ROOT, 'src'), file).startsWith('shared/') ? 'src/shared' : 'outside';
  if (rel === 'formats/reader.ts') return 'formats/shared'; // the reader contract every family implements
  const parts = rel.split('/');
  if (parts.length === 1) return 'types';
  if (parts[0] === 'formats' && parts.length > 2) return `formats/${parts[1]}`;
  return parts[0];
}

/** Height of each wing: a file may import only wings strictly lower, or its own. */
const HEIGHT: Record<string, number> = {
  report: 5,
  deploy: 5,
  recover: 5,
  bundles: 4,
  export: 4,
  predict: 3,
  lint: 3,
  formats: 2,
  codecs: 1,
  io: 0,
  types: -1,
  'src/shared': -1,
};
const height = (w: string): number => (w.startsWith('formats/') ? (w === 'formats/shared' ? 1.5 : 1.8) : HEIGHT[w]);

const files = walk(CORE);
const graph = new Map(files.map((f) => [f, localImports(f)]));

test('every local import of src/core resolves to a core file or the plain types of src/shared', () => {
  for (const [f, deps] of graph)
    for (const d of deps) assert.ok(graph.has(d) || wing(d) === 'src/shared', `${relative(ROOT, f)} imports ${relative(ROOT, d)}, neither core nor src/shared`);
});

test('every core file belongs to a known wing', () => {
  for (const f of files) assert.ok(height(wing(f)) !== undefined, `${relative(ROOT, f)}: unknown wing ${wing(f)}`);
});

test('no core file imports a wing above it or beside it', () => {
  const bad: string[] = [];
  for (const [f, deps] of graph) {
    const from = wing(f);
    for (const d of deps) {
      const to = wing(d);
      if (to === from) continue;
      const fam = (w: string): boolean => w.startsWith('formats/') && w !== 'formats/shared';
      if (fam(from) && fam(to)) bad.push(`${relative(CORE, f)} → ${relative(CORE, d)} (two format families)`);
      else if (!(height(to) < height(from))) bad.push(`${relative(CORE, f)} → ${relative(CORE, d)} (${from} may not import ${to})`);
    }
  }
  assert.deepEqual(bad, []);
});

test('the core has no import cycles', () => {
  const state = new Map<string, 1 | 2>();
  const cycles: string[] = [];
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 1);
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d].map((x) => relative(CORE, x)).join(' → '));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});

test('no core file over 500 lines without a reason at its top', () => {
  const long: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const lines = text.split('\n').length;
    if (lines > 500 && !/^\/\/[^\n]*\n(?:\/\/[^\n]*\n)*?\/\/ Size: /m.test(text.slice(0, 2000))) long.push(`${relative(CORE, f)} (${lines} lines)`);
  }
  assert.deepEqual(long, []);
});
