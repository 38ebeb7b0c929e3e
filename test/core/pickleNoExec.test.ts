// Proof that the pickle reader cannot run code or touch the system:
// 1. statically: the TypeScript AST of pickle.ts / joblib.ts / numpy.ts / decompress.ts /
//    pickleAllowlist.ts and of every local module they import (transitively) has no `require`,
//    `eval`, `Function`, `.constructor`, `globalThis`, `process`, dynamic `import(`, and imports only
//    local modules and three vetted packages (checked too, and only their sync APIs are imported);
// 2. dynamically: with eval / Function / child_process / fs functions replaced by throwing spies,
//    every hostile and control file is read and none of them is called.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { loadPickleBytes } from '../../src/core/formats/pickle/joblib';

const ROOT = join(__dirname, '..', '..');
const CORE = join(ROOT, 'src', 'core');
const ENTRY = ['formats/pickle/pickle.ts', 'formats/pickle/joblib.ts', 'formats/pickle/numpy.ts', 'codecs/decompress.ts', 'formats/pickle/pickleAllowlist.ts'];
/** Packages the reader may use, and the only names it may import from each (sync, no workers). */
const PACKAGES: Record<string, string[]> = {
  fflate: ['Gunzip', 'Unzlib', 'unzipSync'],
  lz4js: ['decompressBlock'],
  'seek-bzip': ['*'],
};
const BANNED_IDENTIFIERS = new Set(['require', 'eval', 'Function', 'constructor', 'globalThis', 'process', 'importScripts', 'Worker']);

