// Proof that the PyTorch / safetensors readers cannot run code: the TypeScript AST of the torch
// dialect, the containers, the zip codec and the safetensors reader, and of every local module they
// import (transitively), has no `require`, `eval`, `Function`, `.constructor`, `globalThis`,
// `process`, dynamic `import(`, and imports only local modules and fflate's inflateSync; and while
// every torch fixture (hostile ones included) is read, eval / Function are never called.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { inspectFile } from '../../src/core/formats/inspect';
import { NodeFileSource } from '../../src/core/io/nodeFileSource';

const CORE = join(__dirname, '..', '..', 'src', 'core');
const ENTRY = [
  'formats/pickle/torchPickle.ts',
  'formats/torch/torchReader.ts',
  'formats/torch/tensorData.ts',
  'formats/torch/moduleTree.ts',
  'formats/safetensors/safetensors.ts',
];
const PACKAGES: Record<string, string[]> = { fflate: ['inflateSync', 'Gunzip', 'Unzlib', 'unzipSync'], lz4js: ['decompressBlock'], 'seek-bzip': ['*'] };
const BANNED = new Set(['require', 'eval', 'Function', 'constructor', 'globalThis', 'process', 'importScripts', 'Worker']);

function scan(file: string, seen: Map<string, string[]>): void {
  if (seen.has(file)) return;
  const problems: string[] = [];
  seen.set(file, problems);
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const spec = node.moduleSpecifier.text;
      if (spec.startsWith('.')) scan(resolve(dirname(file), `${spec}.ts`), seen);
      else if (!(spec in PACKAGES)) problems.push(`imports ${spec}`);
      else if (ts.isImportDeclaration(node) && !PACKAGES[spec].includes('*')) {
        const named = node.importClause?.namedBindings;
        if (!named || !ts.isNamedImports(named)) problems.push(`imports all of ${spec}`);
        else for (const el of named.elements) if (!PACKAGES[spec].includes(el.name.text)) problems.push(`imports ${el.name.text} from ${spec}`);
      }
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) problems.push('dynamic import(');
    if (ts.isIdentifier(node) && BANNED.has(node.text))
      problems.push(`uses ${node.text} at line ${src.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    if (ts.isStringLiteral(node) && /child_process|node:|^fs$|^vm$|worker_threads/.test(node.text)) problems.push(`names ${node.text}`);
    ts.forEachChild(node, visit);
  };
  visit(src);
}

test('static: the torch / safetensors readers and everything they import reach no eval, require, Function, fs or process', () => {
  const seen = new Map<string, string[]>();
  for (const f of ENTRY) scan(join(CORE, f), seen);
  const files = [...seen.keys()].map((f) => f.slice(CORE.length + 1));
  for (const must of ['formats/pickle/pickle.ts', 'codecs/zip.ts', 'formats/torch/torchFile.ts', 'formats/torch/checkpoint.ts', 'formats/shared/torchValue.ts'])
    assert.ok(files.includes(must), must);
  for (const [f, problems] of seen) assert.deepEqual(problems, [], f);
});

test('dynamic: eval and Function are never called while reading every torch fixture', async () => {
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = { eval: g.eval, Function: g.Function };
  const calls: string[] = [];
  g.eval = () => calls.push('eval');
  g.Function = function () {
    calls.push('Function');
  };
  try {
    const dir = join(__dirname, '..', 'fixtures', 'torch');
    const files = [...readdirSync(dir).map((n) => join(dir, n)), ...readdirSync(join(dir, 'hostile')).map((n) => join(dir, 'hostile', n))].filter((p) =>
      /\.(pt|pth|ckpt|safetensors)$/.test(p),
    );
    assert.ok(files.length >= 20);
    for (const p of files) await inspectFile(p, new NodeFileSource());
  } finally {
    g.eval = saved.eval;
    g.Function = saved.Function;
  }
  assert.deepEqual(calls, []);
});
