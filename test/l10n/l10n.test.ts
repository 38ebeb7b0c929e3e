// Localisation: package.nls.json against package.json, host messages through l10n.t, every l10n.t
// string in the generated bundle (scripts/l10n.mjs, the build's l10n/bundle.l10n.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { l10nBundle } from '../../scripts/l10n.mjs';
import { FINDING_MESSAGES } from '../../src/core/bundles/findingMessages';
import { FINDING_FIXES } from '../../src/core/report/viewModel';
import { l10nCalls, literalMessage, parse, tsFiles, unwrappedMessages, where } from './l10nScan';

test('package.nls.json covers every %key% of package.json and has no unused key', () => {
  const pkg = readFileSync('package.json', 'utf8');
  const nls = JSON.parse(readFileSync('package.nls.json', 'utf8')) as Record<string, string>;
  const used = new Set([...pkg.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]));
  assert.ok(used.size > 20, `only ${used.size} %keys% found in package.json`);
  assert.deepEqual([...used].filter((k) => !(k in nls)), [], 'keys of package.json missing from package.nls.json');
  assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), [], 'keys of package.nls.json that package.json does not use');
  for (const [k, v] of Object.entries(nls)) assert.ok(typeof v === 'string' && v.trim() !== '', `package.nls.json: ${k} is empty`);
});

test('the message scan finds literal messages and passes l10n.t ones (self-test)', () => {
  const sf = parse(
    'probe.ts',
    [
      "vscode.window.showInformationMessage('plain');",
      'vscode.window.showWarningMessage(`Copied: ${x}`, "Open");',
      "vscode.window.showErrorMessage(ok ? 'a' : vscode.l10n.t('b'));",
      "vscode.window.showErrorMessage('Model Bundles: ' + e);",
      "vscode.window.showInformationMessage(vscode.l10n.t('Copied: {0}', x), vscode.l10n.t('Open'));",
      'vscode.window.showWarningMessage(text, ...buttons);',
    ].join('\n'),
  );
  assert.deepEqual(
    unwrappedMessages(sf).map((m) => m.split(':')[1]),
    ['1', '2', '3', '4'],
  );
});

test('every showInformationMessage / showWarningMessage / showErrorMessage of the host goes through l10n.t', () => {
  const files = [...tsFiles('src/adapters'), 'src/extension.ts'];
  assert.ok(files.length > 10);
  const bad = files.flatMap((f) => unwrappedMessages(parse(f)));
  assert.deepEqual(bad, []);
});

test('every l10n.t string of src/ and webview/ is in the generated l10n bundle, with English as its value', async () => {
  const bundle = await l10nBundle();
  const missing: string[] = [];
  const dynamic: string[] = [];
  let n = 0;
  for (const f of [...tsFiles('src'), ...tsFiles('webview')]) {
    for (const { call, first } of l10nCalls(parse(f))) {
      const msg = literalMessage(first);
      if (msg === null) {
        dynamic.push(where(call));
        continue;
      }
      n++;
      const entry = bundle[msg];
      if (entry === undefined) missing.push(`${where(call)}: ${msg}`);
      else assert.equal(typeof entry === 'string' ? entry : entry.message, msg);
    }
  }
  assert.ok(n > 100, `only ${n} l10n.t strings found`);
  assert.deepEqual(missing, []);
  // Only the finding templates and the fix suggestions are passed as variables (scripts/l10n.mjs adds their keys).
  assert.deepEqual(
    dynamic.map((d) => d.replace(/:\d+$/, '')),
    ['src/adapters/localized.ts', 'webview/overview.ts', 'webview/overview.ts'],
  );
  for (const fix of Object.values(FINDING_FIXES)) assert.equal(bundle[fix], fix);
  for (const template of Object.values(FINDING_MESSAGES)) assert.equal(bundle[template], template);
});

test('the webview loads the bundle the host writes into the page before its strings are built', async () => {
  const bundle = { present: 'vorhanden', 'Bundle {0}': 'Paket {0}' };
  (globalThis as Record<string, unknown>).document = { body: { getAttribute: (name: string) => (name === 'data-l10n' ? JSON.stringify(bundle) : null) } };
  try {
    const setup = '../../webview/l10n.ts'; // a variable: the webview's DOM types are not the host's
    await import(setup);
    const l10n = await import('@vscode/l10n');
    assert.equal(l10n.t('present'), 'vorhanden');
    assert.equal(l10n.t('Bundle {0}', 'iris'), 'Paket iris');
    assert.equal(l10n.t('missing'), 'missing');
  } finally {
    delete (globalThis as Record<string, unknown>).document;
  }
});

test('the VSIX allow-list ships the l10n bundles and the package.nls files', () => {
  const lines = readFileSync('.vscodeignore', 'utf8').split('\n').map((l) => l.trim());
  assert.equal(lines.find((l) => l && !l.startsWith('#')), '**', '.vscodeignore is an allow-list (everything excluded first)');
  assert.ok(lines.includes('!l10n/*.json'), 'l10n/bundle.l10n*.json not shipped');
  assert.ok(lines.includes('!package.nls*.json'), 'package.nls*.json not shipped');
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { l10n?: string };
  assert.equal(pkg.l10n, './l10n');
});
