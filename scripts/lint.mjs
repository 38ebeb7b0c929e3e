// Architecture lint: holds the lines of the design that tsc cannot.
// - src/core is pure: no `vscode`, no DOM, no child_process, no direct file system
//   (only nodeFileSource.ts, the CLI's FileSource, may import node:fs).
// - nothing in src/ or webview/ evaluates code (`eval`, `new Function`).
// - the webview never imports host code (only src/shared).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

const problems = [];
const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
function imports(src) {
  const out = [];
  for (const m of src.matchAll(importRe)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}
const fsAllowed = new Set(['src/core/io/nodeFileSource.ts']);
for (const file of walk('src')) {
  const rel = relative('.', file).replaceAll('\\', '/');
  const src = readFileSync(file, 'utf8');
  if (/\beval\s*\(|new\s+Function\s*\(/.test(src)) problems.push(`${rel}: evaluates code (eval / new Function)`);
  if (rel.startsWith('src/core/')) {
    for (const spec of imports(src)) {
      if (spec === 'vscode') problems.push(`${rel}: src/core must not import vscode`);
      if (/^(node:)?child_process$/.test(spec)) problems.push(`${rel}: src/core must not import child_process`);
      if (/^(node:)?(fs|fs\/promises)$/.test(spec) && !fsAllowed.has(rel))
        problems.push(`${rel}: src/core reads files only through FileSource (imports ${spec})`);
    }
    if (/\b(document|window)\.[A-Za-z_]/.test(src)) problems.push(`${rel}: src/core must not use the DOM`);
  }
}
for (const file of walk('webview')) {
  const rel = relative('.', file).replaceAll('\\', '/');
  const src = readFileSync(file, 'utf8');
  if (/\beval\s*\(|new\s+Function\s*\(/.test(src)) problems.push(`${rel}: evaluates code`);
  for (const spec of imports(src)) {
    if (spec.startsWith('../src/') && !spec.startsWith('../src/shared/'))
      problems.push(`${rel}: the webview may import only src/shared (imports ${spec})`);
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('lint: ok');
