// What the VSIX ships: `vsce ls` (the packager's own file list, from .vscodeignore) must carry the
// manifest's translations, so contributed titles never show as their %key% (as they did once).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '..');

test('the VSIX file list has the manifest, its nls files and the built bundles, and no sources', () => {
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = new Set(
    r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  assert.ok(files.has('package.json'));
  for (const nls of readdirSync(ROOT).filter((f) => /^package\.nls(\.[\w-]+)?\.json$/.test(f))) assert.ok(files.has(nls), `${nls} is not shipped`);
  for (const built of ['dist/extension.js', 'dist/webview.js', 'dist/predictWorker.js']) {
    if (existsSync(join(ROOT, built))) assert.ok(files.has(built), `${built} is not shipped`);
  }
  assert.ok(![...files].some((f) => f.startsWith('src/') || f.startsWith('test/')), 'sources or tests in the VSIX');
});
