// One esbuild script for every bundle: extension host, CLI (Node, CommonJS) and webview (browser).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };
import { importMetaUrl, nodeCjs } from './esbuildNode.mjs';
import { L10N_BUNDLE, l10nBundle } from './l10n.mjs';

/** A Node bundle (CommonJS, with import.meta.url and the tfjs side-effect plugin) of `src/<name>.ts`. */
const node = (name, extra = {}) =>
  esbuild.build({
    ...common,
    entryPoints: [`src/${name}.ts`],
    outfile: `dist/${name}.js`,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    ...nodeCjs,
    banner: { js: importMetaUrl },
    ...extra,
  });

await Promise.all([
  node('extension', { external: ['vscode'] }),
  node('cli', { banner: { js: `#!/usr/bin/env node\n${importMetaUrl}` } }),
  node('predictWorker'),
  node('inspectWorker'),
  esbuild.build({
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  }),
]);
// TensorFlow.js' wasm backend loads its .wasm files at run time from beside the bundle.
mkdirSync('dist', { recursive: true });
const tfWasm = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
for (const f of readdirSync(tfWasm)) if (f.endsWith('.wasm')) copyFileSync(`${tfWasm}/${f}`, `dist/${f}`);
// The English l10n bundle (generated, not committed: translations beside it are, l10n/bundle.l10n.<lang>.json).
mkdirSync('l10n', { recursive: true });
writeFileSync(L10N_BUNDLE, `${JSON.stringify(await l10nBundle(), null, 2)}\n`);
console.log(`built dist/extension.js, dist/cli.js, dist/webview.js, ${L10N_BUNDLE}`);
