// The l10n bundle of the extension (l10n/bundle.l10n.json, the English strings translators start
// from): every vscode.l10n.t / l10n.t string of src/ and webview/ (extracted by @vscode/l10n-dev, the
// same tool as `vscode-l10n-dev export`), plus every template of the finding-message table
// (src/core/bundles/findingMessages.ts) and of the fix suggestions of the bundle view
// (FINDING_FIXES, src/core/report/viewModel.ts), which are translated through a variable that no
// extractor can see. Run by scripts/build.mjs; tests import l10nBundle() to check the bundle.
import * as esbuild from 'esbuild';
import { getL10nJson } from '@vscode/l10n-dev';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Folders whose TypeScript sources may call l10n.t. */
export const L10N_SOURCES = ['src', 'webview'];
/** Where the bundle is written (package.json "l10n"). */
export const L10N_BUNDLE = 'l10n/bundle.l10n.json';

function tsFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tsFiles(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Tables of English strings the code translates through a variable, built in memory from their TypeScript sources. */
async function tables(root) {
  const out = await esbuild.build({
    stdin: {
      contents: ["export { FINDING_MESSAGES } from './src/core/bundles/findingMessages';", "export { FINDING_FIXES } from './src/core/report/viewModel';"].join(
        '\n',
      ),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
    external: ['*.wasm'],
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

/** The finding-message table (src/core/bundles/findingMessages.ts). */
export async function findingMessages(root = '.') {
  return (await tables(root)).FINDING_MESSAGES;
}

/** The bundle's contents: extracted strings and the finding templates, sorted by key. */
export async function l10nBundle(root = '.') {
  const files = L10N_SOURCES.flatMap((d) => tsFiles(join(root, d))).sort();
  const sources = files.map((f) => readFileSync(f, 'utf8')).filter((text) => text.includes('l10n.t('));
  const extracted = await getL10nJson(sources.map((contents) => ({ extension: '.ts', contents })));
  const all = { ...extracted };
  const { FINDING_MESSAGES, FINDING_FIXES } = await tables(root);
  // finding templates (the adapters translate them with their arguments) and the bundle view's fix suggestions
  for (const text of [...Object.values(FINDING_MESSAGES), ...Object.values(FINDING_FIXES)]) all[text] ??= text;
  return Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((k) => [k, all[k]]),
  );
}
