// The host side of the webview's translations: webviewHtml writes VS Code's l10n bundle into the page
// (data-l10n, escaped) and the display language into <html lang>, with the CSP as strict as before.
// `vscode` is replaced by a stub for this file (the adapter needs only l10n, env, Uri and a Webview).
import assert from 'node:assert/strict';
import Module from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

const bundle: Record<string, string> = { 'Loading…': 'Wird geladen…', 'Bundle {0}': 'Paket {0}', tricky: '"><script>alert(1)</script>' };
const stub = {
  l10n: {
    bundle: bundle as Record<string, string> | undefined,
    t: (m: string, ...args: unknown[]): string => (stub.l10n.bundle?.[m] ?? m).replace(/\{(\d+)\}/g, (x, i: string) => String(args[Number(i)] ?? x)),
  },
  env: { language: 'de' },
  Uri: { joinPath: (base: { path: string }, ...segs: string[]) => ({ path: join(base.path, ...segs) }) },
};
const resolve = (Module as unknown as { _resolveFilename: (...a: unknown[]) => string })._resolveFilename;
(Module as unknown as { _resolveFilename: (...a: unknown[]) => string })._resolveFilename = function (request: unknown, ...rest: unknown[]) {
  return request === 'vscode' ? 'vscode-stub' : resolve.call(this, request, ...rest);
};
require.cache['vscode-stub'] = { id: 'vscode-stub', filename: 'vscode-stub', loaded: true, exports: stub } as unknown as NodeJS.Module;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { webviewHtml } = require('../../src/adapters/webviewHtml') as typeof import('../../src/adapters/webviewHtml');
const webview = { cspSource: 'vscode-resource:', asWebviewUri: (u: { path: string }) => ({ toString: () => `vscode-resource:${u.path}` }) };
const page = { title: 'Bundle iris', script: ['dist', 'webview.js'], styles: [['media', 'bundleView.css']] };
const html = (): string => webviewHtml(webview as never, { path: '/ext' } as never, page);

function unescapeAttr(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

test('the page carries the display language and its bundle, escaped, for webview/l10n.ts', () => {
  const h = html();
  assert.match(h, /<html lang="de">/);
  const m = /<body data-l10n="([^"]*)">/.exec(h);
  assert.ok(m, 'no data-l10n on <body>');
  assert.deepEqual(JSON.parse(unescapeAttr(m[1])), bundle);
  assert.ok(!h.includes('<script>alert'), 'a bundle value broke out of the attribute');
  assert.match(h, /aria-busy="true">Wird geladen…<\/div>/);
});

test('in English (no bundle) the page has no data-l10n; the CSP stays strict either way', () => {
  const withBundle = html();
  stub.l10n.bundle = undefined;
  stub.env.language = 'en';
  const english = html();
  assert.match(english, /<html lang="en">/);
  assert.match(english, /<body>/);
  assert.match(english, /aria-busy="true">Loading…<\/div>/);
  for (const h of [withBundle, english]) {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(h)![1].replace(/&#39;/g, "'");
    assert.match(csp, /^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+'; style-src vscode-resource:; img-src vscode-resource:; font-src vscode-resource:; base-uri 'none'; form-action 'none'$/);
    assert.equal((h.match(/<script/g) ?? []).length, 1, 'one script: the bundle, by nonce');
  }
});