function scan(file: string, seen: Map<string, string[]>): void {
  if (seen.has(file)) return;
  const problems: string[] = [];
  seen.set(file, problems);
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      const spec = node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) ? node.moduleSpecifier.text : null;
      if (spec !== null) {
        if (spec.startsWith('.')) scan(resolve(dirname(file), `${spec}.ts`), seen);
        else if (!(spec in PACKAGES)) problems.push(`imports ${spec}`);
        else if (ts.isImportDeclaration(node) && !PACKAGES[spec].includes('*')) {
          const named = node.importClause?.namedBindings;
          if (!named || !ts.isNamedImports(named)) problems.push(`imports all of ${spec}`);
          else for (const el of named.elements) if (!PACKAGES[spec].includes(el.name.text)) problems.push(`imports ${el.name.text} from ${spec}`);
        }
      }
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) problems.push('dynamic import(');
    if (ts.isImportEqualsDeclaration(node)) problems.push('import = require');
    if (ts.isIdentifier(node) && BANNED_IDENTIFIERS.has(node.text))
      problems.push(`uses ${node.text} at line ${src.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    if (ts.isStringLiteral(node) && /child_process|node:|^fs$|^vm$|worker_threads/.test(node.text)) problems.push(`names ${node.text}`);
    ts.forEachChild(node, visit);
  };
  visit(src);
}

test('static: the reader and its local imports reach no require / eval / Function / fs / child_process / import(', () => {
  const seen = new Map<string, string[]>();
  for (const f of ENTRY) scan(join(CORE, f), seen);
  const files = [...seen.keys()].map((f) => f.slice(CORE.length + 1)).sort();
  // The whole graph: our five files plus the shared contracts they build on.
  assert.deepEqual(files, [
    'codecs/decompress.ts',
    'formats/pickle/joblib.ts',
    'formats/pickle/numpy.ts',
    'formats/pickle/pickle.ts',
    'formats/pickle/pickleAllowlist.ts',
    'formats/pickle/pyValue.ts',
    'io/errors.ts',
    'types.ts',
  ]);
  for (const [f, problems] of seen) assert.deepEqual(problems, [], f);
});

test('static: the scanner itself catches what it is meant to catch', () => {
  const tmp = join(__dirname, 'pickleNoExec.probe.ts');
  const probe = ts.createSourceFile(
    tmp,
    "import { x } from 'node:child_process'; const f = new Function('1'); eval('2'); void import('fs'); ({}).constructor;",
    ts.ScriptTarget.ES2022,
    true,
  );
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) found.push(`import ${node.moduleSpecifier.text}`);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) found.push('import(');
    if (ts.isIdentifier(node) && BANNED_IDENTIFIERS.has(node.text)) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(probe);
  assert.deepEqual(found, ['import node:child_process', 'Function', 'eval', 'import(', 'constructor']);
});

test('static: the vetted packages require only their own files', () => {
  const nm = join(ROOT, 'node_modules');
  const files = [
    ...['lz4.js', 'util.js', 'xxh32.js'].map((f) => join(nm, 'lz4js', f)),
    ...['index.js', 'bitreader.js', 'stream.js', 'crc32.js'].map((f) => join(nm, 'seek-bzip', 'lib', f)),
  ];
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)) assert.ok(m[1].startsWith('.'), `${f} requires ${m[1]}`);
    assert.doesNotMatch(src, /\beval\s*\(|new\s+Function\b|child_process/, f);
  }
});

test('dynamic: eval, Function, child_process and fs are never called while reading every fixture', () => {
  // Read the fixtures first; then trap.
  const inputs: [string, Uint8Array][] = [];
  for (const dir of ['picklescan', 'generated', 'controls']) {
    const d = join(ROOT, 'test', 'fixtures', 'hostile', dir);
    for (const f of readdirSync(d).sort()) inputs.push([`${dir}/${f}`, new Uint8Array(readFileSync(join(d, f)))]);
  }
  const calls: string[] = [];
  const spy = (name: string) =>
    function trapped(): never {
      calls.push(name);
      throw new Error(`${name} was called`);
    };
  type Mod = Record<string, unknown>;
  const g = globalThis as unknown as Mod;
  // Security test: real modules are patched in this test process only, and restored below.
  /* eslint-disable @typescript-eslint/no-require-imports -- the real module objects are patched, not import bindings */
  const cp = require('node:child_process') as Mod;
  const fs = require('node:fs') as Mod;
  const vm = require('node:vm') as Mod;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const saved: [Mod, string, unknown][] = [];
  const trap = (obj: Mod, key: string, label: string) => {
    saved.push([obj, key, obj[key]]);
    obj[key] = spy(label);
  };
  trap(g, 'eval', 'eval');
  trap(g, 'Function', 'Function');
  for (const k of ['exec', 'execSync', 'execFile', 'execFileSync', 'spawn', 'spawnSync', 'fork']) trap(cp, k, `child_process.${k}`);
  for (const k of [
    'readFileSync',
    'readFile',
    'openSync',
    'open',
    'readSync',
    'writeFileSync',
    'writeFile',
    'createReadStream',
    'createWriteStream',
    'readdirSync',
    'statSync',
    'existsSync',
  ])
    trap(fs, k, `fs.${k}`);
  for (const k of ['runInThisContext', 'runInNewContext', 'runInContext', 'compileFunction']) trap(vm, k, `vm.${k}`);
  // Self-check: the traps fire when something does call them.
  assert.throws(() => (g.eval as (s: string) => unknown)('1'), /eval was called/);
  assert.throws(() => (cp.execSync as (s: string) => unknown)('true'), /child_process.execSync was called/);
  assert.throws(() => (fs.readFileSync as (s: string) => unknown)('/etc/hostname'), /fs.readFileSync was called/);
  calls.length = 0;
  const verdicts: string[] = [];
  try {
    for (const [name, bytes] of inputs) {
      const r = loadPickleBytes(bytes, { path: name });
      verdicts.push(`${name}:${r.report.verdict}`);
    }
  } finally {
    for (const [obj, key, v] of saved.reverse()) obj[key] = v;
  }
  assert.deepEqual(calls, []);
  assert.equal(verdicts.length, inputs.length);
  // The traps were live: the controls read (safe) and every hostile file was refused.
  assert.equal(verdicts.filter((v) => v.startsWith('controls/') && v.endsWith(':safe')).length, 28);
  assert.equal(verdicts.filter((v) => v.endsWith(':dangerous')).length >= 40, true);
});
